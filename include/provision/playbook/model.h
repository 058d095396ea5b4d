#pragma once
// Loaded and validated plays, roles, blocks and tasks. Values are raw (not templated): templating happens per host
// at run time. Every item keeps the place it was read from.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "provision/core/error.h"
#include "provision/core/value.h"
#include "provision/modules/action.h"
#include "provision/playbook/meta.h"

namespace prov::pb {

struct Role;

/// Keywords that blocks, tasks, roles and plays share; unset ones are inherited from the parent at run time.
struct Keywords {
  std::vector<std::string> when;          ///< conditions, all must hold; a block's apply to its children too
  std::vector<std::string> tags;          ///< as written here (the graph computes inherited tags)
  Value become;                           ///< null: inherit; otherwise bool or template string
  Value become_user;
  Value become_method;
  Value check_mode;
  Value diff;
  Value no_log;
  Value ignore_errors;
  Value ignore_unreachable;
  Value environment;                      ///< dict, list of dicts (merged in order), template string, or null
  Value vars = Value::object();           ///< object (may be empty)
  /// The `vars:` of an old `include` (`vars` also holds its k=v arguments): Ansible's include parameters, which
  /// win over set_fact and include_vars where the arguments, a block's or an import's variables do not.
  Value include_params = Value::object();
  Value any_errors_fatal;
  Value run_once;
  Value delegate_to;
  /// Ansible keywords kept raw by name that have no field of their own: remote_user, connection, port, async, poll,
  /// throttle, timeout, delegate_facts, module_defaults, collections, debugger, become_exe, become_flags, and on
  /// plays order, force_handlers, gather_subset, gather_timeout, fact_path, vars_prompt.
  Value other = Value::object();
};

struct Task {
  SourceLoc loc;
  std::string file;                       ///< the file the task was read from
  std::string name;                       ///< may hold templates; empty: shown as the action
  std::string action_as_written;          ///< "ansible.builtin.copy" or "copy": an unnamed task's banner shows it
  const mod::Action* action = nullptr;    ///< resolved at load from any of its names (never null once loaded);
                                          ///< a static import, once expanded, is a block
  Value args = Value::object();           ///< raw arguments; free form in "_raw_params"; arguments from a
                                          ///< variable (`file: "{{ x }}"`, `args: "{{ x }}"`) in "_variable_params":
                                          ///< templated to a mapping at run time, the other args override it
  std::map<std::string, SourceLoc> arg_locs;
  Keywords kw;

  // Loops: loop_kind is "" (none), "loop", or the with_* lookup name ("items", "dict", "list", ...).
  std::string loop_kind;
  Value loop;
  Value loop_control = Value::object();  ///< loop_var, index_var, label, pause, extended

  std::string register_var;
  std::vector<std::string> notify;
  std::vector<std::string> listen;        ///< handlers only
  std::vector<std::string> changed_when;  ///< empty: the module decides
  std::vector<std::string> failed_when;
  std::vector<std::string> until;
  Value retries;                          ///< null: 3 when until is set
  Value delay;                            ///< null: 5

  // action kind Block
  std::vector<Task> block, rescue, always;

  // Static imports are expanded at load time into a block holding the imported tasks.
  // Dynamic includes (include_tasks/include_role) whose file name is static are preloaded here so that
  // everything is validated before anything runs; templated names are loaded at run time.
  std::vector<Task> included;
  std::shared_ptr<Role> included_role;    ///< include_role / import_role target when static

  /// The role this task belongs to, or null. A plain back-pointer: the role owns its tasks, so an owning
  /// pointer here would be a cycle that is never freed.
  Role* role = nullptr;
  bool is_handler = false;

  /// "import_tasks" or "import_role" when this block stands for a static import (its file is in args), else "".
  std::string import_kind;
  const MetaSpec* meta = nullptr;  ///< a meta task's action (ActionKind::Meta), found at load
  /// include_tasks/include_role's `apply`: a block's keywords (and notify) around the included tasks, or null.
  std::shared_ptr<Task> apply;
  /// An action named by a template (ActionKind::Templated): the collections its short name is looked up in.
  std::vector<std::string> action_collections;
};

struct RoleRef {
  SourceLoc loc;
  std::string name;                       ///< as written (may be a path)
  Value params = Value::object();         ///< role parameters (vars passed in the reference)
  Keywords kw;                            ///< when/tags/become on the reference
  std::shared_ptr<Role> role;             ///< resolved
};

struct Role : std::enable_shared_from_this<Role> {
  std::string name;
  std::string path;                       ///< the role's folder
  Value defaults = Value::object();       ///< defaults/main.yml
  Value vars = Value::object();           ///< vars/main.yml
  std::vector<Task> tasks;                ///< tasks/main.yml (or tasks_from)
  std::vector<Task> handlers;             ///< handlers/main.yml
  std::vector<RoleRef> dependencies;      ///< meta/main.yml
  bool allow_duplicates = false;
};

struct Play {
  SourceLoc loc;
  std::string file;
  std::string name;
  std::string hosts;                      ///< pattern, may be templated; lists are joined with ','
  Keywords kw;                            ///< play-level become, vars (kw.vars), tags, environment...
                                          ///< kw.when only holds the conditions of an `import_playbook ... when:`
                                          ///< (they apply to every task of the play); `when` on a play is an error
  std::vector<std::string> vars_files;    ///< resolved relative to the playbook when loaded
  Value vars_files_values = Value::array();  ///< the loaded contents, in order
  /// Per vars_files entry, the candidate paths in order (several for a first-found list). An entry whose name
  /// holds a template is not loaded: vars_files[i] is the raw name and vars_files_values[i] is null, to be
  /// resolved per host at run time against the candidates.
  std::vector<std::vector<std::string>> vars_files_candidates;
  std::vector<RoleRef> roles;
  std::vector<Task> pre_tasks, tasks, post_tasks, handlers;
  Value gather_facts;                     ///< null: true
  Value serial;                           ///< null, int, "30%", or a list of them
  std::string strategy = "linear";
  Value max_fail_percentage;
  std::string playbook_dir;               ///< folder of the file the play was read from (an imported playbook's
                                          ///< own folder); Playbook::dir is the top playbook's
};

/// Search settings for roles and files, and where load warnings go.
struct LoadOptions {
  std::vector<std::string> roles_path;  ///< extra role folders (--roles-path, ansible.cfg roles_path)
  /// Folders holding ansible_collections/NS/NAME (collections_path), searched after the playbook's collections/ for
  /// a role named NS.NAME.ROLE.
  std::vector<std::string> collections_path;
  /// Told what loads but deserves a word ("file:line:col: the module 'yum' of Ansible is not supported..."); may
  /// be empty. Also called when a task file or role is loaded at run time.
  std::function<void(const std::string&)> warn;
};

struct Playbook {
  std::string path;
  std::string dir;
  std::vector<Play> plays;                ///< import_playbook already expanded, in order
  /// Several playbooks run as one: the number of plays up to the end of each (a PLAY RECAP follows each end).
  std::vector<std::size_t> ends;
  std::vector<std::string> given;  ///< each playbook as the command line named it
  LoadOptions options;  ///< what it was loaded with, for the task files and roles included at run time
};

/// Parses an Ansible free-form argument string (`k=v k2="v 2" words`) as Ansible's parse_kv does: quotes and
/// Jinja2 blocks keep spaces together, escapes are decoded, quotes around values are removed. Words that are not
/// k=v go to "_raw_params"; with check_raw (command, shell, raw, script) only the command options (chdir, creates,
/// removes, executable, stdin, stdin_add_newline, strip_empty_ends, warn) are taken as k=v. Throws prov::Error
/// (at `loc`) on unbalanced quotes or Jinja2 blocks.
Value parse_kv(const std::string& text, bool check_raw, const SourceLoc& loc = {});

/// Loads and validates a playbook and everything it imports. Throws prov::Error with file:line:col.
Playbook load_playbook(const std::string& path, const LoadOptions& options = {});

/// Loads a task file at run time (include_tasks with a templated name); `role` is set on the tasks.
std::vector<Task> load_task_file(const std::string& path, std::shared_ptr<Role> role);

/// As above, with the roles search of the playbook (for include_role inside the file); `handlers` marks the tasks
/// as handlers (an include_tasks in a handler).
std::vector<Task> load_task_file(const std::string& path, std::shared_ptr<Role> role, const std::string& playbook_dir,
                                 const LoadOptions& options, bool handlers = false);

/// The module of a task whose `action`/`local_action` names it with a template (`action: {module: "{{ m }}"}`),
/// once that name is rendered for a host: found as at load (a short name in the task's collections first), the
/// task's argument names checked against it. Throws prov::Error for a name that is no module (or one of the
/// loader's own actions) and for an argument the module does not take.
const mod::Action& templated_module(const Task& task, const std::string& module_name);

/// Loads a role by name at run time (include_role with a templated name).
std::shared_ptr<Role> load_role(const std::string& name, const std::string& playbook_dir, const LoadOptions& options,
                                const std::string& tasks_from = "main", const std::string& vars_from = "main",
                                const std::string& defaults_from = "main", const std::string& handlers_from = "main");

}  // namespace prov::pb
