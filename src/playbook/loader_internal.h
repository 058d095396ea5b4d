#pragma once
// Shared pieces of the playbook loader: the load state, keyword tables and the parsers each file provides.
// Not installed: only src/playbook includes it.
#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "provision/playbook/model.h"

namespace prov::pb::detail {

/// State of one load: options, the role cache and the chains that detect import cycles.
struct LoadContext {
  LoadOptions options;
  std::string playbook_dir;
  std::map<std::string, std::shared_ptr<Role>> roles;  ///< by folder and entry points, so a role is loaded once
  std::vector<std::string> roles_loading;              ///< keys of the roles being loaded (dependency cycles)
  std::vector<std::string> task_files;                 ///< task files being loaded (import cycles)
  std::vector<std::string> playbooks;                  ///< playbooks being loaded (import_playbook cycles)
  std::vector<std::string> collections;                ///< the current play's `collections` (not for its roles)
  /// Each role's `collections` from its meta/main.yml, by role folder: where its tasks' short action names are
  /// looked up first.
  std::map<std::string, std::vector<std::string>> role_collections;
  /// The `collections` of the innermost enclosing block that has one, while its tasks are read (null outside), and
  /// the role whose block it is: a role's own task files keep the role's.
  const std::vector<std::string>* block_collections = nullptr;
  const Role* block_collections_role = nullptr;
};

/// Where a list of tasks comes from; relative imports resolve against its file's folder.
struct TaskSource {
  std::string file;
  std::shared_ptr<Role> role;
  bool handlers = false;
  bool dynamic = false;  ///< read for a dynamic include (include_tasks, at run time): an old `include` in it is too
};

// ---- kv_parser.cc ----

/// Ansible's split_args: words split at spaces and lines, except inside quotes and Jinja2 blocks. Throws
/// prov::Error (at loc) on an unbalanced quote or block.
std::vector<std::string> split_args(const std::string& args, const SourceLoc& loc);

// ---- keywords.cc ----

enum class KeywordSet { Play, Block, Task, Handler, RoleRef };

/// A `collections` list (play or role metadata): collection names, "namespace.collection". Throws prov::Error.
std::vector<std::string> read_collections(const YAML::Node& node, const std::string& file);

/// A play's vars_prompt, checked: a list of {name, prompt, default, private, confirm, unsafe}. Throws prov::Error
/// for other keys, encrypt (not supported) and an entry without a name.
Value read_vars_prompt(const YAML::Node& node, const std::string& file);

/// Every keyword valid in that place, for validation and "did you mean".
const std::vector<std::string>& keyword_names(KeywordSet set);
bool is_keyword(KeywordSet set, const std::string& key);

/// Reads one of the keywords all levels share (when, tags, become, vars, environment...) into kw.
/// Returns false when key is not one of them.
bool read_shared_keyword(const std::string& key, const YAML::Node& value, const std::string& file, Keywords& kw);

/// A condition or list of conditions (when, changed_when, failed_when, until); booleans become "True"/"False".
std::vector<std::string> read_conditions(const YAML::Node& node, const std::string& file, const std::string& key);
/// A string or a list of strings (notify, listen).
std::vector<std::string> read_string_list(const YAML::Node& node, const std::string& file, const std::string& key);
/// Tags: a string (comma separated), a number or a list of them.
std::vector<std::string> read_tags(const YAML::Node& node, const std::string& file);
/// Variables: a mapping or a list of mappings (merged in order); null is empty.
Value read_vars(const YAML::Node& node, const std::string& file, const std::string& key);
/// A scalar as text (numbers and booleans as written).
std::string read_scalar(const YAML::Node& node, const std::string& file, const std::string& key);
/// The mapping with `<<: *anchor` merge keys applied (merged keys first, explicit keys win, as PyYAML does);
/// the entries are the original nodes, so their source marks are kept. Returns map itself when it has no merge key.
YAML::Node with_merges(const YAML::Node& map, const std::string& file);
/// "a mapping", "a list", "a string", "null": for "expected X, got Y" messages.
std::string node_kind(const YAML::Node& node);

// ---- task_parser.cc ----

/// Parses a YAML list of tasks (or handlers) read from src.file.
std::vector<Task> parse_tasks(const YAML::Node& list, const TaskSource& src, LoadContext& ctx);
/// Loads a task file; `from` is where it was referenced (for errors about the file itself).
std::vector<Task> load_tasks_file(const std::string& path, const TaskSource& src, LoadContext& ctx);

/// "task 'name'", "task 'action'" or "block 'name'": how messages name a task.
std::string task_label(const Task& task);

// ---- includes.cc ----

/// Completes a task whose action the loader handles (import_tasks, include_tasks, import_role, include_role,
/// meta, include_vars): validates its arguments, expands static imports and preloads static includes.
void complete_loader_action(Task& task, const SourceLoc& action_loc, const TaskSource& src, LoadContext& ctx);

/// Throws for a keyword that an include (include_tasks, include_role) does not take, at `at`: Ansible refuses all but
/// a few there (notify, become, delegate_to, ...), whose place is the include's `apply`.
void check_include_keyword(const Task& task, const std::string& key, const SourceLoc& at);

// ---- role_loader.cc ----

/// A role's tasks as import_role expands them: each dependency as a block (its parameters as vars), then its own.
std::vector<Task> expand_role_tasks(const std::shared_ptr<Role>& role);

/// Which files of a role to load ("main" by default), as include_role's *_from options choose.
struct RoleEntryPoints {
  std::string tasks_from = "main";
  std::string vars_from = "main";
  std::string defaults_from = "main";
  std::string handlers_from = "main";
};

/// Finds a role by name or path and loads it (cached); a missing role is an error at `at` listing every path searched.
/// A role that is still being loaded is a dependency cycle (an error), or with `dynamic` (include_role) null:
/// recursion through include_role is resolved at run time.
/// `near_role` is the role the reference is written in (or null): as in Ansible, the folder holding that role is
/// searched first, so a role from the roles path finds its sibling dependencies.
std::shared_ptr<Role> resolve_role(const std::string& name, const SourceLoc& at, const RoleEntryPoints& entry,
                                   LoadContext& ctx, bool dynamic = false, const Role* near_role = nullptr);
/// A role reference in a play's roles: or a role's meta dependencies: a string or a mapping with role/name.
RoleRef parse_role_ref(const YAML::Node& node, const std::string& file, LoadContext& ctx,
                       const Role* near_role = nullptr);

// ---- paths (loader.cc) ----

/// The first of `name` under each folder that exists, or "" (absolute names are taken as they are).
std::string find_in(const std::string& name, const std::vector<std::string>& folders);
/// The folder holding file.
std::string dir_of(const std::string& file);
/// folder/name, normalised; name when it is absolute.
std::string join_path(const std::string& folder, const std::string& name);
/// Whether text holds template markup ({{ or {%).
bool has_template(const std::string& text);

/// An integer keyword (retries, delay): a whole number, or a template to be rendered at run time; anything else is
/// a located error at load.
Value read_whole_number(const YAML::Node& node, const std::string& file, const std::string& key);

}  // namespace prov::pb::detail
