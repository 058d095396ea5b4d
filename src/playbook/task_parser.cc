// Tasks and blocks: which key is the module, its arguments, and the task keywords around it.
// As in Ansible, the module is the one key of a task that is not a keyword.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "loader_internal.h"
#include "provision/core/text.h"
#include "provision/core/yaml.h"
#include "provision/modules/ansible_names.h"
#include "provision/modules/module.h"

namespace prov::pb::detail {
namespace {

// Lookups usable as with_<name>; any other with_ key is reported with a suggestion.
const std::vector<std::string> kLoopLookups = {
    "items",    "list",       "dict",          "indexed_items", "fileglob", "sequence",
    "subelements", "nested",  "together",      "first_found",   "flattened", "random_choice",
    "lines",    "file",       "env",           "inventory_hostnames", "cartesian", "template",
    "varnames", "pipe",       "password",      "url",           "community.general.cartesian"};

bool contains(const std::vector<std::string>& list, const std::string& key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

// The action a task key names; `block` is a keyword of its own (parse_block), never a task's action.
const mod::Action* resolve_action(const std::string& name) {
  const mod::Action* action = mod::find_action(name);
  return action && action->kind != mod::ActionKind::Block ? action : nullptr;
}

// A short name is looked up in the collections in effect first (the play's, or a role's from its metadata), as
// Ansible does, then as ansible-core resolves it; a module of Ansible's found there is one provision lacks.
const mod::Action* resolve_action(const std::string& name, const std::vector<std::string>& collections) {
  if (name.find('.') == std::string::npos) {
    for (const auto& collection : collections) {
      const std::string qualified = collection + "." + name;
      if (const mod::Action* action = resolve_action(qualified)) return action;
      if (const mod::Action* action = mod::find_ansible_only_action(qualified)) return action;
    }
  }
  if (const mod::Action* action = resolve_action(name)) return action;
  return mod::find_ansible_only_action(name);
}

std::vector<std::string> action_candidates() {
  std::vector<std::string> names;
  for (const std::string& name : mod::action_names()) {
    if (name != mod::block_action().name) names.push_back(name);
  }
  return names;
}

// Provision's names come first, so that a tie goes to a module that runs; then Ansible's other modules, since
// `yumm` is still a misspelt `yum` although provision does not run yum.
void add_ansible_modules(std::vector<std::string>& names, const std::string& misspelt) {
  const bool qualified = misspelt.find('.') != std::string::npos;
  for (std::string& name : mod::ansible_module_names(qualified)) names.push_back(std::move(name));
}

std::vector<std::string> key_candidates(KeywordSet set, const mod::Module* module, const std::string& key) {
  std::vector<std::string> all = keyword_names(set);
  for (const std::string& name : action_candidates()) all.push_back(name);
  for (const std::string& lookup : kLoopLookups) all.push_back("with_" + lookup);
  // A module argument written at task level is the likely meaning of a near miss.
  if (module) {
    for (const auto& arg : module->spec().args) all.push_back(arg.name);
  }
  add_ansible_modules(all, key);
  return all;
}

// Arguments from `module: k=v words` or `module: {k: v}` into task.args (later sources override earlier ones).
void read_args(const YAML::Node& value, const mod::Action& act, const std::string& file, Task& task) {
  if (!value.IsDefined() || value.IsNull()) return;
  if (value.IsScalar()) {
    Value kv = parse_kv(value.Scalar(), act.has(mod::kCommandLine), yaml::loc(value, file));
    for (auto& [k, v] : kv.items()) {
      task.args[k] = v;
      task.arg_locs[k] = yaml::loc(value, file);
    }
    return;
  }
  if (!value.IsMap()) {
    throw Error(
        fmt::format("arguments of '{}' must be a mapping or a 'key=value' string, got {}", act.name, node_kind(value)),
        yaml::loc(value, file));
  }
  for (const auto& entry : value) {
    std::string key = entry.first.Scalar();
    task.args[key] = yaml::to_value(entry.second, file);
    task.arg_locs[key] = yaml::loc(entry.first, file);
  }
}

// `action: copy src=a dest=b` or `action: {module: copy, src: a}`: returns the module's name and node.
// The mapping form's other keys go to dict_args: they are applied after `args:`, which they override.
std::pair<std::string, SourceLoc> split_action_keyword(const YAML::Node& value, const std::string& file,
                                                       Task& dict_args, std::string& inline_args) {
  SourceLoc at = yaml::loc(value, file);
  if (value.IsScalar()) {
    // As Ansible: the first word is the module, a template in it kept whole (`"{{ module }} msg=hi"`).
    std::vector<std::string> words = split_args(value.Scalar(), at);
    std::string name = words.empty() ? "" : trim(words.front());
    if (name.empty()) throw Error("'action' names no module", at);
    for (std::size_t i = 1; i < words.size(); ++i) inline_args += (i > 1 ? " " : "") + words[i];
    return {name, at};
  }
  if (value.IsMap() && value["module"]) {
    std::string name = read_scalar(value["module"], file, "module");
    for (const auto& entry : value) {
      std::string key = entry.first.Scalar();
      if (key == "module") continue;
      dict_args.args[key] = yaml::to_value(entry.second, file);
      dict_args.arg_locs[key] = yaml::loc(entry.first, file);
    }
    return {name, at};
  }
  throw Error(fmt::format("'action' must be 'module key=value ...' or a mapping with 'module', got {}",
                          node_kind(value)),
              at);
}

// `in_task` words where the task is, for a load error ("" when the executor names the task itself).
void check_argument_names(const Task& task, const mod::Action& action, const SourceLoc& action_loc,
                          const std::string& in_task);

// The action's name for messages: a templated one as written, since it has no name before it runs.
std::string written_action(const Task& task) {
  return task.action->kind == mod::ActionKind::Templated ? task.action_as_written : task.action->name;
}

void check_module_args(Task& task, const SourceLoc& action_loc) {
  if (const Value* raw = find_key(task.args, "_raw_params");
      raw && !to_plain_string(*raw).empty() && !task.action->has(mod::kRawParams)) {
    // `file: "{{ file_args }}"`: arguments from a variable, templated into a mapping at run time (as in Ansible).
    if (raw->is_string() && has_template(raw->get<std::string>())) {
      task.args["_variable_params"] = *raw;
      task.args.erase("_raw_params");
      return;
    }
    throw Error(fmt::format("extra words '{}' for module '{}' in {}: only command, shell, raw and script take "
                            "words that are not key=value",
                            to_plain_string(*raw), written_action(task), task_label(task)),
                action_loc);
  }
  check_argument_names(task, *task.action, action_loc, " in " + task_label(task));
}

void check_argument_names(const Task& task, const mod::Action& action, const SourceLoc& action_loc,
                          const std::string& in_task) {
  const mod::Module* module = action.module;
  if (!module || action.free_keys() || module->spec().args.empty()) return;
  std::vector<std::string> names;
  for (const auto& arg : module->spec().args) {
    names.push_back(arg.name);
    names.insert(names.end(), arg.aliases.begin(), arg.aliases.end());
  }
  for (const auto& [key, value] : task.args.items()) {
    if (key.empty() || key[0] == '_' || contains(names, key)) continue;
    auto where = task.arg_locs.find(key);
    throw Error(
        fmt::format("unknown argument '{}' for module '{}'{}{}", key, action.name, in_task, did_you_mean(key, names)),
        where == task.arg_locs.end() ? action_loc : where->second);
  }
}

std::vector<Task> read_task_section(const YAML::Node& value, const std::string& key, const TaskSource& src,
                                    LoadContext& ctx) {
  if (!value.IsNull() && !value.IsSequence()) {
    throw Error(fmt::format("'{}' must be a list of tasks, got {}", key, node_kind(value)), yaml::loc(value, src.file));
  }
  return parse_tasks(value, src, ctx);
}

Task parse_block(const YAML::Node& node, Task task, const TaskSource& src, LoadContext& ctx) {
  task.action = &mod::block_action();
  // A block's `collections` reach the tasks inside it (and the blocks inside those) that do not name their own.
  std::vector<std::string> collections;
  struct Restore {
    LoadContext& ctx;
    const std::vector<std::string>* outer;
    const Role* outer_role;
    ~Restore() {
      ctx.block_collections = outer;
      ctx.block_collections_role = outer_role;
    }
  } restore{ctx, ctx.block_collections, ctx.block_collections_role};
  if (const YAML::Node written = node["collections"]) {
    collections = read_collections(written, src.file);
    ctx.block_collections = &collections;
    ctx.block_collections_role = src.role.get();
  }
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (!is_keyword(KeywordSet::Block, key)) {
      throw Error(fmt::format("unknown key '{}' in {}{}", key, task_label(task),
                              did_you_mean(key, keyword_names(KeywordSet::Block))),
                  yaml::loc(entry.first, src.file));
    }
    if (key == "name") continue;
    if (key == "block") {
      task.block = read_task_section(value, key, src, ctx);
    } else if (key == "rescue") {
      task.rescue = read_task_section(value, key, src, ctx);
    } else if (key == "always") {
      task.always = read_task_section(value, key, src, ctx);
    } else if (key == "notify") {
      task.notify = read_string_list(value, src.file, key);
    } else {
      read_shared_keyword(key, value, src.file, task.kw);
    }
  }
  return task;
}

// Keywords a task has besides the shared ones.
void read_task_keyword(const std::string& key, const YAML::Node& value, const std::string& file, Task& task) {
  if (read_shared_keyword(key, value, file, task.kw)) return;
  if (key == "loop") {
    task.loop_kind = "loop";
    task.loop = yaml::to_value(value, file);
  } else if (key == "loop_control") {
    if (!value.IsMap()) {
      throw Error(fmt::format("'loop_control' must be a mapping, got {}", node_kind(value)), yaml::loc(value, file));
    }
    static const std::vector<std::string> known = {"loop_var", "index_var", "label", "pause", "extended",
                                                   "extended_allitems"};
    for (const auto& entry : value) {
      std::string k = entry.first.Scalar();
      if (!contains(known, k)) {
        throw Error(fmt::format("unknown key '{}' in loop_control of {}{}", k, task_label(task), did_you_mean(k, known)),
                    yaml::loc(entry.first, file));
      }
    }
    task.loop_control = yaml::to_value(value, file);
  } else if (key == "register") {
    task.register_var = read_scalar(value, file, key);
  } else if (key == "notify") {
    task.notify = read_string_list(value, file, key);
  } else if (key == "listen") {
    task.listen = read_string_list(value, file, key);
  } else if (key == "changed_when") {
    task.changed_when = read_conditions(value, file, key);
  } else if (key == "failed_when") {
    task.failed_when = read_conditions(value, file, key);
  } else if (key == "until") {
    task.until = read_conditions(value, file, key);
  } else if (key == "retries") {
    task.retries = read_whole_number(value, file, key);
  } else if (key == "delay") {
    task.delay = read_whole_number(value, file, key);
  }
  // name, action, local_action and args are read with the module.
}

}  // namespace

std::string task_label(const Task& task) {
  const bool block = task.action && task.action->kind == mod::ActionKind::Block;
  const char* what = block && task.import_kind.empty() ? "block" : "task";
  if (!task.name.empty()) return fmt::format("{} '{}'", what, task.name);
  if (task.action && !block) return fmt::format("{} '{}'", what, written_action(task));
  return what;
}

Task parse_task(const YAML::Node& written, const TaskSource& src, LoadContext& ctx) {
  const std::string& file = src.file;
  if (!written.IsMap()) {
    throw Error(fmt::format("expected a task (a mapping), got {}", node_kind(written)), yaml::loc(written, file));
  }
  const YAML::Node node = with_merges(written, file);
  Task task;
  task.loc = yaml::loc(written, file);
  task.file = file;
  task.role = src.role.get();
  task.is_handler = src.handlers;
  if (node["name"]) task.name = read_scalar(node["name"], file, "name");
  if (node["block"]) return parse_block(node, std::move(task), src, ctx);

  KeywordSet set = src.handlers ? KeywordSet::Handler : KeywordSet::Task;
  // Short action names are looked up in the task's own collections, else its innermost block's, else the role's
  // (a role's tasks do not inherit the play's, as in Ansible), else the play's.
  static const std::vector<std::string> kNone;
  const std::vector<std::string>* collections = &ctx.collections;
  std::vector<std::string> own;
  if (const YAML::Node listed = node["collections"]) {
    own = read_collections(listed, file);
    collections = &own;
  } else if (ctx.block_collections && ctx.block_collections_role == src.role.get()) {
    collections = ctx.block_collections;
  } else if (src.role) {
    auto found = ctx.role_collections.find(src.role->path);
    collections = found != ctx.role_collections.end() ? &found->second : &kNone;
  }
  // First find the module: every key that is neither a keyword nor a with_ loop.
  const mod::Action* action = nullptr;
  YAML::Node action_key, action_value;
  std::vector<YAML::Node> unknown;
  std::string inline_args;
  Task dict_args;  // only args and arg_locs are used
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const mod::Action* found = nullptr;
    if (key == "action" || key == "local_action") {
      auto [name, at] = split_action_keyword(entry.second, file, dict_args, inline_args);
      task.action_as_written = name;
      found = has_template(name) ? &mod::templated_action() : resolve_action(name, *collections);
      if (found && found->kind == mod::ActionKind::Templated) task.action_collections = *collections;
      if (!found) {
        std::vector<std::string> candidates = action_candidates();
        add_ansible_modules(candidates, name);
        throw Error(fmt::format("unknown module '{}' in {}{}", name, task_label(task), did_you_mean(name, candidates)),
                    at);
      }
      if (key == "local_action") task.kw.delegate_to = "localhost";
    } else if (is_keyword(set, key) || key.rfind("with_", 0) == 0) {
      continue;
    } else {
      found = resolve_action(key, *collections);
      if (!found) {
        unknown.push_back(entry.first);
        continue;
      }
    }
    if (action) {
      throw Error(fmt::format("conflicting action statements in {}: {}, {}", task_label(task),
                              action_key.Scalar(), key),
                  yaml::loc(entry.first, file));
    }
    action = found;
    if (key != "action" && key != "local_action") task.action_as_written = key;
    action_key = entry.first;
    action_value = (key == "action" || key == "local_action") ? YAML::Node() : entry.second;
  }
  task.action = action;
  if (!unknown.empty()) {
    std::string key = unknown.front().Scalar();
    std::string hint = key == "listen" ? "'listen' is only valid in handlers" : "";
    throw Error(fmt::format("unknown key '{}' in {}{}", key, task_label(task),
                            did_you_mean(key, key_candidates(set, action ? action->module : nullptr, key))),
                yaml::loc(unknown.front(), file), hint);
  }
  if (!action) {
    throw Error(fmt::format("no module or action in {}", task_label(task)), task.loc,
                "a task needs one key naming a module, such as 'command' or 'ansible.builtin.copy'");
  }
  SourceLoc action_loc = yaml::loc(action_key, file);

  // Arguments: `args:` first, then the module's own, so that inline arguments win as in Ansible.
  if (const YAML::Node args = node["args"]) {
    if (args.IsScalar() && has_template(args.Scalar())) {
      task.args["_variable_params"] = args.Scalar();
    } else if (!args.IsMap() && !args.IsNull()) {
      throw Error(fmt::format("'args' must be a mapping, got {}", node_kind(args)), yaml::loc(args, file));
    } else {
      read_args(args, *action, file, task);
    }
  }
  for (auto& [k, v] : dict_args.args.items()) {
    task.args[k] = v;
    task.arg_locs[k] = dict_args.arg_locs[k];
  }
  if (!inline_args.empty()) {
    Value kv = parse_kv(inline_args, action->has(mod::kCommandLine), action_loc);
    for (auto& [k, v] : kv.items()) {
      task.args[k] = v;
      task.arg_locs[k] = action_loc;
    }
  }
  read_args(action_value, *action, file, task);
  // `apply` of include_tasks/include_role: keywords of a block around the included tasks (Ansible's parent block).
  if (action_value.IsMap() && action_value["apply"] &&
      (action->kind == mod::ActionKind::IncludeTasks || action->kind == mod::ActionKind::IncludeRole)) {
    const YAML::Node apply = action_value["apply"];
    if (!apply.IsMap()) {
      throw Error(fmt::format("Expected a dict for apply but got {} instead", node_kind(apply)),
                  yaml::loc(apply, file));
    }
    task.apply = std::make_shared<Task>(parse_block(apply, Task{}, src, ctx));
    task.args.erase("apply");
  }

  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    if (key.rfind("with_", 0) == 0 && !is_keyword(set, key)) {
      std::string lookup = key.substr(5);
      if (!contains(kLoopLookups, lookup)) {
        std::vector<std::string> names;
        for (const auto& l : kLoopLookups) names.push_back("with_" + l);
        throw Error(fmt::format("unknown loop '{}' in {}{}", key, task_label(task), did_you_mean(key, names)),
                    yaml::loc(entry.first, file));
      }
      if (!task.loop_kind.empty()) {
        throw Error(fmt::format("more than one loop in {}: '{}' and '{}'", task_label(task),
                                task.loop_kind == "loop" ? "loop" : "with_" + task.loop_kind, key),
                    yaml::loc(entry.first, file));
      }
      task.loop_kind = lookup;
      task.loop = yaml::to_value(entry.second, file);
    } else if (is_keyword(set, key)) {
      if (key == "loop" && !task.loop_kind.empty()) {
        throw Error(fmt::format("more than one loop in {}: 'with_{}' and 'loop'", task_label(task), task.loop_kind),
                    yaml::loc(entry.first, file));
      }
      check_include_keyword(task, key, yaml::loc(entry.first, file));
      read_task_keyword(key, entry.second, file, task);
    }
  }

  if (action->kind == mod::ActionKind::Module || action->kind == mod::ActionKind::Templated) {
    check_module_args(task, action_loc);
  } else {
    complete_loader_action(task, action_loc, src, ctx);
  }
  return task;
}

}  // namespace prov::pb::detail

namespace prov::pb {

const mod::Action& templated_module(const Task& task, const std::string& module_name) {
  const mod::Action* action = detail::resolve_action(module_name, task.action_collections);
  if (!action) {
    throw Error(fmt::format("The module {} was not found in configured module paths", module_name), task.loc);
  }
  if (action->kind != mod::ActionKind::Module && action->kind != mod::ActionKind::NotInProvision) {
    throw Error(fmt::format("'{}' is not a module: '{}' may only name a module", module_name, task.action_as_written),
                task.loc);
  }
  detail::check_argument_names(task, *action, task.loc, "");
  return *action;
}

}  // namespace prov::pb

namespace prov::pb::detail {

std::vector<Task> parse_tasks(const YAML::Node& list, const TaskSource& src, LoadContext& ctx) {
  std::vector<Task> tasks;
  if (!list.IsDefined() || list.IsNull()) return tasks;
  if (!list.IsSequence()) {
    throw Error(fmt::format("expected a list of tasks, got {}", node_kind(list)), yaml::loc(list, src.file));
  }
  for (const auto& item : list) tasks.push_back(parse_task(item, src, ctx));
  return tasks;
}

}  // namespace prov::pb::detail
