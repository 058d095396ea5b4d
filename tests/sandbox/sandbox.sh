#!/usr/bin/env bash
# Throwaway Debian 12 test hosts for provision's SSH tests, end-to-end tests and demo.
# See tests/sandbox/README.md for the layout and how each piece works.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
readonly SELF
SANDBOX_DIR=$(dirname "$SELF")
readonly SANDBOX_DIR
REPO_DIR=$(cd "$SANDBOX_DIR/../.." && pwd)
readonly REPO_DIR

# shellcheck source=lib/common.sh
source "$SANDBOX_DIR/lib/common.sh"
# shellcheck source=lib/base.sh
source "$SANDBOX_DIR/lib/base.sh"
# shellcheck source=lib/network.sh
source "$SANDBOX_DIR/lib/network.sh"
# shellcheck source=lib/host.sh
source "$SANDBOX_DIR/lib/host.sh"

usage() {
  cat <<USAGE
usage: sandbox.sh [--state DIR] COMMAND [ARGS]

Throwaway Debian 12 (bookworm) hosts sbx1..sbxN, each in its own network, PID and mount
namespaces on bridge $BRIDGE ($NET_PREFIX.0/$NET_BITS), reachable by SSH from this machine only.

commands:
  up N                 start hosts sbx1..sbxN (running ones are left alone); waits for sshd
  down                 stop every host, apt-cacher-ng and the bridge; remove their state
  status               list hosts, their addresses and whether sshd answers
  inventory            print the path of the Ansible inventory (group 'sandbox')
  exec HOST CMD...     run CMD inside HOST as root (works without sshd)
  stop-sshd HOST       stop HOST's sshd (for unreachable-host tests)
  start-sshd HOST      start it again and wait until it answers
  link-down HOST       cut HOST's link to the bridge: packets are lost, no error is sent back
  link-up HOST         restore it
  reset HOST...        replace HOSTs with fresh ones (new layer, new host key)
  rekey HOST [--trust] give HOST a new SSH host key; known_hosts keeps the old key
                       (changed-key tests) unless --trust
  base [--fresh]       build the cached base root filesystem now (up does it when needed);
                       --fresh removes the cached one first, to build it from nothing

options:
  --state DIR          state directory (default: \$PROVISION_SANDBOX_DIR or <repo>/.sandbox)

files in the state directory, for clients:
  ssh_config           ssh -F <state>/ssh_config sbx1 ...   (user root; deploy and secure also work)
  known_hosts          the hosts' keys (the machine's ~/.ssh/known_hosts is never touched)
  id_ed25519           the private key that logs in as root, deploy and secure
  inventory.ini        ansible -i <state>/inventory.ini sandbox -m raw -a 'uname -a'

users on every host: root (key), deploy (key, passwordless sudo),
secure (key, sudo password 'sandbox-secret').  Must run as root.
USAGE
}

# --- Commands -----------------------------------------------------------------------------------

cmd_up() {
  local count=${1:-}
  if ! [[ $count =~ ^[1-9][0-9]*$ ]] || ((count > MAX_HOSTS)); then
    die "up needs a host count from 1 to $MAX_HOSTS"
  fi
  local started base i
  started=$(now_ms)
  base=$(ensure_base)
  take_state_lock
  ensure_client_key
  ensure_bridge
  ensure_acng
  for ((i = 1; i <= count; i++)); do
    create_host "sbx$i" "$base"
  done
  write_client_files
  # Hosts boot side by side; wait for all of them at once.
  local waiters=() failed=0 pid
  for ((i = 1; i <= count; i++)); do
    wait_for_ssh "sbx$i" &
    waiters+=($!)
  done
  for pid in "${waiters[@]}"; do
    wait "$pid" || failed=1
  done
  ((failed == 0)) || die "not every host came up; 'sandbox.sh down' removes what was started"
  log "$count host(s) up in $(($(now_ms) - started))ms; ssh -F $STATE_DIR/ssh_config sbx1"
}

cmd_down() {
  local started name
  started=$(now_ms)
  take_state_lock
  for name in $(host_names); do
    destroy_host "$name"
  done
  sweep_stray_network
  stop_acng
  remove_bridge_if_unused
  write_client_files
  rmdir "$(hosts_dir)" 2>/dev/null || true
  log "down in $(($(now_ms) - started))ms"
}

# Namespaces and links are named by us (prov-sbxN); any left without a state directory entry come
# from a run whose state was lost. Processes are never touched here: only recorded pids are.
sweep_stray_network() {
  local ns link
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    if [[ $ns =~ ^${NETNS_PREFIX}sbx[0-9]+$ ]]; then ip netns del "$ns" 2>/dev/null || true; fi
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    if [[ $link =~ ^${NETNS_PREFIX}sbx[0-9]+$ ]]; then ip link del "$link" 2>/dev/null || true; fi
  done
}

# Replaces hosts with fresh ones (a new overlay layer and host key): tests that need a host nothing has touched.
cmd_reset() {
  (($# >= 1)) || die "usage: sandbox.sh reset HOST..."
  local name base started waiters=() pid failed=0
  started=$(now_ms)
  for name in "$@"; do valid_host_name "$name" || die "no such host '$name' (hosts are sbx1..sbx$MAX_HOSTS)"; done
  base=$(ensure_base)
  take_state_lock
  ensure_client_key
  ensure_bridge
  ensure_acng
  for name in "$@"; do
    destroy_host "$name"
    create_host "$name" "$base"
  done
  write_client_files
  exec 9>&-
  for name in "$@"; do
    wait_for_ssh "$name" &
    waiters+=($!)
  done
  for pid in "${waiters[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "not every host came back"
  log "reset $* in $(($(now_ms) - started))ms"
}

cmd_status() {
  local name state sshd any=0
  printf 'state: %s\nbase:  %s%s\n' "$STATE_DIR" "$(base_dir)" "$([[ -d $(base_dir) ]] || echo ' (not built)')"
  if recorded_pid_alive "$(acng_dir)/pid" >/dev/null; then
    printf 'apt-cacher-ng: running on %s:%s\n' "$GATEWAY" "$ACNG_PORT"
  else
    printf 'apt-cacher-ng: stopped\n'
  fi
  for name in $(host_names); do
    any=1
    state=stopped sshd=-
    if host_init_pid "$name" >/dev/null; then
      state=running
      sshd=closed
      if ssh_answers "$name"; then sshd=answers; elif port_open "$(host_ip "$name")" 22; then sshd=open; fi
    fi
    printf '%-6s %-12s %-8s sshd:%s\n' "$name" "$(host_ip "$name")" "$state" "$sshd"
  done
  ((any)) || printf 'no hosts\n'
}

cmd_inventory() {
  [[ -f $STATE_DIR/inventory.ini ]] || die "no inventory: no host is up (sandbox.sh up N)"
  printf '%s\n' "$STATE_DIR/inventory.ini"
}

cmd_exec() {
  (($# >= 2)) || die "usage: sandbox.sh exec HOST CMD..."
  host_exec "$@"
}

cmd_stop_sshd() {
  (($# == 1)) || die "usage: sandbox.sh stop-sshd HOST"
  local i
  host_exec "$1" service ssh stop >/dev/null
  for ((i = 0; i < 50; i++)); do
    port_open "$(host_ip "$1")" 22 || return 0
    sleep 0.1
  done
  die "sshd on $1 still listening after stop"
}

cmd_link() {
  (($# == 2)) || die "usage: sandbox.sh link-down|link-up HOST"
  ip link set "$(host_veth "$2")" "$1"
}

cmd_start_sshd() {
  (($# == 1)) || die "usage: sandbox.sh start-sshd HOST"
  host_exec "$1" service ssh start >/dev/null
  wait_for_ssh "$1" 10
}

cmd_rekey() {
  (($# >= 1)) || die "usage: sandbox.sh rekey HOST [--trust]"
  local name=$1 trust=0 i
  [[ ${2:-} == --trust ]] && trust=1
  need_running_host "$name"
  host_exec "$name" sh -c "rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub &&
    ssh-keygen -q -t ed25519 -N '' -C root@$name -f /etc/ssh/ssh_host_ed25519_key &&
    service ssh restart >/dev/null"
  for ((i = 0; i < 50; i++)); do
    port_open "$(host_ip "$name")" 22 && break
    sleep 0.1
  done
  if ((trust)); then
    host_exec "$name" cat /etc/ssh/ssh_host_ed25519_key.pub >"$(host_dir "$name")/host_key.pub"
    take_state_lock
    write_client_files
    log "$name has a new host key, now trusted in $STATE_DIR/known_hosts"
  else
    log "$name has a new host key; $STATE_DIR/known_hosts still holds the old one"
  fi
}

take_state_lock() {
  mkdir -p "$STATE_DIR"
  # fd 9 is closed in every process we start (9>&-), so the lock ends with this command.
  exec 9>"$STATE_DIR/.lock"
  flock 9
}

main() {
  STATE_DIR=${PROVISION_SANDBOX_DIR:-$REPO_DIR/.sandbox}
  while (($# > 0)); do
    case $1 in
      --state)
        (($# >= 2)) || die "--state needs a directory"
        STATE_DIR=$2
        shift 2
        ;;
      --state=*)
        STATE_DIR=${1#--state=}
        shift
        ;;
      -h | --help | help)
        usage
        return 0
        ;;
      *) break ;;
    esac
  done
  (($# > 0)) || {
    usage >&2
    return 2
  }
  local cmd=$1
  shift
  # A trailing --state DIR is accepted too (sandbox.sh up 3 --state DIR).
  local args=()
  while (($# > 0)); do
    if [[ $1 == --state && $# -ge 2 ]]; then
      STATE_DIR=$2
      shift 2
    else
      args+=("$1")
      shift
    fi
  done
  set -- "${args[@]+"${args[@]}"}"
  mkdir -p "$STATE_DIR" 2>/dev/null || true
  STATE_DIR=$(cd "$STATE_DIR" 2>/dev/null && pwd) || die "cannot use state directory $STATE_DIR"
  readonly STATE_DIR

  case $cmd in
    _boot) boot_inside "$@" ;; # internal: PID 1 of a new host, see boot_host
    up) require_root && cmd_up "$@" ;;
    down) require_root && cmd_down ;;
    status) require_root && cmd_status ;;
    inventory) cmd_inventory ;;
    exec) require_root && cmd_exec "$@" ;;
    stop-sshd) require_root && cmd_stop_sshd "$@" ;;
    start-sshd) require_root && cmd_start_sshd "$@" ;;
    link-down) require_root && cmd_link down "$@" ;;
    link-up) require_root && cmd_link up "$@" ;;
    rekey) require_root && cmd_rekey "$@" ;;
    reset) require_root && cmd_reset "$@" ;;
    base)
      require_uid0 # building the base needs no client tools: CI runs it before they are installed
      if [[ ${1:-} == --fresh ]]; then drop_base; fi
      ensure_base >/dev/null && base_dir
      ;;
    *)
      printf 'sandbox: unknown command: %s\n\n' "$cmd" >&2
      usage >&2
      return 2
      ;;
  esac
}

main "$@"
