#pragma once
// A play compiled into the task graph: sections of nodes (tasks, blocks, role instances) with their effective tags,
// and the handler list. The graph is the one source for running, --list-tasks, --list-tags, --tags/--skip-tags,
// --start-at-task and --role.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "provision/playbook/model.h"

namespace prov::graph {

struct Node {
  enum class Kind { Task, Block, Role };
  Kind kind = Kind::Task;
  const pb::Task* task = nullptr;          ///< Task and Block
  const pb::RoleRef* role_ref = nullptr;   ///< Role: how the play or a meta dependency named it
  std::shared_ptr<pb::Role> role;          ///< Role: the role; Task/Block: the role it belongs to (or null)
  std::set<std::string> tags;              ///< own tags plus every enclosing block's, role's and the play's
  std::vector<Node> block, rescue, always; ///< Block; a Role instance keeps its tasks in `block`
};

struct Section {
  std::string name;  ///< pre_tasks, tasks (roles then tasks), post_tasks
  std::vector<Node> nodes;
};

struct PlayGraph {
  const pb::Play* play = nullptr;
  std::vector<Section> sections;
  std::vector<Node> handlers;                       ///< roles' handlers in role order, then the play's
  std::vector<std::shared_ptr<pb::Role>> roles;     ///< every role instance in run order (for defaults/vars)
  bool start_found = true;                          ///< --start-at-task: the task is in this play (or none asked)
};

/// What the operator selected on the command line.
struct Selection {
  std::vector<std::string> tags;        ///< empty: all
  std::vector<std::string> skip_tags;
  std::string role;                     ///< --role: only that role's tasks
  std::string start_at_task;            ///< --start-at-task
};

/// Compiles a play: expands roles (meta dependencies first, each role once per play unless allow_duplicates or
/// different parameters), computes inherited tags, and drops what the selection excludes.
PlayGraph compile(const pb::Play& play, const Selection& selection);

/// Compiles a task list loaded at run time (include_tasks, include_role) under the same selection.
std::vector<Node> compile_tasks(const std::vector<pb::Task>& tasks, const std::set<std::string>& inherited_tags,
                                std::shared_ptr<pb::Role> role, const Selection& selection);

/// Whether a task with these effective tags runs under the selection (Ansible's rules for always, never,
/// tagged, untagged and all).
bool selected_by_tags(const std::set<std::string>& tags, const Selection& selection);

/// "role : name" or the task's name, or its action when it has no name: what banners and listings show.
std::string display_name(const pb::Task& task);

}  // namespace prov::graph
