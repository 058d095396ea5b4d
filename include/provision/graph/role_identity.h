#pragma once
// Which references to a role are the same role instance. Ansible keeps one role object per play for each role name
// and set of parameters; a role object that has run on a host does not run there again unless it allows
// duplicates. Two references are the same instance exactly when their keys are equal.
#include <string>
#include <vector>

#include "provision/core/value.h"

namespace prov::graph {

/// How one place (a play's roles:, a meta dependency, import_role, include_role) names a role.
struct RoleUse {
  std::string name;                    ///< as written (include_role: rendered)
  std::string path;                    ///< the folder it resolved to
  Value params = Value::object();      ///< role parameters: the keys of the reference that are not keywords
  std::vector<std::string> when;       ///< the reference's own conditions
  std::vector<std::string> tags;       ///< the reference's own tags
  Value vars = Value::object();        ///< the reference's vars (include_role: rendered)
  Value from_files = Value::object();  ///< {"tasks": tasks_from, ...} as import_role/include_role give them
  bool from_include = false;           ///< import_role and include_role never share with roles: or dependencies
};

/// The instance key of a use: equal keys mean the same role instance.
std::string role_key(const RoleUse& use);

/// A value in a form where equal texts mean values that Python finds equal once Ansible's hash_params has made
/// them hashable: mappings and lists become sets (key order, item order and repeated items do not count), a
/// scalar alone becomes a one-item set, and scalars compare as in Python (true == 1 == 1.0, "1" != 1).
std::string hashed_params(const Value& value);

}  // namespace prov::graph
