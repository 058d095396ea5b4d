// Which facts setup returns: Ansible's collectors, the gather_subset rules that pick them, and the filter.
#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "provision/core/error.h"
#include "provision/modules/facts.h"

namespace prov::facts {

namespace {

// One of Ansible's Linux fact collectors: its name, the other names gather_subset accepts for it (its fact ids),
// and the collectors it needs.
struct Collector {
  const char* name;
  std::vector<const char*> ids;
  std::vector<const char*> requires_;
};

const std::vector<Collector>& collectors() {
  static const std::vector<Collector> table = {
      {"platform",
       {"system", "kernel", "kernel_version", "machine", "python_version", "architecture", "machine_id"},
       {}},
      {"distribution", {"distribution_version", "distribution_release", "distribution_major_version", "os_family"}, {}},
      {"lsb", {}, {}},
      {"selinux", {}, {}},
      {"apparmor", {}, {}},
      {"chroot", {"is_chroot"}, {}},
      {"fips", {}, {}},
      {"python", {}, {}},
      {"caps", {"system_capabilities", "system_capabilities_enforced"}, {}},
      {"pkg_mgr", {}, {"distribution"}},
      {"service_mgr", {}, {"platform", "distribution"}},
      {"cmdline", {}, {}},
      {"date_time", {}, {}},
      {"env", {}, {}},
      {"loadavg", {}, {}},
      {"ssh_pub_keys",
       {"ssh_host_pub_keys", "ssh_host_key_dsa_public", "ssh_host_key_rsa_public", "ssh_host_key_ecdsa_public",
        "ssh_host_key_ed25519_public"},
       {}},
      {"user",
       {"user_id", "user_uid", "user_gid", "user_gecos", "user_dir", "user_shell", "real_user_id", "effective_user_id",
        "effective_group_ids"},
       {}},
      {"virtual",
       {"virtualization_type", "virtualization_role", "virtualization_tech_guest", "virtualization_tech_host"},
       {}},
      {"hardware", {"processor", "processor_cores", "processor_count", "mounts", "devices"}, {"platform"}},
      {"dns", {}, {}},
      {"fibre_channel_wwn", {}, {}},
      {"network",
       {"interfaces", "default_ipv4", "default_ipv6", "all_ipv4_addresses", "all_ipv6_addresses"},
       {"distribution", "platform"}},
      {"iscsi", {}, {}},
      {"nvme", {}, {}},
      {"local", {}, {}},
      {"facter", {"facter"}, {}},
      {"ohai", {}, {}},
  };
  return table;
}

// setup's minimal subset: gathered even with "!all".
const std::set<std::string>& minimal() {
  static const std::set<std::string> names = {
      "apparmor", "caps",    "cmdline",  "date_time", "distribution", "dns",         "env",          "fips", "local",
      "lsb",      "pkg_mgr", "platform", "python",    "selinux",      "service_mgr", "ssh_pub_keys", "user"};
  return names;
}

// Every name gather_subset accepts (collector names and fact ids) -> the collectors it stands for.
const std::map<std::string, std::set<std::string>>& subset_names() {
  static const std::map<std::string, std::set<std::string>> names = [] {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& c : collectors()) {
      out[c.name].insert(c.name);
      for (const char* id : c.ids) out[id].insert(c.name);
    }
    return out;
  }();
  return names;
}

std::set<std::string> aliases_of(const std::string& name) {
  std::set<std::string> out;
  for (const auto& c : collectors()) {
    if (name == c.name) out.insert(c.ids.begin(), c.ids.end());
  }
  return out;
}

const std::map<std::string, std::string>& fact_collectors() {
  static const std::map<std::string, std::string> facts = {{"system", "platform"},
                                                           {"kernel", "platform"},
                                                           {"kernel_version", "platform"},
                                                           {"machine", "platform"},
                                                           {"python_version", "platform"},
                                                           {"fqdn", "platform"},
                                                           {"hostname", "platform"},
                                                           {"nodename", "platform"},
                                                           {"domain", "platform"},
                                                           {"userspace_bits", "platform"},
                                                           {"architecture", "platform"},
                                                           {"userspace_architecture", "platform"},
                                                           {"machine_id", "platform"},
                                                           {"distribution", "distribution"},
                                                           {"distribution_version", "distribution"},
                                                           {"distribution_major_version", "distribution"},
                                                           {"distribution_minor_version", "distribution"},
                                                           {"distribution_release", "distribution"},
                                                           {"distribution_file_variety", "distribution"},
                                                           {"distribution_file_path", "distribution"},
                                                           {"distribution_file_parsed", "distribution"},
                                                           {"os_family", "distribution"},
                                                           {"lsb", "lsb"},
                                                           {"selinux", "selinux"},
                                                           {"selinux_python_present", "selinux"},
                                                           {"apparmor", "apparmor"},
                                                           {"is_chroot", "chroot"},
                                                           {"fips", "fips"},
                                                           {"python", "python"},
                                                           {"system_capabilities", "caps"},
                                                           {"system_capabilities_enforced", "caps"},
                                                           {"pkg_mgr", "pkg_mgr"},
                                                           {"service_mgr", "service_mgr"},
                                                           {"cmdline", "cmdline"},
                                                           {"proc_cmdline", "cmdline"},
                                                           {"date_time", "date_time"},
                                                           {"env", "env"},
                                                           {"loadavg", "loadavg"},
                                                           {"user_id", "user"},
                                                           {"user_uid", "user"},
                                                           {"user_gid", "user"},
                                                           {"user_gecos", "user"},
                                                           {"user_dir", "user"},
                                                           {"user_shell", "user"},
                                                           {"real_user_id", "user"},
                                                           {"effective_user_id", "user"},
                                                           {"real_group_id", "user"},
                                                           {"effective_group_id", "user"},
                                                           {"virtualization_type", "virtual"},
                                                           {"virtualization_role", "virtual"},
                                                           {"virtualization_tech_guest", "virtual"},
                                                           {"virtualization_tech_host", "virtual"},
                                                           {"dns", "dns"},
                                                           {"fibre_channel_wwn", "fibre_channel_wwn"},
                                                           {"iscsi_iqn", "iscsi"},
                                                           {"hostnqn", "nvme"},
                                                           {"local", "local"},
                                                           {"interfaces", "network"},
                                                           {"default_ipv4", "network"},
                                                           {"default_ipv6", "network"},
                                                           {"all_ipv4_addresses", "network"},
                                                           {"all_ipv6_addresses", "network"}};
  return facts;
}

}  // namespace

std::set<std::string> resolve_subset(const std::vector<std::string>& subset) {
  const auto& names = subset_names();
  std::set<std::string> valid;
  for (const auto& [name, unused] : names) valid.insert(name);
  std::vector<std::string> given = {"min"};
  given.insert(given.end(), subset.begin(), subset.end());
  if (subset.empty()) given.push_back("all");
  std::set<std::string> added, excluded, explicitly;
  for (const std::string& item : given) {
    if (item == "min") {
      added.insert(minimal().begin(), minimal().end());
    } else if (item == "all") {
      added.insert(valid.begin(), valid.end());
    } else if (item == "!min") {
      excluded.insert(minimal().begin(), minimal().end());
    } else if (item == "!all") {
      for (const auto& name : valid) {
        if (!minimal().count(name)) excluded.insert(name);
      }
    } else if (!item.empty() && item[0] == '!') {
      const std::string name = item.substr(1);  // an unknown name to exclude is ignored, as in Ansible
      auto aliases = aliases_of(name);
      excluded.insert(aliases.begin(), aliases.end());
      excluded.insert(name);
    } else {
      if (!valid.count(item)) {
        std::string allowed = "all";
        for (const auto& name : valid) allowed += ", " + name;
        throw Error("Bad subset '" + item + "' given to Ansible. gather_subset options allowed: " + allowed);
      }
      explicitly.insert(item);
      added.insert(item);
    }
  }
  if (added.empty()) added = valid;
  for (const auto& name : excluded) {
    if (!explicitly.count(name)) added.erase(name);
  }
  std::set<std::string> chosen;
  for (const auto& name : added) {
    auto it = names.find(name);
    if (it != names.end()) chosen.insert(it->second.begin(), it->second.end());
  }
  // Requirements pull in their collectors (network needs distribution and platform, ...), transitively.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& c : collectors()) {
      if (!chosen.count(c.name)) continue;
      for (const char* need : c.requires_) grew = chosen.insert(need).second || grew;
    }
  }
  return chosen;
}

std::string collector_of(const std::string& fact) {
  auto it = fact_collectors().find(fact);
  if (it != fact_collectors().end()) return it->second;
  if (fact.rfind("ssh_host_key_", 0) == 0) return "ssh_pub_keys";
  static const std::set<std::string> hardware = {"processor",
                                                 "processor_cores",
                                                 "processor_count",
                                                 "processor_threads_per_core",
                                                 "processor_vcpus",
                                                 "processor_nproc",
                                                 "memtotal_mb",
                                                 "memfree_mb",
                                                 "swaptotal_mb",
                                                 "swapfree_mb",
                                                 "memory_mb",
                                                 "bios_date",
                                                 "bios_vendor",
                                                 "bios_version",
                                                 "board_asset_tag",
                                                 "board_name",
                                                 "board_serial",
                                                 "board_vendor",
                                                 "board_version",
                                                 "chassis_asset_tag",
                                                 "chassis_serial",
                                                 "chassis_vendor",
                                                 "chassis_version",
                                                 "form_factor",
                                                 "product_name",
                                                 "product_serial",
                                                 "product_uuid",
                                                 "product_version",
                                                 "system_vendor",
                                                 "devices",
                                                 "device_links",
                                                 "uptime_seconds",
                                                 "lvm",
                                                 "mounts"};
  if (hardware.count(fact)) return "hardware";
  return "network";  // the one dict per interface, named after it
}

Value setup_facts(const Value& facts, const std::set<std::string>& chosen, const GatherOptions& options) {
  Value gathered = Value::object();
  for (auto it = facts.begin(); it != facts.end(); ++it) {
    if (chosen.count(collector_of(it.key()))) gathered["ansible_" + it.key()] = it.value();
  }
  if (chosen.count("local") && !gathered.contains("ansible_local")) gathered["ansible_local"] = Value::object();
  gathered["gather_subset"] = options.subset;
  gathered["module_setup"] = true;
  // An empty filter, or "*", keeps everything; a pattern also matches with the ansible_ prefix put before it.
  bool everything = options.filter.empty() || (options.filter.size() == 1 && options.filter[0] == "*");
  Value out = Value::object();
  std::vector<std::string> keys;
  for (auto it = gathered.begin(); it != gathered.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    bool keep = everything;
    for (const auto& pattern : options.filter) {
      if (keep) break;
      keep = pattern.empty() || ::fnmatch(pattern.c_str(), key.c_str(), FNM_NOESCAPE) == 0;
      if (!keep && pattern.rfind("ansible_", 0) != 0 && pattern.rfind("facter", 0) != 0 &&
          pattern.rfind("ohai", 0) != 0) {
        keep = ::fnmatch(("ansible_" + pattern).c_str(), key.c_str(), FNM_NOESCAPE) == 0;
      }
    }
    if (keep) out[key] = gathered[key];
  }
  return out;
}

}  // namespace prov::facts
