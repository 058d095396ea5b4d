#include "scope.h"

#include <mutex>

namespace prov::exec {

namespace {

void add_roles(vars::Scope& scope, vars::Level level, const PlayState& play, const pb::Role* current, bool defaults) {
  // Every role of the play is visible (Ansible's default of public role variables); the current role wins.
  for (const auto& role : play.graph.roles) {
    if (role.get() != current) scope.add(level, defaults ? &role->defaults : &role->vars);
  }
  if (current) scope.add(level, defaults ? &current->defaults : &current->vars);
}

}  // namespace

TaskScope::TaskScope(const PlayState& play, HostState& host, const Frame& frame, const pb::Task* task) {
  const pb::Role* role = task && task->role ? task->role : frame.role.get();
  add_roles(scope_, vars::Level::RoleDefaults, play, role, true);
  scope_.add(vars::Level::InventoryHost, &host.inventory_vars);
  scope_.add(vars::Level::Facts, &host.facts);
  scope_.add(vars::Level::PlayVars, &play.play->kw.vars);
  for (const auto& file_vars : play.play->vars_files_values) scope_.add(vars::Level::VarsFiles, &file_vars);
  add_roles(scope_, vars::Level::RoleVars, play, role, false);
  for (const auto* kw : frame.keywords) {
    if (kw != &play.play->kw) scope_.add(vars::Level::BlockVars, &kw->vars);
  }
  if (task) scope_.add(vars::Level::TaskVars, &task->kw.vars);
  scope_.add(vars::Level::IncludeVars, &host.include_vars);
  scope_.add(vars::Level::HostFacts, &host.host_facts);
  if (frame.role_params) scope_.add(vars::Level::RoleParams, frame.role_params);
  for (const auto& params : frame.include_params) {
    auto it = params->find(host.name);
    if (it != params->end()) scope_.add(vars::Level::IncludeParams, &it->second);
  }
  scope_.add(vars::Level::Magic, &host.magic);
  if (role) {
    task_magic_["role_name"] = role->name;
    task_magic_["role_path"] = role->path;
    task_magic_["ansible_role_name"] = role->name;
  }
  scope_.add(vars::Level::Magic, &task_magic_);
  scope_.add_lazy(vars::Level::Magic, "hostvars", [&play] { return build_hostvars(play); });
  scope_.add(vars::Level::Magic, &loop_vars_);
  scope_.add(vars::Level::ExtraVars, &play.settings->extra_vars);
  scope_.add(vars::Level::ExtraVars, &bound_);
}

void TaskScope::set_loop_vars(Value loop_vars) {
  loop_vars_.clear();
  for (auto it = loop_vars.begin(); it != loop_vars.end(); ++it) loop_vars_[it.key()] = it.value();
}

void TaskScope::bind(const std::string& name, Value value) { bound_[name] = std::move(value); }

Value build_hostvars(const PlayState& play) {
  std::shared_lock lock(play.facts_mutex);
  Value out = Value::object();
  for (const auto& host : *play.all_hosts) {
    Value merged = host->inventory_vars;
    for (const Value* layer : std::initializer_list<const Value*>{&host->facts, &play.play->kw.vars, &host->include_vars, &host->host_facts,
                               &host->magic}) {
      for (auto it = layer->begin(); it != layer->end(); ++it) merged[it.key()] = it.value();
    }
    out[host->name] = std::move(merged);
  }
  return out;
}

}  // namespace prov::exec
