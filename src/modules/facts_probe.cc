// The facts probe script; kept in its own file so the shell text reads as a whole.
#include "provision/connection/connection.h"
#include "provision/modules/facts.h"

namespace prov::facts {

namespace {

// Why this shape: every command is optional (2>/dev/null, `command -v` guards), so a minimal host still yields the
// sections it can; the controller does all interpretation. Files are read with the shell's own `read` and most
// values come from /proc and /sys, because starting a program is the cost that counts (several ms each on small
// hosts). /proc/<pid>/environ and local facts are hex-encoded, because they may hold newlines and section
// markers; everything else is single-line or trusted files.
const char* const kHead = R"PROBE(
exec 2>/dev/null
LC_ALL=C
export LC_ALL
sec() { printf '\n@@PROV@@ %s\n' "$1"; }
has() { command -v "$1" >/dev/null 2>&1; }
rd() { [ -r "$1" ] || return 1; while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done <"$1"; }
rd1() { v=; [ -r "$1" ] && read -r v <"$1" && printf '%s\n' "$v"; }
hex() { od -An -v -tx1; }
)PROBE";

// The slowest programs (name lookups, python, date, statvfs of the mounts) run in a second process meanwhile;
// their sections come through the pipe and are copied out at the end.
const char* const kSlow = R"PROBE(
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
# Ansible's interpreter discovery picks /usr/bin/python3 on Debian-family hosts before whatever PATH offers.
py=/usr/bin/python3; [ -x $py ] || py=$(command -v python3)
if [ -n "$py" ]; then
  sec python
  "$py" -I -S -c 'import sys, importlib.util as u
v = sys.version_info
print(sys.executable)
print(v[0], v[1], v[2], v[3], v[4])
print(sys.implementation.name)
print(u.find_spec("ssl") is not None)'
fi
sec date_local; date '+%Y %m %d %H %M %S %w %W %z %Z %A %s %N'
if [ -n "$HW" ]; then
  # Mounts as Ansible lists them (a device that is a path or host:/path, not fstype none), each with its statvfs
  # numbers (stat -f), bounded by gather_timeout.
  to=; has timeout && to="timeout $GT"
  sec mounts
  mt=/etc/mtab; [ -e $mt ] || mt=/proc/mounts
  while read -r dev mnt fs opts rest; do
    case $dev in /* | \\* | *:/*) ;; *) continue ;; esac
    [ "$fs" = none ] && continue
    printf 'M %s %s %s %s\n' "$dev" "$mnt" "$fs" "$opts"
    m=$mnt; case $m in *\\*) m=$(printf '%b' "$mnt") ;; esac
    printf 'S '; $to stat -f -c '%S %s %b %f %a %c %d' -- "$m" || echo
  done <$mt
  if has findmnt; then sec findmnt; findmnt --list --noheadings --notruncate; fi
  if has lsblk; then sec lsblk; lsblk --list --noheadings --paths --output NAME,UUID --exclude 2; fi
  u=; while read -r k a b c; do [ "$k" = Uid: ] && u=$b; done </proc/self/status
  if [ "$u" = 0 ] && has vgs; then
    o='--noheadings --nosuffix --units g --separator ,'
    sec lvm_vgs; vgs $o; sec lvm_lvs; lvs $o; sec lvm_pvs; pvs $o
  fi
fi
} | {
)PROBE";

const char* const kBody = R"PROBE(
sec uname_s; rd1 /proc/sys/kernel/ostype || uname -s
sec uname_n; rd1 /proc/sys/kernel/hostname || uname -n
sec uname_r; rd1 /proc/sys/kernel/osrelease || uname -r
sec uname_v; rd1 /proc/sys/kernel/version || uname -v
sec uname_m; rd1 /proc/sys/kernel/arch || uname -m
sec os_release; rd /etc/os-release || rd /usr/lib/os-release
sec debian_version; rd /etc/debian_version
# Ansible takes a Debian host's version from Python's distro package when the host has one (1.8 reads
# /etc/debian_version: 12.11), else from its bundled copy (os-release: 12): which one is there decides.
sec pydistro
for f in /usr/lib/python3/dist-packages/distro/distro.py /usr/lib/python3/dist-packages/distro.py; do
  [ -e "$f" ] && { grep -q _debian_version "$f" && echo reads_debian_version || echo present; break; }
done
sec alpine_release; rd /etc/alpine-release
sec redhat_release; rd /etc/redhat-release
if has lsb_release; then sec lsb_release; lsb_release -a; fi
sec lsb_file; rd /etc/lsb-release
sec machine_id; rd1 /var/lib/dbus/machine-id || rd1 /etc/machine-id
# The ELF class of the shell binary stands for Python's platform.architecture(): 01 is 32-bit, 02 64-bit.
sec elf_class; od -An -tx1 -j4 -N1 /bin/sh
if has ip; then
  sec ip_batch; ip -o -force -batch - <<'IP'
route get 8.8.8.8
route get 2404:6800:400a:800::1012
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
# Per interface: "name key value" for what only some interfaces have (a device, a driver, a bridge, a bond).
sec netdev_extra
for d in /sys/class/net/*; do
  [ -d "$d" ] || continue
  i=${d##*/}
  [ -e "$d/device" ] && p=$(readlink "$d/device") && printf '%s pciid %s\n' "$i" "${p##*/}"
  [ -e "$d/device/driver/module" ] && p=$(readlink -f "$d/device/driver/module") &&
    printf '%s module %s\n' "$i" "${p##*/}"
  v=; [ -e "$d/speed" ] && read -r v <"$d/speed" && printf '%s speed %s\n' "$i" "$v"
  if [ -e "$d/bridge" ]; then
    printf '%s bridge 1\n' "$i"
    for b in "$d"/brif/*; do [ -e "$b" ] && printf '%s brif %s\n' "$i" "${b##*/}"; done
    v=; read -r v <"$d/bridge/bridge_id" && printf '%s bridge_id %s\n' "$i" "$v"
    v=; read -r v <"$d/bridge/stp_state" && printf '%s stp_state %s\n' "$i" "$v"
  fi
  if [ -e "$d/bonding" ]; then
    for k in slaves mode miimon lacp_rate primary all_slaves_active; do
      v=; read -r v <"$d/bonding/$k"; printf '%s bond_%s %s\n' "$i" "$k" "$v"
    done
  fi
  if [ -e "$d/bonding_slave" ]; then
    v=; read -r v <"$d/bonding_slave/perm_hwaddr"; printf '%s perm_macaddress %s\n' "$i" "$v"
  fi
done
sec meminfo
while read -r k v; do
  case $k in
    MemTotal: | MemFree: | SwapTotal: | SwapFree: | Buffers: | Cached: | SwapCached:) printf '%s %s\n' "$k" "$v" ;;
  esac
done </proc/meminfo
sec cpuinfo
while IFS= read -r l; do
  case $l in
    processor* | "physical id"* | "core id"* | "cpu"* | siblings* | "model name"* | vendor_id* | Vendor* | \
      Processor* | "# processors"* | "ncpus active"*) printf '%s\n' "$l" ;;
  esac
done </proc/cpuinfo
sec hypervisor; rd1 /sys/hypervisor/type
# The shell's own status: its ids (id -u, id -g, real and effective) and the CPUs it may run on (nproc).
uid=; gid=; ruid=; rgid=; cpus=; vx=
while read -r k a b c; do
  case $k in Uid:) ruid=$a uid=$b ;; Gid:) rgid=$a gid=$b ;; Cpus_allowed_list:) cpus=$a ;; VxID:) vx=$a ;; esac
done </proc/self/status
[ -n "$uid" ] || uid=$(id -u)
[ -n "$gid" ] || gid=$(id -g)
[ -n "$ruid" ] || ruid=$(id -ru)
[ -n "$rgid" ] || rgid=$(id -rg)
sec nproc_list; printf '%s\n' "$cpus"
if has getent; then pw=$(getent passwd "$uid"); else pw=$(awk -F: -v u="$uid" '$3==u{print; exit}' /etc/passwd); fi
sec id; printf '%s\n%s\n%s\n' "${pw%%:*}" "$uid" "$gid"
sec real_ids; printf '%s %s\n' "$ruid" "$rgid"
sec passwd; [ -n "$pw" ] && printf '%s\n' "$pw"
if [ -r /proc/$$/environ ] && has od; then
  sec environ; hex </proc/$$/environ
else
  sec env; env
fi
sec proc1; rd /proc/1/comm || ps -p 1 -o comm | tail -n 1
sec sbin_init; [ -L /sbin/init ] && readlink /sbin/init
sec exists
for p in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/ /etc/init/ /sbin/openrc /etc/init.d/ \
         /usr/bin/rpm-ostree /usr/bin/yum /usr/bin/dnf /usr/bin/apt-get /usr/bin/zypper /usr/sbin/urpmi \
         /usr/bin/pacman /bin/opkg /sbin/apk /usr/bin/emerge /usr/bin/xbps-install /usr/bin/swupd \
         /sys/kernel/security/apparmor /sys/fs/selinux/enforce /proc/vz /proc/lve /proc/bc /.dockerenv \
         /.dockerinit /proc/xen /dev/kvm /sys/devices/virtual/dmi/id/product_name; do
  [ -e "$p" ] && printf '%s\n' "$p"
done
sec commands
for c in systemctl initctl python3; do
  has "$c" && { printf '%s ' "$c"; command -v "$c"; }
done
sec libselinux
for p in /lib/*/libselinux.so.1 /usr/lib/*/libselinux.so.1 /lib64/libselinux.so.1 /usr/lib64/libselinux.so.1 \
         /lib/libselinux.so.1 /usr/lib/libselinux.so.1; do
  [ -e "$p" ] && { printf '%s\n' "$p"; break; }
done
if [ -e /sys/fs/selinux/enforce ]; then
  sec selinux_enforce; rd1 /sys/fs/selinux/enforce
  sec selinux_policyvers; rd1 /sys/fs/selinux/policyvers
  sec selinux_config; rd /etc/selinux/config
fi
if has capsh; then sec capsh; capsh --print && echo "rc=0"; fi
sec cmdline; rd1 /proc/cmdline
sec loadavg; rd1 /proc/loadavg
sec uptime; rd1 /proc/uptime
sec resolv; rd /etc/resolv.conf
sec fips; rd1 /proc/sys/crypto/fips_enabled
sec iscsi; rd /etc/iscsi/initiatorname.iscsi
sec nvme; rd /etc/nvme/hostnqn
sec fc_wwn; for f in /sys/class/fc_host/*/port_name; do rd "$f"; done
sec ssh_keys
for k in /etc/ssh /etc/openssh /etc; do
  for a in dsa rsa ecdsa ed25519; do
    v=; [ -r "$k/ssh_host_${a}_key.pub" ] && read -r v <"$k/ssh_host_${a}_key.pub" && printf '%s %s %s\n' "$k" "$a" "$v"
  done
done
# is_chroot: / against PID 1's root when that can be read; otherwise the inode of / and its filesystem type.
sec chroot
if [ -e /proc/1/root/. ]; then
  if [ / -ef /proc/1/root/. ]; then echo same; else echo differ; fi
else
  printf 'inode %s %s\n' "$(stat -c %i /)" "$(stat -f -c %T /)"
fi
sec virt_cgroup; rd /proc/1/cgroup
sec virt_environ; [ -r /proc/1/environ ] && has tr && tr '\000' '\n' </proc/1/environ | while IFS= read -r l; do
  case $l in *container=*) printf '%s\n' "$l" ;; esac
done
sec virt_container; rd1 /run/systemd/container
sec virt_xen_caps; rd /proc/xen/capabilities
sec virt_vxid; [ -n "$vx" ] && printf '%s\n' "$vx"
sec virt_modules
[ -r /proc/modules ] && while read -r m rest; do
  case $m in kvm | vboxdrv | virtio) printf '%s\n' "$m" ;; esac
done </proc/modules
sec dmi
if [ -e /sys/devices/virtual/dmi/id/product_name ]; then
  for k in bios_date bios_vendor bios_version board_asset_tag board_name board_serial board_vendor board_version \
           chassis_asset_tag chassis_serial chassis_vendor chassis_version chassis_type product_name product_serial \
           product_uuid product_version sys_vendor product_family; do
    v=; [ -r /sys/devices/virtual/dmi/id/$k ] && read -r v </sys/devices/virtual/dmi/id/$k && printf '%s=%s\n' "$k" "$v"
  done
fi
)PROBE";

// Block devices as Ansible's hardware collector reads /sys/block: "@ name" starts a device, "@@ name" one of its
// partitions, then "key=value" lines; links from /dev/disk/by-* and the slaves of each device.
const char* const kDevices = R"PROBE(
if [ -n "$HW" ]; then
  sec devices
  # block_attrs FOLDER KEY...: each readable attribute as key=value, then the device-mapper holders.
  block_attrs() {
    f=$1; shift
    for k in "$@"; do
      v=; [ -r "$f/$k" ] && read -r v <"$f/$k" && printf '%s=%s\n' "$k" "$v"
    done
    for h in "$f"/holders/dm-*; do
      [ -e "$h" ] || continue
      v=; read -r v <"$h/dm/name"; printf 'holder=%s %s\n' "${h##*/}" "$v"
    done
  }
  for d in /sys/block/*; do
    [ -e "$d" ] || continue
    b=${d##*/}
    printf '@ %s\n' "$b"
    block_attrs "$d" device/vendor device/model device/sas_address device/sas_device_handle device/serial removable \
      queue/discard_granularity queue/rotational queue/scheduler size queue/logical_block_size queue/hw_sector_size
    for p in "$d"/"$b"*; do
      [ -d "$p" ] || continue
      printf '@@ %s\n' "${p##*/}"
      block_attrs "$p" start size queue/logical_block_size queue/hw_sector_size
    done
  done
  sec device_links
  for t in id uuid label; do
    for l in /dev/disk/by-$t/*; do
      [ -L "$l" ] && v=$(readlink "$l") && printf '%s %s %s\n' "$t" "${l##*/}" "${v##*/}"
    done
  done
  for l in /sys/block/*/slaves/*; do
    [ -e "$l" ] && v=${l%/slaves/*} && printf 'master %s %s\n' "${v##*/}" "${l##*/}"
  done
fi
)PROBE";

// Local facts: each *.fact file of fact_path, sorted, as Ansible reads them: an executable is run, any other file
// read; "name mode rc" and then the hex of what it gave.
const char* const kLocal = R"PROBE(
if [ -d "$FP" ]; then
  sec local; printf '%s\n' "$FP"
  for f in "$FP"/*.fact; do
    [ -e "$f" ] || continue
    if [ -x "$f" ]; then
      # The exit status follows the output in the same stream, after a \001 byte no text holds, then a \002 byte
      # and what the script wrote on its standard error (kept in a file meanwhile).
      e=$(mktemp 2>/dev/null) || e=/dev/null
      printf '%s exec\n' "${f##*/}"; { "$f" 2>"$e"; printf '\001%s\002' "$?"; cat "$e"; } | hex
      [ "$e" = /dev/null ] || rm -f "$e"
    else
      printf '%s file\n' "${f##*/}"; hex <"$f"
    fi
  done
fi
)PROBE";

const char* const kTail = R"PROBE(
while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done
sec end
}
)PROBE";

}  // namespace

std::string probe_script(const GatherOptions& options, const std::set<std::string>& collectors) {
  std::string script = kHead;
  // Only what the subset needs costs time on the host: mounts and devices are the slow reads.
  const bool hardware = collectors.count("hardware") > 0;
  script += "HW=" + std::string(hardware ? "1" : "") +
            "\nGT=" + std::to_string(options.timeout > 0 ? options.timeout : 10) + "\n";
  script += kSlow;
  script += kBody;
  script += kDevices;
  if (collectors.count("local")) {
    script += "FP=" + conn::shell_quote(options.fact_path) + "\n";
    script += kLocal;
  }
  script += kTail;
  return script;
}

const std::string& facts_probe_script() {
  static const std::string script = probe_script(GatherOptions{}, resolve_subset({"all"}));
  return script;
}

}  // namespace prov::facts
