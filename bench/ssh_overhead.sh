#!/usr/bin/env bash
# Per-task overhead over SSH (issue 4): 200 separate idempotent `file: state=directory` tasks on one sandbox host,
# run converged, by provision and by Debian's ansible-playbook against the same host in the same run.
# Prints a Markdown table; not part of CI (CI runs bench/smoke.sh).
#   bench/ssh_overhead.sh [BUILD_DIR] [REPETITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
reps=${2:-5}
provision="$build/provision"
[ -x "$provision" ] || { echo "build provision first (scripts/setup.sh $build)" >&2; exit 2; }
sandbox=tests/sandbox/sandbox.sh
work=$(mktemp -d /tmp/provision-bench.XXXXXX)
trap '"$sandbox" down >/dev/null 2>&1; rm -rf "$work"' EXIT

"$sandbox" up 1 >/dev/null 2>&1
inventory=$("$sandbox" inventory)
# ansible-playbook needs Python on the host; provision does not. Only the benchmark host gets it.
"$sandbox" exec sbx1 sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-minimal' >/dev/null

{
  echo "- hosts: sbx1"
  echo "  gather_facts: false"
  echo "  tasks:"
  for i in $(seq 1 200); do
    printf '    - name: dir %s\n      file: path=/srv/bench/d%s state=directory\n' "$i" "$i"
  done
} >"$work/p200.yml"

ssh_cfg="$(dirname "$inventory")/ssh_config"
seconds() { local s e; s=$(date +%s.%N); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# One network round trip: a trivial command on an already open OpenSSH master connection.
ssh -F "$ssh_cfg" -o ControlMaster=auto -o ControlPath="$work/cm" -o ControlPersist=60 sbx1 true
rtt_ms=$(for i in $(seq 1 20); do seconds ssh -F "$ssh_cfg" -o ControlPath="$work/cm" sbx1 true; done | median | awk '{printf "%.2f", $1*1000}')
ssh -F "$ssh_cfg" -o ControlPath="$work/cm" -O exit sbx1 2>/dev/null || true

export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_NOCOLOR=1 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
"$provision" "$work/p200.yml" -i "$inventory" >/dev/null  # converge once
prov=$(for i in $(seq 1 "$reps"); do seconds "$provision" "$work/p200.yml" -i "$inventory"; done | median)
grep -q "changed=0" "$work/last.log"
ans=$(for i in $(seq 1 "$(( reps < 3 ? reps : 3 ))"); do seconds ansible-playbook -i "$inventory" "$work/p200.yml"; done | median)
ans_pipe=$(for i in $(seq 1 "$(( reps < 3 ? reps : 3 ))"); do
  ANSIBLE_PIPELINING=True ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s" seconds ansible-playbook -i "$inventory" "$work/p200.yml"
done | median)

per_task() { echo "$1" | awk '{printf "%.2f", $1*1000/200}'; }
echo "| runner | run of 200 converged tasks (s, median) | per task (ms) |"
echo "|---|---|---|"
echo "| provision | $(printf %.2f "$prov") | $(per_task "$prov") |"
echo "| ansible-playbook (default) | $(printf %.2f "$ans") | $(per_task "$ans") |"
echo "| ansible-playbook (pipelining + ControlPersist) | $(printf %.2f "$ans_pipe") | $(per_task "$ans_pipe") |"
echo
echo "One SSH round trip (OpenSSH, open master connection, median of 20): ${rtt_ms} ms."
echo "Ratios: default $(echo "$ans / $prov" | bc -l | xargs printf %.1f)x, tuned $(echo "$ans_pipe / $prov" | bc -l | xargs printf %.1f)x."
