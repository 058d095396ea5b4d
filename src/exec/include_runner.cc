// include_tasks and include_role: decided per host (when, loop, templated names), loaded when their names are
// known only at run time, then run in place for the hosts that include the same file.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "provision/graph/role_identity.h"
#include "provision/template/engine.h"
#include "runner.h"
#include "scope.h"
#include "task_inputs.h"
#include "task_loop.h"
#include "task_runner.h"

namespace prov::exec::detail {

namespace {

namespace fs = std::filesystem;

std::shared_ptr<pb::Role> shared_role(const pb::Task& task) {
  return task.role ? task.role->shared_from_this() : nullptr;
}

// A looped include's item as its "included:" line shows it: loop_control.label, or the item itself.
std::string include_label(const pb::Task& task, const Value& item, const TaskScope& scope,
                          const tmpl::Options& options) {
  const Value& control = task.loop_control;
  if (control.is_object() && control.contains("label")) {
    try {
      return tmpl::python_str(tmpl::template_value(control["label"], scope.scope(), options));
    } catch (const Error&) {}
  }
  return tmpl::python_str(item);
}

// include_role is read when it runs: its arguments and vars rendered, entry points as given.
graph::RoleUse included_role_use(const Value& args, const std::string& path, const Value& own_vars) {
  graph::RoleUse use;
  use.name = to_plain_string(args.value("name", Value("")));
  use.path = path;
  use.vars = own_vars;
  use.from_include = true;
  for (const char* from : {"tasks", "vars", "defaults", "handlers"}) {
    const Value* file = find_key(args, std::string(from) + "_from");
    if (file && !file->is_null()) use.from_files[from] = *file;
  }
  return use;
}

}  // namespace

// include_tasks / include_role: decided per host (when, loop, templated file), then run in place.
void Runner::run_include(const graph::Node& node, const Hosts& hosts, const Frame& frame) {
  const pb::Task& task = *node.task;
  std::map<HostState*, std::vector<Instance>> per_host;
  banner(node, hosts, frame, false);
  for (auto* h : hosts) {
    try {
      per_host[h] = expand_include(task, *h, frame);
      if (!per_host[h].empty()) note_role_ran(play_, frame, *h);
    } catch (const Error& e) {
      play_.sink->host_result(host_result(h->name, out::Status::Failed, {{"failed", true}, {"msg", e.message()}}));
      ++h->stats.failed;
      leave_play(*h);
      note_role_ran(play_, frame, *h);
    }
  }
  std::size_t rounds = 0;
  for (auto& [h, list] : per_host) rounds = std::max(rounds, list.size());
  if (rounds == 0) {
    for (auto& [h, list] : per_host) {
      if (!h->failed) {
        ++h->stats.skipped;
        play_.sink->host_result(host_result(h->name, out::Status::Skipped, {{"changed", false}, {"skipped", true}}));
      }
    }
    return;
  }
  // include_tasks reports "included: FILE for HOSTS => (item=...)" for every file and item first, as the include
  // task's results, and counts them as ok; include_role shows nothing itself.
  if (task.action->kind == mod::ActionKind::IncludeTasks) report_included(per_host, rounds);
  for (std::size_t i = 0; i < rounds; ++i) {
    // Hosts that include the same file (or role instance) in this round run it together.
    std::map<std::string, Hosts> by_file;
    std::map<std::string, const Instance*> first;
    auto params = std::make_shared<std::map<std::string, IncludeParams>>();
    for (auto& [h, list] : per_host) {
      if (i >= list.size() || !h->active()) continue;
      std::string what = list[i].file + "\n" + list[i].role_key;
      by_file[what].push_back(h);
      first.emplace(what, &list[i]);
      (*params)[h->name] = list[i].params;
    }
    for (auto& [what, group] : by_file) {
      const Instance& inst = *first[what];
      Frame inner = frame;
      inner.keywords.push_back(&task.kw);
      inner.include_params.push_back(params);
      std::set<std::string> tags(play_.play->kw.tags.begin(), play_.play->kw.tags.end());
      if (task.apply) {
        inner.keywords.push_back(&task.apply->kw);
        if (!task.apply->notify.empty()) inner.notify = &task.apply->notify;
        tags.insert(task.apply->kw.tags.begin(), task.apply->kw.tags.end());
      }
      const graph::Selection& selection = play_.settings->selection;
      if (task.action->kind == mod::ActionKind::IncludeRole) {
        if (task.role) inner.includers.insert(inner.includers.begin(), task.role);
        graph::CompiledTasks compiled = graph::compile_included_role(inst.role, inst.role_key, task, tags, selection);
        // As Ansible appends a public role once it is loaded, after the roles its tasks import.
        if (inst.public_role) compiled.named_roles.push_back({inst.role.get(), &task.kw.vars});
        add_loaded(compiled);
        play_.role_runs.allow_duplicates(inst.role_key, inst.allow_duplicates);
        run_nodes(compiled.nodes, group, inner);
      } else {
        graph::CompiledTasks compiled = graph::compile_tasks(*inst.tasks, tags, inst.role, selection);
        add_loaded(compiled);
        run_nodes(compiled.nodes, group, inner);
      }
    }
  }
}

void Runner::report_included(std::map<HostState*, std::vector<Instance>>& per_host, std::size_t rounds) {
  for (std::size_t i = 0; i < rounds; ++i) {
    // One line per file and item label, naming every host that includes it so.
    std::vector<std::pair<const Instance*, std::vector<std::string>>> lines;
    for (auto& [h, list] : per_host) {
      if (i >= list.size() || !h->active()) continue;
      const Instance& inst = list[i];
      auto same = std::find_if(lines.begin(), lines.end(), [&](const auto& line) {
        return line.first->file == inst.file && line.first->label == inst.label;
      });
      if (same == lines.end()) same = lines.insert(lines.end(), {&inst, {}});
      same->second.push_back(h->name);
      ++h->stats.ok;
    }
    for (const auto& [inst, names] : lines) play_.sink->included(inst->file, names, inst->label);
  }
}

// What reading an included file or role adds to the play, as Ansible's reading does: the allow_duplicates of the
// role instances imported, the handlers of the roles imported or included, and the roles whose variables every task
// sees from now on (those imported, and a role included with `public`).
void Runner::add_loaded(graph::CompiledTasks& compiled) {
  play_.role_runs.allow_duplicates(compiled.allow_duplicates);
  std::lock_guard lock(play_.loaded_mutex);
  auto& named = play_.graph.named_roles;
  named.insert(named.end(), compiled.named_roles.begin(), compiled.named_roles.end());
  // Lists of handlers are numbered per compilation: the loaded ones come after those the play has.
  int lists_before = 0;
  for (const auto& node : play_.graph.handlers) lists_before = std::max(lists_before, node.handler_list);
  for (auto& node : compiled.handlers) {
    node.handler_list += lists_before;
    play_.graph.handlers.push_back(std::move(node));
  }
}

std::vector<Instance> Runner::expand_include(const pb::Task& task, HostState& h, const Frame& frame) {
  TaskScope scope(play_, h, frame, &task);
  tmpl::Options options = ansible_options();
  options.name = task.loc.str();
  options.in_value = true;
  // A looped include reads its loop as a looped task does (loop_control included).
  std::optional<TaskLoop> loop;
  if (!task.loop_kind.empty()) {
    TaskInputs inputs(play_, h, frame, task, scope, options);
    loop = read_task_loop(play_, task, inputs, scope, options);
  }
  const std::size_t count = loop ? loop->items.size() : 1;
  std::vector<Instance> out;
  for (std::size_t i = 0; i < count; ++i) {
    // Ansible waits between the items of a looped include as between those of a task, skipped ones too.
    if (i > 0 && loop->pause > 0) std::this_thread::sleep_for(std::chrono::duration<double>(loop->pause));
    IncludeParams params;
    if (loop) {
      params.vars = loop->item_vars(i);
      // Ansible's included files get the loop and index variables and ansible_loop, not the names of the variables.
      params.vars.erase("ansible_loop_var");
      params.vars.erase("ansible_index_var");
      if (loop->items_are_data) {
        for (auto it = params.vars.begin(); it != params.vars.end(); ++it) params.data.insert(it.key());
      }
      scope.set_loop_vars(params.vars, loop->items_are_data);
    }
    if (!conditions_hold(frame, task, scope)) continue;
    Value own_vars = Value::object();
    // The old include's k=v arguments are variables of its tasks, not include parameters (pb::Keywords).
    const Value& include_vars = task.action->has(mod::kOldInclude) ? task.kw.include_params : task.kw.vars;
    if (include_vars.is_object()) {
      for (auto it = include_vars.begin(); it != include_vars.end(); ++it) {
        tmpl::Rendered rendered = tmpl::template_marked(it.value(), scope.scope(), options);
        own_vars[it.key()] = rendered.value;
        params.vars[it.key()] = std::move(rendered.value);
        if (rendered.data) params.data.insert(it.key());
      }
    }
    Instance instance = resolve_include(task, scope, options, std::move(params), own_vars);
    if (loop) instance.label = include_label(task, loop->items[i], scope, options);
    out.push_back(std::move(instance));
  }
  return out;
}

Instance Runner::resolve_include(const pb::Task& task, const TaskScope& scope, const tmpl::Options& options,
                                 IncludeParams params, const Value& own_vars) {
  Value args = tmpl::template_value(task.args, scope.scope(), options);
  if (task.action->kind == mod::ActionKind::IncludeRole) {
    std::shared_ptr<pb::Role> role = task.included_role;
    if (!role) {
      std::string name = to_plain_string(args.value("name", Value("")));
      std::string from = args.contains("tasks_from") ? to_plain_string(args["tasks_from"]) : "main";
      role = pb::load_role(name, play_.playbook->dir, play_.playbook->options, from);
    }
    std::string key = graph::role_key(included_role_use(args, role->path, own_vars));
    // Unlike a role's meta/main.yml, include_role allows duplicates unless told otherwise.
    const Value* allow = find_key(args, "allow_duplicates");
    bool allow_duplicates = allow ? ansible_bool(*allow).value_or(truthy(*allow)) : true;
    const Value* exposed = find_key(args, "public");
    bool public_role = exposed && ansible_bool(*exposed).value_or(truthy(*exposed));
    return Instance{role->path, &role->tasks,     role,       std::move(params), std::nullopt,
                    key,        allow_duplicates, public_role};
  }
  std::string file = args.contains("_raw_params") ? to_plain_string(args["_raw_params"])
                                                  : to_plain_string(args.value("file", Value("")));
  if (!task.included.empty() && !tmpl::is_template(task.args.dump())) {
    return Instance{
        resolve_path(task, file), &task.included, shared_role(task), std::move(params), std::nullopt, {}, true};
  }
  std::string path = resolve_path(task, file);
  std::lock_guard lock(play_.loaded_mutex);
  play_.loaded_tasks.push_back(
      pb::load_task_file(path, shared_role(task), play_.playbook->dir, play_.playbook->options));
  return Instance{path, &play_.loaded_tasks.back(), shared_role(task), std::move(params), std::nullopt, {}, true};
}

std::string Runner::resolve_path(const pb::Task& task, const std::string& file) const {
  if (fs::path(file).is_absolute()) return file;
  std::vector<fs::path> candidates;
  if (task.role) candidates.push_back(fs::path(task.role->path) / "tasks" / file);
  candidates.push_back(fs::path(task.file).parent_path() / file);
  candidates.push_back(fs::path(play_.playbook->dir) / file);
  for (const auto& c : candidates) {
    if (fs::exists(c)) return fs::weakly_canonical(c).string();
  }
  return candidates.front().string();
}

}  // namespace prov::exec::detail
