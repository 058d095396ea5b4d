#pragma once
// The modules of Ansible's that a playbook may name, for "did you mean" (action.h tells which ones provision runs).
#include <string>
#include <vector>

namespace prov::mod {

/// The module names Ansible knows (see find_ansible_only_action in action.h), sorted: short names, or with
/// `qualified` the COLLECTION.name forms. Offered after provision's own names when a name is misspelt.
std::vector<std::string> ansible_module_names(bool qualified);

}  // namespace prov::mod
