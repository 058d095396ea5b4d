#!/bin/sh
# The provision binary over SSH against ten sandbox hosts: a converging run with forks=10, a rerun with no change,
# become as a sudo user (with and without a password, and a wrong one), the remote_user and port keywords, a host
# whose sshd is stopped (UNREACHABLE while the others finish), a host whose key changed (refused), and probes sent
# ahead in one round trip. Hosts are taken down at the end.
#   tests/integration/ssh/e2e.sh BUILD_DIR/provision
set -eu

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PROVISION_BINARY" >&2
  exit 2
fi
provision=$1
repo=$(cd "$(dirname "$0")/../../.." && pwd)
sandbox="$repo/tests/sandbox/sandbox.sh"
work=$(mktemp -d /tmp/provision-e2e.XXXXXX)
trap '"$sandbox" down >/dev/null 2>&1 || echo "e2e.sh: sandbox down failed" >&2; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

"$sandbox" up 10 >/dev/null
inventory=$("$sandbox" inventory)
passed=0
failed=0

check() {  # check DESCRIPTION COMMAND...: counts a pass when the command succeeds
  description=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $description" >&2
    echo "--- output of the last run:" >&2
    cat "$work/out" >&2
  fi
}

run() {  # run ARGS...: provision with the output in $work/out and the exit code in $rc
  set +e
  NO_COLOR=1 "$provision" "$@" >"$work/out" 2>&1
  rc=$?
  set -e
}

earlier() {  # earlier TIME TIME: the first of two -vvvv timestamps (HH:MM:SS.micro, same day) is the earlier
  [ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort | head -n 1)" = "$1" ]
}

recap_is() {  # recap_is HOST "ok=N changed=N ..."
  line=$(grep "^$1 " "$work/out" | sed 's/ \{1,\}/ /g; s/ $//')
  [ "$line" = "$1 : $2" ]
}

cat >"$work/site.yml" <<'YAML'
- hosts: sandbox
  gather_facts: false
  tasks:
    - name: a folder
      file: path=/srv/e2e state=directory mode=0750
    - name: a file naming its host
      copy: dest=/srv/e2e/host content="{{ inventory_hostname }}\n"
    - name: read it back
      command: cat /srv/e2e/host
      register: back
      changed_when: false
    - assert:
        that: back.stdout == inventory_hostname
YAML

run "$work/site.yml" -i "$inventory" -f 10
check "first run exits 0" [ "$rc" = 0 ]
for n in 1 2 3 4 5 6 7 8 9 10; do
  check "sbx$n converged" recap_is "sbx$n" "ok=4 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
done
run "$work/site.yml" -i "$inventory" -f 10
check "rerun exits 0" [ "$rc" = 0 ]
check "rerun changes nothing on sbx7" recap_is sbx7 "ok=4 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"

cat >"$work/become.yml" <<'YAML'
- hosts: sbx1
  gather_facts: false
  become: true
  tasks:
    - command: id -un
      register: who
    - copy: dest=/root/e2e-become content="{{ who.stdout }}\n"
YAML
run "$work/become.yml" -i "$inventory" -e ansible_user=deploy
check "become without a password as deploy" [ "$rc" = 0 ]
check "the command ran as root" grep -q "^sbx1 .*failed=0" "$work/out"
check "the file landed as root" [ "$("$sandbox" exec sbx1 cat /root/e2e-become)" = root ]
run "$work/become.yml" -i "$inventory" -e ansible_user=secure -e ansible_become_password=sandbox-secret
check "become with the right password" [ "$rc" = 0 ]
check "the password never shows" sh -c "! grep -q sandbox-secret '$work/out'"
run "$work/become.yml" -i "$inventory" -e ansible_user=secure -e ansible_become_password=wrong-one
check "a wrong become password fails the host" [ "$rc" = 2 ]
check "and says so" grep -q "Incorrect sudo password" "$work/out"

# Facts are gathered with the play's become, as Ansible's setup task is.
cat >"$work/become_facts.yml" <<'YAML'
- hosts: sbx1
  become: "{{ elevate }}"
  tasks:
    - assert:
        that:
          - ansible_user_id == expected
          - ansible_env.USER == expected
YAML
run "$work/become_facts.yml" -i "$inventory" -e ansible_user=deploy -e elevate=true -e expected=root
check "facts gathered as root under become" [ "$rc" = 0 ]
run "$work/become_facts.yml" -i "$inventory" -e ansible_user=deploy -e elevate=false -e expected=deploy
check "facts gathered as the login user without become" [ "$rc" = 0 ]

# As in Ansible, an ansible_become_user variable beats the become_user keyword.
cat >"$work/become_var.yml" <<'YAML'
- hosts: sbx1
  gather_facts: false
  become: true
  become_user: root
  tasks:
    - command: id -un
      register: who
    - assert:
        that: who.stdout == 'nobody'
YAML
run "$work/become_var.yml" -i "$inventory" -e ansible_user=deploy -e ansible_become_user=nobody
check "ansible_become_user beats the become_user keyword" [ "$rc" = 0 ]

# become_flags replace sudo's default flags (-g: another group) and become_exe names the program; both reach the
# host as quoted words.
cat >"$work/become_exe.yml" <<'YAML'
- hosts: sbx1
  gather_facts: false
  become: true
  tasks:
    - command: id -gn
      become_flags: -H -S -n -g deploy
      register: flagged
    - command: id -un
      become_exe: /usr/bin/sudo
      register: exe
    - command: id -un
      become_exe: /nonexistent/sudo
      register: missing
      ignore_errors: true
    - assert:
        that:
          - flagged.stdout == 'deploy'
          - exe.stdout == 'root'
          - missing is failed
YAML
run "$work/become_exe.yml" -i "$inventory" -e ansible_user=deploy
check "become_flags and become_exe" [ "$rc" = 0 ]

# async with poll 0 over SSH: the job runs on a session of its own, as the task's become user, while the play goes
# on; async_status then reads the job's file in that user's home.
cat >"$work/async.yml" <<'YAML'
- hosts: sbx1
  gather_facts: false
  become: true
  tasks:
    - file: {path: /root/e2e-async, state: absent}
    - shell: sleep 3; id -un > /root/e2e-async
      async: 30
      poll: 0
      register: job
    - stat: {path: /root/e2e-async}
      register: early
    - async_status: {jid: "{{ job.ansible_job_id }}"}
      register: status
      until: status.finished
      retries: 20
      delay: 1
    - assert:
        that:
          - not early.stat.exists
          - status.rc == 0
YAML
run "$work/async.yml" -i "$inventory" -e ansible_user=deploy -vvvv
check "a poll 0 job runs over SSH while the play goes on" [ "$rc" = 0 ]
check "... as the become user" [ "$("$sandbox" exec sbx1 cat /root/e2e-async)" = root ]
check "... on a session of its own" [ "$(grep -c '<sbx1> ssh connection established' "$work/out")" = 2 ]

# -K asks on the terminal without echo: script(1) gives provision a terminal and types the password.
set +e
(sleep 3; printf 'sandbox-secret\n') | NO_COLOR=1 script -qec \
  "'$provision' '$work/become.yml' -i '$inventory' -e ansible_user=secure -K" /dev/null >"$work/out" 2>&1
rc=$?
set -e
check "-K prompts for the become password" grep -q "BECOME password:" "$work/out"
check "and the prompted password works" [ "$rc" = 0 ]
check "the typed password is not echoed" sh -c "! grep -q sandbox-secret '$work/out'"

# Probes sent ahead over SSH: on a converged host the file, copy, template and apt tasks below are answered from
# one round trip; a task that changes something drops the answers taken before it (the last two tasks: a stale
# answer would leave /srv/ahead/gone missing and count one change fewer).
printf '{{ inventory_hostname }} ahead\n' >"$work/ahead.j2"
cat >"$work/ahead.yml" <<YAML
- hosts: sbx5
  gather_facts: false
  tasks:
    - file: path=/srv/ahead state=directory
    - file: path=/srv/ahead/{{ item }} state=directory mode=0750
      loop: [a, b, c, d]
    - copy: dest=/srv/ahead/a/f content="one\\n"
    - template: src=$work/ahead.j2 dest=/srv/ahead/b/t
    - apt: name=openssh-server state=present
    - file: path=/srv/ahead/gone state=absent
    - file: path=/srv/ahead/gone state=directory
YAML
"$sandbox" exec sbx5 rm -rf /srv/ahead
run "$work/ahead.yml" -i "$inventory"
check "the ahead playbook converges sbx5" recap_is sbx5 "ok=7 changed=5 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
run "$work/ahead.yml" -i "$inventory" -vvv
check "a rerun changes only the removed folder and the folder made again" \
  recap_is sbx5 "ok=7 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
check "/srv/ahead/gone exists at the end" "$sandbox" exec sbx5 test -d /srv/ahead/gone
# The first task's probe goes alone (the connection opens with it); one round trip then carries the next eight
# tasks' probes (the last two tasks probe the same path alike: sent once, answered once).
check "one round trip carried the probes of the converged tasks" \
  [ "$(grep -c '<sbx5> EXEC 8 probes of the next tasks together' "$work/out")" = 1 ]
check "eight tasks' probes were answered from it" [ "$(grep -c '<sbx5> EXEC.* (sent ahead)$' "$work/out")" = 8 ]
# Besides those two round trips: the removal, then the last task's probe (sent again), its mkdir and one read of
# the result.
check "four commands after the batch" [ "$(grep '<sbx5> EXEC' "$work/out" | grep -c ' in [0-9.]* ms$')" = 6 ]

# A host that a later play adds is connected while the play before it runs: sbx7's session opens during play one's
# two-second task, and play two uses it. A play that reaches its host another way than planned (here the port
# depends on the serial batch, unknown ahead) connects anew; the attempt made ahead (to a closed port) is dropped.
cat >"$work/plays.yml" <<'YAML'
- hosts: sbx6
  gather_facts: false
  tasks:
    - command: sleep 2
- hosts: sbx7
  gather_facts: false
  tasks:
    - command: id -un
- hosts: sbx8:sbx9
  gather_facts: false
  serial: 1
  vars:
    ansible_port: "{{ 22 if ansible_play_batch | length == 1 else 2 }}"
  tasks:
    - command: id -un
YAML
run "$work/plays.yml" -i "$inventory" -vvvv
check "three plays on hosts connected ahead or anew" [ "$rc" = 0 ]
check "sbx9 finished its play" recap_is sbx9 "ok=1 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
check "sbx7 was connected once" [ "$(grep -c '<sbx7> ssh connection established' "$work/out")" = 1 ]
sbx7_open=$(grep '<sbx7> ssh connection established' "$work/out" | cut -d' ' -f1)
sbx6_done=$(grep '<sbx6> command done' "$work/out" | cut -d' ' -f1)
check "... while play one's task still ran" earlier "$sbx7_open" "$sbx6_done"
check "sbx8 was connected once, by its play" [ "$(grep -c '<sbx8> ssh connection established' "$work/out")" = 1 ]

# The connection keywords over SSH. Without ansible_user in the inventory, the play's remote_user beats -u, a
# block's and a task's beat the play's; a task on a closed port is unreachable and ignored. A task that comes back
# to the play's user finds its connection still open: three sessions for three users.
sed 's/ ansible_user=root//' "$inventory" >"$work/nouser.ini"
cat >"$work/keywords.yml" <<'YAML'
- hosts: sbx10
  gather_facts: false
  remote_user: deploy
  tasks:
    - command: id -un
      register: play_user
    - command: id -un
      remote_user: root
      register: task_user
    - block:
        - command: id -un
          register: block_user
      remote_user: secure
    - command: id -un
      register: back_user
    - command: id -un
      port: 9
      ignore_unreachable: true
      register: closed
    - assert:
        that:
          - play_user.stdout == 'deploy'
          - task_user.stdout == 'root'
          - block_user.stdout == 'secure'
          - back_user.stdout == 'deploy'
          - closed.unreachable
YAML
run "$work/keywords.yml" -i "$work/nouser.ini" -u root -vvvv
check "remote_user and port keywords at play, block and task level" [ "$rc" = 0 ]
check "the closed port was ignored" recap_is sbx10 "ok=6 changed=4 unreachable=0 failed=0 skipped=0 rescued=0 ignored=1"
check "one session per user, kept across tasks" [ "$(grep -c '<sbx10> ssh connection established' "$work/out")" = 3 ]

"$sandbox" stop-sshd sbx3 >/dev/null
# An unreachable host of a later play is reported in that play, as without the early attempt.
cat >"$work/later.yml" <<'YAML'
- hosts: sbx2
  gather_facts: false
  tasks:
    - command: sleep 1
- hosts: sbx3
  gather_facts: false
  tasks:
    - command: id -un
YAML
run "$work/later.yml" -i "$inventory"
check "an unreachable host of a later play gives exit code 4" [ "$rc" = 4 ]
check "... and is UNREACHABLE in its play" grep -q "fatal: \[sbx3\]: UNREACHABLE!" "$work/out"
run "$work/site.yml" -i "$inventory" --limit 'sbx1:sbx2:sbx3'
check "an unreachable host gives exit code 4" [ "$rc" = 4 ]
check "sbx3 is UNREACHABLE" grep -q "fatal: \[sbx3\]: UNREACHABLE!" "$work/out"
check "sbx3 is counted unreachable" recap_is sbx3 "ok=0 changed=0 unreachable=1 failed=0 skipped=0 rescued=0 ignored=0"
check "the others finish" recap_is sbx2 "ok=4 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"

"$sandbox" rekey sbx4 >/dev/null
run "$work/site.yml" -i "$inventory" --limit sbx4
check "a changed host key is refused" [ "$rc" = 4 ]
check "the message names the host and the key change" grep -q "CHANGED" "$work/out"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
