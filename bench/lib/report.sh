# shellcheck shell=bash
# shellcheck disable=SC2154 # the settings come from bench/run.sh
# The report of bench/run.sh: from $results/results.tsv (rows: case, runner, rep, wall s, user s, sys s, max RSS
# KiB) and $results/meta (rows: key, value) to a Markdown section, the chart's data and the PNG. Sourced, never run.
# Usable on its own for a results dir: `. bench/lib/report.sh; report_markdown DIR >section.md`.

# The cases in report order: id, chart label, title.
report_cases=(
  "s1|1: no-op rerun|Scenario 1: no-op rerun of site.yml on web1 + es1 (everything converged)"
  "s2a|2: 1 host|Scenario 2: 200 converged file tasks (separate tasks) on 1 host"
  "s2b|2: 20 hosts|Scenario 2: 200 converged file tasks on 20 hosts, forks=20"
  "s2e||Scenario 2, baseline: an empty playbook (0 tasks) on the same host"
  "s3|3: first run|Scenario 3: first run of site.yml on fresh hosts (web1 + es1; mostly apt)"
  "s4|4: --check|Scenario 4: --check run of site.yml on converged hosts"
  "s5|5: --list-tasks|Scenario 5: --list-tasks of a generated playbook, 5,000 tasks in 50 roles (no hosts)"
  "s6|6: 100 hosts|Scenario 6: 10 converged file tasks on 100 inventory hosts (5 names on each of 20 hosts), forks=100"
)
report_runners=(provision ansible ansible-tuned)

meta_get() { # DIR KEY
  awk -F'\t' -v k="$2" '$1 == k { print $2; found = 1; exit } END { if (!found) print "" }' "$1/meta" 2>/dev/null
}

# Column COL (4 wall, 7 rss, or "cpu" for user+sys) of CASE/RUNNER's rows, one per line.
column_of() { # DIR CASE RUNNER COL
  awk -F'\t' -v c="$2" -v r="$3" -v col="$4" '$1 == c && $2 == r {
      if (col == "cpu") print $5 + $6; else print $col }' "$1/results.tsv"
}

reps_of() { column_of "$@" 4 | wc -l; }                             # DIR CASE RUNNER
median_of() { column_of "$@" | median; }                            # DIR CASE RUNNER COL
max_of() { column_of "$@" | sort -g | tail -n 1; }                  # DIR CASE RUNNER COL
fmt() { if [[ -n $2 ]]; then LC_ALL=C printf "%.${1}f" "$2"; else printf -- '-'; fi; } # DIGITS VALUE
fmtx() { if [[ -n $1 ]]; then printf '%sx' "$(fmt 1 "$1")"; else printf -- '-'; fi; }      # RATIO
div() { # A B: A / B, empty when either is empty
  if [[ -n $1 && -n $2 ]]; then awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.6f", a / b }'; fi
}

# Ratio of RUNNER's median wall time to provision's in CASE; empty when either did not run.
ratio_of() { # DIR CASE RUNNER
  div "$(median_of "$1" "$2" "$3" 4)" "$(median_of "$1" "$2" provision 4)"
}

# Per-task overhead of RUNNER in ms: (median of 200 tasks - median of 0 tasks) / 200, on the same host.
overhead_ms() { # DIR RUNNER
  local full empty
  full=$(median_of "$1" s2a "$2" 4) empty=$(median_of "$1" s2e "$2" 4)
  if [[ -n $full && -n $empty ]]; then awk -v f="$full" -v e="$empty" 'BEGIN { printf "%.6f", (f - e) * 1000 / 200 }'; fi
}

# A goal row: name, measured value text, pass/fail from an awk condition on V (empty V: not run).
goal_row() { # NAME VALUE_TEXT V CONDITION
  local verdict="not run"
  if [[ -n $3 ]]; then
    if awk -v v="$3" "BEGIN { exit !($4) }"; then verdict="**pass**"; else verdict="**FAIL**"; fi
  fi
  printf '| %s | %s | %s |\n' "$1" "$2" "$verdict"
}

report_goals() { # DIR
  local d=$1 r c rtt ov
  echo "| goal (issue 7) | measured | result |"
  echo "|---|---|---|"
  for c in s1 s2a s2b; do
    local name
    case $c in s1) name="Scenario 1" ;; s2a) name="Scenario 2, 1 host" ;; s2b) name="Scenario 2, 20 hosts" ;; esac
    r=$(ratio_of "$d" "$c" ansible)
    goal_row "$name: at least 50x faster than default ansible-playbook" "$(fmtx "$r")" "$r" "v >= 50"
    r=$(ratio_of "$d" "$c" ansible-tuned)
    goal_row "$name: at least 30x faster than ansible-playbook with pipelining + ControlPersist" \
      "$(fmtx "$r")" "$r" "v >= 30"
  done
  local ping
  ping=$(meta_get "$d" ping_ms) ov=$(overhead_ms "$d" provision)
  if [[ -n $ping && -n $ov ]]; then
    goal_row "Per-task overhead on a converged host at most one round trip + 2 ms (median)" \
      "$(fmt 2 "$ov") ms a task, with the host's own work (round trip $(fmt 3 "$ping") ms)" \
      "$(awk -v o="$ov" -v t="$ping" 'BEGIN { print o - t }')" "v <= 2"
  else
    goal_row "Per-task overhead on a converged host at most one round trip + 2 ms (median)" "-" "" ""
  fi
  r=$(median_of "$d" s5 provision 4)
  goal_row "Scenario 5 under 1 s" "$(fmt 3 "$r") s" "$r" "v < 1"
  r=$(max_of "$d" s6 provision 7)
  [[ -n $r ]] && r=$(awk -v k="$r" 'BEGIN { printf "%.3f", k / 1024 }')
  goal_row "Peak controller memory under 100 MB at 100 hosts" "$(fmt 1 "$r") MB" "$r" "v < 100"
}

report_case_table() { # DIR CASE TITLE
  local d=$1 c=$2 runner n wall cpu rss ratio
  printf '\n#### %s\n\n' "$3"
  local args
  args=$(meta_get "$d" "cmd_$c")
  [[ -z $args ]] || printf '%s\n\n' "Each runner with the arguments \`$args\`."
  echo "| runner | median s | reps | ratio vs provision | controller CPU s (median, user+sys) | peak RSS MB (max) |"
  echo "|---|---|---|---|---|---|"
  for runner in "${report_runners[@]}"; do
    n=$(reps_of "$d" "$c" "$runner")
    ((n > 0)) || continue
    wall=$(median_of "$d" "$c" "$runner" 4)
    cpu=$(median_of "$d" "$c" "$runner" cpu)
    rss=$(max_of "$d" "$c" "$runner" 7)
    ratio=$(ratio_of "$d" "$c" "$runner")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$(runner_label "$runner")" "$(fmt 2 "$wall")" "$n" \
      "$(fmtx "$ratio")" "$(fmt 2 "$cpu")" \
      "$(fmt 1 "$(awk -v k="$rss" 'BEGIN { printf "%.3f", k / 1024 }')")"
  done
}

case_ran() { [[ $(reps_of "$1" "$2" provision) -gt 0 ]]; } # DIR CASE

# The chart's data: label, default ratio, tuned ratio ("-" when missing), one row per case that ran.
report_plot_data() { # DIR
  local entry id label rest a t
  for entry in "${report_cases[@]}"; do
    IFS='|' read -r id label rest <<<"$entry"
    if [[ -z $label ]] || ! case_ran "$1" "$id"; then continue; fi
    a=$(ratio_of "$1" "$id" ansible) t=$(ratio_of "$1" "$id" ansible-tuned)
    printf '"%s"\t%s\t%s\n' "$label" "${a:--}" "${t:--}"
  done
}

# Writes the chart PNG from the results dir.
report_plot() { # DIR PNG
  report_plot_data "$1" >"$1/ratios.dat"
  # Only provision ran (--runners provision): no ratio to draw.
  awk -F'\t' '$2 != "-" || $3 != "-" { found = 1 } END { exit !found }' "$1/ratios.dat" ||
    { say "nothing to plot"; return 0; }
  gnuplot -e "datafile='$1/ratios.dat'; outfile='$2'" "$bench_dir/lib/plot.gp" 2>"$1/gnuplot.log" ||
    { cat "$1/gnuplot.log" >&2; die "gnuplot failed"; }
}

# With --baseline: provision against the baseline binary, per scenario that ran (medians of wall time, CPU, RSS).
report_baseline() { # DIR
  local d=$1 entry id label title b p
  [[ -n $(meta_get "$d" baseline) ]] || return 0
  echo
  echo "### Before and after (--baseline)"
  echo
  echo "provision $(meta_get "$d" commit) against the baseline $(meta_get "$d" baseline), pair by pair in this run."
  echo
  echo "| scenario | baseline wall (s) | provision wall (s) | provision / baseline | baseline CPU (s) | provision CPU (s) |"
  echo "|---|---|---|---|---|---|"
  for entry in "${report_cases[@]}"; do
    IFS='|' read -r id label title <<<"$entry"
    b=$(median_of "$d" "$id" baseline 4) p=$(median_of "$d" "$id" provision 4)
    [[ -n $b && -n $p ]] || continue
    printf '| %s | %s | %s | %s | %s | %s |\n' "${title%%:*}${label:+ (${label#*: })}" "$(fmt 3 "$b")" "$(fmt 3 "$p")" \
      "$(fmt 3 "$(div "$p" "$b")")" "$(fmt 3 "$(median_of "$d" "$id" baseline cpu)")" \
      "$(fmt 3 "$(median_of "$d" "$id" provision cpu)")"
  done
}

report_markdown() { # DIR
  local d=$1 entry id label title rtt p
  rtt=$(meta_get "$d" rtt_ms)
  echo "## provision vs ansible-playbook (issue 7)"
  echo
  echo "Written by \`bench/run.sh\` on $(meta_get "$d" date); the next run replaces this section (between the"
  echo "\`bench:begin\`/\`bench:end\` markers). Results and logs of every run: \`$(meta_get "$d" results)\`."
  echo
  echo "Command: \`$(meta_get "$d" command)\`"
  echo
  echo "Machine: $(meta_get "$d" cpu), $(meta_get "$d" nproc) CPUs, $(meta_get "$d" ram) RAM, Debian $(meta_get "$d" debian),"
  echo "kernel $(meta_get "$d" kernel), load average $(meta_get "$d" load) at the start. provision $(meta_get "$d" commit)"
  echo "($(meta_get "$d" build)); $(meta_get "$d" ansible). Hosts: sandbox hosts on the same machine (tests/sandbox)."
  echo
  echo "Repetitions: provision $(meta_get "$d" preps), each ansible-playbook runner $(meta_get "$d" areps) ($(meta_get "$d" manyreps)"
  echo "on 20 and 100 hosts), taken"
  echo "pair by pair (repetition i of each runner, one after the other); times are their medians."
  if [[ $(meta_get "$d" freshreps) =~ ^[0-9]+$ ]]; then
    echo "Scenario 3: $(meta_get "$d" freshreps) of each runner only, each on freshly reset hosts."
  fi
  echo "The scenarios took $(meta_get "$d" duration) in all."
  if [[ -n $(meta_get "$d" png) ]]; then
    echo
    echo "![ansible-playbook's time divided by provision's, per scenario (log scale), with the goals](benchmarks.png)"
  fi
  echo
  echo "### Goals"
  echo
  report_goals "$d"
  echo
  echo "### Scenarios"
  for entry in "${report_cases[@]}"; do
    IFS='|' read -r id label title <<<"$entry"
    case_ran "$d" "$id" && report_case_table "$d" "$id" "$title"
  done
  if case_ran "$d" s2a && case_ran "$d" s2e; then
    echo
    echo "#### Per-task overhead (scenario 2, one host)"
    echo
    echo "(median of 200 converged tasks - median of the empty playbook) / 200, on the same host; one SSH round trip:"
    echo "a trivial command over an open OpenSSH master connection (median of 20, includes starting the ssh client):"
    echo "$(fmt 2 "$rtt") ms."
    echo
    if [[ -n $(meta_get "$d" ping_ms) ]]; then
      echo "The goal compares this per-task time, which includes everything the task costs on the host (its probe),"
      echo "with the network round trip (ping, median of 20: $(fmt 3 "$(meta_get "$d" ping_ms)") ms) + 2 ms."
      echo
    fi
    echo "| runner | per-task overhead (ms) |"
    echo "|---|---|"
    for p in "${report_runners[@]}"; do
      [[ $(reps_of "$d" s2a "$p") -gt 0 ]] || continue
      printf '| %s | %s |\n' "$(runner_label "$p")" "$(fmt 2 "$(overhead_ms "$d" "$p")")"
    done
  fi
  report_baseline "$d"
  echo
  echo "### How it is measured"
  echo
  cat <<'EOF'
- Each run is wrapped in GNU time (`/usr/bin/time -f '%e %U %S %M'`): wall seconds, user and system CPU seconds and
  maximum resident set size. CPU seconds include the children the runner waited for (ansible-playbook's forks and
  their ssh clients; not the ControlPersist masters, which detach). The RSS (%M) is that of the largest single
  process: for ansible-playbook each fork is a separate process, so its total is larger.
- Every run is checked: exit status 0, and the PLAY RECAP per host (ok, changed, unreachable, failed) of every run
  of a scenario equal to its first run's, whichever the runner (scenario 5: the task listings equal); reruns on
  converged hosts must report changed=0. Each scenario converges its hosts with one unmeasured run first, then waits
  until the machine is idle (90% over two seconds, at most a minute): what that run started on the hosts (Gunicorn's
  workers, say) is not charged to whichever runner comes first.
- ansible-playbook 2.14 from Debian with `ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3`; python3 (and python3-apt on
  web1/es1) is installed on the hosts for it, before either runner's runs, so both start from the same state.
  "Default" leaves Ansible's settings alone (its default ssh_args already hold `-C -o ControlMaster=auto -o
  ControlPersist=60s`, without pipelining); "pipelining + ControlPersist" sets `ANSIBLE_PIPELINING=True
  ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s"`. Masters left by a run are closed before the next
  run, so every run of every runner starts without an open connection.
- Scenario 6's 100 inventory hosts are 5 names on each of the 20 hosts of scenario 2, each name with its own
  `ansible_host` entry, so 100 separate SSH sessions for provision; each name works in its own folder.
  ansible-playbook's ControlPersist masters are per address and user, so its 5 names of a host share one.
- The hosts run on the same machine as the controller, so the hosts' work (sshd, shells, apt) competes with the
  controller for the same CPUs.
EOF
}

# Replaces the text between the markers in DOC with SECTION (appended at the end when the markers are missing).
report_write_doc() { # DOC SECTION_FILE
  local doc=$1 section=$2 tmp
  tmp=$(mktemp "$doc.XXXXXX")
  if grep -q '^<!-- bench:begin -->$' "$doc" && grep -q '^<!-- bench:end -->$' "$doc"; then
    awk -v sf="$section" '
      /^<!-- bench:begin -->$/ { print; while ((getline line < sf) > 0) print line; skip = 1; next }
      /^<!-- bench:end -->$/ { skip = 0 }
      !skip { print }' "$doc" >"$tmp"
  else
    { cat "$doc"; echo; echo '<!-- bench:begin -->'; cat "$section"; echo '<!-- bench:end -->'; } >"$tmp"
  fi
  mv "$tmp" "$doc"
}
