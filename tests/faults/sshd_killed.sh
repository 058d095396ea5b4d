#!/bin/sh
# Fault: sshd dies on a host mid-task (the listener and the session serving provision, SIGKILL), the host itself
# stays up. That host is UNREACHABLE, the other finishes, the exit code is 4, nothing is left on the controller;
# once sshd is back a rerun converges.
#   tests/faults/sshd_killed.sh BUILD_DIR/provision
. "$(dirname "$0")/lib.sh"
hosts_up 2

start_mid_task
on_host sbx2 sh -c 'kill -9 $(pidof sshd)'
finish_run
check "sshd killed gives exit code 4" [ "$rc" = 4 ]
check "... the host is UNREACHABLE" recap_is sbx2 "ok=0 changed=0 unreachable=1 failed=0 skipped=0 rescued=0 ignored=0"
check "... and the other host finishes" recap_is sbx1 "ok=2 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
check "... the next task did not run there" on_host sbx2 test ! -e /root/after
check "nothing is left on the controller" no_provision_left

"$sandbox" start-sshd sbx2 >/dev/null
run "$work/site.yml" -i "$inventory" -e pause=0
check "a rerun once sshd is back converges" recap_is sbx2 "ok=2 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
run "$work/site.yml" -i "$inventory" -e pause=0
check "... and the next changes nothing" recap_is sbx2 "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
finish
