// distribution*, os_family and lsb facts from /etc/os-release, the distribution's own release file and
// lsb_release, with Ansible's names (Debian, RedHat, Alpine...) and families.
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "facts_internal.h"

namespace prov::facts::detail {

namespace {

// os-release values are shell-like: optionally quoted, with backslash escapes inside double quotes.
std::map<std::string, std::string> parse_os_release(const std::string& text) {
  std::map<std::string, std::string> fields;
  for (const auto& raw : split_lines(text)) {
    std::string line = trim(raw);
    auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1), unquoted;
    char quote = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
      char c = value[i];
      if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote != '\'' && i + 1 < value.size()) {
        unquoted += value[++i];
      } else {
        unquoted += c;
      }
    }
    fields[line.substr(0, eq)] = unquoted;
  }
  return fields;
}

std::string lookup(const std::map<std::string, std::string>& fields, const std::string& key) {
  auto it = fields.find(key);
  return it == fields.end() ? "" : it->second;
}

std::string distribution_name(const std::string& id) {
  static const std::map<std::string, std::string> names = {{"debian", "Debian"},
                                                           {"ubuntu", "Ubuntu"},
                                                           {"raspbian", "Debian"},
                                                           {"linuxmint", "Linux Mint"},
                                                           {"kali", "Kali"},
                                                           {"devuan", "Devuan"},
                                                           {"pop", "Pop!_OS"},
                                                           {"centos", "CentOS"},
                                                           {"rhel", "RedHat"},
                                                           {"fedora", "Fedora"},
                                                           {"rocky", "Rocky"},
                                                           {"almalinux", "AlmaLinux"},
                                                           {"ol", "OracleLinux"},
                                                           {"amzn", "Amazon"},
                                                           {"alpine", "Alpine"},
                                                           {"arch", "Archlinux"},
                                                           {"manjaro", "Archlinux"},
                                                           {"gentoo", "Gentoo"},
                                                           {"sles", "SLES"},
                                                           {"opensuse-leap", "openSUSE Leap"},
                                                           {"opensuse-tumbleweed", "openSUSE Tumbleweed"},
                                                           {"void", "Void"},
                                                           {"nixos", "NixOS"}};
  auto it = names.find(id);
  if (it != names.end()) return it->second;
  if (id.empty()) return "";
  std::string name = id;
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

std::string os_family_of(const std::string& distribution) {
  static const std::map<std::string, std::string> families = {
      {"Debian", "Debian"}, {"Ubuntu", "Debian"},      {"Linux Mint", "Debian"},  {"Kali", "Debian"},
      {"Devuan", "Debian"}, {"Pop!_OS", "Debian"},     {"Raspbian", "Debian"},    {"RedHat", "RedHat"},
      {"CentOS", "RedHat"}, {"Fedora", "RedHat"},      {"Rocky", "RedHat"},       {"AlmaLinux", "RedHat"},
      {"Amazon", "RedHat"}, {"OracleLinux", "RedHat"}, {"Alpine", "Alpine"},      {"Archlinux", "Archlinux"},
      {"Gentoo", "Gentoo"}, {"SLES", "Suse"},          {"openSUSE Leap", "Suse"}, {"openSUSE Tumbleweed", "Suse"}};
  auto it = families.find(distribution);
  return it == families.end() ? distribution : it->second;
}

bool starts_with_digit(const std::string& text) { return !text.empty() && text[0] >= '0' && text[0] <= '9'; }

Value parse_lsb(const Sections& s) {
  std::map<std::string, std::string> lsb;
  for (const auto& line : split_lines(section(s, "lsb_release"))) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    static const std::map<std::string, std::string> keys = {
        {"Distributor ID", "id"}, {"Description", "description"}, {"Release", "release"}, {"Codename", "codename"}};
    auto it = keys.find(trim(line.substr(0, colon)));
    if (it != keys.end()) lsb[it->second] = trim(line.substr(colon + 1));
  }
  if (lsb.empty()) {
    auto file = parse_os_release(section(s, "lsb_file"));
    static const std::map<std::string, std::string> keys = {{"DISTRIB_ID", "id"},
                                                            {"DISTRIB_RELEASE", "release"},
                                                            {"DISTRIB_DESCRIPTION", "description"},
                                                            {"DISTRIB_CODENAME", "codename"}};
    for (const auto& [from, to] : keys) {
      if (file.count(from)) lsb[to] = file[from];
    }
  }
  Value out = Value::object();
  for (const auto& [key, value] : lsb) out[key] = value;
  if (lsb.count("release")) out["major_release"] = lsb["release"].substr(0, lsb["release"].find('.'));
  return out;
}

}  // namespace

void add_distribution_facts(const Sections& s, Value& facts) {
  const auto os = parse_os_release(section(s, "os_release"));
  const std::string debian_version = first_line(s, "debian_version");
  const std::string alpine_release = first_line(s, "alpine_release");
  Value lsb = parse_lsb(s);
  facts["lsb"] = lsb;

  std::string id = lookup(os, "ID");
  if (id.empty() && !alpine_release.empty()) id = "alpine";
  if (id.empty() && !debian_version.empty()) id = "debian";
  std::string distribution = distribution_name(id);
  if (distribution.empty()) distribution = lsb.contains("id") ? lsb["id"].get<std::string>() : "";
  if (distribution.empty()) {
    distribution = facts.value("system", std::string("NA"));  // Ansible's fallback is platform.system()
  }
  const std::string family = os_family_of(distribution);

  std::string version = lookup(os, "VERSION_ID");
  std::string file_variety, file_path;
  // 12.11 rather than os-release's 12 where Ansible's distro library reads /etc/debian_version (older probes did
  // not tell: they keep 12.11).
  const bool reads_debian_version = !s.count("pydistro") || first_line(s, "pydistro") == "reads_debian_version";
  if (distribution == "Debian" && starts_with_digit(debian_version) && reads_debian_version) version = debian_version;
  if (distribution == "Alpine" && !alpine_release.empty()) version = alpine_release;
  if (family == "Debian") {
    file_variety = "Debian";
    file_path = "/etc/os-release";
  } else if (distribution == "Alpine") {
    file_variety = "Alpine";
    file_path = "/etc/alpine-release";
  } else if (family == "RedHat" && !first_line(s, "redhat_release").empty()) {
    file_variety = "RedHat";
    file_path = "/etc/redhat-release";
  }
  if (version.empty()) version = "NA";

  // Like the distro library: VERSION_CODENAME, UBUNTU_CODENAME, then the words in parentheses of VERSION
  // ("9.3 (Blue Onyx)"), then lsb_release's codename.
  std::string release = lookup(os, "VERSION_CODENAME");
  if (release.empty()) release = lookup(os, "UBUNTU_CODENAME");
  if (release.empty()) {
    const std::string pretty = lookup(os, "VERSION");
    auto open = pretty.find('('), close = pretty.rfind(')');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      release = trim(pretty.substr(open + 1, close - open - 1));
    }
  }
  if (release.empty() && lsb.contains("codename")) release = lsb["codename"].get<std::string>();
  if (release.empty()) release = "NA";

  facts["distribution"] = distribution;
  facts["distribution_version"] = version;
  facts["distribution_major_version"] = version == "NA" ? "NA" : version.substr(0, version.find('.'));
  auto dot = version.find('.');
  if (dot != std::string::npos) {
    auto rest = version.substr(dot + 1);
    facts["distribution_minor_version"] = rest.substr(0, rest.find('.'));
  }
  // Debian's minor version always comes from /etc/debian_version ("12.15" gives 15), whatever gave the version.
  auto debian_dot = debian_version.find('.');
  if (distribution == "Debian" && starts_with_digit(debian_version) && debian_dot != std::string::npos &&
      debian_dot + 1 < debian_version.size() &&
      std::isdigit(static_cast<unsigned char>(debian_version[debian_dot + 1]))) {
    const std::string rest = debian_version.substr(debian_dot + 1);
    facts["distribution_minor_version"] = rest.substr(0, rest.find_first_not_of("0123456789"));
  }
  facts["distribution_release"] = release;
  if (!file_variety.empty()) {
    facts["distribution_file_variety"] = file_variety;
    facts["distribution_file_path"] = file_path;
    facts["distribution_file_parsed"] = true;
  }
  facts["os_family"] = family;
}

}  // namespace prov::facts::detail
