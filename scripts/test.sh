#!/usr/bin/env bash
# Installs, builds (with AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build-test -DPROVISION_SANITIZE=ON -DPROVISION_WERROR=ON
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-test
ctest --output-on-failure -j "$(nproc)"
