#include "scope.h"

#include <mutex>

namespace prov::exec {

namespace {

// The magic variables that hold a host's output.
const vars::NameSet kDataMagic = {"ansible_failed_result"};

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
  scope_.add(vars::Level::Facts, &host.facts, vars::Trust::Data);
  scope_.add(vars::Level::PlayVars, &play.play->kw.vars);
  for (const auto& file_vars : play.play->vars_files_values) scope_.add(vars::Level::VarsFiles, &file_vars);
  add_roles(scope_, vars::Level::RoleVars, play, role, false);
  for (const auto* kw : frame.keywords) {
    if (kw != &play.play->kw) scope_.add(vars::Level::BlockVars, &kw->vars);
  }
  if (task) scope_.add(vars::Level::TaskVars, &task->kw.vars);
  scope_.add(vars::Level::IncludeVars, &host.include_vars);
  scope_.add(vars::Level::HostFacts, &host.host_facts, &host.data_host_facts);
  if (frame.role_params) scope_.add(vars::Level::RoleParams, frame.role_params);
  for (const auto& params : frame.include_params) {
    auto it = params->find(host.name);
    if (it != params->end()) scope_.add(vars::Level::IncludeParams, &it->second.vars, &it->second.data);
  }
  scope_.add(vars::Level::Magic, &host.magic, &kDataMagic);
  if (role) {
    task_magic_["role_name"] = role->name;
    task_magic_["role_path"] = role->path;
    task_magic_["ansible_role_name"] = role->name;
  }
  scope_.add(vars::Level::Magic, &task_magic_);
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

Value build_hostvars(const PlayState& play) {
  std::shared_lock lock(play.facts_mutex);
  tmpl::Options options;
  options.native_types = false;
  Value out = Value::object();
  for (const auto& host : *play.all_hosts) {
    // Each host's variables are rendered with that host's own, as Ansible's hostvars does; data stays as it is.
    vars::Scope scope;
    scope.add(vars::Level::InventoryHost, &host->inventory_vars);
    scope.add(vars::Level::Facts, &host->facts, vars::Trust::Data);
    scope.add(vars::Level::PlayVars, &play.play->kw.vars);
    scope.add(vars::Level::IncludeVars, &host->include_vars);
    scope.add(vars::Level::HostFacts, &host->host_facts, &host->data_host_facts);
    scope.add(vars::Level::Magic, &host->magic, &kDataMagic);
    scope.add(vars::Level::ExtraVars, &play.settings->extra_vars);
    Value merged = Value::object();
    for (const Value* layer : std::initializer_list<const Value*>{&host->inventory_vars, &host->facts,
                                                                  &play.play->kw.vars, &host->include_vars,
                                                                  &host->host_facts, &host->magic}) {
      for (auto it = layer->begin(); it != layer->end(); ++it) {
        if (merged.contains(it.key())) continue;
        bool data = false;
        const Value* value = scope.find(it.key(), &data);
        try {
          merged[it.key()] = data ? *value : tmpl::template_value(*value, scope, options);
        } catch (const Error&) {
          merged[it.key()] = *value;  // one variable that cannot be rendered for its host is shown as written
        }
      }
    }
    out[host->name] = std::move(merged);
  }
  return out;
}

}  // namespace prov::exec
