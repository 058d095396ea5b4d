#!/usr/bin/env bash
# Host parity: each case's playbook is applied by Debian's ansible-playbook to one fresh sandbox host and by
# provision to another, twice each; both runs must give the same PLAY RECAP counts and both hosts the same end
# state (what the case's state.sh prints on each). See README.md.
#
#   run.sh PROVISION_BIN [case...]
# Env: PARITY_HOSTS="A B [C D ...]" (sandbox host numbers, in pairs, default "1 2"; each pair works through
# its share of the cases alongside the others); PARITY_KEEP_UP=1 leaves the sandbox up.
# Needs root; brings the sandbox up and (unless PARITY_KEEP_UP) down.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sandbox="$repo/tests/sandbox/sandbox.sh"
[ $# -ge 1 ] && [ -x "$1" ] || { echo "usage: $0 PROVISION_BIN [case...]" >&2; exit 64; }
provision=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  for d in "$here"/cases/*/; do cases+=("$(basename "$d")"); done
fi
read -r -a hosts <<<"${PARITY_HOSTS:-1 2}"
{ [ ${#hosts[@]} -ge 2 ] && [ $((${#hosts[@]} % 2)) = 0 ]; } || { echo "run.sh: PARITY_HOSTS needs pairs" >&2; exit 64; }
command -v ansible-playbook >/dev/null || { echo "run.sh: ansible-playbook not found" >&2; exit 64; }

work=$(mktemp -d "${TMPDIR:-/tmp}/provision-host-parity.XXXXXX")
cleanup() {
  rm -rf "$work"
  [ -n "${PARITY_KEEP_UP:-}" ] || "$sandbox" down >/dev/null 2>&1 || echo "run.sh: sandbox down failed" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_HOST_KEY_CHECKING=1 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
export ANSIBLE_LOCAL_TEMP="$work/ansible-local" ANSIBLE_HOME="$work/ansible-home"

highest=0
for n in "${hosts[@]}"; do [ "$n" -gt "$highest" ] && highest=$n; done
"$sandbox" up "$highest" || exit 1
state_dir=${PROVISION_SANDBOX_DIR:-$repo/.sandbox}

# An inventory naming the sandbox host `target`, so both tools print the same recap line.
# shellcheck source=../sandbox/lib/inventory.sh
. "$repo/tests/sandbox/lib/inventory.sh"
inventory_for() { # N FILE
  { printf '[target]\ntarget ansible_host=%s\n\n[target:vars]\n' "$(sandbox_ip "$1")"; sandbox_vars "$state_dir"; } >"$2"
}

recap_of() {
  awk '/^PLAY RECAP/ { r = 1; next } r && $1 == "target" {
         line = ""; for (i = 3; i <= NF; i++) line = line (line == "" ? "" : " ") $i; print line; exit }' "$1"
}

# Both hosts start fresh and get the same packages: python3 and python3-apt for Ansible, plus the case's own.
prepare() { # N CASE
  local n=$1 case=$2 extra=""
  [ -f "$here/cases/$case/packages" ] && extra=$(grep -v '^#' "$here/cases/$case/packages" | tr '\n' ' ')
  # shellcheck disable=SC2086  # the case's packages are words on purpose
  fresh_host_for_ansible "$sandbox" "$n" python3-apt $extra
}

# Two runs of one tool on one host: prints "rc recap" for each, one per line.
apply() { # TOOL N CASE LOGPREFIX
  local tool=$1 n=$2 case=$3 log=$4 i rc
  inventory_for "$n" "$work/inv-$n"
  for i in 1 2; do
    (cd "$here/cases/$case" && "$tool" -i "$work/inv-$n" playbook.yml) </dev/null >"$log.$i" 2>&1
    rc=$?
    printf 'run %s: rc=%s %s\n' "$i" "$rc" "$(recap_of "$log.$i")"
  done
}

# One case on hosts A (ansible-playbook) and B (provision); its report goes to stdout, the exit code says ok.
run_case() { # CASE A B
  local case=$1 host_a=$2 host_b=$3 dir=$work/$1 pa pb ok=1
  mkdir -p "$dir"
  echo "=== $case"
  prepare "$host_a" "$case" & pa=$!
  prepare "$host_b" "$case" & pb=$!
  if ! wait $pa || ! wait $pb; then
    echo "FAIL $case: preparing the hosts failed"; return 1
  fi
  apply ansible-playbook "$host_a" "$case" "$dir/ansible" >"$dir/ansible.recaps" & pa=$!
  apply "$provision" "$host_b" "$case" "$dir/provision" >"$dir/provision.recaps" & pb=$!
  wait $pa; wait $pb
  "$sandbox" exec "sbx$host_a" sh <"$here/cases/$case/state.sh" >"$dir/ansible.state" 2>&1
  "$sandbox" exec "sbx$host_b" sh <"$here/cases/$case/state.sh" >"$dir/provision.state" 2>&1
  if ! diff -u "$dir/ansible.recaps" "$dir/provision.recaps" >"$dir/recap.diff"; then
    ok=0; echo "recaps differ (ansible-playbook first):"; cat "$dir/recap.diff"
  fi
  if ! diff -u "$dir/ansible.state" "$dir/provision.state" >"$dir/state.diff"; then
    ok=0; echo "end states differ (ansible-playbook first):"; cat "$dir/state.diff"
  fi
  if ! grep -q 'run 1: rc=0 ' "$dir/ansible.recaps"; then
    ok=0; echo "ansible-playbook did not succeed; its output:"; tail -30 "$dir/ansible.1"
  fi
  if [ $ok = 1 ]; then
    echo "ok   $case"; cat "$dir/provision.recaps"
  else
    echo "FAIL $case"
    echo "--- provision, first run:"; tail -40 "$dir/provision.1"
    echo "--- provision, second run:"; tail -20 "$dir/provision.2"
    return 1
  fi
}

# Each pair of hosts is a lane taking every n-th case; reports are printed in the cases' order.
lanes=$((${#hosts[@]} / 2))
for ((lane = 0; lane < lanes; lane++)); do
  (
    for ((i = lane; i < ${#cases[@]}; i += lanes)); do
      run_case "${cases[$i]}" "${hosts[$((2 * lane))]}" "${hosts[$((2 * lane + 1))]}" >"$work/report.$i" 2>&1
      echo $? >"$work/status.$i"
    done
  ) &
done
wait
passed=0 failed=0
for ((i = 0; i < ${#cases[@]}; i++)); do
  cat "$work/report.$i"
  if [ "$(cat "$work/status.$i" 2>/dev/null)" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
