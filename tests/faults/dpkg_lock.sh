#!/bin/sh
# Fault: another apt holds the dpkg lock. The apt task waits lock_timeout seconds, then fails that host with
# Ansible's message; the other host installs; once the lock is released a rerun converges.
#   tests/faults/dpkg_lock.sh BUILD_DIR/provision
. "$(dirname "$0")/lib.sh"
hosts_up 2

# apt takes fcntl locks on /var/lib/dpkg/lock-frontend; perl (in every Debian) holds one as apt would.
on_host sbx1 sh -c 'setsid perl -MFcntl -e '"'"'open(my $f, ">>", "/var/lib/dpkg/lock-frontend") or die;
  my $lock = pack("s s x4 q q i x4", F_WRLCK, 0, 0, 0, 0); fcntl($f, F_SETLK, $lock) or die "lock: $!"; sleep 120'"'"' \
  </dev/null >/dev/null 2>&1 & echo $! >/run/lock-holder.pid'
wait_for_host sbx1 "pgrep -x perl"
cat >"$work/site.yml" <<'YAML'
- hosts: sandbox
  gather_facts: false
  tasks:
    - apt: name=tree update_cache=yes cache_valid_time=3600 lock_timeout=3
    - copy: dest=/root/after content=after
YAML
run "$work/site.yml" -i "$inventory"
check "a held dpkg lock fails that host: exit 2" [ "$rc" = 2 ]
check "... with Ansible's message" grep -q "Failed to lock apt for exclusive operation" "$work/out"
check "... sbx1 stops there" recap_is sbx1 "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0"
check "... sbx2 installs" recap_is sbx2 "ok=2 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
check "... and the package is not half there on sbx1" sh -c "! '$sandbox' exec sbx1 dpkg -s tree >/dev/null 2>&1"

on_host sbx1 sh -c 'kill "$(cat /run/lock-holder.pid)"'
run "$work/site.yml" -i "$inventory"
check "once the lock is free a rerun converges" [ "$rc" = 0 ]
run "$work/site.yml" -i "$inventory"
check "... and the next changes nothing" recap_is sbx1 "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
finish
