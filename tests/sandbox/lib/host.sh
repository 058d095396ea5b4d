# shellcheck shell=bash
# One sandbox host: an overlay root, a network namespace with a veth on the bridge, and PID, mount,
# UTS and IPC namespaces whose init runs sshd. Sourced by sandbox.sh.

hosts_dir() { printf '%s/hosts\n' "$STATE_DIR"; }
host_dir() { printf '%s/hosts/%s\n' "$STATE_DIR" "$1"; }
host_ip() { printf '%s.%d\n' "$NET_PREFIX" $((HOST_IP_OFFSET + ${1#sbx})); }
host_netns() { printf '%s%s\n' "$NETNS_PREFIX" "$1"; }
host_veth() { printf '%s%s\n' "$NETNS_PREFIX" "$1"; } # bridge side; the other end is eth0 inside

# Names of the hosts that have a directory in the state dir, in numeric order.
host_names() {
  local d
  [[ -d $(hosts_dir) ]] || return 0
  for d in "$(hosts_dir)"/sbx*; do
    [[ -d $d ]] && basename "$d"
  done | sort -V
}

valid_host_name() { [[ $1 =~ ^sbx[1-9][0-9]*$ ]] && ((${1#sbx} <= MAX_HOSTS)); }

# Prints the host's init pid (host pid of PID 1 in its PID namespace) when it is running.
host_init_pid() { recorded_pid_alive "$(host_dir "$1")/init.pid"; }

need_running_host() { # NAME
  valid_host_name "$1" || die "no such host '$1' (hosts are sbx1..sbx$MAX_HOSTS)"
  host_init_pid "$1" >/dev/null || die "host $1 is not running (try: sandbox.sh up N)"
}

# Writes the per-host files into the host's own (upper) layer: identity, keys, apt sources, init.
personalize_host() { # NAME ROOT
  local name=$1 root=$2 ip
  ip=$(host_ip "$name")
  printf '%s\n' "$name" >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n%s\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$ip" "$name" \
    >"$root/etc/hosts"
  : >"$root/etc/resolv.conf" # no DNS in here; apt uses the gateway's address

  ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$root/etc/ssh/ssh_host_ed25519_key"
  cp "$root/etc/ssh/ssh_host_ed25519_key.pub" "$(host_dir "$name")/host_key.pub"

  local user home
  for user in root deploy secure; do
    home=/home/$user
    [[ $user == root ]] && home=/root
    install -d -m 0700 "$root$home/.ssh"
    install -m 0600 "$STATE_DIR/id_ed25519.pub" "$root$home/.ssh/authorized_keys"
    chroot "$root" chown -R "$user:$user" "$home/.ssh"
  done

  host_apt_sources >"$root/etc/apt/sources.list"
  rm -f "$root"/etc/apt/sources.list.d/*

  # PID 1 inside the host. It reaps orphans (bash waits for any child), and exits on SIGTERM, which
  # ends every process of the PID namespace: the clean way to stop a host. It says on the console
  # why it ends, for the rare host that dies while starting.
  cat >"$root/usr/local/sbin/sandbox-init" <<'INIT'
#!/bin/bash
hostname -F /etc/hostname
trap 'echo "sandbox-init: SIGTERM, stopping"; exit 0' TERM
trap 'echo "sandbox-init: SIGINT, stopping"; exit 0' INT
trap 'echo "sandbox-init: SIGHUP, ignored"' HUP
trap 'echo "sandbox-init: exiting with status $?"' EXIT
service ssh start
while :; do
  sleep infinity &
  wait $!
done
INIT
  chmod 0755 "$root/usr/local/sbin/sandbox-init"
}

setup_host_network() { # NAME
  local name=$1 ns veth
  ns=$(host_netns "$name")
  veth=$(host_veth "$name")
  ip netns add "$ns"
  ip link add "$veth" type veth peer name "$veth-p"
  ip link set "$veth-p" netns "$ns"
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" link set "$veth-p" name eth0 address "$(mac_for_ip "$(host_ip "$name")")"
  ip -n "$ns" addr add "$(host_ip "$name")/$NET_BITS" dev eth0
  ip -n "$ns" link set eth0 up
  # A default route so tools find a primary address; the gateway forwards nothing (ip_forward is
  # left alone and there is no NAT), so nothing leaves the bridge.
  ip -n "$ns" route add default via "$GATEWAY"
}

# Starts the host's namespaces; returns once its init runs (sshd may still be starting).
boot_host() { # NAME
  local name=$1 hdir pid init i
  hdir=$(host_dir "$name")
  # setsid: the host's processes form their own session and process group, apart from our shell.
  setsid ip netns exec "$(host_netns "$name")" \
    unshare --pid --fork --mount --uts --ipc --propagation private \
    "$SELF" _boot "$hdir/merged" </dev/null >>"$hdir/console.log" 2>&1 9>&- &
  pid=$!
  record_pid "$hdir/unshare.pid" "$pid"
  for ((i = 0; i < 100; i++)); do
    init=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    init=${init%% *}
    [[ -n $init ]] && break
    recorded_pid_alive "$hdir/unshare.pid" >/dev/null || break
    sleep 0.05
  done
  [[ -n $init ]] || die "host $name did not start (see $hdir/console.log)"
  record_pid "$hdir/init.pid" "$init"
}

# Brings one host up from a fresh overlay layer. A running host that answers SSH is left alone; one
# that does not (sshd stopped, key changed by rekey) is replaced, so after `up` every host works.
create_host() { # NAME BASE
  local name=$1 base=$2 hdir
  hdir=$(host_dir "$name")
  if host_init_pid "$name" >/dev/null; then
    if ssh_answers "$name"; then
      log "$name already up"
      return 0
    fi
    log "$name is running but does not answer SSH: replacing it"
  fi
  destroy_host "$name" # also clears remnants of a failed or interrupted run
  # The host's writable layer lives in memory: on this machine's disk a package install and the
  # removal at `down` spend most of their time in metadata writes (about 10x slower).
  mkdir -p "$hdir/rw" "$hdir/merged"
  mount -t tmpfs -o "size=$HOST_LAYER_SIZE,mode=0755" "prov-$name-rw" "$hdir/rw"
  mkdir "$hdir/rw/upper" "$hdir/rw/work"
  mount -t overlay "prov-$name" -o "lowerdir=$base,upperdir=$hdir/rw/upper,workdir=$hdir/rw/work" \
    "$hdir/merged"
  personalize_host "$name" "$hdir/merged"
  setup_host_network "$name"
  boot_host "$name"
}

# Ends a host and removes every piece of it. Tolerates pieces that are missing.
destroy_host() { # NAME
  local name=$1 hdir group=""
  hdir=$(host_dir "$name")
  group=$(recorded_pid_alive "$hdir/unshare.pid" 2>/dev/null || true)
  stop_recorded_pid "$hdir/init.pid" 30
  stop_recorded_pid "$hdir/unshare.pid" 10
  # setsid made the unshare process a group leader; end anything still in its group.
  if [[ -n $group ]]; then kill -KILL -- "-$group" 2>/dev/null || true; fi
  local mnt
  for mnt in "$hdir/merged" "$hdir/rw"; do
    if mountpoint -q "$mnt" 2>/dev/null; then
      umount "$mnt" 2>/dev/null || umount -l "$mnt"
    fi
  done
  ip netns del "$(host_netns "$name")" 2>/dev/null || true
  ip link del "$(host_veth "$name")" 2>/dev/null || true
  ip neigh del "$(host_ip "$name")" dev "$BRIDGE" 2>/dev/null || true
  if [[ -d $hdir ]] && ! mountpoint -q "$hdir/merged" && ! mountpoint -q "$hdir/rw"; then
    rm -rf --one-file-system "$hdir"
  fi
}

# Runs inside the new namespaces as their PID 1 (see boot_host): mounts what a system expects, then
# becomes the host's init inside the chroot. These mounts live in the host's private mount
# namespace and vanish with it.
boot_inside() { # MERGED
  local m=$1 node
  mount -t proc proc "$m/proc"
  mount -t sysfs -o ro sysfs "$m/sys"
  mount -t tmpfs -o mode=0755,size=1m tmpfs "$m/dev"
  for node in null zero full random urandom tty; do
    touch "$m/dev/$node"
    mount --bind "/dev/$node" "$m/dev/$node"
  done
  mkdir "$m/dev/pts" "$m/dev/shm"
  # A private devpts instance, so ptys (ssh -t, become prompts) work without the machine's ones.
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$m/dev/pts"
  ln -s pts/ptmx "$m/dev/ptmx"
  ln -s /proc/self/fd "$m/dev/fd"
  ln -s /proc/self/fd/0 "$m/dev/stdin"
  ln -s /proc/self/fd/1 "$m/dev/stdout"
  ln -s /proc/self/fd/2 "$m/dev/stderr"
  mount -t tmpfs -o mode=1777 tmpfs "$m/dev/shm"
  mount -t tmpfs -o mode=0755 tmpfs "$m/run"
  exec chroot "$m" /usr/local/sbin/sandbox-init
}

# Runs a command inside a running host (all its namespaces and its root), with a clean environment.
host_exec() { # NAME CMD...
  local name=$1 pid
  shift
  need_running_host "$name"
  pid=$(host_init_pid "$name")
  nsenter --target "$pid" --mount --uts --ipc --net --pid --root --wd \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 TERM="${TERM:-dumb}" "$@"
}

# --- Client side: the files ssh, provision and ansible use to reach the hosts --------------------

ensure_client_key() {
  [[ -f $STATE_DIR/id_ed25519 ]] && return 0
  ssh-keygen -q -t ed25519 -N '' -C provision-sandbox -f "$STATE_DIR/id_ed25519"
  chmod 0600 "$STATE_DIR/id_ed25519"
}

# Rewrites known_hosts, ssh_config and inventory.ini for the running hosts (removes them if none).
# The machine's own ~/.ssh/known_hosts is never touched; everything points at these files.
write_client_files() {
  local names=() name ip
  for name in $(host_names); do
    host_init_pid "$name" >/dev/null && names+=("$name")
  done
  if ((${#names[@]} == 0)); then
    rm -f "$STATE_DIR/known_hosts" "$STATE_DIR/ssh_config" "$STATE_DIR/inventory.ini"
    return 0
  fi
  local kh=$STATE_DIR/known_hosts key=$STATE_DIR/id_ed25519
  for name in "${names[@]}"; do
    ip=$(host_ip "$name")
    printf '%s,%s %s\n' "$name" "$ip" "$(cut -d' ' -f1,2 "$(host_dir "$name")/host_key.pub")"
  done >"$kh.tmp"
  mv "$kh.tmp" "$kh"

  {
    printf '# Sandbox hosts (tests/sandbox/sandbox.sh). Use: ssh -F %s sbx1\n' "$STATE_DIR/ssh_config"
    for name in "${names[@]}"; do
      printf '\nHost %s\n' "$name"
      printf '  HostName %s\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n' "$(host_ip "$name")" "$key"
      printf '  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n' "$kh"
      printf '  StrictHostKeyChecking yes\n  BatchMode yes\n  ConnectTimeout 5\n'
    done
  } >"$STATE_DIR/ssh_config"

  {
    printf '# Sandbox hosts (tests/sandbox/sandbox.sh); rewritten by up/down.\n[sandbox]\n'
    for name in "${names[@]}"; do
      printf "%s ansible_host=%s ansible_user=root ansible_ssh_private_key_file=%s ansible_ssh_common_args='-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes'\n" \
        "$name" "$(host_ip "$name")" "$key" "$kh"
    done
  } >"$STATE_DIR/inventory.ini"
}

# True once the host's sshd accepts our key and runs a command.
ssh_answers() { # NAME
  ssh -F "$STATE_DIR/ssh_config" -o ConnectTimeout=2 "$1" true </dev/null >/dev/null 2>&1
}

# The default allows for a loaded machine (tests in parallel): a host that died is caught at once below.
wait_for_ssh() { # NAME [TIMEOUT_SECONDS]
  local name=$1 deadline=$(($(date +%s) + ${2:-90}))
  until ssh_answers "$name"; do
    if ! host_init_pid "$name" >/dev/null; then
      show_console "$(host_dir "$name")"
      die "host $name died while starting (see $(host_dir "$name")/console.log)"
    fi
    (($(date +%s) < deadline)) || die "sshd on $name did not answer in ${2:-90} s (see $(host_dir "$name")/console.log)"
    sleep 0.1
  done
}
