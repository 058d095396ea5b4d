// The small system collectors of Ansible's setup (apparmor, selinux, caps, chroot, cmdline, dns, fips, loadavg,
// ssh_pub_keys, iscsi, nvme, fibre_channel_wwn) and the virtualization facts, each from one probe section.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "facts_internal.h"

namespace prov::facts::detail {

namespace {

bool has_path(const Sections& s, const std::string& path) {
  for (const auto& line : split_lines(section(s, "exists"))) {
    if (trim(line) == path) return true;
  }
  return false;
}

void add_selinux_facts(const Sections& s, Value& facts) {
  if (!s.count("libselinux")) return;
  // Ansible reads SELinux through libselinux (ctypes): without the library it says so; with it, the state.
  if (section(s, "libselinux").empty()) {
    facts["selinux"] = {{"status", "Missing selinux Python library"}};
    facts["selinux_python_present"] = false;
    return;
  }
  facts["selinux_python_present"] = true;
  if (!s.count("selinux_enforce")) {
    facts["selinux"] = {{"status", "disabled"}};
    return;
  }
  std::map<std::string, std::string> config;
  for (const auto& line : split_lines(section(s, "selinux_config"))) {
    auto eq = line.find('=');
    if (eq != std::string::npos && trim(line)[0] != '#') config[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  Value selinux = {{"status", "enabled"}};
  auto policy = parse_int(first_line(s, "selinux_policyvers"));
  selinux["policyvers"] = policy ? Value(*policy) : Value("unknown");
  const std::string mode = config.count("SELINUX") ? config["SELINUX"] : "";
  selinux["config_mode"] = mode == "enforcing" || mode == "permissive" || mode == "disabled" ? mode : "unknown";
  const std::string enforce = first_line(s, "selinux_enforce");
  selinux["mode"] = enforce == "1" ? "enforcing" : enforce == "0" ? "permissive" : "unknown";
  selinux["type"] = config.count("SELINUXTYPE") ? config["SELINUXTYPE"] : "unknown";
  facts["selinux"] = selinux;
}

void add_caps_facts(const Sections& s, Value& facts) {
  if (!s.count("exists")) return;  // an old probe: no answer either way
  facts["system_capabilities"] = "N/A";
  facts["system_capabilities_enforced"] = "N/A";
  const std::string& capsh = section(s, "capsh");
  if (capsh.find("rc=0") == std::string::npos) return;
  std::string enforced = "NA";
  Value caps = Value::array();
  for (const auto& line : split_lines(capsh)) {
    if (line.rfind("Current:", 0) != 0) continue;
    if (trim(line.substr(8)) == "=ep") {
      enforced = "False";
      continue;
    }
    enforced = "True";
    caps = Value::array();
    auto eq = line.find('=');
    std::string rest = eq == std::string::npos ? "" : line.substr(eq + 1);
    rest = rest.substr(0, rest.find('='));  // Python's split('=')[1]
    std::size_t start = 0;
    while (true) {
      auto comma = rest.find(',', start);
      caps.push_back(trim(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  facts["system_capabilities"] = caps;
  facts["system_capabilities_enforced"] = enforced;
}

// Python's shlex.split(posix=False): words split on blanks, quotes kept and protecting the blanks inside them.
std::vector<std::string> split_keep_quotes(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool in_word = false;
  for (char c : text) {
    if (quote) {
      word += c;
      if (c == quote) quote = 0;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      if (c == '"' || c == '\'') quote = c;
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

void add_cmdline_facts(const Sections& s, Value& facts) {
  const std::string line = first_line(s, "cmdline");
  if (line.empty()) return;
  Value cmdline = Value::object(), proc = Value::object();
  for (const auto& piece : split_keep_quotes(line)) {
    auto eq = piece.find('=');
    if (eq == std::string::npos) {
      cmdline[piece] = true;
      proc[piece] = true;
      continue;
    }
    std::string key = piece.substr(0, eq), value = piece.substr(eq + 1);
    cmdline[key] = value;
    // proc_cmdline keeps every value of a repeated key, in a list
    if (!proc.contains(key)) {
      proc[key] = value;
    } else if (proc[key].is_array()) {
      proc[key].push_back(value);
    } else {
      proc[key] = Value::array({proc[key], value});
    }
  }
  facts["cmdline"] = cmdline;
  facts["proc_cmdline"] = proc;
}

void add_dns_facts(const Sections& s, Value& facts) {
  if (!s.count("resolv")) return;
  Value dns = Value::object();
  for (const auto& line : split_lines(section(s, "resolv"))) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    auto t = split_words(line);
    if (t.empty()) continue;
    if (t[0] == "nameserver") {
      if (!dns.contains("nameservers")) dns["nameservers"] = Value::array();
      for (std::size_t i = 1; i < t.size(); ++i) dns["nameservers"].push_back(t[i]);
    } else if (t[0] == "domain") {
      if (t.size() > 1) dns["domain"] = t[1];
    } else if (t[0] == "search" || t[0] == "sortlist") {
      Value list = Value::array();
      for (std::size_t i = 1; i < t.size(); ++i) list.push_back(t[i]);
      dns[t[0]] = list;
    } else if (t[0] == "options") {
      Value options = Value::object();
      for (std::size_t i = 1; i < t.size(); ++i) {
        auto colon = t[i].find(':');
        if (colon == std::string::npos || colon + 1 == t[i].size()) {
          options[t[i].substr(0, colon)] = true;
        } else {
          options[t[i].substr(0, colon)] = t[i].substr(colon + 1);
        }
      }
      dns["options"] = options;
    }
  }
  facts["dns"] = dns;
}

void add_loadavg_facts(const Sections& s, Value& facts) {
  auto w = split_words(first_line(s, "loadavg"));
  if (w.size() < 3) return;
  try {
    facts["loadavg"] = {{"15m", std::stod(w[2])}, {"1m", std::stod(w[0])}, {"5m", std::stod(w[1])}};
  } catch (const std::exception&) {}
}

// Ansible looks in /etc/ssh, /etc/openssh and /etc in turn, and stops at the first key type already found.
void add_ssh_key_facts(const Sections& s, Value& facts) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> found;
  for (const auto& line : split_lines(section(s, "ssh_keys"))) {
    auto w = split_words(line);
    if (w.size() >= 4) found[{w[0], w[1]}] = {w[2], w[3]};
  }
  for (const char* dir : {"/etc/ssh", "/etc/openssh", "/etc"}) {
    for (const char* algo : {"dsa", "rsa", "ecdsa", "ed25519"}) {
      const std::string name = std::string("ssh_host_key_") + algo + "_public";
      if (facts.contains(name)) return;
      auto it = found.find({dir, algo});
      if (it == found.end()) continue;
      facts[name] = it->second[1];
      facts[name + "_keytype"] = it->second[0];
    }
  }
}

void add_initiator_facts(const Sections& s, Value& facts) {
  if (!s.count("iscsi")) return;
  facts["iscsi_iqn"] = "";
  for (const auto& line : split_lines(section(s, "iscsi"))) {
    if (line.rfind("InitiatorName=", 0) == 0) {
      facts["iscsi_iqn"] = rtrim(line.substr(14));
      break;
    }
  }
  facts["hostnqn"] = "";
  for (const auto& line : split_lines(section(s, "nvme"))) {
    if (line.rfind("nqn.", 0) == 0) {
      facts["hostnqn"] = line;
      break;
    }
  }
  Value wwn = Value::array();
  for (const auto& line : split_lines(section(s, "fc_wwn"))) {
    std::string value = rtrim(line);
    if (!value.empty()) wwn.push_back(value.size() > 2 ? value.substr(2) : "");
  }
  facts["fibre_channel_wwn"] = wwn;
}

}  // namespace

void add_system_facts(const Sections& s, Value& facts) {
  if (s.count("exists"))
    facts["apparmor"] = {{"status", has_path(s, "/sys/kernel/security/apparmor") ? "enabled" : "disabled"}};
  add_selinux_facts(s, facts);
  add_caps_facts(s, facts);
  add_cmdline_facts(s, facts);
  add_dns_facts(s, facts);
  if (s.count("fips")) facts["fips"] = first_line(s, "fips") == "1";
  add_loadavg_facts(s, facts);
  add_ssh_key_facts(s, facts);
  add_initiator_facts(s, facts);
  if (s.count("machine_id") && !first_line(s, "machine_id").empty()) facts["machine_id"] = first_line(s, "machine_id");

  // is_chroot: debian_chroot in the environment, else / against PID 1's root, else the root inode's number.
  if (s.count("chroot")) {
    const Value& env = facts["env"];
    auto words = split_words(first_line(s, "chroot"));
    if (env.is_object() && env.contains("debian_chroot") && !env["debian_chroot"].get<std::string>().empty()) {
      facts["is_chroot"] = true;
    } else if (!words.empty() && words[0] != "inode") {
      facts["is_chroot"] = words[0] == "differ";
    } else if (words.size() >= 2) {
      const std::string type = words.size() > 2 ? words[2] : "";
      const char* root_inode = type.find("btrfs") != std::string::npos ? "256"
                               : type.find("xfs") != std::string::npos ? "128"
                                                                       : "2";
      facts["is_chroot"] = words[1] != root_inode;
    }
  }
}

// Ansible's Linux virtualization detection, in its order: the first technology found sets type and role; every
// one found is listed under tech_guest or tech_host.
void add_virtual_facts(const Sections& s, Value& facts) {
  if (!s.count("virt_cgroup")) return;
  std::set<std::string> guest, host;
  std::string type, role;
  bool found = false;
  auto set_first = [&](const std::string& t, const std::string& r) {
    if (found) return;
    type = t;
    if (!r.empty()) role = r;
    found = true;
  };
  for (const auto& line : split_lines(section(s, "virt_cgroup"))) {
    std::size_t docker = line.find("/docker");
    if (docker != std::string::npos && docker + 7 < line.size() &&
        (line[docker + 7] == '/' || (line[docker + 7] == '-' && line.find(".scope", docker) != std::string::npos))) {
      guest.insert("docker");
      set_first("docker", "guest");
    }
    if (line.find("/lxc/") != std::string::npos || line.find("/machine.slice/machine-lxc") != std::string::npos) {
      guest.insert("lxc");
      set_first("lxc", "guest");
    }
    if (line.find("/system.slice/containerd.service") != std::string::npos) {
      guest.insert("containerd");
      set_first("containerd", "guest");
    }
  }
  for (const auto& line : split_lines(section(s, "virt_environ"))) {
    if (line.find("container=lxc") != std::string::npos) {
      guest.insert("lxc");
      set_first("lxc", "guest");
    }
    if (line.find("container=podman") != std::string::npos) {
      guest.insert("podman");
      set_first("podman", "guest");
    }
    if (line.rfind("container=", 0) == 0 && line.size() > 10) {
      guest.insert("container");
      set_first("container", "guest");
    }
  }
  if (has_path(s, "/proc/vz") && !has_path(s, "/proc/lve")) {
    type = "openvz";
    if (has_path(s, "/proc/bc")) {
      host.insert("openvz");
      if (!found) role = "host";
    } else {
      guest.insert("openvz");
      if (!found) role = "guest";
    }
    found = true;
  }
  const std::string container = first_line(s, "virt_container");
  if (!container.empty()) {
    guest.insert(container);
    set_first(container, "guest");
  }
  if (has_path(s, "/.dockerenv") || has_path(s, "/.dockerinit")) {
    guest.insert("docker");
    set_first("docker", "guest");
  }
  for (const char* tech : {"docker", "lxc", "podman", "openvz", "containerd"}) {
    if (guest.count(tech)) guest.insert("container");
  }
  if (!container.empty()) guest.insert("container");
  if (has_path(s, "/proc/xen")) {
    if (section(s, "virt_xen_caps").find("control_d") != std::string::npos) {
      host.insert("xen");
      set_first("xen", "host");
    } else {
      set_first("xen", "guest");
    }
    found = true;
  }
  if (!found) role = "guest";
  std::map<std::string, std::string> dmi;
  for (const auto& line : split_lines(section(s, "dmi"))) {
    auto eq = line.find('=');
    if (eq != std::string::npos) dmi[line.substr(0, eq)] = trim(line.substr(eq + 1));
  }
  const std::string product = dmi["product_name"], vendor = dmi["sys_vendor"], bios = dmi["bios_vendor"];
  auto dmi_guest = [&](bool when, const std::string& tech) {
    if (!when) return;
    guest.insert(tech);
    if (!found) type = tech;
    found = true;
  };
  dmi_guest(product == "KVM" || product == "KVM Server" || product == "Bochs" || product == "AHV", "kvm");
  dmi_guest(vendor == "oVirt", "oVirt");
  dmi_guest(vendor == "Red Hat" && dmi["product_family"] == "RHV", "RHV");
  dmi_guest(vendor == "Red Hat" && dmi["product_family"] != "RHV" && product == "RHEV Hypervisor", "RHEV");
  dmi_guest(product == "VMware Virtual Platform" || product == "VMware7,1", "VMware");
  dmi_guest(product == "OpenStack Compute" || product == "OpenStack Nova", "openstack");
  dmi_guest(bios == "Xen", "xen");
  dmi_guest(bios == "innotek GmbH", "virtualbox");
  dmi_guest(bios == "Amazon EC2" || bios == "DigitalOcean" || bios == "Hetzner", "kvm");
  dmi_guest(vendor == "QEMU" || vendor == "Amazon EC2" || vendor == "DigitalOcean" || vendor == "Google" ||
                vendor == "Scaleway" || vendor == "Nutanix",
            "kvm");
  dmi_guest(vendor == "KubeVirt", "KubeVirt");
  dmi_guest(vendor == "Microsoft Corporation", "VirtualPC");
  dmi_guest(vendor == "Parallels Software International Inc.", "parallels");
  dmi_guest(vendor == "OpenStack Foundation", "openstack");
  if (!found) role.clear();
  const std::string vxid = first_line(s, "virt_vxid");
  if (!vxid.empty()) {
    if (!found) type = "linux_vserver";
    if (vxid == "0") {
      host.insert("linux_vserver");
      if (!found) role = "host";
    } else {
      guest.insert("linux_vserver");
      if (!found) role = "guest";
    }
    found = true;
  }
  for (const auto& line : split_lines(section(s, "cpuinfo"))) {
    std::string tech;
    if (line.rfind("model name", 0) == 0 && line.find("QEMU Virtual CPU") != std::string::npos) tech = "kvm";
    if (line.rfind("vendor_id", 0) == 0 && line.find("User Mode Linux") != std::string::npos) tech = "uml";
    if (line.rfind("model name", 0) == 0 && line.find("UML") != std::string::npos) tech = "uml";
    if (line.rfind("vendor_id", 0) == 0 && line.find("PowerVM Lx86") != std::string::npos) tech = "powervm_lx86";
    if (tech.empty()) continue;
    guest.insert(tech);
    if (!found) {
      type = tech;
      role = "guest";
    }
    found = true;
  }
  const std::string& modules = section(s, "virt_modules");
  auto module_loaded = [&](const std::string& name) {
    for (const auto& line : split_lines(modules)) {
      if (trim(line) == name) return true;
    }
    return false;
  };
  if (module_loaded("kvm")) {
    host.insert("kvm");
    if (!found) {
      type = "kvm";
      role = "host";
    }
    found = true;
  }
  if (module_loaded("vboxdrv")) {
    host.insert("virtualbox");
    set_first("virtualbox", "host");
  }
  if (module_loaded("virtio")) {
    host.insert("kvm");
    set_first("kvm", "guest");
  }
  if (has_path(s, "/dev/kvm")) {
    host.insert("kvm");
    set_first("kvm", "host");
  }
  if (!found) {
    type = "NA";
    role = "NA";
  }
  // Ansible's are Python sets, listed in no fixed order; sorted here so that runs compare.
  Value guest_list = Value::array(), host_list = Value::array();
  for (const auto& t : guest) guest_list.push_back(t);
  for (const auto& t : host) host_list.push_back(t);
  if (!role.empty()) facts["virtualization_role"] = role;
  facts["virtualization_tech_guest"] = guest_list;
  facts["virtualization_tech_host"] = host_list;
  if (!type.empty()) facts["virtualization_type"] = type;
}

}  // namespace prov::facts::detail
