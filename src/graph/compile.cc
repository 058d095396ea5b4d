#include <fnmatch.h>
#include <algorithm>
#include <filesystem>

#include "provision/graph/graph.h"
#include "provision/graph/role_identity.h"

namespace prov::graph {

namespace {

bool has(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

RoleUse use_of(const pb::RoleRef& ref) {
  RoleUse use;
  use.name = ref.name;
  use.path = ref.role->path;
  use.params = ref.params;
  use.when = ref.kw.when;
  use.tags = ref.kw.tags;
  use.vars = ref.kw.vars;
  return use;
}

// import_role is read when the play loads: its arguments as written, entry points by file name only.
RoleUse use_of_import(const pb::Task& task) {
  RoleUse use;
  use.name = to_plain_string(task.args.value("name", Value("")));
  use.path = task.included_role->path;
  use.vars = task.kw.vars;
  use.from_include = true;
  for (const char* from : {"tasks", "vars", "defaults", "handlers"}) {
    const Value* file = find_key(task.args, std::string(from) + "_from");
    if (!file || !file->is_string()) continue;
    use.from_files[from] = std::filesystem::path(file->get<std::string>()).filename().string();
  }
  return use;
}

// Ansible reads a play's roles first, then its handlers, pre_tasks, post_tasks and tasks: the last import_role of a
// role instance read decides whether that instance allows duplicates, and imported handlers are listed in that order.
enum class Reading { Roles, Handlers, PreTasks, PostTasks, Tasks };

class Compiler {
 public:
  Compiler(const pb::Play& play, const Selection& selection) : play_(play), selection_(selection) {
    play_tags_.insert(play.kw.tags.begin(), play.kw.tags.end());
    started_ = selection.start_at_task.empty();
  }

  CompiledTasks run_tasks(const std::vector<pb::Task>& list, const std::set<std::string>& inherited,
                          std::shared_ptr<pb::Role> role) {
    CompiledTasks out;
    out.nodes = tasks(list, inherited, std::move(role));
    finish(out);
    return out;
  }

  CompiledTasks run_included_role(const std::shared_ptr<pb::Role>& role, const std::string& key,
                                  const pb::Task& include, const std::set<std::string>& inherited) {
    CompiledTasks out;
    const NamedRole named{role.get(), &include.kw.vars, nullptr};
    for (const auto& dep : role->dependencies) add_role(dep, inherited, out.nodes, {named});
    Node node;
    node.kind = Node::Kind::Role;
    node.role = role;
    node.role_import = &include;
    node.role_key = key;
    node.tags = inherited;
    node.block = tasks(role->tasks, inherited, role);
    out.nodes.push_back(std::move(node));
    finish(out);
    add_role_handlers(*role, key, nullptr, nullptr, out.handlers);
    return out;
  }

  PlayGraph run() {
    PlayGraph graph;
    graph.play = &play_;
    reading_ = Reading::PreTasks;
    graph.sections.push_back({"pre_tasks", tasks(play_.pre_tasks, play_tags_, nullptr)});
    Section main{"tasks", {}};
    reading_ = Reading::Roles;
    std::vector<Node> role_handlers;
    for (const auto& ref : play_.roles) {
      if (ref.role) imported_roles_.push_back({{Reading::Roles, 0}, {ref.role.get(), &ref.kw.vars, &ref}});
      add_role(ref, play_tags_, main.nodes);
      if (ref.role) add_role_handlers(*ref.role, role_key(use_of(ref)), &ref, nullptr, role_handlers);
    }
    reading_ = Reading::Tasks;
    for (auto& node : tasks(play_.tasks, play_tags_, nullptr)) main.nodes.push_back(std::move(node));
    graph.sections.push_back(std::move(main));
    reading_ = Reading::PostTasks;
    graph.sections.push_back({"post_tasks", tasks(play_.post_tasks, play_tags_, nullptr)});

    std::vector<Node> play_handlers;
    add_handlers(play_.handlers, Node{}, play_handlers);
    imported_handlers_.push_back({{Reading::Handlers, 0}, std::move(play_handlers)});
    std::stable_sort(imported_handlers_.begin(), imported_handlers_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    graph.handlers = std::move(role_handlers);
    for (auto& [when_read, list] : imported_handlers_) {
      for (auto& node : list) graph.handlers.push_back(std::move(node));
    }
    graph.named_roles = named_roles();
    for (const auto& [key, setting] : allow_duplicates_) graph.allow_duplicates[key] = setting.second;
    graph.start_found = started_;
    return graph;
  }

 private:
  // Where an import_role was read, in Ansible's reading order.
  using ReadAt = std::pair<Reading, int>;

  void finish(CompiledTasks& out) {
    for (auto& [when_read, list] : imported_handlers_) {
      for (auto& node : list) out.handlers.push_back(std::move(node));
    }
    for (const auto& [key, setting] : allow_duplicates_) out.allow_duplicates[key] = setting.second;
    out.named_roles = named_roles();
  }

  // The roles: entries first, then the imported roles in Ansible's reading order.
  std::vector<NamedRole> named_roles() {
    std::stable_sort(imported_roles_.begin(), imported_roles_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<NamedRole> out;
    for (const auto& [when_read, named] : imported_roles_) out.push_back(named);
    return out;
  }

  Node leaf(const pb::Task& task, const std::set<std::string>& inherited, std::shared_ptr<pb::Role> role) {
    Node node;
    node.kind = Node::Kind::Task;
    node.task = &task;
    node.role = role ? role : task.role ? task.role->shared_from_this() : nullptr;
    node.tags = inherited;
    node.tags.insert(task.kw.tags.begin(), task.kw.tags.end());
    return node;
  }

  std::vector<Node> tasks(const std::vector<pb::Task>& list, const std::set<std::string>& inherited,
                          std::shared_ptr<pb::Role> role) {
    std::vector<Node> out;
    for (const auto& task : list) {
      if (task.import_kind == "import_role" && task.included_role) {
        add_imported_role(task, inherited, role, out);
        continue;
      }
      if (task.action->kind == mod::ActionKind::ImportTasks && !task.included.empty()) {
        Node node = leaf(task, inherited, role);
        node.kind = Node::Kind::Block;
        node.block = tasks(task.included, node.tags, node.role);
        if (!node.block.empty()) out.push_back(std::move(node));
        continue;
      }
      if (task.action->kind == mod::ActionKind::Block) {
        Node node = leaf(task, inherited, role);
        node.kind = Node::Kind::Block;
        node.block = tasks(task.block, node.tags, node.role);
        node.rescue = tasks(task.rescue, node.tags, node.role);
        node.always = tasks(task.always, node.tags, node.role);
        if (!node.block.empty() || !node.always.empty()) out.push_back(std::move(node));
        continue;
      }
      Node node = leaf(task, inherited, role);
      if (keep(node)) out.push_back(std::move(node));
    }
    return out;
  }

  // A leaf stays when the selection wants it; --start-at-task drops everything before the named task.
  bool keep(const Node& node) {
    if (!started_) {
      std::string name = display_name(*node.task);
      const std::string& want = selection_.start_at_task;
      if (node.task->name == want || name == want || fnmatch(want.c_str(), name.c_str(), 0) == 0) started_ = true;
      if (!started_) return false;
    }
    if (!selection_.role.empty() && (!node.role || node.role->name != selection_.role)) return false;
    return selected_by_tags(node.tags, selection_);
  }

  // import_role is static: a block with the import's keywords holds the role's dependencies and the role, whose
  // handlers join the play's when the import is read. Its allow_duplicates (true unless given, taken as Python
  // truth since Ansible does not convert it) replaces the role's own.
  void add_imported_role(const pb::Task& task, const std::set<std::string>& inherited,
                         const std::shared_ptr<pb::Role>& owner, std::vector<Node>& out) {
    const std::shared_ptr<pb::Role>& role = task.included_role;
    std::string key = role_key(use_of_import(task));
    const Value* allow = find_key(task.args, "allow_duplicates");
    ReadAt read_at{reading_, ++read_count_};
    auto [setting, added] = allow_duplicates_.try_emplace(key, read_at, true);
    if (added || setting->second.first < read_at) setting->second = {read_at, allow ? truthy(*allow) : true};

    Node wrapper = leaf(task, inherited, owner);
    wrapper.kind = Node::Kind::Block;
    const NamedRole named{role.get(), &task.kw.vars, nullptr};
    imported_roles_.push_back({read_at, named});
    for (const auto& dep : role->dependencies) add_role(dep, wrapper.tags, wrapper.block, {named});
    Node node;
    node.kind = Node::Kind::Role;
    node.role = role;
    node.role_import = &task;
    node.role_key = key;
    node.tags = wrapper.tags;
    node.block = tasks(role->tasks, wrapper.tags, role);
    wrapper.block.push_back(std::move(node));
    out.push_back(std::move(wrapper));

    std::vector<Node> handlers;
    add_role_handlers(*role, key, nullptr, &task, handlers);
    imported_handlers_.push_back({read_at, std::move(handlers)});
  }

  // A role of roles: or a meta dependency: its dependencies first, then its tasks. Every listing is kept, the
  // executor skips an instance that has run.
  void add_role(const pb::RoleRef& ref, const std::set<std::string>& inherited, std::vector<Node>& out,
                const std::vector<NamedRole>& dependents = {}) {
    if (!ref.role) return;
    std::set<std::string> tags = inherited;
    tags.insert(ref.kw.tags.begin(), ref.kw.tags.end());
    const NamedRole named{ref.role.get(), &ref.kw.vars, &ref};
    for (const auto& dep : ref.role->dependencies) add_role(dep, tags, out, with_dependent(named, dependents));
    std::string key = role_key(use_of(ref));
    allow_duplicates_.try_emplace(key, ReadAt{Reading::Roles, 0}, ref.role->allow_duplicates);
    Node node;
    node.kind = Node::Kind::Role;
    node.role_ref = &ref;
    node.role = ref.role;
    node.role_key = key;
    node.tags = tags;
    node.dependents = dependents;
    node.block = tasks(ref.role->tasks, tags, ref.role);
    out.push_back(std::move(node));
  }

  static std::vector<NamedRole> with_dependent(const NamedRole& role, std::vector<NamedRole> outer) {
    outer.insert(outer.begin(), role);
    return outer;
  }

  // A role instance's handlers as Ansible lists them: its dependencies' first.
  void add_role_handlers(const pb::Role& role, const std::string& key, const pb::RoleRef* ref, const pb::Task* import,
                         std::vector<Node>& out) {
    for (const auto& dep : role.dependencies) {
      if (dep.role) add_role_handlers(*dep.role, role_key(use_of(dep)), &dep, nullptr, out);
    }
    Node instance;
    instance.role_key = key;
    instance.role_ref = ref;
    instance.role_import = import;
    add_handlers(role.handlers, instance, out);
  }

  // A handlers file as Ansible keeps it, a list of blocks: each run of plain handlers is one, each `block:` one.
  // As in ansible-core 2.14, only the handlers right inside a block's `block:` can be notified (not those of its
  // rescue or always, nor of a block within it). Handlers take the role instance of `like`.
  void add_handlers(const std::vector<pb::Task>& list, const Node& like, std::vector<Node>& out) {
    bool in_plain_run = false;
    for (const auto& handler : list) {
      const bool is_block = handler.action->kind == mod::ActionKind::Block;
      if (is_block || !in_plain_run) ++handler_lists_;
      in_plain_run = !is_block;
      add_handler(handler, like, play_tags_, {}, out);
    }
  }

  void add_handler(const pb::Task& handler, const Node& like, const std::set<std::string>& inherited,
                   std::vector<const pb::Task*> enclosing, std::vector<Node>& out) {
    Node node = leaf(handler, inherited, nullptr);
    if (handler.action->kind == mod::ActionKind::Block) {
      if (!enclosing.empty()) return;
      enclosing.push_back(&handler);
      for (const auto& inner : handler.block) add_handler(inner, like, node.tags, enclosing, out);
      return;
    }
    node.role_key = like.role_key;
    node.role_ref = like.role_ref;
    node.role_import = like.role_import;
    node.handler_list = handler_lists_;
    node.enclosing_blocks = std::move(enclosing);
    out.push_back(std::move(node));
  }

  const pb::Play& play_;
  const Selection& selection_;
  std::set<std::string> play_tags_;
  std::vector<std::pair<ReadAt, NamedRole>> imported_roles_;
  Reading reading_ = Reading::Tasks;
  int read_count_ = 0;
  std::map<std::string, std::pair<ReadAt, bool>> allow_duplicates_;
  std::vector<std::pair<ReadAt, std::vector<Node>>> imported_handlers_;
  int handler_lists_ = 0;
  bool started_ = true;
};

}  // namespace

bool selected_by_tags(const std::set<std::string>& tags, const Selection& selection) {
  const auto& want = selection.tags;
  const auto& skip = selection.skip_tags;
  auto any_in = [&](const std::vector<std::string>& names) {
    for (const auto& tag : tags) {
      if (has(names, tag)) return true;
    }
    return false;
  };
  if (!skip.empty()) {
    if (any_in(skip)) return false;
    if (has(skip, "tagged") && !tags.empty()) return false;
    if (has(skip, "untagged") && tags.empty()) return false;
  }
  bool never = tags.count("never") > 0;
  if (want.empty() || has(want, "all")) {
    return !never || any_in(want);
  }
  if (tags.count("always") && !has(skip, "always")) return true;
  if (any_in(want)) return true;
  if (has(want, "tagged") && !tags.empty() && !never) return true;
  if (has(want, "untagged") && (tags.empty() || (tags.size() == 1 && tags.count("always")))) return true;
  return false;
}

std::string unnamed_task_title(const pb::Task& task) {
  std::string name = task.action_as_written.empty() ? task.action->name : task.action_as_written;
  if (task.action->kind == mod::ActionKind::IncludeRole) {
    const Value* role = find_key(task.args, "name");
    if (!role) role = find_key(task.args, "role");
    if (role) name += " : " + to_plain_string(*role);
  }
  return name;
}

std::string display_name(const pb::Task& task) {
  std::string name = task.name.empty() ? unnamed_task_title(task) : task.name;
  if (task.role) return task.role->name + " : " + name;
  return name;
}

PlayGraph compile(const pb::Play& play, const Selection& selection) { return Compiler(play, selection).run(); }

namespace {

const pb::Play& empty_play() {
  static const pb::Play play;
  return play;
}

Selection without_start(const Selection& selection) {
  Selection out = selection;
  out.start_at_task.clear();
  return out;
}

}  // namespace

CompiledTasks compile_tasks(const std::vector<pb::Task>& tasks, const std::set<std::string>& inherited_tags,
                            std::shared_ptr<pb::Role> role, const Selection& selection) {
  Selection selected = without_start(selection);
  return Compiler(empty_play(), selected).run_tasks(tasks, inherited_tags, std::move(role));
}

CompiledTasks compile_included_role(const std::shared_ptr<pb::Role>& role, const std::string& role_key,
                                    const pb::Task& include, const std::set<std::string>& inherited_tags,
                                    const Selection& selection) {
  Selection selected = without_start(selection);
  return Compiler(empty_play(), selected).run_included_role(role, role_key, include, inherited_tags);
}

}  // namespace prov::graph
