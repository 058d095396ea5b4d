#!/bin/sh
# Fault: a host's network link is lost mid-transfer (packets dropped, no reset), during the upload of a large file
# over an existing one. With ServerAliveInterval=1 the link is given up after about 4 s: that host is UNREACHABLE,
# the other finishes, the exit code is 4, the existing file is untouched (no half-written file), nothing is left
# on the controller; once the link is back a rerun converges.
#   tests/faults/link_down.sh BUILD_DIR/provision
. "$(dirname "$0")/lib.sh"
hosts_up 2

head -c 150000000 /dev/urandom >"$work/big"
on_host sbx2 sh -c 'echo old >/root/big'
cat >"$work/site.yml" <<'YAML'
- hosts: sandbox
  gather_facts: false
  vars:
    ansible_ssh_extra_args: -o ServerAliveInterval=1
  tasks:
    - copy: src={{ playbook_dir }}/big dest=/root/big
    - copy: dest=/root/after content=after
YAML
start "$work/site.yml" -i "$inventory"
# The upload starts once the file's checksum is known (seconds under the sanitizers).
wait_seconds=60 wait_for_host sbx2 "ls -a /root | grep -q provision-tmp"
"$sandbox" link-down sbx2
finish_run
"$sandbox" link-up sbx2
check "a lost link gives exit code 4" [ "$rc" = 4 ]
check "... the host is UNREACHABLE" recap_is sbx2 "ok=0 changed=0 unreachable=1 failed=0 skipped=0 rescued=0 ignored=0"
check "... and the other host finishes" recap_is sbx1 "ok=2 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
check "... the file being replaced is untouched" [ "$(on_host sbx2 cat /root/big)" = old ]
check "nothing is left on the controller" no_provision_left

run "$work/site.yml" -i "$inventory"
check "a rerun once the link is back converges" recap_is sbx2 "ok=2 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
check "... with the whole file" [ "$(on_host sbx2 sha1sum /root/big | cut -c1-40)" = "$(sha1sum "$work/big" | cut -c1-40)" ]
run "$work/site.yml" -i "$inventory"
check "... and the next changes nothing" recap_is sbx2 "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
finish
