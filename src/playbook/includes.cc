// Actions the loader handles itself: static imports are expanded here, static includes preloaded, so that every
// file a playbook can reach is read and validated before anything runs.
#include <fmt/format.h>

#include <algorithm>

#include "loader_internal.h"
#include "provision/core/yaml.h"

namespace prov::pb::detail {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

SourceLoc arg_loc(const Task& task, const std::string& key, const SourceLoc& fallback) {
  auto it = task.arg_locs.find(key);
  return it == task.arg_locs.end() ? fallback : it->second;
}

void check_arg_names(const Task& task, const std::vector<std::string>& allowed, const SourceLoc& at) {
  for (const auto& [key, value] : task.args.items()) {
    if (contains(allowed, key)) continue;
    throw Error(fmt::format("unknown argument '{}' for '{}' in {}{}", key, task.action->name, task_label(task),
                            did_you_mean(key, allowed)),
                arg_loc(task, key, at));
  }
}

std::string string_arg(const Task& task, const std::string& key, const SourceLoc& at) {
  const Value* v = find_key(task.args, key);
  if (!v || v->is_null()) return {};
  if (!v->is_string()) {
    throw Error(fmt::format("'{}' of '{}' must be a string", key, task.action->name), arg_loc(task, key, at));
  }
  return v->get<std::string>();
}

// The task file an import/include names: `import_tasks: x.yml` or `import_tasks: {file: x.yml}`.
std::string task_file_arg(const Task& task, const SourceLoc& at) {
  std::string raw = string_arg(task, "_raw_params", at);
  std::string file = string_arg(task, "file", at);
  if (!raw.empty() && !file.empty()) {
    throw Error(fmt::format("'{}' has both a free-form file name and 'file'", task.action->name), at);
  }
  if (raw.empty() && file.empty()) throw Error(fmt::format("'{}' needs a file name", task.action->name), at);
  return raw.empty() ? file : raw;
}

// Relative task files are looked for beside the current file, in the role's tasks/ folder and the role's own
// folder, then the playbook's.
std::string find_task_file(const std::string& name, const TaskSource& src, const LoadContext& ctx,
                           const SourceLoc& at) {
  std::vector<std::string> folders = {dir_of(src.file)};
  if (src.role) {
    folders.push_back(join_path(src.role->path, "tasks"));
    folders.push_back(src.role->path);
  }
  if (!contains(folders, ctx.playbook_dir)) folders.push_back(ctx.playbook_dir);
  std::string path = find_in(name, folders);
  if (path.empty()) {
    std::string searched;
    for (const auto& folder : folders) searched += (searched.empty() ? "" : ", ") + join_path(folder, name);
    throw Error(fmt::format("task file '{}' not found (searched: {})", name, searched), at);
  }
  return path;
}

std::string cycle_text(const std::vector<std::string>& chain, const std::string& again) {
  std::string text;
  auto start = std::find(chain.begin(), chain.end(), again);
  for (auto it = start; it != chain.end(); ++it) text += *it + " -> ";
  return text + again;
}

// The old `include`: its arguments besides the file are variables of the included tasks; as measured under
// ansible-core 2.14, its own `vars:` win over them, and `tags` or `when` written as arguments are dropped.
void move_include_params(Task& task) {
  Value params = Value::object();
  for (auto it = task.args.begin(); it != task.args.end(); ++it) {
    if (it.key() != "_raw_params" && it.key() != "file") params[it.key()] = it.value();
  }
  for (auto it = params.begin(); it != params.end(); ++it) {
    task.args.erase(it.key());
    if (it.key() != "tags" && it.key() != "when" && !task.kw.vars.contains(it.key())) {
      task.kw.vars[it.key()] = it.value();
    }
  }
}

void complete_task_file(Task& task, const SourceLoc& at, const TaskSource& src, LoadContext& ctx) {
  const bool old_include = (task.action->flags & mod::kOldInclude) != 0;
  if (old_include) {
    task.kw.include_params = task.kw.vars;
    move_include_params(task);
  }
  bool is_import = task.action->kind == mod::ActionKind::ImportTasks;
  check_arg_names(task,
                  is_import || old_include ? std::vector<std::string>{"_raw_params", "file"}
                                           : std::vector<std::string>{"_raw_params", "file", "apply"},
                  at);
  if (is_import && !task.loop_kind.empty()) {
    throw Error(fmt::format("'import_tasks' cannot loop in {}", task_label(task)), at,
                "use include_tasks to run a task file once per item");
  }
  std::string name = task_file_arg(task, at);
  // As ansible-core 2.14 decides for `include`: static unless its name is a template, it loops, or it is read
  // within a dynamic include.
  if (old_include) is_import = !has_template(name) && task.loop_kind.empty() && !src.dynamic;
  // A templated name depends on host variables: the executor loads it at run time.
  if (has_template(name)) return;
  std::string path = find_task_file(name, src, ctx, at);
  bool on_stack = contains(ctx.task_files, path);
  if (is_import) {
    if (on_stack) throw Error("import_tasks cycle: " + cycle_text(ctx.task_files, path), at);
    task.block = load_tasks_file(path, src, ctx);
    task.action = &mod::block_action();
    task.import_kind = "import_tasks";
  } else if (!on_stack) {
    // A file that includes itself (recursion with a condition) is loaded again at run time.
    TaskSource dynamic = src;
    dynamic.dynamic = true;
    task.included = load_tasks_file(path, dynamic, ctx);
  }
}

void complete_role(Task& task, const SourceLoc& at, const TaskSource& src, LoadContext& ctx) {
  bool is_import = task.action->kind == mod::ActionKind::ImportRole;
  std::vector<std::string> allowed = {"name",          "tasks_from",       "vars_from", "defaults_from",
                                      "handlers_from", "allow_duplicates", "public",    "rolespec_validate"};
  if (!is_import) allowed.push_back("apply");
  check_arg_names(task, allowed, at);
  if (is_import && !task.loop_kind.empty()) {
    throw Error(fmt::format("'import_role' cannot loop in {}", task_label(task)), at,
                "use include_role to run a role once per item");
  }
  std::string name = string_arg(task, "name", at);
  if (name.empty()) throw Error(fmt::format("'{}' needs 'name' in {}", task.action->name, task_label(task)), at);
  RoleEntryPoints entry;
  for (auto [key, field] : {std::pair{"tasks_from", &entry.tasks_from}, std::pair{"vars_from", &entry.vars_from},
                            std::pair{"defaults_from", &entry.defaults_from},
                            std::pair{"handlers_from", &entry.handlers_from}}) {
    std::string value = string_arg(task, key, at);
    if (!value.empty()) *field = value;
  }
  if (has_template(name) || has_template(entry.tasks_from) || has_template(entry.vars_from) ||
      has_template(entry.defaults_from) || has_template(entry.handlers_from)) {
    return;
  }
  std::shared_ptr<Role> role = resolve_role(name, arg_loc(task, "name", at), entry, ctx, !is_import, src.role.get());
  if (!role) return;  // a role including itself: loaded again at run time
  task.included_role = role;
  if (is_import) {
    task.block = expand_role_tasks(role);
    task.action = &mod::block_action();
    task.import_kind = "import_role";
  }
}

void complete_meta(Task& task, const SourceLoc& at, bool handler) {
  check_arg_names(task, {"_raw_params"}, at);
  std::string what = string_arg(task, "_raw_params", at);
  task.meta = find_meta(what);
  if (!task.meta) {
    throw Error(
        fmt::format("unknown meta action '{}' in {}{}", what, task_label(task), did_you_mean(what, meta_names())),
        arg_loc(task, "_raw_params", at));
  }
  // A handler that flushes the handlers would run itself again without end; Ansible refuses it too.
  if (handler && task.meta->action == MetaAction::FlushHandlers) {
    throw Error("flush_handlers cannot be used as a handler", arg_loc(task, "_raw_params", at));
  }
}

}  // namespace

void check_include_keyword(const Task& task, const std::string& key, const SourceLoc& at) {
  // As Ansible, the old `include` is not checked: whether it is static is not known yet.
  const bool include =
      (task.action->kind == mod::ActionKind::IncludeTasks && !(task.action->flags & mod::kOldInclude)) ||
      task.action->kind == mod::ActionKind::IncludeRole;
  static const std::vector<std::string> kIncludeKeywords = {
      "action", "args",     "collections", "debugger", "ignore_errors", "loop", "loop_control", "name",
      "no_log", "register", "run_once",    "tags",     "timeout",       "vars", "when"};
  if (!include || contains(kIncludeKeywords, key)) return;
  throw Error(fmt::format("'{}' is not a valid attribute for {} in {}", key, task.action->name, task_label(task)), at,
              "keywords for the included tasks go under the include's 'apply'");
}

void complete_loader_action(Task& task, const SourceLoc& at, const TaskSource& src, LoadContext& ctx) {
  switch (task.action->kind) {
    case mod::ActionKind::ImportTasks:
    case mod::ActionKind::IncludeTasks: complete_task_file(task, at, src, ctx); break;
    case mod::ActionKind::ImportRole:
    case mod::ActionKind::IncludeRole:
      if (src.handlers) {
        const std::string& written = task.action_as_written.empty() ? task.action->name : task.action_as_written;
        throw Error(fmt::format("Using '{}' as a handler is not supported.", written), at);
      }
      complete_role(task, at, src, ctx);
      break;
    case mod::ActionKind::Meta: complete_meta(task, at, src.handlers); break;
    case mod::ActionKind::IncludeVars:
      check_arg_names(task,
                      {"_raw_params", "file", "dir", "name", "depth", "files_matching", "ignore_files", "extensions",
                       "ignore_unknown_extensions", "hash_behaviour"},
                      at);
      break;
    case mod::ActionKind::ImportPlaybook:
      throw Error("'import_playbook' is only allowed as a play in a playbook, not in a task list", at);
    case mod::ActionKind::NotInProvision:
      // Validated as far as provision can: the task loads (it may be for another system, under a `when` that is
      // false here) and fails where it runs.
      if (ctx.options.warn) {
        ctx.options.warn(
            fmt::format("{}: the module '{}' of Ansible is not supported by provision: {} fails on any "
                        "host where it runs",
                        at.str(), task.action->name, task_label(task)));
      }
      break;
    case mod::ActionKind::Module:
    case mod::ActionKind::Templated:
    case mod::ActionKind::Block: break;
  }
}

}  // namespace prov::pb::detail
