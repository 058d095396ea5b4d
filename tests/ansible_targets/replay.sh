#!/usr/bin/env bash
# Replays every ansible-playbook call of Ansible's run of a target with provision, one after another in a fresh
# copy of the targets, whatever the earlier calls gave, and compares each call's exit code with Ansible's. A
# runme.sh stops at its first failure; this shows every call that differs, i.e. every feature a target still
# lacks. It checks exit codes only, not the output checks of runme.sh, and does not redo what a runme.sh does
# between calls (files it writes), so it is an estimate for docs/compatibility.md, not a test.
#
#   KEEP=1 run.sh --ansible-only ...        keeps Ansible's calls in $TMPDIR/provision-targets.XXXXXX
#   replay.sh PROVISION_BIN THAT_FOLDER [TARGET...]
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=shim/env.sh
. "$here/shim/env.sh"
if [ $# -lt 2 ] || [ ! -x "$1" ] || [ ! -d "$2" ]; then
  sed -n '2,9p' "$0" >&2
  exit 64
fi
PROVISION_BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
from=$(cd "$2" && pwd)
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in "$from"/*/ansible/calls/001; do targets+=("$(basename "$(dirname "$(dirname "$(dirname "$d")")")")"); done
fi
# The first line of a call's output (as in run.sh) that says what went wrong, skipping failures that were ignored.
first_error() {
  cat "$1/stdout" "$1/stderr" 2>/dev/null | awk '
    cand != "" && /^\.\.\.ignoring/ { cand = ""; next }
    cand != "" && /^(TASK|PLAY|RUNNING HANDLER) / { print cand; found = 1; exit }
    cand == "" && /^(fatal|failed): |^ERROR!|^\[ERROR\]|^provision: error|error: / { cand = $0 }
    END { if (!found && cand != "") print cand }' | cut -c1-220
}

root=$(mktemp -d "${TMPDIR:-/tmp}/provision-replay.XXXXXX")
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$root"' EXIT

for t in "${targets[@]}"; do
  old=$from/$t/ansible work=$root/$t
  mkdir -p "$work/integration/targets" "$work/output" "$work/home" "$work/calls"
  (cd "$here/targets" && find . -mindepth 1 -maxdepth 1 -type d -exec cp -a {} "$work/integration/targets/" \;)
  cp "$here/shim/inventory" "$work/integration/inventory"
  playbook=$old/integration/$t-run.yml
  [ -f "$playbook" ] && sed "s#$old#$work#g" "$playbook" >"$work/integration/$t-run.yml"
  total=0 same=0 diffs=''
  for c in "$old"/calls/[0-9]*/; do
    n=$(basename "$c") total=$((total + 1))
    mkdir -p "$work/calls/$n"
    mapfile -t args < <(sed "s#$old#$work#g" "$c/args")
    cwd=$(sed "s#$old#$work#g" "$c/cwd")
    (
      ansible_test_env "$work" ''
      [ -f "$c/env" ] && while IFS= read -r kv; do export "${kv//$old/$work}"; done <"$c/env"
      cd "$cwd" && exec timeout -k 10 "${TARGET_TIMEOUT:-300}" "$PROVISION_BIN" "${args[@]}"
    ) </dev/null >"$work/calls/$n/stdout" 2>"$work/calls/$n/stderr"
    got=$? want=$(cat "$c/rc")
    if [ "$got" = "$want" ]; then
      same=$((same + 1))
    else
      err=$(first_error "$work/calls/$n")
      diffs+="    $n \`$(tr '\n' ' ' <"$c/args" | sed "s#$old/##g; s/ $//")\`: rc $got (Ansible $want): $err"$'\n'
    fi
  done
  echo "$t: $same of $total calls end as Ansible's"
  printf '%s' "$diffs"
done
