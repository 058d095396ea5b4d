#!/bin/sh
# Fault: Ctrl-C (SIGINT) and SIGTERM mid-run, while a command runs on the hosts. provision stops at once, prints
# the recap, exits 99, leaves no process on the controller, runs nothing after; a rerun converges.
#   tests/faults/interrupt.sh BUILD_DIR/provision
. "$(dirname "$0")/lib.sh"
hosts_up 2

cat >"$work/site.yml" <<'YAML'
- hosts: sandbox
  gather_facts: false
  tasks:
    - command: sleep {{ pause }}
      changed_when: false
    - copy: dest=/root/after content=after
YAML
# Each signal's run sleeps for its own time, so that the wait below sees this run's command: a command that the
# persistent shell was running is not yet ended on the host (docs/security.md, "Not yet").
for signal in INT TERM; do
  pause=$([ "$signal" = INT ] && echo 57.5 || echo 58.5)
  start "$work/site.yml" -i "$inventory" -e "pause=$pause"
  # [.] keeps the pattern from matching the shell that runs pgrep itself.
  wait_for_host sbx2 "pgrep -f 'sleep ${pause%.*}[.]${pause#*.}'"
  kill "-$signal" "$pid"
  sent=$(date +%s)
  finish_run
  check "SIG$signal exits 99" [ "$rc" = 99 ]
  check "... within seconds, not when the command ends" [ $(($(date +%s) - sent)) -lt 10 ]
  check "... after the recap" grep -q "PLAY RECAP" "$work/out"
  check "... running nothing after it" sh -c "! '$sandbox' exec sbx1 test -e /root/after"
  check "... and leaving no process on the controller" no_provision_left
done

run "$work/site.yml" -i "$inventory" -e pause=0
check "a rerun converges" [ "$rc" = 0 ]
run "$work/site.yml" -i "$inventory" -e pause=0
check "... and the next changes nothing" recap_is sbx2 "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
finish
