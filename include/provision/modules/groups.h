#pragma once
// Ansible's action groups that hold modules provision has: module_defaults given to `group/<name>` apply to them.
#include <string_view>

namespace prov::mod {

class Module;

/// Whether the module belongs to the action group, named fully qualified ("community.postgresql.all").
bool in_action_group(const Module& module, std::string_view group);

}  // namespace prov::mod
