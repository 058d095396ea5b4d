#pragma once
// A play compiled into the task graph: sections of nodes (tasks, blocks, role instances) with their effective tags,
// and the handler list. The graph is the one source for running, --list-tasks, --list-tags, --tags/--skip-tags,
// --start-at-task and --role.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "provision/playbook/model.h"

namespace prov::graph {

/// A role where the play names it: a roles: entry or meta dependency (`ref`), or an import_role or include_role
/// task. Ansible keeps the `vars:` given there among the role variables (not the block variables).
struct NamedRole {
  const pb::Role* role = nullptr;
  const Value* vars = nullptr;       ///< the `vars:` of the reference or the task
  const pb::RoleRef* ref = nullptr;  ///< set when named by a roles: entry or a meta dependency
};

struct Node {
  enum class Kind { Task, Block, Role };
  Kind kind = Kind::Task;
  const pb::Task* task = nullptr;          ///< Task and Block
  std::shared_ptr<pb::Role> role;          ///< Role: the role; Task/Block: the role it belongs to (or null)
  /// Role, and a role's handler: the role instance (role_identity.h). On a host where the instance has run, its
  /// tasks are skipped unless it allows duplicates; a handler's identity is its task and this key.
  std::string role_key;
  const pb::RoleRef* role_ref = nullptr;   ///< Role and its handlers: how the play or a meta dependency named it
  const pb::Task* role_import = nullptr;   ///< Role and its handlers: the import_role or include_role naming it
  std::set<std::string> tags;              ///< own tags plus every enclosing block's, role's and the play's
  std::vector<Node> block, rescue, always; ///< Block; a Role instance keeps its tasks in `block`
  /// Role run as a meta dependency: the roles that depend on it, innermost first (its tasks' ansible_search_path
  /// and the variables they inherit).
  std::vector<NamedRole> dependents;
  /// A handler: which list of handlers it belongs to (PlayGraph::handlers) and the `block:`s around it, outermost
  /// first, whose keywords reach it.
  int handler_list = 0;
  std::vector<const pb::Task*> enclosing_blocks;
};

struct Section {
  std::string name;  ///< pre_tasks, tasks (roles then tasks), post_tasks
  std::vector<Node> nodes;
};

struct PlayGraph {
  const pb::Play* play = nullptr;
  std::vector<Section> sections;
  /// Handlers as Ansible lists them: each roles: entry's role handlers (dependencies' first; again for a role
  /// listed again), then imported roles' and the play's in the order Ansible reads them. A handler may appear more
  /// than once; a notification by name goes to the last list (consecutive handlers of one handler_list) holding it.
  /// As in Ansible, each `block:` of a handlers file is a list, and so is each run of handlers between blocks.
  std::vector<Node> handlers;
  /// The play's roles as Ansible's play lists them for everyone's variables: the roles: entries, then the imported
  /// roles as read (an include_role with `public` joins when it runs). Their dependencies are reached through them.
  std::vector<NamedRole> named_roles;
  /// Per role instance: whether it allows duplicates when the play starts, from meta/main.yml or, for an
  /// imported role, from the last import_role of it that Ansible reads.
  std::map<std::string, bool> allow_duplicates;
  bool start_found = true;                          ///< --start-at-task: the task is in this play (or none asked)
};

/// What the operator selected on the command line.
struct Selection {
  std::vector<std::string> tags;        ///< empty: all
  std::vector<std::string> skip_tags;
  std::string role;                     ///< --role: only that role's tasks
  std::string start_at_task;            ///< --start-at-task
};

/// Compiles a play: expands roles (meta dependencies first; every listing of a role is kept, the executor skips a
/// role instance that has run), computes inherited tags, and drops what the selection excludes.
PlayGraph compile(const pb::Play& play, const Selection& selection);

/// Tasks compiled at run time, with what their import_role tasks add to the play when they are read.
struct CompiledTasks {
  std::vector<Node> nodes;
  std::vector<Node> handlers;                    ///< handlers of the roles imported (and of an included role)
  std::map<std::string, bool> allow_duplicates;  ///< as PlayGraph::allow_duplicates, for the roles met
  std::vector<NamedRole> named_roles;            ///< the roles imported, which join PlayGraph::named_roles
};

/// Compiles a task list loaded at run time (include_tasks) under the same selection.
CompiledTasks compile_tasks(const std::vector<pb::Task>& tasks, const std::set<std::string>& inherited_tags,
                            std::shared_ptr<pb::Role> role, const Selection& selection);

/// Compiles the role the include_role task `include` runs, its meta dependencies first; `role_key` is its instance.
CompiledTasks compile_included_role(const std::shared_ptr<pb::Role>& role, const std::string& role_key,
                                    const pb::Task& include, const std::set<std::string>& inherited_tags,
                                    const Selection& selection);

/// Whether a task with these effective tags runs under the selection (Ansible's rules for always, never,
/// tagged, untagged and all).
bool selected_by_tags(const std::set<std::string>& tags, const Selection& selection);

/// "role : name" or the task's name, or its action when it has no name: what banners and listings show.
std::string display_name(const pb::Task& task);

/// What Ansible shows for a task without a name: its action as written ("ansible.builtin.copy"), and for
/// include_role the role's name as written after it ("include_role : web").
std::string unnamed_task_title(const pb::Task& task);

}  // namespace prov::graph
