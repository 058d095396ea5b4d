#!/bin/sh
# Fault: a command that never returns. The task's timeout keyword ends it on the host, the task fails with
# Ansible's message, the other host and the next tasks go on, and a rerun converges.
#   tests/faults/timeout.sh BUILD_DIR/provision
. "$(dirname "$0")/lib.sh"
hosts_up 2

cat >"$work/site.yml" <<'YAML'
- hosts: sandbox
  gather_facts: false
  tasks:
    - shell: "{{ 'sleep 53.5; touch /root/late' if inventory_hostname == 'sbx1' else 'true' }}"
      timeout: 2
      changed_when: false
    - copy: dest=/root/after content=after
YAML
run "$work/site.yml" -i "$inventory"
check "a task past its timeout fails its host: exit 2" [ "$rc" = 2 ]
check "... with Ansible's message" \
  grep -q "The shell action failed to execute in the expected time frame (2) and was terminated" "$work/out"
check "... sbx1 stops there" recap_is sbx1 "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0"
check "... sbx2 goes on" recap_is sbx2 "ok=2 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
check "the command is gone from the host" sh -c "! '$sandbox' exec sbx1 pgrep -f 'sleep 53[.]5' >/dev/null"
check "... and did not finish" sh -c "! '$sandbox' exec sbx1 test -e /root/late"
check "nothing is left on the controller" no_provision_left

sed -i 's/sleep 53.5; touch \/root\/late/true/' "$work/site.yml"
run "$work/site.yml" -i "$inventory"
check "without the hanging command the rerun converges" [ "$rc" = 0 ]
run "$work/site.yml" -i "$inventory"
check "... and the next changes nothing" recap_is sbx1 "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
finish
