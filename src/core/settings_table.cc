// ansible-core's settings and what provision does with each, read once from the table embedded at build time
// (src/core/ansible_settings.txt).
#include <sstream>

#include "provision/core/config.h"
#include "settings_table.h"

namespace prov {

namespace detail {
extern const char* const kAnsibleSettings;
}  // namespace detail

namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// One setting can be read from several keys and variables, and one key can belong to several settings (ssh's
// and paramiko's remote_user are both defaults.remote_user): a key's use is the most honoured of its settings.
void keep_best(std::map<std::string, SettingUse>& uses, const std::string& key, SettingUse use) {
  auto [it, added] = uses.emplace(key, use);
  if (!added && use < it->second) it->second = use;
}

}  // namespace

const SettingsTable& settings_table() {
  static const SettingsTable table = [] {
    SettingsTable t;
    std::stringstream in(detail::kAnsibleSettings);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> cells;
      std::stringstream row(line);
      for (std::string cell; std::getline(row, cell, '\t');) cells.push_back(cell);
      cells.resize(5);
      SettingUse use = cells[0] == "honoured"   ? SettingUse::Honoured
                       : cells[0] == "harmless" ? SettingUse::Harmless
                                                : SettingUse::Warned;
      for (const auto& key : split_commas(cells[2])) {
        keep_best(t.ini, key, use);
        t.sections.insert(key.substr(0, key.find('.')));
      }
      for (const auto& name : split_commas(cells[3])) keep_best(t.env, name, use);
    }
    return t;
  }();
  return table;
}

std::optional<SettingUse> setting_use(const std::string& ini_key, const std::string& env_name) {
  const SettingsTable& t = settings_table();
  const auto& uses = ini_key.empty() ? t.env : t.ini;
  auto it = uses.find(ini_key.empty() ? env_name : ini_key);
  if (it == uses.end()) return std::nullopt;
  return it->second;
}

}  // namespace prov
