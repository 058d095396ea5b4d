#!/bin/sh
# Fault: a host dies mid-run (every process on it killed, sshd included). That host is UNREACHABLE, the other
# finishes, the exit code is 4, nothing is left on the controller; a rerun on the rebuilt host converges.
#   tests/faults/host_killed.sh BUILD_DIR/provision
. "$(dirname "$0")/lib.sh"
hosts_up 2

start_mid_task
on_host sbx2 sh -c 'kill -9 -1' >/dev/null 2>&1 || true
finish_run
check "a dead host gives exit code 4" [ "$rc" = 4 ]
check "... it is UNREACHABLE" recap_is sbx2 "ok=0 changed=0 unreachable=1 failed=0 skipped=0 rescued=0 ignored=0"
check "... and the other host finishes" recap_is sbx1 "ok=2 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
check "nothing is left on the controller" no_provision_left

"$sandbox" reset sbx2 >/dev/null
run "$work/site.yml" -i "$inventory" -e pause=0
check "a rerun on the rebuilt host converges" [ "$rc" = 0 ]
run "$work/site.yml" -i "$inventory" -e pause=0
check "... and the next changes nothing" recap_is sbx2 "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
finish
