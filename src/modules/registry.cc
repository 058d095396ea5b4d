// The one table of modules: a new module is one file plus one line here.
#include <algorithm>
#include <array>

#include "builtin.h"

namespace prov::mod {

namespace {

using Accessor = const Module& (*)();

constexpr std::array kModules = {
    &command_module,
    &shell_module,
    &raw_module,
    &file_module,
    &copy_module,
    &stat_module,
    &debug_module,
    &set_fact_module,
    &assert_module,
    &fail_module,
    &pause_module,
    &wait_for_module,
    &template_module,
    &postgresql_db_module,
    &postgresql_user_module,
    &user_module,
    &group_module,
    &service_module,
    &systemd_module,
    &lineinfile_module,
    &blockinfile_module,
    &logrotate_module,
    &ufw_module,
    &git_module,
    &pip_module,
    &apt_module,
    &apt_repository_module,
    &apt_key_module,
    &get_url_module,
};

constexpr std::array<std::string_view, 2> kBuiltinPrefixes = {"ansible.builtin.", "ansible.legacy."};

// Handled by the loader or the executor, never dispatched to a module.
constexpr std::array<std::string_view, 8> kExecutorActions = {
    "block", "include_tasks", "import_tasks", "include_role", "import_role", "import_playbook", "include_vars",
    "meta"};

std::string_view strip_builtin_prefix(std::string_view name) {
  for (auto prefix : kBuiltinPrefixes) {
    if (name.substr(0, prefix.size()) == prefix) return name.substr(prefix.size());
  }
  return name;
}

}  // namespace

const Module* find_module(std::string_view name) {
  std::string_view short_name = strip_builtin_prefix(name);
  for (Accessor accessor : kModules) {
    const Module& module = accessor();
    const ModuleSpec& spec = module.spec();
    if (spec.name == short_name) return &module;
    if (std::find(spec.other_names.begin(), spec.other_names.end(), name) != spec.other_names.end()) return &module;
  }
  return nullptr;
}

std::vector<std::string> module_names() {
  std::vector<std::string> names;
  for (Accessor accessor : kModules) names.push_back(accessor().spec().name);
  return names;
}

bool is_executor_keyword_action(std::string_view name) {
  std::string_view short_name = strip_builtin_prefix(name);
  return std::find(kExecutorActions.begin(), kExecutorActions.end(), short_name) != kExecutorActions.end();
}

}  // namespace prov::mod
