# shellcheck shell=bash
# shellcheck disable=SC2154 # the settings come from bench/run.sh
# The scenarios of issue 7, run by bench/run.sh. Sourced, never run.
# Expects (besides common.sh's): $repo, $sandbox, $state_dir, $preps, $areps, $manyreps, $freshreps, $s2_hosts (host numbers
# of scenario 2's 20 hosts; the first one is the single host), $all_runners.

sandbox_reset() { # HOST... (one retry: a reset has rarely been seen to lose a host's boot process)
  "$sandbox" reset "$@" >/dev/null 2>&1 || "$sandbox" reset "$@" >/dev/null || die "resetting $* failed"
}

# Installs Debian packages on sandbox hosts, all at once; Ansible needs python3 on them, provision nothing.
host_packages() { # "PACKAGES" N...
  local packages=$1 n pids=() failed=0 hosts
  shift
  hosts="$*"
  say "installing $packages on sbx${hosts// /, sbx}"
  for n in "$@"; do
    "$sandbox" exec "sbx$n" sh -c "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends $packages >/dev/null" >"$results/logs/apt.sbx$n" 2>&1 &
    pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || failed=1; done
  ((failed == 0)) || die "installing $packages failed (logs in $results/logs/apt.sbx*)"
}

# One SSH round trip: a trivial command over an open OpenSSH master connection, median of 20, in ms, into $rtt_ms.
measure_round_trip() { # N
  local cfg="$state_dir/ssh_config" cm="$work/rtt-cm" i s e
  # The master goes to the background; its output must not hold anything open.
  ssh -F "$cfg" -o ControlMaster=yes -o ControlPath="$cm" -o ControlPersist=60 -fN "sbx$1" </dev/null >/dev/null 2>&1 ||
    die "ssh to sbx$1 failed"
  : >"$work/rtt.us"
  for ((i = 0; i < 20; i++)); do
    s=$(date +%s%N)
    ssh -F "$cfg" -o ControlPath="$cm" "sbx$1" true </dev/null || die "ssh to sbx$1 failed"
    e=$(date +%s%N)
    echo $(((e - s) / 1000)) >>"$work/rtt.us"
  done
  ssh -F "$cfg" -o ControlPath="$cm" -O exit "sbx$1" >/dev/null 2>&1 || true
  rtt_ms=$(median <"$work/rtt.us" | awk '{ printf "%.3f", $1 / 1000 }')
}

# The network round trip to a host (ICMP, median of 20), in ms, into $ping_ms: what the per-task goal allows besides
# its 2 ms.
measure_ping() { # N
  install_missing ping iputils-ping
  ping_ms=$(ping -c 20 -i 0.05 -q "$(sandbox_ip "$1")" | awk -F/ '/^rtt/ { printf "%.3f", $5 }')
}

# site.yml's hosts (web1 = sbx1, es1 = sbx2) get python3 and python3-apt for Ansible (scenario 3 resets them and
# installs them itself: pass 0).
site_prepare() { # INSTALL(1|0)
  gen_site_inventory "$work/site-inv" "$repo" "$state_dir"
  (($1 == 0)) || host_packages "python3 python3-apt" 1 2
}

# Scenario 3: each run on freshly reset hosts, all runners alike (reset, python3 + python3-apt, run).
scenario_3() {
  local i runner
  for ((i = 1; i <= freshreps; i++)); do
    for runner in $all_runners; do
      say "s3: fresh web1 and es1 for $(runner_label "$runner"), run $i"
      sandbox_reset sbx1 sbx2
      host_packages "python3 python3-apt" 1 2
      (cd "$repo" && measure s3 "$runner" "$i" site.yml -i "$work/site-inv")
    done
  done
}

# Scenarios 1 and 4 on converged hosts (one unmeasured provision run converges them first).
scenario_1() {
  (cd "$repo" && run_unmeasured s1-converge provision site.yml -i "$work/site-inv")
  (cd "$repo" && run_case s1 "$all_runners" "$preps" "$areps" site.yml -i "$work/site-inv")
}
scenario_4() {
  (cd "$repo" && run_unmeasured s4-converge provision site.yml -i "$work/site-inv")
  (cd "$repo" && run_case s4 "$all_runners" "$preps" "$areps" site.yml -i "$work/site-inv" --check)
}

# Scenario 2: 200 file tasks on one host and on 20 hosts (forks=20), and the empty playbook on the one host.
# Also measures the SSH round trip to the one host. With only one host number, the 20-host case is left out.
scenario_2_prepare() {
  local first=${s2_hosts%% *}
  # shellcheck disable=SC2086 # host numbers
  host_packages python3 $s2_hosts
  # shellcheck disable=SC2086
  gen_hosts_inventory "$work/inv-s2-1" "$state_dir" 1 $first
  # shellcheck disable=SC2086
  gen_hosts_inventory "$work/inv-s2-20" "$state_dir" 1 $s2_hosts
  gen_file_tasks "$work/p200.yml" 200 /srv/bench2
  gen_file_tasks "$work/p0.yml" 0 /srv/bench2
}
scenario_2() {
  local first=${s2_hosts%% *} count
  count=$(wc -w <<<"$s2_hosts")
  (cd "$work" && run_unmeasured s2-converge provision p200.yml -i "$work/inv-s2-20" -f "$count")
  measure_round_trip "$first"
  meta rtt_ms "$rtt_ms"
  say "SSH round trip to sbx$first: $rtt_ms ms"
  measure_ping "$first"
  meta ping_ms "$ping_ms"
  say "network round trip (ping) to sbx$first: $ping_ms ms"
  (cd "$work" && run_case s2e "$all_runners" "$preps" "$areps" p0.yml -i "$work/inv-s2-1")
  (cd "$work" && run_case s2a "$all_runners" "$preps" "$areps" p200.yml -i "$work/inv-s2-1")
  if ((count > 1)); then
    (cd "$work" && run_case s2b "$all_runners" "$preps" "$manyreps" p200.yml -i "$work/inv-s2-20" -f "$count")
  fi
}

# Scenario 6: 10 file tasks on 100 inventory names, 5 on each of scenario 2's 20 hosts, forks=100.
scenario_6() {
  # shellcheck disable=SC2086 # host numbers
  gen_hosts_inventory "$work/inv-s6" "$state_dir" 5 $s2_hosts
  gen_file_tasks "$work/p10.yml" 10 /srv/bench6 1
  # The shared parent is made beforehand, so that the first measured run of each tool starts from the same tree
  # (provision's file module used to fail when five sessions created it at once; fixed, with a unit test).
  local n
  for n in $s2_hosts; do "$sandbox" exec "sbx$n" mkdir -p /srv/bench6 || die "mkdir on sbx$n failed"; done
  (cd "$work" && run_unmeasured s6-converge provision p10.yml -i "$work/inv-s6" -f 100)
  (cd "$work" && run_case s6 "$all_runners" "$preps" "$manyreps" p10.yml -i "$work/inv-s6" -f 100)
}

# Scenario 5: --list-tasks of 5,000 generated tasks in 50 roles; no hosts, so no tuned Ansible.
scenario_5() {
  gen_roles_playbook "$work/s5" 50 100
  (cd "$work/s5" && run_case s5 "provision ansible" "$preps" "$areps" pb.yml -i localhost, --list-tasks)
}
