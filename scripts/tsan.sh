#!/usr/bin/env bash
# Builds provision and the executor's tests with ThreadSanitizer and runs them: the unit tests of exec (the
# executor's state, probes sent ahead) and the command-line tests, whose playbooks run several local hosts at once
# (forks, the free strategy, run_once, hostvars, interrupts). Any data race is a failure. Not part of CI's test
# command yet (a third full build); run it after changes to the executor or the connections.
#   scripts/tsan.sh [BUILD_DIR (build-tsan)]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-tsan}
scripts/setup.sh "$build" -DPROVISION_TSAN=ON -DPROVISION_WERROR=ON -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="-O1 -g1"
# halt_on_error: the first race fails the run; second_deadlock_stack: both stacks of a lock-order report.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
"$build/tests/test_exec"
"$build/tests/integration/test_cli"
echo "ThreadSanitizer: no data race in test_exec and test_cli"
