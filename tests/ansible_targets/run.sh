#!/usr/bin/env bash
# Ansible's own integration targets (stable-2.14, see targets/SOURCE), run unchanged as ansible-test runs them:
# once by the real ansible-playbook, to confirm the target passes on this machine, and once by provision through
# shim/ansible-playbook. See README.md.
#
#   run.sh PROVISION_BIN [TARGET...]                     both runs; prints the table
#   run.sh --check PROVISION_BIN [TARGET...]             provision only, on the targets Ansible passes in
#                                                        expected.txt; fails when one listed as passing fails
#   run.sh --ansible-only [TARGET...]                    Ansible only
#   --update-expected (with any of these)                rewrites what was run into those targets' expected.txt lines
#   --from DIR (with any of these)                       reports on a run kept with KEEP=1 instead of running
# TARGET_TIMEOUT (seconds per target and tool, default 600) limits each run; JOBS=N runs N targets at once
# (default 1); KEEP=1 keeps the work folders.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=shim/env.sh
. "$here/shim/env.sh"
run_ansible=1 run_provision=1 update=0 check=0 from=''
while [ $# -gt 0 ]; do
  case "$1" in
    --update-expected) update=1 ;;
    --check) check=1 run_ansible=0 ;;
    --ansible-only) run_provision=0 ;;
    --from) from=$(cd "$2" && pwd) || exit 64; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 64 ;;
    *) break ;;
  esac
  shift
done
if [ $run_provision = 1 ]; then
  PROVISION_BIN=${1:-}
  if [ -z "$PROVISION_BIN" ] || [ ! -x "$PROVISION_BIN" ]; then
    echo "run.sh: PROVISION_BIN '$PROVISION_BIN' is not an executable (first argument)" >&2
    exit 64
  fi
  PROVISION_BIN=$(cd "$(dirname "$PROVISION_BIN")" && pwd)/$(basename "$PROVISION_BIN")
  shift
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(grep -v -e '^#' -e '^$' "$here/targets.txt")
fi
for t in "${targets[@]}"; do
  [ -d "$here/targets/$t" ] || { echo "run.sh: no target '$t' in $here/targets" >&2; exit 64; }
done
ansible_bin=$(command -v ansible-playbook) || [ $run_ansible = 0 ] || {
  echo "run.sh: no ansible-playbook in PATH" >&2
  exit 64
}
timeout_s=${TARGET_TIMEOUT:-600}
expected=$here/expected.txt
if [ -n "$from" ]; then
  root=$from   # a kept run (KEEP=1): report on it again, run nothing
else
  root=$(mktemp -d "${TMPDIR:-/tmp}/provision-targets.XXXXXX")
  [ "${KEEP:-}" = 1 ] || trap 'rm -rf "$root"' EXIT
fi

# expected.txt: "target ansible provision ansible_calls" where ansible_calls lists the exit codes of Ansible's
# ansible-playbook calls in order ("-" for none); the fourth column lets a --check run find the first call whose
# exit code differs without running Ansible.
expected_field() {  # TARGET COLUMN
  [ -f "$expected" ] && awk -v t="$1" -v c="$2" '$1 == t { print $c }' "$expected"
}

# One target by one tool (ansible or provision) in a fresh copy of the integration folder, as ansible-test lays it
# out; leaves $work/rc, $work/log and $work/calls/NNN/ behind.
run_target() {
  local t=$1 tool=$2 work=$root/$1/$2 tool_dir
  mkdir -p "$work/integration/targets" "$work/output" "$work/home" "$work/calls"
  (cd "$here/targets" && find . -mindepth 1 -maxdepth 1 -type d -exec cp -a {} "$work/integration/targets/" \;)
  cp "$here/shim/inventory" "$work/integration/inventory"
  if [ "$tool" = provision ]; then
    tool_dir=$here/shim
  else
    # Ansible goes through the same logging shim, pointed at the real ansible-playbook; its `ansible` stays real.
    tool_dir=$work/tool
    mkdir -p "$tool_dir"
    ln -s "$here/shim/ansible-playbook" "$tool_dir/ansible-playbook"
  fi
  (
    ansible_test_env "$work" "$tool_dir"
    export SHIM_LOG_DIR=$work/calls
    if [ "$tool" = provision ]; then export PROVISION_BIN; else export PROVISION_BIN=$ansible_bin; fi
    if [ -f "$work/integration/targets/$t/runme.sh" ]; then
      cd "$work/integration/targets/$t" || exit 70
      export ANSIBLE_PLAYBOOK_DIR=$PWD
      exec timeout -k 10 "$timeout_s" ./runme.sh
    fi
    # A target without runme.sh is a role, applied to testhost by the playbook ansible-test writes.
    cd "$work/integration" || exit 70
    export ANSIBLE_PLAYBOOK_DIR=$PWD ANSIBLE_ROLES_PATH=$PWD/targets
    printf '[\n    {\n        "gather_facts": true,\n        "hosts": "testhost",\n        "roles": [\n' >"$t-run.yml"
    printf '            "%s"\n        ],\n        "vars": {\n            "output_dir": "%s"\n' "$t" "$OUTPUT_DIR" \
      >>"$t-run.yml"
    printf '        },\n        "vars_files": []\n    }\n]\n' >>"$t-run.yml"
    exec timeout -k 10 "$timeout_s" ansible-playbook "$t-run.yml" -i inventory
  ) </dev/null >"$work/log" 2>&1
  echo $? >"$work/rc"
}

# Exit codes of a run's calls, comma separated, or "-".
call_codes() {
  local codes='' c
  for c in "$1"/calls/[0-9]*/; do
    [ -d "$c" ] || continue
    codes+="${codes:+,}$(cat "$c/rc" 2>/dev/null || echo '?')"
  done
  echo "${codes:--}"
}

# The first line of a call's output that says what went wrong, skipping failures that were ignored.
first_error() {
  cat "$1/stdout" "$1/stderr" 2>/dev/null | awk '
    cand != "" && /^\.\.\.ignoring/ { cand = ""; next }
    cand != "" && /^(TASK|PLAY|RUNNING HANDLER) / { print cand; found = 1; exit }
    cand == "" && /^(fatal|failed): |^ERROR!|^\[ERROR\]|^provision: error|error: / { cand = $0 }
    END { if (!found && cand != "") print cand }' | cut -c1-220
}

# Why provision's run of a target failed, given Ansible's exit codes for the same calls.
reason() {
  local work=$1 want=$2 rc got i=0 c
  rc=$(cat "$work/rc")
  IFS=, read -r -a want_codes <<<"$want"
  IFS=, read -r -a got_codes <<<"$(call_codes "$work")"
  [ "$want" = - ] && want_codes=()
  [ "${got_codes[0]}" = - ] && got_codes=()
  for ((i = 0; i < ${#got_codes[@]}; i++)); do
    if [ $i -ge ${#want_codes[@]} ] || [ "${got_codes[$i]}" != "${want_codes[$i]}" ]; then
      c=$work/calls/$(printf '%03d' $((i + 1)))
      got="call $((i + 1)) \`ansible-playbook $(tr '\n' ' ' <"$c/args" | sed 's/ $//')\`: rc ${got_codes[$i]}"
      got+=" (Ansible ${want_codes[$i]:-made no such call}): $(first_error "$c")"
      break
    fi
  done
  if [ -z "${got:-}" ]; then
    # Every call ended as Ansible's did: the runme.sh failed on a check of the output, or outside any call.
    got="after ${#got_codes[@]} call(s) as Ansible's: $(grep -E '^\++ ' "$work/log" | tail -n 1)"
    grep -q 'provision has no ad-hoc command' "$work/log" && got="runme.sh runs \`ansible\` (ad-hoc), $got"
  fi
  [ "$rc" = 124 ] || [ "$rc" = 137 ] && got="timeout after ${timeout_s}s; $got"
  echo "${got:0:400}"
}

# Why Ansible's own run failed: the runme.sh line that stopped it and the last call's first error line.
ansible_reason() {
  local last
  last=$(find "$1/calls" -mindepth 1 -maxdepth 1 -type d | sort | tail -n 1)
  local why
  why="$(grep -E '^\++ ' "$1/log" | tail -n 1)${last:+; $(first_error "$last")}"
  [ "$(cat "$1/rc")" = 124 ] || [ "$(cat "$1/rc")" = 137 ] && why="timeout after ${timeout_s}s; $why"
  echo "${why:0:400}"
}

verdict() { [ "$(cat "$1/rc")" = 0 ] && echo pass || echo fail; }

# Both runs of one target; several targets may run at once (JOBS), each in its own folder.
run_both() {
  local t=$1
  if [ $run_ansible = 1 ]; then
    run_target "$t" ansible
    [ "$(verdict "$root/$t/ansible")" = pass ] || return 0
  elif [ "$(expected_field "$t" 2)" != pass ]; then
    return 0
  fi
  [ $run_provision = 0 ] || run_target "$t" provision
}
for t in "${targets[@]}"; do
  [ -z "$from" ] || break
  while [ "$(jobs -r -p | wc -l)" -ge "${JOBS:-1}" ]; do wait -n; done
  run_both "$t" &
done
wait

printf '%-32s %-10s %-10s %s\n' target ansible provision 'first difference (provision)'
declare -A a_res p_res a_calls
regressed=() newly=()
for t in "${targets[@]}"; do
  if [ $run_ansible = 1 ]; then
    a_res[$t]=$(verdict "$root/$t/ansible")
    a_calls[$t]=$(call_codes "$root/$t/ansible")
  else
    a_res[$t]=$(expected_field "$t" 2)
    a_calls[$t]=$(expected_field "$t" 4)
  fi
  p_res[$t]=$(expected_field "$t" 3)
  why=''
  if [ "${a_res[$t]}" != pass ]; then
    why='Ansible fails it (expected.txt); not run'
    [ $run_ansible = 1 ] && why="Ansible fails: $(ansible_reason "$root/$t/ansible")"
  elif [ $run_provision = 1 ]; then
    p_res[$t]=$(verdict "$root/$t/provision")
    [ "${p_res[$t]}" = fail ] && why=$(reason "$root/$t/provision" "${a_calls[$t]}")
    was=$(expected_field "$t" 3)
    [ "$was" = pass ] && [ "${p_res[$t]}" != pass ] && regressed+=("$t")
    [ "$was" != pass ] && [ "${p_res[$t]}" = pass ] && newly+=("$t")
  fi
  printf '%-32s %-10s %-10s %s\n' "$t" "${a_res[$t]:-?}" "${p_res[$t]:--}" "$why"
done

passed=0 runnable=0
for t in "${targets[@]}"; do
  [ "${a_res[$t]:-}" = pass ] || continue
  runnable=$((runnable + 1))
  [ "${p_res[$t]:-}" = pass ] && passed=$((passed + 1))
done
echo "provision passes $passed of the $runnable targets that pass under Ansible (${#targets[@]} listed)"

if [ $update = 1 ]; then
  tmp=$root/expected.txt
  {
    [ -f "$expected" ] && grep -v '^#' "$expected" | awk -v list=" ${targets[*]} " 'index(list, " " $1 " ") == 0'
    for t in "${targets[@]}"; do echo "$t ${a_res[$t]:--} ${p_res[$t]:--} ${a_calls[$t]:--}"; done
  } >"$tmp"
  # Kept in targets.txt's order so that diffs of expected.txt stay small.
  { echo '# target ansible provision ansible_calls -- written by run.sh --update-expected; see README.md'
    grep -v -e '^#' -e '^$' "$here/targets.txt" | while read -r t; do awk -v t="$t" '$1 == t' "$tmp"; done
  } >"$expected.new" && mv "$expected.new" "$expected"
  echo "wrote $expected"
fi
[ ${#newly[@]} -gt 0 ] && echo "newly passing (not pass in expected.txt): ${newly[*]}"
if [ ${#regressed[@]} -gt 0 ]; then
  echo "REGRESSED (pass in expected.txt, fail now): ${regressed[*]}"
  exit 1
fi
[ $check = 1 ] || [ $run_provision = 0 ] || [ "$passed" = "$runnable" ]
