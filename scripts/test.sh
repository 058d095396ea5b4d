#!/usr/bin/env bash
# Installs, builds (with AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# -O1 keeps the sanitizers' reports precise and the build quick enough for CI on two cores.
scripts/setup.sh build-test -DPROVISION_SANITIZE=ON -DPROVISION_WERROR=ON -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="-O1 -g1"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-test
ctest --output-on-failure -j "$(nproc)"
