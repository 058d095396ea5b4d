# shellcheck shell=sh
# Shared by the fault scripts: sandbox hosts, a provision run, checks that count. Each script sources it with the
# provision binary as $1, brings up its hosts with `hosts_up N`, and ends with `finish`.
set -eu

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PROVISION_BINARY" >&2
  exit 2
fi
provision=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
sandbox="$repo/tests/sandbox/sandbox.sh"
work=$(mktemp -d /tmp/provision-fault.XXXXXX)
trap '"$sandbox" down >/dev/null 2>&1 || echo "fault: sandbox down failed" >&2; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
passed=0
failed=0

hosts_up() {  # hosts_up N: fresh hosts sbx1..sbxN
  "$sandbox" down >/dev/null 2>&1 || true
  "$sandbox" up "$1" >/dev/null
  inventory=$("$sandbox" inventory)
}

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

start() {  # start ARGS...: provision in the background; $pid, then `finish_run` waits and sets $rc
  NO_COLOR=1 "$provision" "$@" >"$work/out" 2>&1 &
  pid=$!
}

finish_run() {
  set +e
  wait "$pid"
  rc=$?
  set -e
}

wait_for_host() {  # wait_for_host HOST COMMAND: until COMMAND succeeds on HOST ($wait_seconds, 10 s by default)
  host=$1
  shift
  i=0
  while ! "$sandbox" exec "$host" sh -c "$*" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt $((${wait_seconds:-10} * 10)) ] || return 1
    sleep 0.1
  done
}

recap_is() {  # recap_is HOST "ok=N changed=N ..."
  line=$(grep "^$1 " "$work/out" | sed 's/ \{1,\}/ /g; s/ $//')
  [ "$line" = "$1 : $2" ]
}

on_host() { "$sandbox" exec "$@"; }

# start_mid_task: starts a run of $work/site.yml, a command sleeping 6.25 s (`-e pause=0` for none) then a copy to
# /root/after, and returns once the command runs on sbx2: the moment the fault scripts break something.
start_mid_task() {
  cat >"$work/site.yml" <<'YAML'
- hosts: sandbox
  gather_facts: false
  tasks:
    - command: sleep {{ pause | default(6.25) }}
      changed_when: false
    - copy: dest=/root/after content=after
YAML
  start "$work/site.yml" -i "$inventory"
  wait_for_host sbx2 "pgrep -f 'sleep 6[.]25'"
}

no_provision_left() {  # no provision process of this run left on the controller
  ! pgrep -f "$work/" >/dev/null
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}
