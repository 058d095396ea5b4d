# shellcheck shell=bash
# The bridge the hosts hang off, and the apt-cacher-ng instance on its gateway address that is the
# hosts' only way to Debian packages (nothing is forwarded or NATed). Sourced by sandbox.sh.

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" address "$(mac_for_ip "$GATEWAY")" type bridge
  fi
  if ! ip -4 addr show dev "$BRIDGE" | grep -qF " $GATEWAY/$NET_BITS "; then
    ip addr add "$GATEWAY/$NET_BITS" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

# Removes the bridge once no host's veth is attached to it any more.
remove_bridge_if_unused() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || return 0
  if [[ -z $(ip -o link show master "$BRIDGE" 2>/dev/null) ]]; then
    ip link del "$BRIDGE"
  fi
}

# --- apt-cacher-ng ------------------------------------------------------------------------------
# Our own instance with its own config, started and stopped by us, so the system's service (whose
# packaged Debian backend names a mirror this machine may not reach) is never touched.

acng_dir() { printf '%s/apt-cacher-ng\n' "$STATE_DIR"; }

# "PATH URI" pairs: the path a host asks the cache for, and the mirror URI behind it. Paths come
# from the mirror URIs (/debian, /debian-security); clashes get a numeric suffix.
acng_remaps() {
  apt_source_entries | awk '
    !seen_uri[$1]++ {
      path = $1; sub(/^https?:\/\/[^\/]*/, "", path); sub(/\/+$/, "", path)
      if (path == "") path = "/mirror"
      base = path; n = 1
      while (used[path]) path = base "-" ++n
      used[path] = 1
      print path, $1
    }'
}

write_acng_config() {
  local dir conf i=0 path uri
  dir=$(acng_dir)
  conf=$dir/conf
  mkdir -p "$conf" "$dir/log" "$CACHE_DIR/apt-cacher-ng"
  {
    printf '# Written by tests/sandbox/sandbox.sh; rewritten at every up.\n'
    printf 'CacheDir: %s\n' "$CACHE_DIR/apt-cacher-ng"
    printf 'LogDir: %s\n' "$dir/log"
    printf 'SupportDir: /usr/lib/apt-cacher-ng\n'
    printf 'Port: %s\n' "$ACNG_PORT"
    printf 'BindAddress: %s\n' "$GATEWAY"
    printf 'Foreground: 1\n'
    printf 'ReportPage: acng-report.html\n'
    printf 'ExThreshold: 4\n'
    # One remap per mirror of this machine: http://GATEWAY:PORT/<path>/... -> <mirror>/...
    while read -r path uri; do
      printf 'Remap-sandbox%d: %s ; %s/\n' "$i" "$path" "$uri"
      i=$((i + 1))
    done < <(acng_remaps)
  } >"$conf/acng.conf"
}

ensure_acng() {
  local dir pid i
  dir=$(acng_dir)
  if recorded_pid_alive "$dir/pid" >/dev/null && port_open "$GATEWAY" "$ACNG_PORT"; then
    return 0
  fi
  stop_recorded_pid "$dir/pid"
  ensure_package apt-cacher-ng apt-cacher-ng
  write_acng_config
  setsid apt-cacher-ng -c "$dir/conf" </dev/null >>"$dir/log/console.log" 2>&1 9>&- &
  pid=$!
  record_pid "$dir/pid" "$pid"
  for ((i = 0; i < 100; i++)); do
    port_open "$GATEWAY" "$ACNG_PORT" && return 0
    recorded_pid_alive "$dir/pid" >/dev/null || break
    sleep 0.1
  done
  die "apt-cacher-ng did not start listening on $GATEWAY:$ACNG_PORT (see $dir/log)"
}

stop_acng() {
  stop_recorded_pid "$(acng_dir)/pid"
}

# apt sources for a host: the machine's own entries, reached through the cache on the gateway.
host_apt_sources() {
  local path uri suite comps
  declare -A path_of=()
  while read -r path uri; do path_of[$uri]=$path; done < <(acng_remaps)
  printf '# Written by tests/sandbox/sandbox.sh: Debian through apt-cacher-ng on the gateway.\n'
  while read -r uri suite comps; do
    printf 'deb http://%s:%s%s %s %s\n' "$GATEWAY" "$ACNG_PORT" "${path_of[$uri]}" "$suite" "$comps"
  done < <(apt_source_entries)
}
