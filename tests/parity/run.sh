#!/usr/bin/env bash
# Parity harness: every case under cases/ must give the same exit code, PLAY RECAP counts and end state under
# `provision` as under Debian's `ansible-playbook -c local`. See README.md for the case layout.
#
#   run.sh [PROVISION_BIN] [case...]          compare provision against ansible-playbook
#   run.sh --ansible-only [case...]           run ansible only, compare with each case's stored expectations
#   run.sh --update-expected [case...]        run ansible only and rewrite the stored expectations
set -u

here=$(cd "$(dirname "$0")" && pwd)
mode=compare
cases=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ansible-only) mode=ansible-only ;;
    --update-expected) mode=update ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 64 ;;
    *)
      if [ -z "${PROVISION_BIN:-}" ] && [ "$mode" = compare ] && [ ${#cases[@]} -eq 0 ] && [ ! -d "$here/cases/$1" ]; then
        PROVISION_BIN=$1
      else
        cases+=("$1")
      fi ;;
  esac
  shift
done
if [ ${#cases[@]} -eq 0 ]; then
  for d in "$here"/cases/*/; do cases+=("$(basename "$d")"); done
fi
if [ "$mode" = compare ]; then
  if [ -z "${PROVISION_BIN:-}" ] || [ ! -x "${PROVISION_BIN}" ]; then
    echo "run.sh: PROVISION_BIN '${PROVISION_BIN:-}' is not an executable; pass it as the first argument," >&2
    echo "        set PROVISION_BIN, or use --ansible-only" >&2
    exit 64
  fi
  PROVISION_BIN=$(cd "$(dirname "$PROVISION_BIN")" && pwd)/$(basename "$PROVISION_BIN")
fi
command -v ansible-playbook >/dev/null || { echo "run.sh: ansible-playbook not found" >&2; exit 64; }

work=$(mktemp -d "${TMPDIR:-/tmp}/provision-parity.XXXXXX")
trap 'rm -rf "$work"' EXIT
out="$work/out"   # the same path for both tools, so paths written into files compare equal

export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_PYTHON_INTERPRETER=auto_silent ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_DEPRECATION_WARNINGS=0
export ANSIBLE_LOCAL_TEMP="$work/ansible-local" ANSIBLE_REMOTE_TEMP="$work/ansible-remote"
export ANSIBLE_HOME="$work/ansible-home"

# Variants of extra command-line arguments for a case: one per line of its `args` file ("-" for none).
variants_of() {
  local file="$here/cases/$1/args"
  if [ ! -f "$file" ]; then echo "-"; return; fi
  grep -v '^[[:space:]]*#' "$file" | grep -v '^[[:space:]]*$'
}

# A case's `env` file: "NAME=value" lines add to the environment of both tools (@OUT@ is $out), "-NAME" lines
# take a variable of the harness away (so that a case's ansible.cfg decides); printed as arguments for env(1).
env_of() {
  local file="$here/cases/$1/env" line
  [ -f "$file" ] || return 0
  while IFS= read -r line; do
    case "$line" in
      ''|'#'*) ;;
      -*) printf '%s\n' "-u" "${line#-}" ;;
      *) printf '%s\n' "${line//@OUT@/$out}" ;;
    esac
  done <"$file"
}

# Runs one tool on one case variant into a fresh $out; leaves the log in $2 and prints the exit code.
run_tool() {
  local tool=$1 log=$2 case=$3 args=$4
  rm -rf "$out" && mkdir -p "$out"
  # Each run starts from an empty ANSIBLE_HOME, so that nothing one tool leaves there (a fact cache) reaches the other.
  rm -rf "$ANSIBLE_HOME"
  local envs=()
  mapfile -t envs < <(env_of "$case")
  [ "$args" = "-" ] && args=""
  # A variant that names the playbook places it itself (the order of words on the command line is under test).
  local playbook=playbook.yml
  case " $args " in *" playbook.yml "*) playbook="" ;; esac
  # A case with an inventory file runs on its hosts (all local connections), otherwise on localhost alone.
  local inventory=localhost,
  [ -f "$here/cases/$case/inventory" ] && inventory=inventory
  # shellcheck disable=SC2086  # args is a list of words on purpose
  (cd "$here/cases/$case" && env "${envs[@]}" "$tool" -i "$inventory" -c local -e "out=$out" $args $playbook) \
    </dev/null >"$log" 2>&1
  echo $?
}

# The last PLAY RECAP (with several playbooks each one ends with the counts so far): for localhost alone
# "ok=3 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0", for other hosts each line as
# "HOST ok=..." joined by " | ".
recap_of() {
  awk '/^PLAY RECAP/ { in_recap = 1; n = 0; next }
       in_recap && NF >= 3 && $2 == ":" {
         line = ""
         for (i = 3; i <= NF; i++) line = line (line == "" ? "" : " ") $i
         host[++n] = $1; counts[n] = line
         next
       }
       { in_recap = 0 }
       END {
         if (n == 1 && host[1] == "localhost") { print counts[1]; exit }
         out = ""
         for (i = 1; i <= n; i++) out = out (i > 1 ? " | " : "") host[i] " " counts[i]
         if (out != "") print out
       }' "$1" | grep . || "$here/json_document.py" recap "$1"
}

# The per-task status stream of a run: each task banner and each host's status line, without the result
# (messages differ in wording; statuses, order and item labels must not). Included files and "...ignoring" count.
# Hosts report in the order they finish, so the lines under one banner are sorted. A case holding a file
# `unordered_statuses` (the free strategy, where banners and hosts interleave by timing) compares the host lines
# alone, sorted.
statuses_of() {
  if [ -f "$here/cases/$2/unordered_statuses" ]; then
    grep -E '^(ok: |changed: |skipping: |fatal: |failed: |included: |\.\.\.ignoring)' "$1" |
      sed -E 's/ => .*$//; s/^(included: ).* for /\1... for /' | LC_ALL=C sort
    return
  fi
  grep -E '^(TASK \[|RUNNING HANDLER \[|ok: |changed: |skipping: |fatal: |failed: |included: |\.\.\.ignoring)' "$1" |
    sed -E 's/ \*+$//; s/ => .*$//; s/^(included: ).* for /\1... for /' |
    awk '/^(TASK|RUNNING HANDLER) \[/ { printf "%s", group | "LC_ALL=C sort"; close("LC_ALL=C sort"); group = ""
                                       print; fflush(); next }
         { group = group $0 "\n" }
         END { printf "%s", group | "LC_ALL=C sort" }'
}

# The whole output of a run with what differs between any two runs masked: profile_tasks' clock lines, task
# durations (the summary sorted, since its order follows the durations), timer's total. For cases holding a file
# `compare_output`. Lines listed in the case's `expected_warnings` (provision's own warnings, which Ansible does
# not print; @CASE@ is the case folder) are taken out here and checked by warnings_missing.
output_of() {
  local drop=/dev/null
  [ -f "$here/cases/$2/expected_warnings" ] && drop="$here/cases/$2/expected_warnings"
  unwrap_warnings "$1" | grep -Fvx -f <(sed "s|@CASE@|$here/cases/$2|g" "$drop") 2>/dev/null |
    sed -E 's/^[A-Z][a-z]+day [0-9]{2} [A-Z][a-z]+ [0-9]{4}  [0-9:]{8} [-+][0-9]{4} \([0-9:.]+\) +[0-9:.]+ \*+ $/@CLOCK@/
            s/ -+ [0-9]+\.[0-9]{2}s$/ --- @DURATION@/
            s/^Playbook run took [0-9]+ days, [0-9]+ hours, [0-9]+ minutes, [0-9]+ seconds$/Playbook run took @TOTAL@/' |
    awk '/ --- @DURATION@$/ { block = block $0 "\n"; next }
         { if (block != "") { printf "%s", block | "LC_ALL=C sort"; close("LC_ALL=C sort"); block = "" }
           print; fflush() }
         END { if (block != "") printf "%s", block | "LC_ALL=C sort" }'
}

# Warnings as one line each: both tools wrap them to 79 columns (Ansible's textwrap), so where a line breaks
# depends on the length of paths in them, which differs between checkouts. Continuation lines are the non-empty
# lines after a warning that start no other element of the output (a broken line may start with "[defaults]").
unwrap_warnings() {
  awk '/^\[WARNING\]:( |$)/ { if (w != "") print w; w = $0; next }
       w != "" && $0 != "" && $0 !~ /^(\[[A-Z][A-Z ]*\]:( |$)|PLAY |TASK |RUNNING HANDLER |ok: |changed: |skipping: |fatal: |failed: |included: |ERROR!|\.\.\.)/ {
         w = w " " $0; next }
       { if (w != "") { print w; w = "" } print }
       END { if (w != "") print w }' "$1"
}

# The lines of the case's `expected_warnings` that provision's log lacks.
warnings_missing() {
  local file="$here/cases/$2/expected_warnings" line
  [ -f "$file" ] || return 0
  while IFS= read -r line; do
    line=${line//@CASE@/$here/cases/$2}
    unwrap_warnings "$1" | grep -Fqx -- "$line" || printf '%s\n' "$line"
  done <"$file"
}

# The command-line error of a run ("error: unrecognized arguments: b.yml"), without the program's name.
usage_error_of() {
  sed -nE 's/^(ansible-playbook|provision): (error: .*)$/\2/p' "$1"
}

# The end state of $out: type, mode, link count (files), owner:group, relative path, link target, content hash.
# Timestamps are left out, the run's own path is replaced by @OUT@, and backup file suffixes (.PID.DATE@TIME~) are
# normalised so that two runs at different times compare equal.
snapshot() {
  [ -d "$out" ] || return 0
  (
    cd "$out" || exit 1
    find . -mindepth 1 -printf '%y %m %n %u:%g %P\n' | while read -r type perm links owner path; do
      case "$type" in
        f) hash=$(sed "s|$out|@OUT@|g" "$path" | sha1sum | cut -c1-40)
           echo "f $perm links=$links $owner $path $hash" ;;
        l) echo "l $owner $path -> $(readlink "$path" | sed "s|$out|@OUT@|g")" ;;
        d) echo "d $perm $owner $path" ;;
        *) echo "$type $perm $owner $path" ;;
      esac
    done
  ) | sed -E 's/\.[0-9]+\.[0-9]{4}-[0-9]{2}-[0-9]{2}@[0-9]{2}:[0-9]{2}:[0-9]{2}~/.BACKUP~/g' | LC_ALL=C sort
}

passed=0
failed=0
report_failure() {
  failed=$((failed + 1))
  echo "FAIL $1"
  shift
  printf '%s\n' "$@" | sed 's/^/    /'
}

for case in "${cases[@]}"; do
  if [ ! -f "$here/cases/$case/playbook.yml" ]; then
    report_failure "$case" "no such case: $here/cases/$case/playbook.yml"
    continue
  fi
  expected_recap="$here/cases/$case/expected_recap"
  [ "$mode" = update ] && : >"$expected_recap" && rm -rf "$here/cases/$case/expected" && mkdir -p "$here/cases/$case/expected"
  index=0
  while IFS= read -r variant; do
    index=$((index + 1))
    name="$case [$variant]"
    a_log="$work/ansible.log"
    a_rc=$(run_tool ansible-playbook "$a_log" "$case" "$variant")
    a_recap=$(recap_of "$a_log")
    a_tree=$(snapshot)
    problems=()

    case "$mode" in
      update)
        printf '%s\trc=%s\t%s\n' "$variant" "$a_rc" "$a_recap" >>"$expected_recap"
        printf '%s\n' "$a_tree" >"$here/cases/$case/expected/$index.tree"
        echo "updated $name: rc=$a_rc $a_recap"
        passed=$((passed + 1))
        continue ;;
      ansible-only)
        want=$(awk -F'\t' -v v="$variant" '$1 == v { print $2 "\t" $3; exit }' "$expected_recap" 2>/dev/null)
        got=$(printf 'rc=%s\t%s' "$a_rc" "$a_recap")
        [ -n "$want" ] || problems+=("no expected_recap line for variant '$variant' (run --update-expected)")
        [ -n "$want" ] && [ "$want" != "$got" ] && problems+=("recap: expected '$want'" "       got      '$got'")
        tree_file="$here/cases/$case/expected/$index.tree"
        if [ -f "$tree_file" ] && [ "$(cat "$tree_file")" != "$a_tree" ]; then
          problems+=("end state differs from $tree_file:" "$(diff <(cat "$tree_file") <(printf '%s\n' "$a_tree"))")
        fi
        if [ -z "$a_recap" ] && [ "${want#*$'\t'}" != "" ]; then
          problems+=("no PLAY RECAP in ansible output:" "$(tail -n 20 "$a_log")")
        fi ;;
      compare)
        rm -rf "$work/ansible-out" && { [ ! -d "$out" ] || mv "$out" "$work/ansible-out"; }
        p_log="$work/provision.log"
        p_rc=$(run_tool "$PROVISION_BIN" "$p_log" "$case" "$variant")
        p_recap=$(recap_of "$p_log")
        p_tree=$(snapshot)
        # A playbook that does not load: Ansible exits 4, provision 3 on purpose (docs/differences.md). The two
        # codes are equal when neither tool got as far as a PLAY RECAP.
        if [ "$a_rc" != "$p_rc" ] && ! { [ "$a_rc" = 4 ] && [ "$p_rc" = 3 ] &&
             ! grep -q '^PLAY RECAP' "$a_log" && ! grep -q '^PLAY RECAP' "$p_log"; }; then
          problems+=("exit code: ansible-playbook $a_rc, provision $p_rc")
        fi
        [ "$a_recap" != "$p_recap" ] && problems+=("recap: ansible-playbook '$a_recap'" "       provision        '$p_recap'")
        # No recap is a result only where Ansible's stored expectation has none (a command line it refuses).
        if [ -z "$a_recap" ] && ! awk -F'\t' -v v="$variant" '$1 == v && $3 == "" { found = 1 } END { exit !found }' \
             "$expected_recap" 2>/dev/null; then
          problems+=("no PLAY RECAP from ansible-playbook, and expected_recap does not say so:"
                     "$(tail -n 20 "$a_log")")
        fi
        a_statuses=$(statuses_of "$a_log" "$case")
        p_statuses=$(statuses_of "$p_log" "$case")
        if [ "$a_statuses" != "$p_statuses" ]; then
          problems+=("task statuses (- ansible-playbook, + provision):"
                     "$(diff -u <(printf '%s\n' "$a_statuses") <(printf '%s\n' "$p_statuses") | tail -n +3)")
        fi
        if [ -f "$here/cases/$case/compare_output" ]; then
          a_output=$(output_of "$a_log" "$case")
          p_output=$(output_of "$p_log" "$case")
          if [ "$a_output" != "$p_output" ]; then
            problems+=("output (- ansible-playbook, + provision):"
                       "$(diff -u <(printf '%s\n' "$a_output") <(printf '%s\n' "$p_output") | tail -n +3)")
          fi
        fi
        if [ -f "$here/cases/$case/compare_json" ]; then
          a_json=$("$here/json_document.py" shape "$a_log" | sed "s|$here/cases/$case/||g")
          p_json=$("$here/json_document.py" shape "$p_log" | sed "s|$here/cases/$case/||g")
          if [ -z "$a_json" ]; then
            problems+=("no JSON document in ansible-playbook's output:" "$(tail -n 20 "$a_log")")
          elif [ "$a_json" != "$p_json" ]; then
            problems+=("JSON document (- ansible-playbook, + provision):"
                       "$(diff -u <(printf '%s\n' "$a_json") <(printf '%s\n' "$p_json") | tail -n +3)")
          fi
        fi
        missing=$(warnings_missing "$p_log" "$case")
        [ -n "$missing" ] && problems+=("warnings provision did not print:" "$missing")
        a_usage=$(usage_error_of "$a_log")
        p_usage=$(usage_error_of "$p_log")
        [ "$a_usage" != "$p_usage" ] && problems+=("command-line error: ansible-playbook '$a_usage'"
                                                   "                    provision        '$p_usage'")
        if [ "$a_tree" != "$p_tree" ]; then
          problems+=("end state (- ansible-playbook, + provision):"
                     "$(diff -u <(printf '%s\n' "$a_tree") <(printf '%s\n' "$p_tree") | tail -n +3)"
                     "content differences (first 40 lines):"
                     "$(diff -r "$work/ansible-out" "$out" 2>&1 |
                        grep -Ev '^Only in .*[0-9]{4}-[0-9]{2}-[0-9]{2}@[0-9:]{8}~$' | head -n 40)")
        fi
        if [ ${#problems[@]} -gt 0 ]; then
          problems+=("provision output (last 25 lines):" "$(tail -n 25 "$p_log")")
        fi ;;
    esac

    if [ ${#problems[@]} -eq 0 ]; then
      passed=$((passed + 1))
      echo "ok   $name"
    else
      report_failure "$name" "${problems[@]}"
    fi
  done < <(variants_of "$case")
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
