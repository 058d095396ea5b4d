# shellcheck shell=bash
# shellcheck disable=SC2034 # settings used by the other files
# Shared settings and helpers for sandbox.sh. Sourced, never run directly.

# Fixed network plan: a private /24 that exists only on the prov-br0 bridge of this machine.
readonly BRIDGE=prov-br0
readonly NET_PREFIX=10.213.0
readonly GATEWAY=${NET_PREFIX}.1
readonly NET_BITS=24
readonly HOST_IP_OFFSET=10 # sbxN gets ${NET_PREFIX}.(10+N)
readonly MAX_HOSTS=50
readonly NETNS_PREFIX=prov-
readonly ACNG_PORT=3142
# Upper limit of each host's in-memory writable layer (tmpfs takes memory only as it fills).
readonly HOST_LAYER_SIZE=${PROVISION_SANDBOX_HOST_SIZE:-2g}

# The machine-wide cache holds the base root filesystem and apt-cacher-ng's package cache, so both
# survive `down` and a fresh checkout of the work tree.
readonly CACHE_DIR=${PROVISION_SANDBOX_CACHE:-/var/cache/provision-sandbox}

# A fixed, locally administered MAC for each address. A bridge otherwise takes the lowest MAC of its
# ports, so it would change whenever a host is replaced, and replaced hosts would come back with new
# MACs that neighbour caches do not know yet: both stall traffic for up to a minute.
mac_for_ip() { # A.B.C.D
  local IFS=.
  # shellcheck disable=SC2086
  printf '02:00:%02x:%02x:%02x:%02x\n' $1
}

log() { printf 'sandbox: %s\n' "$*" >&2; }
die() {
  printf 'sandbox: error: %s\n' "$*" >&2
  exit 1
}

require_root() {
  require_uid0
  require_tools ip unshare nsenter setsid flock mountpoint ssh ssh-keygen
}

require_uid0() { [[ $(id -u) == 0 ]] || die "must run as root (network namespaces, mounts, chroot)"; }

require_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (apt-get install iproute2 util-linux openssh-client)"
}

# Installs a Debian package when its command is missing (a fresh CI machine lacks debootstrap and
# apt-cacher-ng). policy-rc.d may refuse to start a packaged service; we never rely on one.
ensure_package() { # COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$2" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null
  } || die "could not install $2"
}

# Milliseconds since the epoch, for the timings printed by up/down.
now_ms() { date +%s%3N; }

# --- Recorded processes -------------------------------------------------------------------------
# A pid file holds "PID STARTTIME"; the start time (field 22 of /proc/PID/stat) guards against
# signalling an unrelated process that later reused the pid.

# Prints the start time of a live process; fails for a missing one and for a zombie (a process that
# ended but whose parent has not collected it yet: our background processes are adopted by the
# machine's init once this script exits, which may collect them late).
proc_starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # Field 2 (comm) may contain spaces; everything after the last ')' is space-separated.
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  [[ $1 != Z && $1 != X ]] || return 1
  printf '%s\n' "${20}"
}

# The end of a host's console log on stderr: the folder goes with the host at `down`, so a test's output is
# where a start-up failure can still be read.
show_console() { # HOST_DIR
  [[ -r $1/console.log ]] && tail -n 20 "$1/console.log" | sed 's/^/sandbox: console: /' >&2
  local file pid start
  for file in "$1"/*.pid; do
    [[ -r $file ]] || continue
    read -r pid start <"$file" || true
    printf 'sandbox: %s holds "%s %s"; now: %s\n' "$(basename "$file")" "$pid" "$start" \
      "$(ps -o pid=,ppid=,pgid=,stat=,lstart=,args= -p "${pid:-0}" 2>/dev/null || echo 'no such process')" >&2
  done
  return 0
}

record_pid() { # FILE PID
  local start
  if ! start=$(proc_starttime "$2"); then
    show_console "$(dirname "$1")"
    die "process $2 exited right after start (see logs in $(dirname "$1"))"
  fi
  printf '%s %s\n' "$2" "$start" >"$1"
}

# Prints the recorded pid when that very process is still alive; fails otherwise.
recorded_pid_alive() { # FILE
  local pid start
  [[ -r $1 ]] || return 1
  read -r pid start <"$1" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(proc_starttime "$pid" 2>/dev/null) == "$start" ]] || return 1
  printf '%s\n' "$pid"
}

# Ends a recorded process: SIGTERM, up to TIMEOUT tenths of a second of grace, then SIGKILL.
# Removes the pid file. Missing or already-dead processes are fine.
stop_recorded_pid() { # FILE [TIMEOUT_TENTHS]
  local file=$1 grace=${2:-30} pid i
  if pid=$(recorded_pid_alive "$file"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace; i++)); do
      recorded_pid_alive "$file" >/dev/null || break
      sleep 0.1
    done
    if recorded_pid_alive "$file" >/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        recorded_pid_alive "$file" >/dev/null || break
        sleep 0.1
      done
    fi
  fi
  rm -f "$file"
}

# True when something accepts TCP connections on HOST PORT.
port_open() { # HOST PORT
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}
