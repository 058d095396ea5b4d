#include <algorithm>
#include <fnmatch.h>

#include "provision/graph/graph.h"

namespace prov::graph {

namespace {

bool has(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

class Compiler {
 public:
  Compiler(const pb::Play& play, const Selection& selection) : play_(play), selection_(selection) {
    play_tags_.insert(play.kw.tags.begin(), play.kw.tags.end());
    started_ = selection.start_at_task.empty();
  }

  std::vector<Node> run_tasks(const std::vector<pb::Task>& list, const std::set<std::string>& inherited,
                              std::shared_ptr<pb::Role> role) {
    return tasks(list, inherited, std::move(role));
  }

  PlayGraph run() {
    PlayGraph graph;
    graph.play = &play_;
    graph.sections.push_back({"pre_tasks", tasks(play_.pre_tasks, play_tags_, nullptr)});
    Section main{"tasks", {}};
    for (const auto& ref : play_.roles) add_role(ref, play_tags_, main.nodes, graph);
    for (auto& node : tasks(play_.tasks, play_tags_, nullptr)) main.nodes.push_back(std::move(node));
    graph.sections.push_back(std::move(main));
    graph.sections.push_back({"post_tasks", tasks(play_.post_tasks, play_tags_, nullptr)});
    for (const auto& role : imported_roles_) graph.roles.push_back(role);
    for (const auto& role : graph.roles) {
      for (const auto& handler : role->handlers) graph.handlers.push_back(leaf(handler, play_tags_, role));
    }
    for (const auto& handler : play_.handlers) graph.handlers.push_back(leaf(handler, play_tags_, nullptr));
    graph.start_found = started_;
    return graph;
  }

 private:
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
      if (task.action->kind == mod::ActionKind::ImportRole && task.included_role) {
        add_imported_role(task, inherited, out);
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

  // import_role is static: the role's tasks take the import's place and its handlers join the play's.
  void add_imported_role(const pb::Task& task, const std::set<std::string>& inherited, std::vector<Node>& out) {
    Node node;
    node.kind = Node::Kind::Role;
    node.task = &task;
    node.role = task.included_role;
    node.tags = inherited;
    node.tags.insert(task.kw.tags.begin(), task.kw.tags.end());
    node.block = tasks(task.included_role->tasks, node.tags, task.included_role);
    imported_roles_.push_back(task.included_role);
    if (!node.block.empty()) out.push_back(std::move(node));
  }

  void add_role(const pb::RoleRef& ref, const std::set<std::string>& inherited, std::vector<Node>& out,
                PlayGraph& graph) {
    if (!ref.role) return;
    std::set<std::string> tags = inherited;
    tags.insert(ref.kw.tags.begin(), ref.kw.tags.end());
    for (const auto& dep : ref.role->dependencies) add_role(dep, tags, out, graph);
    // Ansible runs a role once per play unless it allows duplicates or is given other parameters.
    std::string key = ref.role->path + "\n" + ref.params.dump();
    if (!ref.role->allow_duplicates && !seen_roles_.insert(key).second) return;
    graph.roles.push_back(ref.role);
    Node node;
    node.kind = Node::Kind::Role;
    node.role_ref = &ref;
    node.role = ref.role;
    node.tags = tags;
    node.block = tasks(ref.role->tasks, tags, ref.role);
    out.push_back(std::move(node));
  }

  const pb::Play& play_;
  const Selection& selection_;
  std::set<std::string> play_tags_;
  std::set<std::string> seen_roles_;
  std::vector<std::shared_ptr<pb::Role>> imported_roles_;
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

std::string display_name(const pb::Task& task) {
  std::string name = task.name.empty() ? task.action->name : task.name;
  if (task.role) return task.role->name + " : " + name;
  return name;
}

PlayGraph compile(const pb::Play& play, const Selection& selection) { return Compiler(play, selection).run(); }

std::vector<Node> compile_tasks(const std::vector<pb::Task>& tasks, const std::set<std::string>& inherited_tags,
                                std::shared_ptr<pb::Role> role, const Selection& selection) {
  static const pb::Play empty_play;
  Selection without_start = selection;
  without_start.start_at_task.clear();
  return Compiler(empty_play, without_start).run_tasks(tasks, inherited_tags, std::move(role));
}

}  // namespace prov::graph
