#include "scope.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "task_inputs.h"

namespace prov::exec {

namespace {

// The magic variables that hold a host's output.
const vars::NameSet kDataMagic = {"ansible_failed_result"};

// A role's dependencies, deeper ones first, each with the `vars:` of its reference: what Ansible's Role.get_vars
// combines before the role's own (or, for defaults, get_default_vars).
void add_dependencies(vars::Scope& scope, vars::Level level, const pb::Role& role) {
  for (const auto& dep : role.dependencies) {
    if (!dep.role) continue;
    add_dependencies(scope, level, *dep.role);
    if (level == vars::Level::RoleDefaults) {
      scope.add(level, &dep.role->defaults);
    } else {
      scope.add(level, &dep.kw.vars);
      scope.add(level, &dep.role->vars);
    }
  }
}

void add_named(vars::Scope& scope, vars::Level level, const graph::NamedRole& named) {
  add_dependencies(scope, level, *named.role);
  if (level == vars::Level::RoleDefaults) {
    scope.add(level, &named.role->defaults);
    return;
  }
  if (named.vars) scope.add(level, named.vars);
  scope.add(level, &named.role->vars);
}

// Role defaults or role variables as ansible-core 2.14 layers them: those of every role of the play (with their
// dependencies), then the task's own role's, after what it inherits from the roles it runs within.
void add_roles(vars::Scope& scope, vars::Level level, const PlayState& play,
               const std::vector<graph::NamedRole>& chain) {
  std::vector<graph::NamedRole> play_roles;
  {
    std::lock_guard lock(play.loaded_mutex);
    play_roles = play.graph.named_roles;
  }
  for (const auto& named : play_roles) add_named(scope, level, named);
  if (chain.empty()) return;
  const graph::NamedRole& own = chain.back();
  const auto parents = std::prev(chain.end());
  if (level == vars::Level::RoleDefaults) {
    add_dependencies(scope, level, *own.role);
    for (auto it = chain.begin(); it != parents; ++it) scope.add(level, &it->role->defaults);
    scope.add(level, &own.role->defaults);
    return;
  }
  for (auto it = chain.begin(); it != parents; ++it) {
    if (it->vars) scope.add(level, it->vars);
    scope.add(level, &it->role->vars);
  }
  add_named(scope, level, own);
}

// The `vars:` of a roles: entry or meta dependency are role variables only; those of other keywords (blocks,
// import_role and include_role tasks) are block variables.
bool names_a_role(const Frame& frame, const pb::Keywords* kw) {
  return std::any_of(frame.role_chain.begin(), frame.role_chain.end(),
                     [kw](const graph::NamedRole& named) { return named.ref && &named.ref->kw == kw; });
}

// ansible_play_hosts (the play's hosts) or ansible_play_batch (the batch's) without those that left the play, as
// Ansible leaves out its play._removed_hosts.
Value remaining_hosts(const PlayState& play, bool batch_only) {
  Value names = Value::array();
  for (const HostState* h : batch_only ? play.batch : play.play_host_states) {
    if (!h->left && play.left_before.count(h) == 0) names.push_back(h->name);
  }
  return names;
}

// Where Ansible looks for a task's relative files, innermost first: its role, the roles it runs as a dependency of,
// the roles that included it, the folder of its task file, the playbook's folder; and the including roles' names.
void set_search_magic(Value& magic, const PlayState& play, const Frame& frame, const pb::Task* task,
                      const pb::Role* role) {
  Value paths = Value::array();
  auto add = [&paths](const std::string& path) {
    if (!path.empty() && std::find(paths.begin(), paths.end(), Value(path)) == paths.end()) paths.push_back(path);
  };
  Value parents = Value::array();
  if (role) add(role->path);
  for (auto it = frame.role_chain.rbegin(); it != frame.role_chain.rend(); ++it) add(it->role->path);
  for (const pb::Role* includer : frame.includers) {
    add(includer->path);
    parents.push_back(includer->name);
  }
  if (task && !task->file.empty()) add(std::filesystem::path(task->file).parent_path().lexically_normal().string());
  add(play.playbook->dir);
  magic["ansible_search_path"] = paths;
  if (!parents.empty()) magic["ansible_parent_role_names"] = parents;
}

}  // namespace

TaskScope::TaskScope(const PlayState& play, HostState& host, const Frame& frame, const pb::Task* task) {
  const pb::Role* role = task && task->role ? task->role : frame.role.get();
  std::vector<graph::NamedRole> own_chain;
  if (role && (frame.role_chain.empty() || frame.role_chain.back().role != role)) own_chain.push_back({role});
  const std::vector<graph::NamedRole>& chain = own_chain.empty() ? frame.role_chain : own_chain;
  add_roles(scope_, vars::Level::RoleDefaults, play, chain);
  scope_.add(vars::Level::InventoryHost, &host.inventory_vars);
  scope_.add(vars::Level::Facts, &host.facts, vars::Trust::Data);
  scope_.add(vars::Level::PlayVars, &play.play->kw.vars);
  for (const auto& file_vars : play.play->vars_files_values) scope_.add(vars::Level::VarsFiles, &file_vars);
  add_roles(scope_, vars::Level::RoleVars, play, chain);
  for (const auto* kw : frame.keywords) {
    if (kw != &play.play->kw && !names_a_role(frame, kw)) scope_.add(vars::Level::BlockVars, &kw->vars);
  }
  if (task) scope_.add(vars::Level::TaskVars, &task->kw.vars);
  scope_.add(vars::Level::IncludeVars, &host.include_vars);
  scope_.add(vars::Level::HostFacts, &host.host_facts, &host.data_host_facts);
  // As Ansible's get_role_params: the parameters of the roles a role runs within reach it too, its own winning.
  for (const auto& named : frame.role_chain) {
    if (named.ref) scope_.add(vars::Level::RoleParams, &named.ref->params);
  }
  for (const auto* kw : frame.keywords) {
    if (!kw->include_params.empty()) scope_.add(vars::Level::IncludeParams, &kw->include_params);
  }
  for (const auto& params : frame.include_params) {
    auto it = params->find(host.name);
    if (it != params->end()) scope_.add(vars::Level::IncludeParams, &it->second.vars, &it->second.data);
  }
  scope_.add(vars::Level::Magic, &host.magic, &kDataMagic);
  if (role) {
    // role_name is the short name (a collection's role is "ns.coll.role" in ansible_role_name only), its folder's.
    task_magic_["role_name"] = std::filesystem::path(role->path).filename().string();
    task_magic_["role_path"] = role->path;
    task_magic_["ansible_role_name"] = role->name;
  }
  set_search_magic(task_magic_, play, frame, task, role);
  scope_.add(vars::Level::Magic, &task_magic_);
  // Computed when read, as hosts leave the play (leave_play): every host of the play, and the current batch.
  scope_.add_lazy(vars::Level::Magic, "ansible_play_hosts", [&play] { return remaining_hosts(play, false); });
  scope_.add_lazy(vars::Level::Magic, "ansible_play_batch", [&play] { return remaining_hosts(play, true); });
  scope_.add_lazy(vars::Level::Magic, "play_hosts", [&play] { return remaining_hosts(play, true); });
  // hostvars is built with each host's own variables rendered (build_hostvars): nothing in it is templated again.
  scope_.add_lazy(vars::Level::Magic, "hostvars", [&play] { return build_hostvars(play); }, vars::Trust::Data);
  scope_.add(vars::Level::Magic, &loop_vars_, &loop_data_);
  scope_.add(vars::Level::ExtraVars, &play.settings->extra_vars);
  // Only a registered result is bound, for changed_when, failed_when and until.
  scope_.add(vars::Level::ExtraVars, &bound_, vars::Trust::Data);
}

void TaskScope::set_loop_vars(Value loop_vars, bool data) {
  loop_vars_.clear();
  loop_data_.clear();
  for (auto it = loop_vars.begin(); it != loop_vars.end(); ++it) {
    loop_vars_[it.key()] = it.value();
    if (data) loop_data_.insert(it.key());
  }
}

void TaskScope::bind(const std::string& name, Value value) { bound_[name] = std::move(value); }

namespace {

// The layers of one host's variables that hostvars shows.
struct HostLayers {
  const std::string* name;
  const Value* inventory_vars;
  const Value* facts;
  const Value* include_vars;
  const Value* host_facts;
  const vars::NameSet* data_host_facts;
  const Value* magic;
};

// Magic variables of the play, which Ansible's hostvars (the host's variables without a play) do not hold.
bool play_magic(const std::string& name) {
  static const std::unordered_set<std::string> kPlay = {
      "ansible_play_hosts_all",      "ansible_play_hosts", "ansible_play_batch",      "play_hosts",
      "ansible_play_name",           "role_names",         "ansible_play_role_names", "ansible_role_names",
      "ansible_dependent_role_names"};
  return kPlay.count(name) > 0;
}

// One host's variables rendered with its own and without hostvars, as Ansible's hostvars renders them: a variable
// that reads hostvars itself (or anything undefined there) is shown as written, as in Ansible. Data stays as it is.
// As in ansible-core 2.14, they are the host's variables without the play: no play vars, vars_files or role
// variables, but the extra vars.
Value render_host(const PlayState& play, const HostLayers& host) {
  tmpl::Options options = ansible_options();
  vars::Scope scope;
  scope.add(vars::Level::InventoryHost, host.inventory_vars);
  scope.add(vars::Level::Facts, host.facts, vars::Trust::Data);
  scope.add(vars::Level::IncludeVars, host.include_vars);
  scope.add(vars::Level::HostFacts, host.host_facts, host.data_host_facts);
  scope.add(vars::Level::Magic, host.magic, &kDataMagic);
  scope.add(vars::Level::ExtraVars, &play.settings->extra_vars);
  Value merged = Value::object();
  for (const Value* layer :
       {host.inventory_vars, host.facts, host.include_vars, host.host_facts, host.magic, &play.settings->extra_vars}) {
    for (auto it = layer->begin(); it != layer->end(); ++it) {
      if (merged.contains(it.key()) || (layer == host.magic && play_magic(it.key()))) continue;
      bool data = false;
      const Value* value = scope.find(it.key(), &data);
      try {
        merged[it.key()] = data ? *value : tmpl::template_value(*value, scope, options);
      } catch (const Error&) {
        merged[it.key()] = *value;
      }
    }
  }
  return merged;
}

}  // namespace

Value build_hostvars(const PlayState& play) {
  std::shared_lock lock(play.facts_mutex);
  // Every host of the inventory, not only those a play has reached: those show their inventory variables.
  const Value empty = Value::object();
  const vars::NameSet no_names;
  std::vector<HostLayers> hosts;
  std::vector<Value> magic_of_unreached;
  const std::vector<const inv::Host*> inventory_hosts = play.inventory->hosts();
  magic_of_unreached.reserve(inventory_hosts.size());
  std::vector<Value> inventory_vars_of_unreached, facts_of_unreached;
  inventory_vars_of_unreached.reserve(inventory_hosts.size());
  facts_of_unreached.reserve(inventory_hosts.size());
  std::unordered_map<std::string_view, const HostState*> reached;
  for (const auto& state : *play.all_hosts) reached.emplace(state->name, state.get());
  // The run's magic variables (playbook_dir, ansible_check_mode, omit, ...) are every host's, reached or not.
  Value run_magic = Value::object();
  if (!play.all_hosts->empty()) {
    run_magic = play.all_hosts->front()->magic;
    for (const char* own : {"inventory_hostname", "inventory_hostname_short", "group_names", "ansible_failed_task",
                            "ansible_failed_result"}) {
      run_magic.erase(own);
    }
  }
  for (const inv::Host* h : inventory_hosts) {
    if (auto found = reached.find(h->name); found != reached.end()) {
      const HostState& s = *found->second;
      hosts.push_back(
          {&s.name, &s.inventory_vars, &s.facts, &s.include_vars, &s.host_facts, &s.data_host_facts, &s.magic});
      continue;
    }
    inventory_vars_of_unreached.push_back(play.inventory->host_vars(h->name));
    // With a fact cache, a host no play has reached still shows the facts cached for it, as in Ansible.
    Value& cached = facts_of_unreached.emplace_back(Value::object());
    if (play.fact_cache) {
      try {
        HostState holder;
        if (auto entry = play.fact_cache->load(h->name)) add_facts(holder, *entry);
        cached = std::move(holder.facts);
      } catch (const Error&) {}
    }
    Value& magic = magic_of_unreached.emplace_back(run_magic);
    magic["inventory_hostname"] = h->name;
    magic["inventory_hostname_short"] = h->name.substr(0, h->name.find('.'));
    magic["group_names"] = play.inventory->group_names(h->name);
    magic["groups"] = play.inventory->groups();
    hosts.push_back({&h->name, &inventory_vars_of_unreached.back(), &cached, &empty, &empty, &no_names, &magic});
  }
  // A host a play reached without an inventory entry (the implicit localhost) joins the inventory as Ansible's does.
  std::unordered_set<std::string_view> listed;
  for (const inv::Host* h : inventory_hosts) listed.insert(h->name);
  for (const auto& state : *play.all_hosts) {
    if (listed.count(state->name)) continue;
    const HostState& s = *state;
    hosts.push_back(
        {&s.name, &s.inventory_vars, &s.facts, &s.include_vars, &s.host_facts, &s.data_host_facts, &s.magic});
  }
  Value out = Value::object();
  for (const HostLayers& host : hosts) out[*host.name] = render_host(play, host);
  return out;
}

}  // namespace prov::exec
