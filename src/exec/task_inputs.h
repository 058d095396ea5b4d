#pragma once
// What a task hands its module on one host: its keywords templated, become, environment, the folders `src` is
// searched in, and the arguments rendered and checked against the module's spec.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "provision/modules/module.h"
#include "provision/template/engine.h"
#include "state.h"

namespace prov::exec {

class TaskScope;

/// The value of the `omit` variable: an argument templated to it is left out, as if never written.
inline constexpr std::string_view kOmitPlaceholder = "__omit_place_holder__provision";

/// Template settings as ansible-playbook 2.14 applies them to task arguments and variables (no native types).
tmpl::Options ansible_options();

/// Lets the lookups the template engine leaves to the executor run with these options: inventory_hostnames and
/// those the with_ loops of provision's own are (subelements, sequence, nested, ...).
void add_inventory_lookups(tmpl::Options& options, const PlayState& play);

/// ansible_options() for one task: its place for messages and, for lookups, the folders of the ansible_search_path
/// in `vars` (without it: its role's and the playbook's).
tmpl::Options template_options(const PlayState& play, const pb::Task& task, const tmpl::Vars* vars = nullptr);

/// The first non-null value of a keyword from the task outwards (task, blocks, role, play), or null.
Value keyword(const Frame& frame, const pb::Task* task, Value pb::Keywords::*field);

/// A keyword kept raw in Keywords::other (timeout, connection, ...) from the task outwards, not templated; null
/// when unset. `task` may be null (the play's own steps).
Value other_keyword(const Frame& frame, const pb::Task* task, const char* name);

/// The connection, remote_user and port keywords in effect, rendered through `scope`.
ConnectionKeywords connection_keywords(const Frame& frame, const pb::Task* task, const TaskScope& scope,
                                       const tmpl::Options& options);

/// A keyword's boolean as Ansible reads it (core's ansible_bool); `fallback` when null; other text is false.
bool as_bool(const Value& v, bool fallback);

/// An integer keyword (retries, delay, timeout) after templating, converted as Ansible converts it.
long long whole_number(const Value& value, const char* keyword, const SourceLoc& loc);

/// Ansible's rule: the ansible_become* variables beat the become* keywords (from the task outwards), which beat
/// the command line. `task` may be null (the play's own steps).
conn::Become resolve_become(const PlayState& play, const Frame& frame, const pb::Task* task, const TaskScope& scope,
                            const tmpl::Options& options);

/// A module's context for one run, or the result that ends the task before the module runs.
struct ModuleCall {
  std::optional<mod::Context> context;  ///< null: `early` is the task's result
  Value early;                          ///< bad arguments, or check mode the module does not support
  Value args;                           ///< the rendered arguments as written, for the log
  bool args_are_data = false;           ///< the arguments were made from data (set_fact keeps the mark)
};

/// The keywords and arguments of one task on one host, read through the task's scope.
class TaskInputs {
 public:
  TaskInputs(const PlayState& play, HostState& host, const Frame& frame, const pb::Task& task, const TaskScope& scope,
             const tmpl::Options& options)
      : play_(play), host_(host), frame_(frame), task_(task), scope_(scope), options_(options) {}

  Value templated(const Value& raw) const;
  /// A keyword from the task outwards, templated; null when unset.
  Value templated_keyword(Value pb::Keywords::*field) const;
  /// A keyword kept raw in Keywords::other (timeout, ...), from the task outwards; null when unset.
  Value other_keyword(const char* name) const;
  /// The timeout keyword: a limit in seconds on each run of the action; 0 is none.
  long long timeout() const;
  conn::Become become() const;
  std::map<std::string, std::string> environment() const;
  /// The module_defaults that apply to the module (its groups' entries, then its own), templated; the task's
  /// arguments override them.
  Value module_defaults(const mod::Module& module) const;
  /// Renders and validates the arguments and fills the context: check and diff mode, become, environment.
  ModuleCall module_call(const mod::Module& module) const;

 private:
  const PlayState& play_;
  HostState& host_;
  const Frame& frame_;
  const pb::Task& task_;
  const TaskScope& scope_;
  const tmpl::Options& options_;
};

/// The arguments as logged at -vvv: values of no_log arguments (passwords) replaced, as Ansible shows them.
std::string censored(const mod::Module& module, const Value& args);

}  // namespace prov::exec
