#!/bin/sh
# Fault: Ctrl-C (SIGINT) and SIGTERM mid-run, while a command runs on the hosts (in the persistent shell on sbx1,
# in a channel of its own through sudo on sbx2). provision stops at once, prints the recap, exits 99, leaves no
# process on the controller or the hosts, runs nothing after; a rerun converges.
#   tests/faults/interrupt.sh BUILD_DIR/provision
. "$(dirname "$0")/lib.sh"
hosts_up 2

cat >"$work/site.yml" <<'YAML'
- hosts: sandbox
  gather_facts: false
  vars:
    provision_ssh_persistent_shell: "{{ inventory_hostname == 'sbx1' }}"
  tasks:
    - command: sh -c 'sleep {{ pause }}; echo'
      changed_when: false
      become: "{{ inventory_hostname == 'sbx2' }}"
    - copy: dest=/root/after content=after
YAML
# Each signal's run sleeps for its own time, so that each check sees that run's command only.
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
  check "... leaving no process on the controller" no_provision_left
  for host in sbx1 sbx2; do
    check "... or on $host" wait_for_host "$host" "! pgrep -f 'sleep ${pause%.*}[.]${pause#*.}'"
  done
done

run "$work/site.yml" -i "$inventory" -e pause=0
check "a rerun converges" [ "$rc" = 0 ]
run "$work/site.yml" -i "$inventory" -e pause=0
check "... and the next changes nothing" recap_is sbx2 "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
finish
