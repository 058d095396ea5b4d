// The one table of actions: a new module is one file plus one line here.
#include <functional>
#include <unordered_map>

#include "provision/modules/action.h"
#include "provision/modules/module.h"

namespace prov::mod {

// Each module file defines its accessor `const Module& <name>_module()`; X(name, flags) is one module's line,
// kept unaligned so that adding a module changes one line.
// clang-format off
#define PROVISION_MODULES(X) \
  X(command, kCommandLine) \
  X(shell, kCommandLine) \
  X(raw, kCommandLine) \
  X(file, kNoFlags) \
  X(copy, kNoFlags) \
  X(stat, kNoFlags) \
  X(debug, kShowsResult) \
  X(set_fact, kSetsFacts | kRawParams) \
  X(assert, kNoFlags) \
  X(fail, kNoFlags) \
  X(pause, kNoFlags) \
  X(wait_for, kNoFlags) \
  X(template, kTemplateSource) \
  X(postgresql_db, kNoFlags) \
  X(postgresql_user, kNoFlags) \
  X(user, kNoFlags) \
  X(group, kNoFlags) \
  X(service, kNoFlags) \
  X(systemd, kNoFlags) \
  X(lineinfile, kNoFlags) \
  X(blockinfile, kNoFlags) \
  X(logrotate, kNoFlags) \
  X(ufw, kNoFlags) \
  X(git, kNoFlags) \
  X(pip, kNoFlags) \
  X(apt, kNoFlags) \
  X(package, kNoFlags) \
  X(package_facts, kNoFlags) \
  X(setup, kNoFlags) \
  X(apt_repository, kNoFlags) \
  X(apt_key, kNoFlags) \
  X(async_status, kNoFlags) \
  X(get_url, kNoFlags) \
  X(ping, kNoFlags)
// clang-format on

#define PROVISION_DECLARE_MODULE(name, flags) const Module& name##_module();
PROVISION_MODULES(PROVISION_DECLARE_MODULE)
#undef PROVISION_DECLARE_MODULE

namespace {

struct ModuleLine {
  const Module& (*module)();
  unsigned flags;
};

#define PROVISION_MODULE_LINE(name, line_flags) ModuleLine{&name##_module, line_flags},
const ModuleLine kModuleLines[] = {PROVISION_MODULES(PROVISION_MODULE_LINE)};
#undef PROVISION_MODULE_LINE

// What the loader and the executor do themselves.
struct OwnLine {
  const char* name;
  ActionKind kind;
  unsigned flags;
};

const OwnLine kOwnLines[] = {
    {"block", ActionKind::Block, kNoFlags},
    {"import_tasks", ActionKind::ImportTasks, kRawParams},
    {"include_tasks", ActionKind::IncludeTasks, kRawParams},
    {"include", ActionKind::IncludeTasks, kRawParams | kOldInclude},
    {"import_role", ActionKind::ImportRole, kRawParams},
    {"include_role", ActionKind::IncludeRole, kRawParams},
    {"import_playbook", ActionKind::ImportPlaybook, kRawParams},
    {"include_vars", ActionKind::IncludeVars, kRawParams},
    {"meta", ActionKind::Meta, kRawParams},
};

// Lets the index be searched with a string_view without making a string.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};

struct Table {
  std::vector<Action> actions;  // filled once, then never moved: the index points into it
  std::unordered_map<std::string, const Action*, NameHash, std::equal_to<>> by_name;
  std::vector<std::string> names;

  Table() {
    actions.reserve(std::size(kModuleLines) + std::size(kOwnLines));
    for (const ModuleLine& line : kModuleLines) {
      const Module& module = line.module();
      unsigned flags = line.flags | (module.spec().free_form ? kRawParams : kNoFlags);
      actions.push_back(Action{module.spec().name, ActionKind::Module, &module, flags});
    }
    for (const OwnLine& line : kOwnLines) actions.push_back(Action{line.name, line.kind, nullptr, line.flags});
    for (const Action& action : actions) {
      names.push_back(action.name);
      add_builtin_names(action.name, action);
      if (action.module) {
        for (const std::string& other : action.module->spec().other_names) by_name.emplace(other, &action);
      }
    }
  }

  void add_builtin_names(std::string_view short_name, const Action& action) {
    by_name.emplace(short_name, &action);
    if (action.kind == ActionKind::Block) return;  // `block` is a keyword, it has no FQCN
    for (const char* prefix : {"ansible.builtin.", "ansible.legacy."})
      by_name.emplace(prefix + std::string(short_name), &action);
  }
};

const Table& table() {
  static const Table instance;
  return instance;
}

}  // namespace

bool Action::free_keys() const { return module && module->spec().any_keys; }

const Action* find_action(std::string_view name) {
  const auto& index = table().by_name;
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

const Action& block_action() { return *find_action("block"); }

const Action& templated_action() {
  static const Action action{"(a module named by a template)", ActionKind::Templated, nullptr, kNoFlags};
  return action;
}

std::vector<std::string> action_names() { return table().names; }

const Module* find_module(std::string_view name) {
  const Action* action = find_action(name);
  return action ? action->module : nullptr;
}

std::vector<std::string> module_names() {
  std::vector<std::string> names;
  for (const Action& action : table().actions) {
    if (action.module) names.push_back(action.name);
  }
  return names;
}

}  // namespace prov::mod
