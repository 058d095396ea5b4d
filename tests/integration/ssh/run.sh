#!/bin/sh
# Runs the ssh integration tests against fresh sandbox hosts, and always takes the hosts down again.
#   tests/integration/ssh/run.sh BUILD_DIR/test_ssh_integration [Catch2 arguments...]
# Builds nothing: pass the test binary. Needs root (the sandbox uses network namespaces).
# PROVISION_SANDBOX_DIR chooses the sandbox state directory (default <repo>/.sandbox), as for sandbox.sh.
set -eu

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 TEST_BINARY [catch2 arguments...]" >&2
  exit 2
fi
binary=$1
shift

repo=$(cd "$(dirname "$0")/../../.." && pwd)
sandbox="$repo/tests/sandbox/sandbox.sh"

# Down on every exit, also after a failed up or an interrupted run: hosts must not outlive the tests.
trap '"$sandbox" down >/dev/null 2>&1 || echo "run.sh: sandbox down failed; run $sandbox down" >&2' EXIT
trap 'exit 130' INT TERM

# sbx1 for the shared suite, sbx2 for the changed host key, sbx3 for the stopped sshd; all three in parallel tests.
"$sandbox" up 3
"$binary" "$@"
