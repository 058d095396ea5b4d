#pragma once
// One task on one host: conditions, loop items, argument templating, the module, until/retries,
// changed_when/failed_when, register, notify, and the result that the sink and the stats see.
#include "provision/template/engine.h"
#include "state.h"
#include "task_inputs.h"
#include "task_loop.h"
#include "task_result.h"

namespace prov::exec {

class TaskScope;

/// Runs `node` (a leaf task) on `host` within `frame`, reporting through the play's sink and counting stats.
TaskOutcome run_task(PlayState& play, HostState& host, const graph::Node& node, const Frame& frame);

/// A task's first command on a host, known before the task runs (mod::first_query).
struct PlannedProbe {
  std::string command;
  conn::RunOptions options;
  mod::ProbePrelude prelude = nullptr;
  std::string shared;  ///< for the prelude
  bool shares_subshell = false;
};

struct PlannedProbes {
  std::vector<PlannedProbe> probes;  ///< in the order the task would send them (one per loop item that runs)
  bool complete = false;             ///< every command the task starts with is among them
};

/// What `node` would send first on `host` if it ran now, one probe per loop item whose `when` holds. Incomplete
/// for delegation, no_log, a `when` or loop that fails, bad arguments, and modules that cannot tell. Runs
/// nothing and reports nothing.
PlannedProbes planned_probes(PlayState& play, HostState& host, const graph::Node& node, const Frame& frame);

/// How the play's own steps (fact gathering, as Ansible's implicit setup task) run on a host: from the play's
/// keywords and the host's variables.
struct PlayStep {
  conn::Become become;
  ConnectionPlan plan;
  bool ignore_unreachable = false;
};

/// The play's keywords and `host`'s variables (ansible_become*, ansible_connection, ...) for its own steps.
/// Throws tmpl::TemplateError.
PlayStep play_step(PlayState& play, HostState& host, const Frame& frame);

/// Every `when` condition that applies to the task (enclosing ones first) holds on this host.
/// Throws prov::Error (with the task's place) when a condition cannot be evaluated.
bool conditions_hold(const Frame& frame, const pb::Task& task, const TaskScope& scope, bool disable_lookups = false);

/// The task's name for its banner: templates rendered with `host`'s variables, as written where that fails.
std::string task_title(const PlayState& play, const pb::Task& task, HostState& host, const Frame& frame);

}  // namespace prov::exec
