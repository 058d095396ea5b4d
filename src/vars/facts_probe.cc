// The facts probe script; kept in its own file so the shell text reads as a whole.
#include "provision/vars/facts.h"

namespace prov::vars {

// Why this shape: every command is optional (2>/dev/null, `command -v` guards), so a minimal host still yields the
// sections it can; the controller does all interpretation. Only /proc/<pid>/environ is hex-encoded, because
// environment values may hold newlines and section markers; everything else is single-line or trusted files.
const std::string& facts_probe_script() {
  static const std::string script = R"PROBE(
exec 2>/dev/null
LC_ALL=C
export LC_ALL
sec() { printf '\n@@PROV@@ %s\n' "$1"; }
has() { command -v "$1" >/dev/null 2>&1; }
sec uname_s; uname -s
sec uname_n; uname -n
sec uname_r; uname -r
sec uname_v; uname -v
sec uname_m; uname -m
n=$(uname -n)
sec hostname_f; has hostname && hostname -f
if has getent; then
  sec hosts_fwd; getent hosts "$n"
  ip1=$(getent hosts "$n" | awk 'NR==1{print $1}')
  sec hosts_rev; [ -n "$ip1" ] && getent hosts "$ip1"
fi
sec os_release; cat /etc/os-release || cat /usr/lib/os-release
sec debian_version; cat /etc/debian_version
sec alpine_release; cat /etc/alpine-release
sec redhat_release; cat /etc/redhat-release
if has lsb_release; then sec lsb_release; lsb_release -a; fi
sec lsb_file; cat /etc/lsb-release
if has ip; then
  sec ip_route_get; ip -4 route get 8.8.8.8
  sec ip_route_default; ip -4 route show default
  sec ip_addr; ip -4 -o addr
fi
sec proc_net_route; cat /proc/net/route
sec fib_trie; [ -r /proc/net/fib_trie ] && ! has ip && cat /proc/net/fib_trie
sec netdev
for d in /sys/class/net/*; do
  [ -d "$d" ] || continue
  printf '%s %s %s %s %s %s\n' "${d##*/}" "$(cat "$d/address")" "$(cat "$d/mtu")" "$(cat "$d/type")" \
    "$(cat "$d/operstate")" "$(cat "$d/flags")"
done
sec meminfo; grep -E '^(MemTotal|MemFree|SwapTotal|SwapFree):' /proc/meminfo
sec cpuinfo; grep -E '^(processor|physical id|core id|cpu cores|siblings)[[:space:]]*:' /proc/cpuinfo
sec nproc; has nproc && nproc
sec id; id -un; id -u; id -g
sec passwd
u=$(id -u)
if has getent; then getent passwd "$u"; else awk -F: -v u="$u" '$3==u{print; exit}' /etc/passwd; fi
if [ -r /proc/$$/environ ] && has od; then
  sec environ; od -An -v -tx1 /proc/$$/environ
else
  sec env; env
fi
sec proc1; cat /proc/1/comm || ps -p 1 -o comm | tail -n 1
sec sbin_init; [ -L /sbin/init ] && readlink /sbin/init
sec exists
for p in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/ /etc/init/ /sbin/openrc /etc/init.d/ \
         /usr/bin/rpm-ostree /usr/bin/yum /usr/bin/dnf /usr/bin/apt-get /usr/bin/zypper /usr/sbin/urpmi \
         /usr/bin/pacman /bin/opkg /sbin/apk /usr/bin/emerge /usr/bin/xbps-install /usr/bin/swupd; do
  [ -e "$p" ] && printf '%s\n' "$p"
done
sec commands
for c in systemctl initctl python3; do
  p=$(command -v "$c") && printf '%s %s\n' "$c" "$p"
done
if has python3; then
  sec python
  python3 -c 'import sys, importlib.util as u
v = sys.version_info
print(sys.executable)
print(v[0], v[1], v[2], v[3], v[4])
print(sys.implementation.name)
print(u.find_spec("ssl") is not None)'
fi
sec date_local; date '+%Y %m %d %H %M %S %w %W %z %Z %A'
sec date_utc; date -u '+%Y %m %d %H %M %S'
sec end
)PROBE";
  return script;
}

}  // namespace prov::vars
