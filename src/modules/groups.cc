// The action groups of Ansible's collections (their meta/runtime.yml) that hold modules provision has. ansible-core's
// own groups (aws, docker, k8s, ...) hold none of them.
#include "provision/modules/groups.h"

#include <initializer_list>

namespace prov::mod {

const Module& postgresql_db_module();
const Module& postgresql_user_module();

namespace {

struct GroupLine {
  std::string_view group;
  std::initializer_list<const Module& (*)()> modules;
};

const GroupLine kGroups[] = {
    {"community.postgresql.all", {&postgresql_db_module, &postgresql_user_module}},
};

}  // namespace

bool in_action_group(const Module& module, std::string_view group) {
  for (const GroupLine& line : kGroups) {
    if (line.group != group) continue;
    for (auto accessor : line.modules) {
      if (&accessor() == &module) return true;
    }
  }
  return false;
}

}  // namespace prov::mod
