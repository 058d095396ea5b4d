#pragma once
// The play runner's parts (one serial batch of a play): the walk over sections, blocks and roles
// (play_runner.cc), includes (include_runner.cc), handlers (handlers.cc), probes sent ahead (probes_ahead.cc), and
// the strategy that decides how hosts go through a section (strategy.h).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "state.h"
#include "strategy.h"

namespace prov::exec {

class TaskScope;

namespace detail {

inline out::HostResult host_result(const std::string& host, out::Status status, Value result) {
  out::HostResult r;
  r.host = host;
  r.status = status;
  r.result = std::move(result);
  return r;
}

/// How --step names a task: "TASK: role : name", "HANDLER: name", the action for an unnamed task.
std::string step_subject(const pb::Task& task, bool is_handler);
bool is_include(const pb::Task& task);
bool is_meta(const pb::Task& task);

/// Enters the role of a Role node or of a role's handler: its tasks see the role, and the keywords and parameters
/// of what named it.
void enter_role(Frame& frame, const graph::Node& node);

/// A task of the frame's role instance, if any, ran on the host: the instance counts as run once the host reaches
/// its end.
void note_role_ran(PlayState& play, const Frame& frame, const HostState& h);

// One run of an included file or role on a host: what to run and the variables it gets.
struct Instance {
  std::string file;
  const std::vector<pb::Task>* tasks = nullptr;
  std::shared_ptr<pb::Role> role;
  IncludeParams params;
  std::optional<std::string> label;  ///< the loop item's label, for a looped include
  std::string role_key;              ///< include_role: the role instance
  bool allow_duplicates = true;      ///< include_role: whether the instance allows duplicates from now on
  bool public_role = false;          ///< include_role `public`: its variables reach the play's later tasks
};

// The tasks after a leaf in its list, whose probes may be sent ahead with its own.
struct Following {
  const std::vector<graph::Node>* nodes = nullptr;
  size_t from = 0;
};

class Runner {
 public:
  explicit Runner(PlayState& play);
  void run();

 private:
  // play_runner.cc: the walk
  void run_nodes(const std::vector<graph::Node>& nodes, const Hosts& hosts, const Frame& frame);
  void run_role(const graph::Node& node, const Hosts& hosts, const Frame& frame);
  void run_block(const graph::Node& node, const Hosts& hosts, const Frame& frame);
  /// Prints the task's banner, its name rendered with the first host's variables.
  void banner(const graph::Node& node, const Hosts& hosts, const Frame& frame, bool is_handler);
  void run_leaf(const graph::Node& node, const Hosts& hosts, const Frame& frame, bool is_handler,
                Following following = {});
  /// The task's throttle (inherited from blocks, roles and the play), templated with the host's variables; 0:
  /// no bound. Throws prov::Error for a value that is not a whole number.
  long long throttle(const pb::Task& task, const Frame& frame, HostState& h);
  void apply_failure_policy(const Hosts& hosts, const Frame& frame, const pb::Task& task);
  void run_meta(const graph::Node& node, const Hosts& hosts, const Frame& frame);
  void flush_for(const Hosts& acting, const Hosts& hosts);  ///< meta: flush_handlers (meta.cc)
  void clear_host_errors();
  void clear_facts();
  /// --step: asks whether the task `subject` runs (for `host` under the free strategy); false skips it. An
  /// answer missing (end of input) ends the run.
  bool take_step(const std::string& subject, const HostState* host);
  void gather_facts(const Hosts& hosts);

  // probes_ahead.cc
  void send_probes_ahead(HostState& h, const graph::Node& node, const Frame& frame, Following following);

  // include_runner.cc
  void run_include(const graph::Node& node, const Hosts& hosts, const Frame& frame);
  void report_included(std::map<HostState*, std::vector<Instance>>& per_host, std::size_t rounds);
  void add_loaded(graph::CompiledTasks& compiled);
  std::vector<Instance> expand_include(const pb::Task& task, HostState& h, const Frame& frame);
  Instance resolve_include(const pb::Task& task, const TaskScope& scope, const tmpl::Options& options,
                           IncludeParams params, const Value& own_vars);
  std::string resolve_path(const pb::Task& task, const std::string& file) const;

  // handlers.cc
  /// Runs the handlers the hosts were notified of; with force_handlers, for hosts that failed too.
  void flush_handlers(const Hosts& hosts);
  /// The play's force_handlers keyword (templated with the first host's variables), or --force-handlers.
  bool force_handlers(const Hosts& hosts);

  PlayState& play_;
  const Strategy& strategy_;
  Frame root_;
  bool force_handlers_ = false;
};

}  // namespace detail
}  // namespace prov::exec
