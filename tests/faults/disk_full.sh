#!/bin/sh
# Fault: the target's disk is full while a template is written. The task fails on that host, the old file is
# untouched and no temporary file is left; the other host finishes; a rerun converges once there is room.
#   tests/faults/disk_full.sh BUILD_DIR/provision
. "$(dirname "$0")/lib.sh"
hosts_up 2

# A 32 KiB file system on sbx1 only, holding the old file.
on_host sbx1 sh -c 'mkdir -p /srv/app && mount -t tmpfs -o size=32k tmpfs /srv/app'
for h in sbx1 sbx2; do on_host "$h" sh -c 'mkdir -p /srv/app && printf old > /srv/app/app.conf'; done
mkdir -p "$work/templates"
# About 200 KiB once rendered.
printf '{%% for i in range(4000) %%}line {{ i }} of a configuration file that does not fit\n{%% endfor %%}' \
  >"$work/templates/app.conf.j2"
cat >"$work/site.yml" <<'YAML'
- hosts: sandbox
  gather_facts: false
  tasks:
    - template: src=app.conf.j2 dest=/srv/app/app.conf
    - copy: dest=/root/after content=after
YAML
run "$work/site.yml" -i "$inventory"
check "a full disk fails that host: exit 2" [ "$rc" = 2 ]
check "... sbx1 stops there" recap_is sbx1 "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0"
check "... sbx2 finishes" recap_is sbx2 "ok=2 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
check "the old file is untouched" [ "$(on_host sbx1 cat /srv/app/app.conf)" = old ]
check "no temporary file is left" [ "$(on_host sbx1 ls -A /srv/app)" = app.conf ]

on_host sbx1 mount -o remount,size=4m /srv/app
run "$work/site.yml" -i "$inventory"
check "with room, a rerun converges" [ "$rc" = 0 ]
check "... writing the whole file" [ "$(on_host sbx1 sh -c 'wc -l < /srv/app/app.conf')" = 4000 ]
run "$work/site.yml" -i "$inventory"
check "... and the next changes nothing" recap_is sbx1 "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
finish
