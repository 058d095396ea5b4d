#!/bin/sh
# Runs the module tests against sandbox hosts, and always takes the hosts down again.
#   tests/integration/modules/run.sh BUILD_DIR/test_modules_sandbox [Catch2 arguments...]
# Each module's tests use their own hosts (see hosts.h), so the groups below run side by side.
# Needs root. PROVISION_SANDBOX_DIR chooses the sandbox state directory, as for sandbox.sh.
set -eu

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 TEST_BINARY [catch2 arguments...]" >&2
  exit 2
fi
binary=$1
shift

repo=$(cd "$(dirname "$0")/../../.." && pwd)
sandbox="$repo/tests/sandbox/sandbox.sh"
trap '"$sandbox" down >/dev/null 2>&1 || echo "run.sh: sandbox down failed; run $sandbox down" >&2' EXIT
trap 'exit 130' INT TERM

"$sandbox" up "$(sed -n 's/^constexpr int kHostCount = \([0-9]*\);.*/\1/p' "$(dirname "$0")/hosts.h")"
if [ $# -gt 0 ]; then
  "$binary" "$@"  # not exec: the EXIT trap must still take the hosts down
  exit $?
fi
# Two groups in parallel (two cores); each group's tests run one after another on their own hosts.
"$binary" "$(sed -n 's/^\/\/ group A: //p' "$(dirname "$0")/hosts.h")" >"${TMPDIR:-/tmp}/modules-A.$$" 2>&1 &
a=$!
status=0
"$binary" "$(sed -n 's/^\/\/ group B: //p' "$(dirname "$0")/hosts.h")" || status=1
wait $a || status=1
echo "--- group A ---"
cat "${TMPDIR:-/tmp}/modules-A.$$"
rm -f "${TMPDIR:-/tmp}/modules-A.$$"
exit $status
