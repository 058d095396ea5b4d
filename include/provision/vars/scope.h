#pragma once
// Variable scopes and Ansible's precedence. A Scope is a stack of layers, highest precedence first; lookups are by
// top-level name and replace (never merge) lower layers, as Ansible's default hash_behaviour does.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "provision/template/engine.h"

namespace prov::vars {

/// The documented order, lowest first (docs/supported.md, "Variable precedence"). Layers are added by name so the
/// order lives here only.
enum class Level {
  RoleDefaults,
  InventoryGroup,  // all < parents < children (merged by the inventory)
  InventoryHost,
  Facts,
  PlayVars,
  VarsFiles,
  RoleVars,
  BlockVars,
  TaskVars,
  IncludeVars,    // include_vars
  HostFacts,      // set_fact and register
  RoleParams,     // role: and include_role: parameters
  IncludeParams,  // include_tasks vars
  Magic,          // inventory_hostname, groups, item... (names Ansible always provides)
  ExtraVars,
};

/// Names of variables whose values are data (tmpl::Vars): registered results, set_fact values made from data.
using NameSet = std::set<std::string, std::less<>>;

/// Whether a layer's values may hold templates (the playbook's, the inventory's) or are data from hosts
/// (facts), which is never templated.
enum class Trust { Template, Data };

class Scope : public tmpl::Vars {
 public:
  /// Adds an object of variables at a level; later additions at the same level win over earlier ones.
  /// The object must outlive the Scope.
  void add(Level level, const Value* object, Trust trust = Trust::Template);
  /// Adds an object whose variables named in data_names are data (the set must outlive the Scope).
  void add(Level level, const Value* object, const NameSet* data_names);
  /// Adds a variable computed on first use (hostvars is costly and rarely used).
  void add_lazy(Level level, std::string name, std::function<Value()> make, Trust trust = Trust::Template);

  const Value* find(std::string_view name, bool* data) const override;
  std::vector<std::string> names() const override;

  /// Every visible variable merged into one object (for debug var=vars and hostvars).
  Value flatten() const;

 private:
  struct Layer {
    Level level;
    int order;
    const Value* object = nullptr;
    std::string lazy_name;
    std::function<Value()> make;
    Trust trust = Trust::Template;
    const NameSet* data_names = nullptr;
    bool is_data(std::string_view name) const {
      return trust == Trust::Data || (data_names != nullptr && data_names->count(name) > 0);
    }
  };
  void insert(Layer layer);
  std::vector<Layer> layers_;  // sorted: highest precedence first
  mutable std::map<std::string, Value, std::less<>> lazy_cache_;
  int next_order_ = 0;
};

}  // namespace prov::vars
