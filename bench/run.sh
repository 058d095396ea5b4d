#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The benchmark of issue 7: the same playbooks run by provision and by Debian's ansible-playbook (default, and with
# pipelining + ControlPersist) against the same sandbox hosts in the same run, pair by pair; reports medians and
# ratios in docs/benchmarks.md (the section between the bench:begin/bench:end markers) and docs/benchmarks.png.
#
#   bench/run.sh [--scenarios 1,2,3,4,5,6] [--runners LIST] [--reps N] [--ansible-reps N] [--many-reps N] [--fresh-reps N]
#                [--build DIR | --provision BIN] [--baseline BIN] [--results DIR] [--doc FILE] [--png FILE] [--keep-up]
#                [--smoke]
#
#   --scenarios    which scenarios to run (default all): 1 no-op rerun of site.yml, 2 200 file tasks on 1 and 20
#                  hosts, 3 first run of site.yml on fresh hosts, 4 --check of site.yml, 5 --list-tasks of 5,000
#                  tasks, 6 100 inventory hosts (controller memory); CPU and peak memory are reported for all.
#   --runners      which runners (default provision,ansible,ansible-tuned; ansible-tuned is pipelining +
#                  ControlPersist)
#   --reps         repetitions of provision (default 5); --ansible-reps of each ansible-playbook runner (default 3,
#                  at most --reps); --many-reps of each ansible-playbook runner on 20 and 100 hosts (default 1:
#                  one run of 200 tasks on 20 hosts takes it 23 to 38 minutes here); --fresh-reps of each runner
#                  in scenario 3 (default 1: ansible-playbook's first run of site.yml takes about 4 minutes).
#   --build DIR    where provision is (default build; built with scripts/setup.sh DIR when missing);
#                  --provision BIN names the binary itself.
#   --baseline BIN another provision binary (an earlier commit's) run as one more runner, as many times as
#                  provision and pair by pair with it: a change measured before and after in one run. The report
#                  then has a table of both medians per scenario.
#   --results DIR  results and logs (default bench/results/<UTC time>, git-ignored).
#   --doc, --png   the Markdown file whose section is replaced and the chart (default docs/benchmarks.md, .png).
#   --keep-up      leave the sandbox hosts and the fixtures running afterwards.
#   --smoke        CI's pass: scenario 2 on one host, one repetition of each runner, every check; writes nothing
#                  into docs/ (prints the section, the chart goes to the results dir).
#
# Needs root for the sandbox hosts (tests/sandbox), except for scenario 5 alone. Installs ansible, gnuplot-nox,
# time and bc when missing. Starts sbx1..sbx22 (sbx1 = web1 and sbx2 = es1 for site.yml; sbx3..sbx22 for
# scenarios 2 and 6; --smoke: sbx1 only) and the deployment's fixtures, and takes both down on exit.
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)
sandbox="$repo/tests/sandbox/sandbox.sh"
fixtures="$repo/tests/deployment/fixtures.sh"
state_dir=${PROVISION_SANDBOX_DIR:-$repo/.sandbox}
# shellcheck source=lib/common.sh
. "$bench_dir/lib/common.sh"
# shellcheck source=lib/gen.sh
. "$bench_dir/lib/gen.sh"
# shellcheck source=lib/scenarios.sh
. "$bench_dir/lib/scenarios.sh"
# shellcheck source=lib/report.sh
. "$bench_dir/lib/report.sh"

usage() {
  awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0" >&2
  exit 64
}

command_line="bench/run.sh${*:+ $*}"
scenarios=1,2,3,4,5,6 runners=provision,ansible,ansible-tuned preps=5 areps="" manyreps="" freshreps=1 build=build provision="" results="" doc="" png=""
keep_up=0 smoke=0 baseline=""
while (($#)); do
  case $1 in
    --scenarios) scenarios=${2:?}; shift ;;
    --runners) runners=${2:?}; shift ;;
    --baseline) baseline=${2:?}; shift ;;
    --reps) preps=${2:?}; shift ;;
    --ansible-reps) areps=${2:?}; shift ;;
    --many-reps) manyreps=${2:?}; shift ;;
    --fresh-reps) freshreps=${2:?}; shift ;;
    --build) build=${2:?}; shift ;;
    --provision) provision=${2:?}; shift ;;
    --results) results=${2:?}; shift ;;
    --doc) doc=${2:?}; shift ;;
    --png) png=${2:?}; shift ;;
    --keep-up) keep_up=1 ;;
    --smoke) smoke=1 ;;
    -h | --help) usage ;;
    *) echo "bench/run.sh: unknown argument $1" >&2; usage ;;
  esac
  shift
done
for n in "$preps" "${areps:-1}" "${manyreps:-1}" "$freshreps"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "repetitions must be positive numbers"
done
[[ -n $areps ]] || areps=$((preps < 3 ? preps : 3))
[[ -n $manyreps ]] || manyreps=1
[[ $scenarios =~ ^[1-6](,[1-6])*$ ]] || die "--scenarios takes numbers 1 to 6, comma-separated"
[[ $runners =~ ^(provision|ansible|ansible-tuned)(,(provision|ansible|ansible-tuned))*$ ]] ||
  die "--runners takes provision, ansible and ansible-tuned, comma-separated"
if ((smoke)); then
  scenarios=2 preps=1 areps=1 manyreps=1 s2_hosts=1
else
  s2_hosts=$(seq -s ' ' 3 22)
fi
want() { [[ ,$scenarios, == *,$1,* ]]; } # SCENARIO

# --- what the run needs ----------------------------------------------------------------------------------------
need_hosts=0 need_site=0
{ want 1 || want 3 || want 4; } && need_site=1 need_hosts=1
{ want 2 || want 6; } && need_hosts=1
((need_hosts == 0)) || [[ $(id -u) == 0 ]] || die "run as root: the sandbox hosts need network namespaces and mounts"

install_missing() { # COMMAND PACKAGE...
  local cmd=$1
  shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  [[ $(id -u) == 0 ]] || die "$cmd is missing: apt-get install $*"
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
  } || die "could not install $*"
}
install_missing ansible-playbook ansible
install_missing gnuplot gnuplot-nox
[[ -x /usr/bin/time ]] || { install_missing /usr/bin/time time; }
install_missing bc bc

if [[ -z $provision ]]; then
  [[ $build == /* ]] || build="$repo/$build"
  if [[ ! -x $build/provision ]]; then
    say "building provision in $build (scripts/setup.sh)"
    "$repo/scripts/setup.sh" "$build" >&2
  fi
  provision="$build/provision"
fi
[[ -x $provision ]] || die "$provision is not an executable"
provision=$(cd "$(dirname "$provision")" && pwd)/$(basename "$provision")

[[ -n $results ]] || results="$bench_dir/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$results/logs"
results=$(cd "$results" && pwd)
: >"$results/results.tsv"
: >"$results/meta"
if ((smoke)); then
  doc="" png="$results/benchmarks.png"
else
  doc=${doc:-$repo/docs/benchmarks.md} png=${png:-$repo/docs/benchmarks.png}
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/provision-bench.XXXXXX")
ansible_cp="$work/cp"
mkdir -p "$ansible_cp"

# Every run of a case in listing_cases must list the same tasks; of a case in rerun_cases, change nothing.
listing_cases="s5"
rerun_cases="s1 s2a s2b s6"
own_recap_cases="s4"
all_runners=${runners//,/ }
if [[ -n $baseline ]]; then
  [[ -x $baseline ]] || die "$baseline is not an executable"
  baseline=$(cd "$(dirname "$baseline")" && pwd)/$(basename "$baseline")
  all_runners="$all_runners baseline"
fi

export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_HOST_KEY_CHECKING=1 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
export ANSIBLE_LOCAL_TEMP="$work/ansible-local" ANSIBLE_HOME="$work/ansible-home" ANSIBLE_SSH_CONTROL_PATH_DIR="$ansible_cp"
unset ANSIBLE_PIPELINING ANSIBLE_SSH_ARGS
: >"$work/ansible.cfg"
export ANSIBLE_CONFIG="$work/ansible.cfg" # an empty one: none from the current folder, the home folder or /etc

fixtures_started=0 hosts_started=0
cleanup() {
  local rc=$?
  close_masters
  if ((keep_up == 0)); then
    ((fixtures_started == 0)) || "$fixtures" stop >/dev/null 2>&1 || say "stopping the fixtures failed"
    ((hosts_started == 0)) || "$sandbox" down >/dev/null 2>&1 || say "sandbox down failed"
  fi
  rm -rf "$work"
  ((rc == 0)) || say "failed; results and logs so far in $results"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta command "$command_line"
meta results "${results#"$repo"/}"
meta cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
meta nproc "$(nproc)"
meta ram "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
meta debian "$(cat /etc/debian_version 2>/dev/null || echo unknown)"
meta kernel "$(uname -r)"
meta load "$(cut -d' ' -f1-3 /proc/loadavg)"
[[ -z $baseline ]] || meta baseline "$("$baseline" --version 2>/dev/null | head -n 1 || true) ($baseline)"
meta commit "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
meta build "$("$provision" --version 2>/dev/null | head -n 1), $(grep -m1 '^CMAKE_BUILD_TYPE' "$(dirname "$provision")/CMakeCache.txt" 2>/dev/null | cut -d= -f2 || echo 'build type unknown')"
meta ansible "$(ansible-playbook --version 2>/dev/null | sed -n 1p)"
meta preps "$preps"
meta areps "$areps"
meta manyreps "$manyreps"
meta freshreps "$(want 3 && echo "$freshreps" || echo "not run")"

# --- hosts -----------------------------------------------------------------------------------------------------
if ((need_hosts)); then
  count=2
  { want 2 || want 6; } && count=22
  ((smoke == 0)) || count=1
  say "starting sandbox hosts sbx1..sbx$count"
  hosts_started=1
  "$sandbox" up "$count" >"$results/logs/sandbox-up" 2>&1 || { tail -n 20 "$results/logs/sandbox-up" >&2; die "sandbox up failed"; }
fi
if ((need_site)); then
  fixtures_started=1
  "$fixtures" start >"$results/logs/fixtures" 2>&1 || { tail -n 20 "$results/logs/fixtures" >&2; die "the fixtures did not start"; }
  if want 3; then site_prepare 0; else site_prepare 1; fi
fi

# --- scenarios: 3 first (fresh hosts; it leaves them converged for 1 and 4) ------------------------------------
started=$(date +%s)
! want 3 || scenario_3
! want 1 || scenario_1
! want 4 || scenario_4
if want 2 || want 6; then scenario_2_prepare; fi
! want 2 || scenario_2
! want 6 || scenario_6
! want 5 || scenario_5
meta duration "$((($(date +%s) - started) / 60)) min"

# --- report ----------------------------------------------------------------------------------------------------
report_plot "$results" "$png"
[[ -s $png ]] && meta png "$png"
report_markdown "$results" >"$results/section.md"
if [[ -n $doc ]]; then
  report_write_doc "$doc" "$results/section.md"
  say "wrote $doc and $png"
else
  cat "$results/section.md"
fi
say "results and logs in $results"
