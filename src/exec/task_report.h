#pragma once
// What the output sees of one task on one host: each loop item, then the outcome, with no_log's and debug's rules
// for what is shown.
#include <string>

#include "state.h"
#include "task_result.h"

namespace prov::exec {

class TaskReport {
 public:
  TaskReport(PlayState& play, const HostState& host, const pb::Task& task) : play_(play), host_(host), task_(task) {}

  /// no_log hides everything but the outcome (and item labels).
  void set_no_log(bool no_log) { no_log_ = no_log; }
  /// The host the task ran on instead (delegate_to), shown as "host -> other".
  void set_delegated_to(std::string host) { delegated_to_ = std::move(host); }
  /// The module a templated action name (`action: "{{ m }}"`) found on this host.
  void set_action(const mod::Action* action) { action_ = action; }

  void item(out::Status status, const Value& result, const std::string& label) const;
  void outcome(const TaskOutcome& outcome) const;

 private:
  bool shows_result(out::Status status) const;
  Value displayed(const Value& result) const;

  PlayState& play_;
  const HostState& host_;
  const pb::Task& task_;
  const mod::Action* action_ = task_.action;
  bool no_log_ = false;
  std::string delegated_to_;
};

}  // namespace prov::exec
