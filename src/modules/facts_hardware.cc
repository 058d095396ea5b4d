// Hardware facts as Ansible's Linux hardware collector gives them: memory, processors, DMI, block devices, mounts,
// uptime and LVM, from /proc, /sys and a few optional tools' output.
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "facts_internal.h"

namespace prov::facts::detail {

namespace {

std::optional<long long> to_int(const std::string& text) { return parse_int(trim(text)); }

// The number of CPUs in a list such as "0-3,8,10-11" (/proc/self/status's Cpus_allowed_list).
std::optional<long long> count_cpu_list(const std::string& list) {
  long long count = 0;
  std::stringstream in(trim(list));
  for (std::string item; std::getline(in, item, ',');) {
    size_t dash = item.find('-');
    auto first = to_int(item.substr(0, dash));
    if (!first) return std::nullopt;
    auto last = dash == std::string::npos ? first : to_int(item.substr(dash + 1));
    if (!last || *last < *first) return std::nullopt;
    count += *last - *first + 1;
  }
  if (count == 0) return std::nullopt;
  return count;
}

void add_memory_facts(const Sections& s, Value& facts) {
  std::map<std::string, long long> mb;
  for (const auto& line : split_lines(section(s, "meminfo"))) {
    auto words = split_words(line);
    if (words.size() < 2 || words[0].empty() || words[0].back() != ':') continue;
    auto kb = to_int(words[1]);
    if (kb) mb[lower(words[0].substr(0, words[0].size() - 1))] = *kb / 1024;
  }
  if (mb.empty()) return;
  for (const char* key : {"memtotal", "memfree", "swaptotal", "swapfree"}) {
    if (mb.count(key)) facts[std::string(key) + "_mb"] = mb[key];
  }
  // Ansible leaves a number it cannot compute as None (null), and so does this.
  auto get = [&](const char* key) { return mb.count(key) ? Value(mb[key]) : Value(nullptr); };
  auto diff = [&](const char* a, const Value& b) {
    return mb.count(a) && b.is_number() ? Value(mb[a] - b.get<long long>()) : Value(nullptr);
  };
  Value nocache_free = mb.count("cached") && mb.count("memfree") && mb.count("buffers")
                           ? Value(mb["cached"] + mb["memfree"] + mb["buffers"])
                           : Value(nullptr);
  Value memory = Value::object();
  memory["nocache"] = {{"free", nocache_free}, {"used", diff("memtotal", nocache_free)}};
  memory["real"] = {{"free", get("memfree")}, {"total", get("memtotal")}, {"used", diff("memtotal", get("memfree"))}};
  memory["swap"] = {{"cached", get("swapcached")},
                    {"free", get("swapfree")},
                    {"total", get("swaptotal")},
                    {"used", diff("swaptotal", get("swapfree"))}};
  facts["memory_mb"] = memory;
}

// Ansible's Linux CPU count: the processor list holds the values of the vendor, model and index lines; sockets
// come from "physical id" / "cpu cores", threads from "siblings"; without those every entry counts as a socket.
void add_cpu_facts(const Sections& s, Value& facts) {
  if (!s.count("cpuinfo")) return;
  Value processor = Value::array();
  long long entries = 0, vendors = 0, models = 0, indexes = 0;
  std::vector<std::pair<std::string, long long>> sockets, cores;
  auto slot = [](std::vector<std::pair<std::string, long long>>& list, const std::string& key) -> long long& {
    for (auto& [k, v] : list) {
      if (k == key) return v;
    }
    list.emplace_back(key, 1);
    return list.back().second;
  };
  std::string physid = "0", coreid = "0";
  std::optional<long long> cores_override;
  for (const auto& line : split_lines(section(s, "cpuinfo"))) {
    auto colon = line.find(':');
    std::string key = trim(line.substr(0, colon));
    std::string val = colon == std::string::npos ? "" : trim(line.substr(colon + 1));
    auto n = to_int(val);
    if (key == "model name" || key == "Processor" || key == "vendor_id" || key == "cpu" || key == "Vendor" ||
        key == "processor") {
      processor.push_back(val);
      vendors += key == "vendor_id";
      models += key == "model name";
      indexes += key == "processor";
      ++entries;
    } else if (key == "physical id") {
      physid = val;
      slot(sockets, physid);
    } else if (key == "core id") {
      coreid = val;
      slot(cores, coreid);
    } else if (key == "cpu cores" && n) {
      slot(sockets, physid) = *n;
    } else if (key == "siblings" && n) {
      slot(cores, coreid) = *n;
    } else if (key == "# processors" && n) {
      cores_override = *n;
    } else if (key == "ncpus active" && n) {
      entries = *n;
    }
  }
  if (vendors > 0 && vendors == models) entries = vendors;
  const std::string arch = facts.value("architecture", std::string());
  if (arch.rfind("armv", 0) == 0 || arch.rfind("aarch", 0) == 0 || arch.rfind("ppc", 0) == 0) entries = indexes;
  facts["processor"] = processor;
  if (cores_override) facts["processor_cores"] = *cores_override;
  if (arch == "s390x") return;
  long long count = sockets.empty() ? entries : static_cast<long long>(sockets.size());
  long long per_socket = !sockets.empty() && sockets[0].second ? sockets[0].second : 1;
  long long threads = cores.empty() ? 1 / per_socket : cores[0].second / per_socket;
  facts["processor_count"] = count;
  facts["processor_cores"] = per_socket;
  facts["processor_threads_per_core"] = threads;
  facts["processor_vcpus"] = threads * count * per_socket;
  std::optional<long long> nproc;
  if (s.count("nproc_list")) nproc = count_cpu_list(first_line(s, "nproc_list"));
  if (!nproc && s.count("nproc")) nproc = to_int(first_line(s, "nproc"));
  facts["processor_nproc"] = nproc ? *nproc : indexes;
}

void add_dmi_facts(const Sections& s, Value& facts) {
  if (!s.count("dmi") || section(s, "dmi").empty()) {
    // Without /sys's DMI files Ansible asks dmidecode, which needs root and a package; NA is its answer when
    // dmidecode is missing too.
    if (s.count("dmi")) {
      for (const char* key :
           {"bios_date", "bios_vendor", "bios_version", "board_asset_tag", "board_name", "board_serial", "board_vendor",
            "board_version", "chassis_asset_tag", "chassis_serial", "chassis_vendor", "chassis_version", "form_factor",
            "product_name", "product_serial", "product_uuid", "product_version", "system_vendor"}) {
        facts[key] = "NA";
      }
    }
    return;
  }
  std::map<std::string, std::string> dmi;
  for (const auto& line : split_lines(section(s, "dmi"))) {
    auto eq = line.find('=');
    if (eq != std::string::npos && !trim(line.substr(eq + 1)).empty())
      dmi[line.substr(0, eq)] = trim(line.substr(eq + 1));
  }
  static const char* const kFormFactors[] = {"Unknown",
                                             "Other",
                                             "Unknown",
                                             "Desktop",
                                             "Low Profile Desktop",
                                             "Pizza Box",
                                             "Mini Tower",
                                             "Tower",
                                             "Portable",
                                             "Laptop",
                                             "Notebook",
                                             "Hand Held",
                                             "Docking Station",
                                             "All In One",
                                             "Sub Notebook",
                                             "Space-saving",
                                             "Lunch Box",
                                             "Main Server Chassis",
                                             "Expansion Chassis",
                                             "Sub Chassis",
                                             "Bus Expansion Chassis",
                                             "Peripheral Chassis",
                                             "RAID Chassis",
                                             "Rack Mount Chassis",
                                             "Sealed-case PC",
                                             "Multi-system",
                                             "CompactPCI",
                                             "AdvancedTCA",
                                             "Blade",
                                             "Blade Enclosure",
                                             "Tablet",
                                             "Convertible",
                                             "Detachable",
                                             "IoT Gateway",
                                             "Embedded PC",
                                             "Mini PC",
                                             "Stick PC"};
  static const std::pair<const char*, const char*> kKeys[] = {{"bios_date", "bios_date"},
                                                              {"bios_vendor", "bios_vendor"},
                                                              {"bios_version", "bios_version"},
                                                              {"board_asset_tag", "board_asset_tag"},
                                                              {"board_name", "board_name"},
                                                              {"board_serial", "board_serial"},
                                                              {"board_vendor", "board_vendor"},
                                                              {"board_version", "board_version"},
                                                              {"chassis_asset_tag", "chassis_asset_tag"},
                                                              {"chassis_serial", "chassis_serial"},
                                                              {"chassis_vendor", "chassis_vendor"},
                                                              {"chassis_version", "chassis_version"},
                                                              {"form_factor", "chassis_type"},
                                                              {"product_name", "product_name"},
                                                              {"product_serial", "product_serial"},
                                                              {"product_uuid", "product_uuid"},
                                                              {"product_version", "product_version"},
                                                              {"system_vendor", "sys_vendor"}};
  for (const auto& [fact, file] : kKeys) {
    auto it = dmi.find(file);
    if (it == dmi.end()) {
      facts[fact] = "NA";
    } else if (std::string(fact) == "form_factor") {
      auto n = to_int(it->second);
      facts[fact] = n && *n >= 0 && *n < static_cast<long long>(std::size(kFormFactors))
                        ? std::string(kFormFactors[*n])
                        : "unknown (" + it->second + ")";
    } else {
      facts[fact] = it->second;
    }
  }
}

// Python's bytes_to_human as Ansible uses it for device sizes: "%.2f" and the largest unit not above the size.
std::string bytes_to_human(double size) {
  static const std::pair<const char*, double> kUnits[] = {{"YB", 1208925819614629174706176.0},
                                                          {"ZB", 1180591620717411303424.0},
                                                          {"EB", 1152921504606846976.0},
                                                          {"PB", 1125899906842624.0},
                                                          {"TB", 1099511627776.0},
                                                          {"GB", 1073741824.0},
                                                          {"MB", 1048576.0},
                                                          {"KB", 1024.0}};
  const char* unit = "Bytes";
  double limit = 1;
  for (const auto& [name, value] : kUnits) {
    if (size >= value) {
      unit = name;
      limit = value;
      break;
    }
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f %s", size / limit, unit);
  return buffer;
}

struct Links {
  // link type (ids, uuids, labels, masters) -> device -> sorted names
  std::map<std::string, std::map<std::string, std::set<std::string>>> by_type{
      {"ids", {}}, {"labels", {}}, {"masters", {}}, {"uuids", {}}};
  std::map<std::string, std::string> wwn;  // device -> wwn from a by-id "wwn-" link
};

Links parse_links(const Sections& s) {
  Links links;
  for (const auto& line : split_lines(section(s, "device_links"))) {
    auto w = split_words(line);
    if (w.size() != 3) continue;
    static const std::map<std::string, std::string> kTypes = {
        {"id", "ids"}, {"uuid", "uuids"}, {"label", "labels"}, {"master", "masters"}};
    auto type = kTypes.find(w[0]);
    if (type == kTypes.end()) continue;
    if (w[0] == "master") {
      links.by_type["masters"][w[2]].insert(w[1]);  // w[1] is the holder, w[2] the slave device
      continue;
    }
    links.by_type[type->second][w[2]].insert(w[1]);
    if (w[0] == "id" && w[1].rfind("wwn-", 0) == 0) links.wwn[w[2]] = w[1].substr(4);
  }
  return links;
}

Value links_of(const Links& links, const std::string& device) {
  Value out = Value::object();
  for (const auto& [type, devices] : links.by_type) {
    Value names = Value::array();
    auto it = devices.find(device);
    if (it != devices.end()) {
      for (const auto& name : it->second) names.push_back(name);
    }
    out[type] = names;
  }
  return out;
}

Value file_value(const std::map<std::string, std::string>& values, const std::string& key) {
  auto it = values.find(key);
  return it == values.end() || it->second.empty() ? Value(nullptr) : Value(it->second);
}

// A partition folder is the disk's name, maybe "p", then digits (sda1, nvme0n1p2).
bool is_partition_of(const std::string& disk, const std::string& name) {
  if (name.rfind(disk, 0) != 0) return false;
  std::string rest = name.substr(disk.size());
  if (!rest.empty() && rest[0] == 'p') rest = rest.substr(1);
  return !rest.empty() && rest.find_first_not_of("0123456789") == std::string::npos;
}

void add_device_facts(const Sections& s, Value& facts) {
  if (!s.count("devices")) return;
  const Links links = parse_links(s);
  Value link_facts = Value::object();
  for (const auto& [type, devices] : links.by_type) {
    Value of_type = Value::object();
    for (const auto& [device, names] : devices) {
      Value list = Value::array();
      for (const auto& name : names) list.push_back(name);
      of_type[device] = list;
    }
    link_facts[type] = of_type;
  }
  facts["device_links"] = link_facts;

  struct Device {
    std::string name;
    std::map<std::string, std::string> values;
    std::vector<std::string> holders;
    std::vector<std::pair<std::string, Device>> partitions;
  };
  std::vector<Device> devices;
  Device* current = nullptr;
  for (const auto& line : split_lines(section(s, "devices"))) {
    if (line.rfind("@@ ", 0) == 0 && !devices.empty()) {
      Device part;
      part.name = line.substr(3);
      devices.back().partitions.emplace_back(part.name, part);
      current = &devices.back().partitions.back().second;
    } else if (line.rfind("@ ", 0) == 0) {
      devices.push_back(Device{line.substr(2), {}, {}, {}});
      current = &devices.back();
    } else if (current && line.rfind("holder=", 0) == 0) {
      auto w = split_words(line.substr(7));
      if (!w.empty()) current->holders.push_back(w.size() > 1 ? w[1] : w[0]);
    } else if (current) {
      auto eq = line.find('=');
      if (eq != std::string::npos) current->values[line.substr(0, eq)] = trim(line.substr(eq + 1));
    }
  }
  auto holders_of = [](const Device& d) {
    Value out = Value::array();
    for (const auto& h : d.holders) out.push_back(h);
    return out;
  };
  auto sector_size = [](const Device& d) {
    Value v = file_value(d.values, "queue/logical_block_size");
    if (v.is_null()) v = file_value(d.values, "queue/hw_sector_size");
    return v.is_null() ? Value(512) : v;
  };
  auto sectors_of = [](const Device& d, const std::string& key) {
    Value v = file_value(d.values, key);
    return v.is_null() ? Value(0) : v;
  };
  auto as_number = [](const Value& v) {
    if (v.is_number()) return v.get<double>();
    return static_cast<double>(parse_int(v.get<std::string>()).value_or(0));
  };
  Value out = Value::object();
  for (const Device& d : devices) {
    Value dev = Value::object();
    dev["holders"] = holders_of(d);
    dev["host"] = "";
    dev["links"] = links_of(links, d.name);
    for (const char* key : {"model", "sas_address", "sas_device_handle", "vendor"}) {
      dev[key] = file_value(d.values, std::string("device/") + key);
    }
    Value partitions = Value::object();
    for (const auto& [name, part] : d.partitions) {
      if (!is_partition_of(d.name, name)) continue;
      Value p = Value::object();
      p["holders"] = holders_of(part);
      p["links"] = links_of(links, name);
      p["sectors"] = sectors_of(part, "size");
      p["sectorsize"] = sector_size(part);
      p["size"] = bytes_to_human(as_number(p["sectors"]) * 512.0);
      p["start"] = sectors_of(part, "start");
      Value uuid = nullptr;
      auto uuids = links.by_type.at("uuids").find(name);
      if (uuids != links.by_type.at("uuids").end() && !uuids->second.empty()) uuid = *uuids->second.begin();
      p["uuid"] = uuid;
      partitions[name] = p;
    }
    dev["partitions"] = partitions;
    dev["removable"] = file_value(d.values, "removable");
    dev["rotational"] = file_value(d.values, "queue/rotational");
    std::string scheduler =
        file_value(d.values, "queue/scheduler").is_string() ? d.values.at("queue/scheduler") : std::string();
    auto open = scheduler.find('['), close = scheduler.rfind(']');
    dev["scheduler_mode"] = open != std::string::npos && close != std::string::npos && close > open
                                ? scheduler.substr(open + 1, close - open - 1)
                                : "";
    dev["sectors"] = sectors_of(d, "size");
    dev["sectorsize"] = sector_size(d);
    Value serial = file_value(d.values, "device/serial");
    if (!serial.is_null()) dev["serial"] = serial;
    dev["size"] = bytes_to_human(as_number(dev["sectors"]) * 512.0);
    dev["support_discard"] = file_value(d.values, "queue/discard_granularity");
    dev["virtual"] = 1;  // Ansible sets 0 only where /sys/block entries are not links, which no current kernel has
    auto wwn = links.wwn.find(d.name);
    if (wwn != links.wwn.end()) dev["wwn"] = wwn->second;
    out[d.name] = dev;
  }
  facts["devices"] = out;
}

// /etc/mtab's octal escapes (\040 for a space) decoded, as Ansible does for each field.
std::string unescape_octal(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() &&
        text.substr(i + 1, 3).find_first_not_of("01234567") == std::string::npos) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

void add_mount_facts(const Sections& s, Value& facts) {
  if (!s.count("mounts")) return;
  std::set<std::string> bind_mounts;
  for (const auto& line : split_lines(section(s, "findmnt"))) {
    auto w = split_words(line);
    if (w.size() >= 2 && w[1].back() == ']') bind_mounts.insert(w[0]);
  }
  std::map<std::string, std::string> uuids;
  for (const auto& line : split_lines(section(s, "lsblk"))) {
    auto w = split_words(line);
    if (w.size() >= 2 && !uuids.count(w[0])) uuids[w[0]] = w.back();
  }
  Value mounts = Value::array();
  for (const auto& line : split_lines(section(s, "mounts"))) {
    if (line.rfind("M ", 0) == 0) {
      auto w = split_words(line.substr(2));
      if (w.size() < 4) continue;
      Value m = Value::object();
      m["device"] = unescape_octal(w[0]);
      m["fstype"] = unescape_octal(w[2]);
      m["mount"] = unescape_octal(w[1]);
      std::string options = unescape_octal(w[3]);
      if (bind_mounts.count(m["mount"].get<std::string>()) && options.find("bind") == std::string::npos) {
        options += ",bind";
      }
      m["options"] = options;
      auto uuid = uuids.find(m["device"].get<std::string>());
      m["uuid"] = uuid == uuids.end() ? "N/A" : uuid->second;
      mounts.push_back(m);
    } else if (line.rfind("S", 0) == 0 && !mounts.empty()) {
      // stat -f: fundamental block size, block size, blocks, free, available, inodes, free inodes
      auto w = split_words(line.substr(1));
      std::vector<long long> n;
      for (const auto& word : w) {
        if (auto v = to_int(word)) n.push_back(*v);
      }
      Value& m = mounts.back();
      if (n.size() != 7) {
        m["note"] = "Could not get extra information due to timeout";
        continue;
      }
      m["block_available"] = n[4];
      m["block_size"] = n[1];
      m["block_total"] = n[2];
      m["block_used"] = n[2] - n[4];
      m["inode_available"] = n[6];  // f_favail is f_ffree on Linux
      m["inode_total"] = n[5];
      m["inode_used"] = n[5] - n[6];
      m["size_available"] = n[0] * n[4];
      m["size_total"] = n[0] * n[2];
    }
  }
  facts["mounts"] = mounts;
}

void add_lvm_facts(const Sections& s, Value& facts) {
  if (!s.count("lvm_vgs")) {
    facts["lvm"] = "N/A";
    return;
  }
  auto rows = [&](const char* name) {
    std::vector<std::vector<std::string>> out;
    for (const auto& line : split_lines(section(s, name))) {
      std::vector<std::string> items;
      std::stringstream in(trim(line));
      for (std::string item; std::getline(in, item, ',');) items.push_back(item);
      if (!items.empty() && !items[0].empty()) out.push_back(items);
    }
    return out;
  };
  Value vgs = Value::object(), lvs = Value::object(), pvs = Value::object();
  for (const auto& r : rows("lvm_vgs")) {
    if (r.size() >= 4)
      vgs[r[0]] = {{"free_g", r.back()}, {"num_lvs", r[2]}, {"num_pvs", r[1]}, {"size_g", r[r.size() - 2]}};
  }
  for (const auto& r : rows("lvm_lvs")) {
    if (r.size() >= 4) lvs[r[0]] = {{"size_g", r[3]}, {"vg", r[1]}};
  }
  for (const auto& r : rows("lvm_pvs")) {
    if (r.size() >= 6) pvs[r[0]] = {{"free_g", r[5]}, {"size_g", r[4]}, {"vg", r[1]}};
  }
  facts["lvm"] = {{"lvs", lvs}, {"pvs", pvs}, {"vgs", vgs}};
}

}  // namespace

void add_hardware_facts(const Sections& s, Value& facts) {
  add_memory_facts(s, facts);
  add_cpu_facts(s, facts);
  add_dmi_facts(s, facts);
  add_device_facts(s, facts);
  if (s.count("uptime")) {
    std::string up = first_line(s, "uptime");
    up = up.substr(0, up.find_first_of(" ."));
    if (auto seconds = to_int(up)) facts["uptime_seconds"] = *seconds;
  }
  if (s.count("devices")) add_lvm_facts(s, facts);  // only a probe that read the hardware subset says N/A
  add_mount_facts(s, facts);
}

}  // namespace prov::facts::detail
