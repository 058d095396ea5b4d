#pragma once
// The one table of meta actions (`meta: flush_handlers`, ...): the loader checks a task's against it, the executor
// runs what the row says. A new meta action is one line in src/playbook/meta.cc.
#include <string>
#include <string_view>
#include <vector>

namespace prov::pb {

enum class MetaAction {
  FlushHandlers,
  RefreshInventory,
  Noop,
  ClearFacts,
  ClearHostErrors,
  EndPlay,
  EndHost,
  EndBatch,
  ResetConnection,
  RoleComplete,
};

struct MetaSpec {
  std::string_view name;
  MetaAction action;
  /// Ansible's linear strategy runs it once for all hosts (when the first host's conditions hold); the others run
  /// for each host whose conditions hold.
  bool once;
  /// false: a `when` on it is warned about and ignored, as in Ansible.
  bool takes_condition;
  /// What it says it did (a META line at -vv), "{host}" standing for the host; empty: its name.
  std::string_view done;
  /// What its skip reason adds after "NAME conditional evaluated to False", "{host}" standing for the host.
  std::string_view skipped;

  /// What it says it did for `host`.
  std::string done_message(const std::string& host) const;
  /// Why it did nothing for `host`, whose conditions were false.
  std::string skip_reason(const std::string& host) const;
};

/// The meta action of that name, or nullptr.
const MetaSpec* find_meta(std::string_view name);

/// Every meta action's name, for "did you mean".
std::vector<std::string> meta_names();

}  // namespace prov::pb
