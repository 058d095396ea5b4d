#pragma once
// The table of ansible-core's settings, for config.cc's warnings (private to core).
#include <map>
#include <set>
#include <string>

#include "provision/core/config.h"

namespace prov {

struct SettingsTable {
  std::map<std::string, SettingUse> ini;  ///< "section.key" -> use
  std::map<std::string, SettingUse> env;  ///< ANSIBLE_... -> use
  std::set<std::string> sections;         ///< every section that has a key
};

const SettingsTable& settings_table();

}  // namespace prov
