#pragma once
// The one table of actions (src/modules/registry.cc): every name a task may use as its action, what kind of
// action it is, and how the loader reads its arguments and the output shows its result. The loader resolves a
// task's action once; everything after dispatches on the kind and the flags, never on the name.
#include <string>
#include <string_view>
#include <vector>

namespace prov::mod {

class Module;

enum class ActionKind {
  Module,          ///< a module: runs on the host, or on the controller when its spec says so
  Block,           ///< block, and a static import expanded at load
  ImportTasks,     ///< expanded into a block at load
  IncludeTasks,    ///< a task file run per host (and per item) at run time
  ImportRole,      ///< expanded into a block at load
  IncludeRole,     ///< a role run per host (and per item) at run time
  ImportPlaybook,  ///< only valid as a play
  IncludeVars,     ///< reads variables files on the controller
  Meta,            ///< flush_handlers, end_play, ...
  NotInProvision,  ///< a module of Ansible's that provision lacks: a warning at load, a failed task where it runs
  Templated,       ///< `action: "{{ name }}"`: the module is found on each host when the task runs
};

enum ActionFlag : unsigned {
  kNoFlags = 0,
  /// Words that are not key=value stay the command line (Ansible's FREEFORM_ACTIONS): `shell: echo a=b`.
  kCommandLine = 1U << 0,
  /// Accepts free-form words in `_raw_params` (Ansible's RAW_PARAM_MODULES); implied by a spec's free_form.
  kRawParams = 1U << 1,
  /// The result is shown even without -v (debug).
  kShowsResult = 1U << 2,
  /// ansible_facts of the result become host variables at once, also between loop items (set_fact).
  kSetsFacts = 1U << 3,
  /// `src` is searched in templates/ folders rather than files/ (template).
  kTemplateSource = 1U << 4,
  /// `include`, the name of include_tasks before Ansible 2.4: read statically as import_tasks where it can be (a
  /// file name without a template, no loop, not within a dynamic include), and its other arguments are variables
  /// of the included tasks.
  kOldInclude = 1U << 5,
};

struct Action {
  std::string name;  ///< the short name shown in banners and messages
  ActionKind kind = ActionKind::Module;
  const Module* module = nullptr;  ///< the module, for ActionKind::Module only
  unsigned flags = kNoFlags;

  bool has(ActionFlag flag) const { return (flags & flag) != 0; }
  /// The module takes any argument name (set_fact: the names are variables), so names are not checked at load.
  bool free_keys() const;
};

/// The action named by a short name, an ansible.builtin./ansible.legacy. name or another FQCN the module accepts
/// (community.general.ufw); nullptr when no action has that name. Constant time.
const Action* find_action(std::string_view name);

/// A module Ansible knows (ansible-core 2.14 or a collection of Debian's ansible package, short name, FQCN or
/// ansible.legacy. name) that provision does not implement, as an action of kind NotInProvision named as written;
/// nullptr for a name provision has or Ansible does not know either (a typo).
const Action* find_ansible_only_action(std::string_view name);

/// The action of a task whose module is named by a template (kind Templated); pb::with_templated_action gives the
/// task its module on each host.
const Action& templated_action();

/// The action of a block (also of a static import once expanded).
const Action& block_action();

/// Every short action name a task may use (modules and the loader's own), for "did you mean".
std::vector<std::string> action_names();

}  // namespace prov::mod
