// The facts probe script; kept in its own file so the shell text reads as a whole.
#include "provision/vars/facts.h"

namespace prov::vars {

// Why this shape: every command is optional (2>/dev/null, `command -v` guards), so a minimal host still yields the
// sections it can; the controller does all interpretation. Files are read with the shell's own `read` and most
// values come from /proc, because starting a program is the cost that counts (several ms each on small hosts). Only
// /proc/<pid>/environ is hex-encoded, because environment values may hold newlines and section markers; everything else
// is single-line or trusted files.
const std::string& facts_probe_script() {
  static const std::string script = R"PROBE(
exec 2>/dev/null
LC_ALL=C
export LC_ALL
sec() { printf '\n@@PROV@@ %s\n' "$1"; }
has() { command -v "$1" >/dev/null 2>&1; }
rd() { [ -r "$1" ] || return 1; while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done <"$1"; }
rd1() { v=; [ -r "$1" ] && read -r v <"$1" && printf '%s\n' "$v"; }
# The slowest programs (name lookups, python, date) run in a second process meanwhile; their sections come
# through the pipe and are copied out at the end.
{
n=; read -r n </proc/sys/kernel/hostname || n=$(uname -n)
if has getent; then
  fwd=$(getent hosts "$n")
  sec hosts_fwd; [ -n "$fwd" ] && printf '%s\n' "$fwd"
  set -f; set -- $fwd; set +f
  sec hosts_rev; [ -n "$1" ] && getent hosts "$1"
else
  sec hostname_f; has hostname && hostname -f
fi
if has python3; then
  sec python
  python3 -I -S -c 'import sys, importlib.util as u
v = sys.version_info
print(sys.executable)
print(v[0], v[1], v[2], v[3], v[4])
print(sys.implementation.name)
print(u.find_spec("ssl") is not None)'
fi
sec date_local; date '+%Y %m %d %H %M %S %w %W %z %Z %A %s'
} | {
sec uname_s; rd1 /proc/sys/kernel/ostype || uname -s
sec uname_n; rd1 /proc/sys/kernel/hostname || uname -n
sec uname_r; rd1 /proc/sys/kernel/osrelease || uname -r
sec uname_v; rd1 /proc/sys/kernel/version || uname -v
sec uname_m; rd1 /proc/sys/kernel/arch || uname -m
sec os_release; rd /etc/os-release || rd /usr/lib/os-release
sec debian_version; rd /etc/debian_version
sec alpine_release; rd /etc/alpine-release
sec redhat_release; rd /etc/redhat-release
if has lsb_release; then sec lsb_release; lsb_release -a; fi
sec lsb_file; rd /etc/lsb-release
if has ip; then
  sec ip_batch; ip -4 -o -force -batch - <<'IP'
route get 8.8.8.8
route show default
addr
IP
fi
sec proc_net_route; rd /proc/net/route
sec fib_trie; [ -r /proc/net/fib_trie ] && ! has ip && rd /proc/net/fib_trie
sec netdev
for d in /sys/class/net/*; do
  [ -d "$d" ] || continue
  a=; m=; t=; o=; f=
  read -r a <"$d/address"; read -r m <"$d/mtu"; read -r t <"$d/type"; read -r o <"$d/operstate"; read -r f <"$d/flags"
  printf '%s %s %s %s %s %s\n' "${d##*/}" "$a" "$m" "$t" "$o" "$f"
done
sec meminfo
while read -r k v; do
  case $k in MemTotal: | MemFree: | SwapTotal: | SwapFree:) printf '%s %s\n' "$k" "$v" ;; esac
done </proc/meminfo
sec cpuinfo
while IFS= read -r l; do
  case $l in processor* | "physical id"* | "core id"* | "cpu cores"* | siblings*) printf '%s\n' "$l" ;; esac
done </proc/cpuinfo
# The shell's own status: its effective ids (id -u, id -g) and the CPUs it may run on (nproc, without OMP_*).
uid=; gid=; cpus=
while read -r k a b c; do
  case $k in Uid:) uid=$b ;; Gid:) gid=$b ;; Cpus_allowed_list:) cpus=$a ;; esac
done </proc/self/status
[ -n "$uid" ] || uid=$(id -u)
[ -n "$gid" ] || gid=$(id -g)
sec nproc_list; printf '%s\n' "$cpus"
if has getent; then pw=$(getent passwd "$uid"); else pw=$(awk -F: -v u="$uid" '$3==u{print; exit}' /etc/passwd); fi
sec id; printf '%s\n%s\n%s\n' "${pw%%:*}" "$uid" "$gid"
sec passwd; [ -n "$pw" ] && printf '%s\n' "$pw"
if [ -r /proc/$$/environ ] && has od; then
  sec environ; od -An -v -tx1 /proc/$$/environ
else
  sec env; env
fi
sec proc1; rd /proc/1/comm || ps -p 1 -o comm | tail -n 1
sec sbin_init; [ -L /sbin/init ] && readlink /sbin/init
sec exists
for p in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/ /etc/init/ /sbin/openrc /etc/init.d/ \
         /usr/bin/rpm-ostree /usr/bin/yum /usr/bin/dnf /usr/bin/apt-get /usr/bin/zypper /usr/sbin/urpmi \
         /usr/bin/pacman /bin/opkg /sbin/apk /usr/bin/emerge /usr/bin/xbps-install /usr/bin/swupd; do
  [ -e "$p" ] && printf '%s\n' "$p"
done
sec commands
for c in systemctl initctl python3; do
  has "$c" && { printf '%s ' "$c"; command -v "$c"; }
done
while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done
sec end
}
)PROBE";
  return script;
}

}  // namespace prov::vars
