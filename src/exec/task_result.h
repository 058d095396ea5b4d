#pragma once
// What a task's result means for the host: its status, changed_when and failed_when, until, register, the
// handlers it notifies, and the stats it counts.
#include <string>

#include "provision/template/engine.h"
#include "state.h"

namespace prov::exec {

class TaskScope;

/// What a task did on a host, for the play runner (which handles blocks, rescue and handlers).
struct TaskOutcome {
  out::Status status = out::Status::Ok;
  bool ignored = false;  ///< failed under ignore_errors, or unreachable under ignore_unreachable
  Value result;
};

out::Status status_of(const Value& result);

/// A failed result with its message.
Value failure(const std::string& message);

/// The result with `failed` set where the action left it out, as Ansible's task executor does before failed_when:
/// true for a non-zero `rc`, else false (so that a registered `r.failed` is defined). Skipped and unreachable results
/// are left as they are.
Value with_failed_flag(Value result);

/// The message with the task's name and place, for errors raised while the task ran.
std::string located(const std::string& message, const pb::Task& task);

/// The task's result rules on one host, through its scope (where register binds the result for the conditions).
class ResultPolicy {
 public:
  /// `inherited`: the enclosing block's notify (Frame::notify), used when the task has none of its own.
  ResultPolicy(const pb::Task& task, TaskScope& scope, const tmpl::Options& options,
               const std::vector<std::string>* inherited)
      : task_(task), scope_(scope), options_(options),
        notify_(task.notify.empty() && inherited != nullptr ? *inherited : task.notify) {}

  /// changed_when and failed_when, which see the result under the register name, as in Ansible.
  Value apply_overrides(Value result) const;
  /// Every `until` condition holds for this result.
  bool until_met(const Value& result) const;
  /// Makes the result visible under the register name to the task's own later conditions.
  void bind(const Value& result) const;
  /// Records the task's notify names (templated where they can be) as notified on the host, each once; returns
  /// them.
  std::vector<std::string> notify(HostState& host) const;

 private:
  const pb::Task& task_;
  TaskScope& scope_;
  const tmpl::Options& options_;
  const std::vector<std::string>& notify_;
};

/// Counts an outcome in the host's recap, as Ansible does (an ignored failure counts as ok, and changed if it was).
void count_outcome(out::HostStats& stats, const TaskOutcome& outcome);

}  // namespace prov::exec
