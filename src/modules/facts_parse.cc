// Parses the facts probe's output into Ansible's fact names and shapes. Host-independent facts (platform, user,
// environment, hardware counts, service and package managers, python, clock) live here; network and
// distribution facts have their own files.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "facts_internal.h"
#include "provision/core/text.h"
#include "provision/modules/facts.h"

namespace prov::facts {
namespace detail {

namespace {
const std::string kMarker = "@@PROV@@ ";
}  // namespace

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  for (char c : line) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

namespace {

bool starts_with_index(const std::string& line) {
  size_t digits = 0;
  while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
  return digits > 0 && digits < line.size() && line[digits] == ':';
}

}  // namespace

// The probe asks one `ip -o -batch` for `route get 8.8.8.8`, `route get <kIpv6Target>`, `route show default` and
// `addr`: their lines are told apart by their start ("N: " for an address, "default" for a default route, the
// route asked for otherwise), and become the sections the separate commands wrote (which recorded outputs still
// have). -o puts a route's continuation lines after a backslash on its first line; only that first part is kept.
void split_ip_batch(Sections& sections) {
  auto batch = sections.find("ip_batch");
  if (batch == sections.end()) return;
  std::string get, get6, route_default, addr;
  for (const std::string& line : split_lines(batch->second)) {
    if (line.rfind(std::string(kIpv6Target) + " ", 0) == 0) {  // before the index test: it starts "2404:"
      if (get6.empty()) get6 = rtrim(line.substr(0, line.find('\\'))) + "\n";
    } else if (starts_with_index(line)) {
      addr += line + "\n";
    } else if (line.rfind("default", 0) == 0) {
      route_default += line + "\n";
    } else if (get.empty()) {
      get = rtrim(line.substr(0, line.find('\\'))) + "\n";
    }
  }
  for (std::string* text : {&get, &get6, &route_default, &addr}) {
    if (!text->empty()) text->pop_back();
  }
  sections["ip_route_get"] = get;
  sections["ip6_route_get"] = get6;
  sections["ip_route_default"] = route_default;
  sections["ip_addr"] = addr;
  sections.erase(batch);
}

Sections split_sections(const std::string& output) {
  Sections sections;
  std::string* current = nullptr;
  for (const auto& line : split_lines(output)) {
    if (line.rfind(kMarker, 0) == 0) {
      current = &sections[trim(line.substr(kMarker.size()))];
      current->clear();
      continue;
    }
    if (current) *current += line + "\n";  // text before the first marker is noise (motd, shell warnings)
  }
  for (auto& [name, text] : sections) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
  }
  split_ip_batch(sections);
  return sections;
}

const std::string& section(const Sections& sections, const std::string& name) {
  static const std::string empty;
  auto it = sections.find(name);
  return it == sections.end() ? empty : it->second;
}

std::string first_line(const Sections& sections, const std::string& name) {
  const auto& text = section(sections, name);
  return trim(text.substr(0, text.find('\n')));
}

}  // namespace detail

namespace {

using namespace detail;

bool parse_int(const std::string& text, long long& out) {
  if (text.empty()) return false;
  try {
    std::size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void add_platform_facts(const Sections& s, Value& facts) {
  const std::string node = first_line(s, "uname_n");
  facts["system"] = first_line(s, "uname_s");
  facts["kernel"] = first_line(s, "uname_r");
  facts["kernel_version"] = first_line(s, "uname_v");
  facts["machine"] = first_line(s, "uname_m");
  facts["nodename"] = node;
  facts["hostname"] = node.substr(0, node.find('.'));

  // Ansible uses socket.getfqdn(): resolve the node name, then take the reverse lookup's first name holding a dot,
  // else its canonical name; when nothing resolves, the name itself.
  std::string fqdn;
  auto reverse = split_words(first_line(s, "hosts_rev"));
  if (reverse.size() >= 2) {
    fqdn = reverse[1];
    for (std::size_t i = 1; i < reverse.size(); ++i) {
      if (reverse[i].find('.') != std::string::npos) {
        fqdn = reverse[i];
        break;
      }
    }
  } else if (s.count("hosts_fwd") == 0 && !first_line(s, "hostname_f").empty()) {
    fqdn = first_line(s, "hostname_f");  // no getent: hostname -f is the closest equivalent
  } else {
    fqdn = node;
  }
  facts["fqdn"] = fqdn;
  auto dot = fqdn.find('.');
  facts["domain"] = dot == std::string::npos ? "" : fqdn.substr(dot + 1);

  const std::string machine = facts["machine"].get<std::string>();
  bool is_i386 = machine.size() == 4 && machine[0] == 'i' && machine.substr(2) == "86" &&
                 std::string("3456").find(machine[1]) != std::string::npos;
  facts["architecture"] = is_i386 ? "i386" : machine;
  // userspace_bits is Python's platform.architecture() of its own binary; the shell's ELF class stands for it.
  const std::string elf = first_line(s, "elf_class");
  if (elf == "01" || elf == "02") {
    const std::string bits = elf == "02" ? "64" : "32";
    facts["userspace_bits"] = bits;
    if (machine == "x86_64" || is_i386) facts["userspace_architecture"] = bits == "64" ? "x86_64" : "i386";
  }
}

std::string decode_hex_environ(const std::string& hex) {
  std::string bytes;
  for (const auto& word : split_words(hex)) {
    if (word.size() != 2) continue;
    bytes += static_cast<char>(std::stoi(word, nullptr, 16));
  }
  return bytes;
}

bool starts_env_assignment(const std::string& line) {
  auto eq = line.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (std::size_t i = 0; i < eq; ++i) {
    char c = line[i];
    bool ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

Value parse_environment(const Sections& s) {
  Value env = Value::object();
  auto add = [&env](const std::string& entry) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) return;
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
  };
  if (s.count("environ")) {
    std::string bytes = decode_hex_environ(section(s, "environ"));
    std::string::size_type start = 0;
    while (start < bytes.size()) {
      auto end = bytes.find('\0', start);
      if (end == std::string::npos) end = bytes.size();
      add(bytes.substr(start, end - start));
      start = end + 1;
    }
  } else if (s.count("env")) {
    // Plain `env` output is ambiguous for multi-line values; a line that does not look like NAME=... continues
    // the previous value, which is right for every value that does not itself contain such a line.
    std::string pending;
    for (const auto& line : split_lines(section(s, "env"))) {
      if (starts_env_assignment(line)) {
        if (!pending.empty()) add(pending);
        pending = line;
      } else if (!pending.empty()) {
        pending += "\n" + line;
      }
    }
    if (!pending.empty()) add(pending);
  }
  return env;
}

void add_user_facts(const Sections& s, Value& facts) {
  auto id_lines = split_lines(section(s, "id"));
  long long number = 0;
  if (id_lines.size() >= 1) facts["user_id"] = trim(id_lines[0]);
  if (id_lines.size() >= 2 && parse_int(trim(id_lines[1]), number)) facts["user_uid"] = number;
  if (id_lines.size() >= 3 && parse_int(trim(id_lines[2]), number)) facts["user_gid"] = number;

  // passwd line: name:password:uid:gid:gecos:dir:shell
  std::vector<std::string> fields;
  std::string line = first_line(s, "passwd"), field;
  for (char c : line) {
    if (c == ':') {
      fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(field);
  const Value& env = facts["env"];
  if (fields.size() == 7) {
    facts["user_gecos"] = fields[4];
    facts["user_dir"] = fields[5];
    facts["user_shell"] = fields[6];
  } else {
    if (const Value* home = find_key(env, "HOME")) facts["user_dir"] = *home;
    if (const Value* shell = find_key(env, "SHELL")) facts["user_shell"] = *shell;
  }
  if (!facts.contains("user_id")) {
    if (const Value* user = find_key(env, "USER")) facts["user_id"] = *user;
  }
  // Ansible reports the real group id as effective_group_id too (it calls getgid() for both).
  auto real = split_words(first_line(s, "real_ids"));
  long long ruid = 0, rgid = 0;
  if (real.size() == 2 && parse_int(real[0], ruid) && parse_int(real[1], rgid)) {
    facts["real_user_id"] = ruid;
    facts["real_group_id"] = rgid;
    facts["effective_group_id"] = rgid;
    if (id_lines.size() >= 2 && parse_int(trim(id_lines[1]), number)) facts["effective_user_id"] = number;
  }
}

std::set<std::string> existing_paths(const Sections& s) {
  std::set<std::string> paths;
  for (const auto& line : split_lines(section(s, "exists"))) {
    if (!trim(line).empty()) paths.insert(trim(line));
  }
  return paths;
}

std::map<std::string, std::string> found_commands(const Sections& s) {
  std::map<std::string, std::string> commands;
  for (const auto& line : split_lines(section(s, "commands"))) {
    auto words = split_words(line);
    if (words.size() == 2) commands[words[0]] = words[1];
  }
  return commands;
}

// Mirrors Ansible's ServiceMgrFactCollector for Linux: PID 1's name wins unless it is a generic init or a shell.
std::string detect_service_mgr(const Sections& s, const std::set<std::string>& paths,
                               const std::map<std::string, std::string>& commands) {
  std::string proc1 = first_line(s, "proc1");
  if (proc1 == "COMMAND") proc1.clear();
  if (proc1.empty()) proc1 = first_line(s, "sbin_init");
  proc1 = trim(base_name(proc1));
  bool generic = proc1 == "init" || (proc1.size() >= 2 && proc1.compare(proc1.size() - 2, 2, "sh") == 0);
  if (!proc1.empty() && !generic) {
    static const std::map<std::string, std::string> renames = {
        {"procd", "openwrt_init"}, {"runit-init", "runit"}, {"svscan", "svc"}, {"openrc-init", "openrc"}};
    auto it = renames.find(proc1);
    return it == renames.end() ? proc1 : it->second;
  }
  bool systemctl = commands.count("systemctl") > 0;
  bool booted =
      paths.count("/run/systemd/system/") || paths.count("/dev/.run/systemd/") || paths.count("/dev/.systemd/");
  if (systemctl && booted) return "systemd";
  if (commands.count("initctl") && paths.count("/etc/init/")) return "upstart";
  if (paths.count("/sbin/openrc")) return "openrc";
  if (systemctl && base_name(first_line(s, "sbin_init")) == "systemd") return "systemd";
  if (paths.count("/etc/init.d/")) return "sysvinit";
  return "service";
}

// Ansible checks a fixed list in order and keeps the last one present; Debian-family hosts always report apt.
std::string detect_pkg_mgr(const std::set<std::string>& paths, const std::string& os_family) {
  static const std::vector<std::pair<std::string, std::string>> managers = {{"/usr/bin/rpm-ostree", "atomic_container"},
                                                                            {"/usr/bin/yum", "yum"},
                                                                            {"/usr/bin/dnf", "dnf"},
                                                                            {"/usr/bin/apt-get", "apt"},
                                                                            {"/usr/bin/zypper", "zypper"},
                                                                            {"/usr/sbin/urpmi", "urpmi"},
                                                                            {"/usr/bin/pacman", "pacman"},
                                                                            {"/bin/opkg", "opkg"},
                                                                            {"/sbin/apk", "apk"},
                                                                            {"/usr/bin/emerge", "portage"},
                                                                            {"/usr/bin/xbps-install", "xbps"},
                                                                            {"/usr/bin/swupd", "swupd"}};
  std::string name = "unknown";
  for (const auto& [path, manager] : managers) {
    if (paths.count(path)) name = manager;
  }
  if (os_family == "Debian") name = "apt";
  if (os_family == "RedHat" && name == "yum" && paths.count("/usr/bin/dnf")) name = "dnf";
  return name;
}

void add_python_facts(const Sections& s, Value& facts) {
  if (!s.count("python")) return;
  auto lines = split_lines(section(s, "python"));
  if (lines.size() < 4) return;
  auto v = split_words(lines[1]);
  long long major = 0, minor = 0, micro = 0, serial = 0;
  if (v.size() != 5 || !parse_int(v[0], major) || !parse_int(v[1], minor) || !parse_int(v[2], micro) ||
      !parse_int(v[4], serial)) {
    return;
  }
  Value python = Value::object();
  python["executable"] = trim(lines[0]);
  python["has_sslcontext"] = trim(lines[3]) == "True";
  python["type"] = trim(lines[2]);
  python["version"] = {
      {"major", major}, {"micro", micro}, {"minor", minor}, {"releaselevel", v[3]}, {"serial", serial}};
  python["version_info"] = Value::array({major, minor, micro, v[3], serial});
  facts["python"] = python;
  facts["python_version"] = v[0] + "." + v[1] + "." + v[2];
}

// Days since 1970-01-01 for a civil date (proleptic Gregorian), so the epoch needs no `date +%s` on the host.
long long days_from_civil(long long y, long long m, long long d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void add_date_facts(const Sections& s, Value& facts) {
  auto local = split_words(first_line(s, "date_local"));  // Y m d H M S w W z Z A [epoch [nanoseconds]]
  std::string micro = "000000";                           // sub-second precision where date has %N (GNU, busybox)
  if (local.size() == 13) {
    if (local[12].size() == 9 && local[12].find_first_not_of("0123456789") == std::string::npos) {
      micro = local[12].substr(0, 6);
    }
    local.pop_back();
  }
  auto utc = split_words(first_line(s, "date_utc"));  // Y m d H M S (older probes)
  long long epoch = 0;
  std::string utc_iso;
  if (local.size() == 12 && parse_int(local[11], epoch)) {
    std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) return;
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    utc_iso = buf;
  } else {
    if (local.size() < 11 || utc.size() != 6) return;
    long long u[6];
    for (int i = 0; i < 6; ++i) {
      if (!parse_int(utc[static_cast<std::size_t>(i)], u[i])) return;
    }
    epoch = days_from_civil(u[0], u[1], u[2]) * 86400 + u[3] * 3600 + u[4] * 60 + u[5];
    utc_iso = utc[0] + "-" + utc[1] + "-" + utc[2] + "T" + utc[3] + ":" + utc[4] + ":" + utc[5];
  }
  const std::string local_basic = local[0] + local[1] + local[2] + "T" + local[3] + local[4] + local[5];
  Value dt = Value::object();
  dt["date"] = local[0] + "-" + local[1] + "-" + local[2];
  dt["day"] = local[2];
  dt["epoch"] = std::to_string(epoch);
  dt["epoch_int"] = std::to_string(epoch);
  dt["hour"] = local[3];
  dt["iso8601"] = utc_iso + "Z";
  dt["iso8601_basic"] = local_basic + micro;
  dt["iso8601_basic_short"] = local_basic;
  dt["iso8601_micro"] = utc_iso + "." + micro + "Z";
  dt["minute"] = local[4];
  dt["month"] = local[1];
  dt["second"] = local[5];
  dt["time"] = local[3] + ":" + local[4] + ":" + local[5];
  dt["tz"] = local[9];
  dt["tz_dst"] = local[9];
  dt["tz_offset"] = local[8];
  dt["weekday"] = local[10];
  dt["weekday_number"] = local[6];
  dt["weeknumber"] = local[7];
  dt["year"] = local[0];
  facts["date_time"] = dt;
}

// Ansible's output lists mapping keys sorted; sorting here makes `debug: var=...` print the same text.
Value sorted_keys(const Value& v) {
  if (v.is_array()) {
    Value out = Value::array();
    for (const auto& item : v) out.push_back(sorted_keys(item));
    return out;
  }
  if (!v.is_object()) return v;
  std::vector<std::string> keys;
  for (const auto& item : v.items()) keys.push_back(item.key());
  std::sort(keys.begin(), keys.end());
  Value out = Value::object();
  for (const auto& key : keys) out[key] = sorted_keys(v.at(key));
  return out;
}

}  // namespace

Value parse_facts(const std::string& output, std::vector<std::string>* warnings) {
  const Sections s = split_sections(output);
  Value facts = Value::object();
  add_platform_facts(s, facts);
  add_distribution_facts(s, facts);
  facts["env"] = parse_environment(s);
  add_user_facts(s, facts);
  add_hardware_facts(s, facts);
  add_system_facts(s, facts);
  add_virtual_facts(s, facts);
  add_local_facts(s, facts, warnings);
  add_network_facts(s, facts);
  const auto paths = existing_paths(s);
  const auto commands = found_commands(s);
  facts["service_mgr"] = detect_service_mgr(s, paths, commands);
  const Value* family = find_key(facts, "os_family");
  facts["pkg_mgr"] = detect_pkg_mgr(paths, family && family->is_string() ? family->get<std::string>() : "");
  add_python_facts(s, facts);
  add_date_facts(s, facts);
  return sorted_keys(facts);
}

}  // namespace prov::facts
