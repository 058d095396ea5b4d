# shellcheck shell=bash
# shellcheck disable=SC2154 # the settings come from bench/run.sh
# Shared helpers of bench/run.sh: logging, medians, timed runs and the checks of every run. Sourced, never run.
# Expects: $work (scratch dir), $results (results dir: results.tsv, logs/), $provision, $ansible_cp (dir of
# Ansible's ControlPersist sockets).

meta() { printf '%s\t%s\n' "$1" "$2" >>"$results/meta"; } # KEY VALUE: a fact for the report
say() { printf 'bench: %s\n' "$*" >&2; }
die() {
  printf 'bench: error: %s\n' "$*" >&2
  exit 1
}

# Median of the numbers on stdin (one per line); prints nothing for no input.
median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%.6f\n", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}

# The runners. Each gets the same arguments (provision takes ansible-playbook's).
runner_label() {
  case $1 in
    provision) echo "provision" ;;
    baseline) echo "provision, baseline (--baseline)" ;;
    ansible) echo "ansible-playbook (default)" ;;
    ansible-tuned) echo "ansible-playbook (pipelining + ControlPersist)" ;;
    *) echo "$1" ;;
  esac
}

# Runs RUNNER with ARGS in the current directory, stdout to OUT, stderr to ERR, timed by GNU time into TIMEF.
invoke_runner() { # RUNNER OUT ERR TIMEF ARGS...
  local runner=$1 out=$2 err=$3 timef=$4 rc=0
  shift 4
  case $runner in
    provision | baseline)
      local bin=$provision
      [[ $runner == provision ]] || bin=$baseline
      /usr/bin/time -f '%e %U %S %M' -o "$timef" "$bin" "$@" </dev/null >"$out" 2>"$err" || rc=$?
      ;;
    ansible)
      ANSIBLE_PIPELINING=False /usr/bin/time -f '%e %U %S %M' -o "$timef" \
        ansible-playbook "$@" </dev/null >"$out" 2>"$err" || rc=$?
      ;;
    ansible-tuned)
      ANSIBLE_PIPELINING=True ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s" \
        /usr/bin/time -f '%e %U %S %M' -o "$timef" ansible-playbook "$@" </dev/null >"$out" 2>"$err" || rc=$?
      ;;
    *) die "unknown runner $runner" ;;
  esac
  [[ $runner == provision || $runner == baseline ]] || close_masters
  return "$rc"
}

# Ansible's ControlPersist masters outlive a run by 60 s; closing them makes every run start cold, as provision's.
close_masters() {
  local s
  for s in "$ansible_cp"/*; do
    [[ -S $s ]] || continue
    ssh -o ControlPath="$s" -O exit bench-host >/dev/null 2>&1 || true
  done
}

# One timed run, checked: exit status 0, else the log is shown and the harness stops. Appends a row to
# results.tsv: case, runner, rep, wall s, user s, sys s, max RSS KiB. The logs stay in $results/logs.
# A run that must succeed, its output in BASE.out/.err/.time; on failure, the logs' tails and WHAT in the error.
run_checked() { # BASE WHAT RUNNER ARGS...
  local base=$1 what=$2 runner=$3
  shift 3
  if ! invoke_runner "$runner" "$base.out" "$base.err" "$base.time" "$@"; then
    tail -n 40 "$base.out" "$base.err" >&2 || true
    die "$what failed (exit status; logs in $base.out/.err)"
  fi
}

measure() { # CASE RUNNER REP ARGS...
  local case=$1 runner=$2 rep=$3 base
  shift 3
  base="$results/logs/$case.$runner.$rep"
  say "$case: $(runner_label "$runner"), run $rep"
  run_checked "$base" "$case: $runner run $rep" "$runner" "$@"
  local wall user sys rss
  # GNU time prints "Command exited with non-zero status" first on failure; the last line is ours.
  read -r wall user sys rss < <(tail -n 1 "$base.time")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$runner" "$rep" "$wall" "$user" "$sys" "$rss" >>"$results/results.tsv"
  check_run "$case" "$runner" "$rep" "$base.out"
}

# An unmeasured run that must succeed (converging hosts before a benchmark).
run_unmeasured() { # LABEL RUNNER ARGS...
  local label=$1 runner=$2
  shift 2
  say "$label: $(runner_label "$runner")"
  run_checked "$results/logs/$label.$runner" "$label: $runner" "$runner" "$@"
  ((${smoke:-0})) || settle  # the smoke pass measures nothing worth the wait (and shares CI's busy machine)
}

# Waits until the machine is idle (90% of both the last two seconds, at most a minute): a converging run leaves
# services starting on the hosts (Gunicorn's workers, PostgreSQL's checkpoint), and whichever runner came first
# would pay for them.
settle() {
  local i idle
  for ((i = 0; i < 30; i++)); do
    idle=$(awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
      sleep 2
      awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
    # shellcheck disable=SC2086 # two lines of two numbers
    set -- $idle
    (((($3 - $1) * 100) >= (($4 - $2) * 90))) && return 0
  done
  say "the machine did not settle within a minute; measuring anyway"
}

# PLAY RECAP of a log: one line per host, "host ok=N changed=N unreachable=N failed=N", sorted. A host whose counts
# are all 0 is left out: ansible-playbook does not list the hosts of a play without tasks, provision lists them.
recap_of() { # LOG
  awk '/^PLAY RECAP/ { r = 1; next }
       r && NF >= 3 && $2 == ":" {
         line = $1; any = 0
         for (i = 3; i <= NF; i++) {
           if ($i ~ /^(ok|changed|unreachable|failed)=/) line = line " " $i
           if ($i ~ /=[1-9]/) any = 1
         }
         if (any) print line
       }' "$1" | sort
}

# What the listing of --list-tasks shows: the indented lines (plays, tasks, tags), without the playbook's path.
listing_of() { # LOG
  grep '^  ' "$1" || true
}

# Every run of a case must give the same result as its first run (whatever the runner): the recap per host, or
# the task listing for --list-tasks cases. Cases in $rerun_cases must also report changed=0 everywhere.
# Cases in $own_recap_cases compare each runner with its own first run only: check mode differs from Ansible's on
# purpose where provision predicts better (docs/differences.md: pip requirements in check mode are always changed
# for Ansible, and notify their handlers).
check_run() { # CASE RUNNER REP OUT
  local case=$1 runner=$2 rep=$3 out=$4 got ref="$work/ref.$1"
  [[ " ${own_recap_cases:-} " != *" $case "* ]] || ref="$work/ref.$1.$2"
  if [[ " $listing_cases " == *" $case "* ]]; then
    got=$(listing_of "$out")
    [[ -n $got ]] || die "$case: $runner run $rep listed no tasks (log $out)"
  else
    got=$(recap_of "$out")
    # provision's check mode on converged hosts predicts no change either.
    if { [[ " $rerun_cases " == *" $case "* ]] || [[ $runner =~ ^(provision|baseline)$ && " ${own_recap_cases:-} " == *" $case "* ]]; } &&
      awk 'NF && !/ changed=0( |$)/ { bad = 1 } END { exit !bad }' <<<"$got"; then
      printf '%s\n' "$got" >&2
      die "$case: $runner run $rep changed something on a converged host (log $out)"
    fi
    if grep -Eq ' (unreachable|failed)=[1-9]' <<<"$got"; then
      printf '%s\n' "$got" >&2
      die "$case: $runner run $rep has unreachable or failed hosts (log $out)"
    fi
  fi
  if [[ ! -f $ref ]]; then
    printf '%s\n' "$got" >"$ref"
    printf '%s\n' "$runner run $rep" >"$ref.who"
    return 0
  fi
  if ! diff -u "$ref" <(printf '%s\n' "$got") >"$work/diff.$case"; then
    cat "$work/diff.$case" >&2
    die "$case: $runner run $rep differs from $(cat "$ref.who") (above: theirs first; log $out)"
  fi
}

# Pair by pair: repetition i runs provision, then ansible-playbook default, then tuned, so that the machine's
# drifting load touches all runners alike. RUNNERS is a space-separated list; PREPS repetitions of provision,
# AREPS of each ansible-playbook runner.
run_case() { # CASE "RUNNERS" PREPS AREPS ARGS...
  local case=$1 runners=$2 preps=$3 areps=$4 i runner max
  shift 4
  max=$((preps > areps ? preps : areps))
  local shown="$*"
  meta "cmd_$case" "${shown//$work/<tmp>}"
  for ((i = 1; i <= max; i++)); do
    for runner in $runners; do
      [[ " $all_runners " == *" $runner "* ]] || continue
      if [[ $runner == provision || $runner == baseline ]]; then
        ((i <= preps)) || continue
      else
        ((i <= areps)) || continue
      fi
      measure "$case" "$runner" "$i" "$@"
    done
  done
}
