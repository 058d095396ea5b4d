#include "task_result.h"

#include <fmt/format.h>

#include <algorithm>

#include "scope.h"
#include "task_inputs.h"

namespace prov::exec {

out::Status status_of(const Value& result) {
  if (result.value("unreachable", false)) return out::Status::Unreachable;
  if (as_bool(result.value("failed", Value(false)), false)) return out::Status::Failed;
  if (as_bool(result.value("skipped", Value(false)), false)) return out::Status::Skipped;
  if (as_bool(result.value("changed", Value(false)), false)) return out::Status::Changed;
  return out::Status::Ok;
}

Value failure(const std::string& message) { return {{"failed", true}, {"msg", message}}; }

Value with_failed_flag(Value result) {
  if (!result.is_object() || result.contains("failed") || result.value("skipped", false) ||
      result.value("unreachable", false)) {
    return result;
  }
  const Value* rc = result.contains("rc") ? &result["rc"] : nullptr;
  result["failed"] = rc && !rc->is_null() && !(*rc == 0 || *rc == "0");
  return result;
}

std::string located(const std::string& message, const pb::Task& task) {
  return fmt::format("{} (in task '{}' at {})", message, graph::display_name(task), task.loc.str());
}

Value ResultPolicy::apply_overrides(Value result) const {
  if (status_of(result) == out::Status::Unreachable) return result;
  if (task_.changed_when.empty() && task_.failed_when.empty()) return result;
  bind(result);
  if (!task_.changed_when.empty()) {
    bool changed = true;
    for (const auto& c : task_.changed_when) changed = changed && tmpl::condition(c, scope_.scope(), options_);
    result["changed"] = changed;
  }
  if (!task_.failed_when.empty()) {
    bool failed = true;
    for (const auto& c : task_.failed_when) failed = failed && tmpl::condition(c, scope_.scope(), options_);
    result["failed_when_result"] = failed;
    result["failed"] = failed;
  }
  return result;
}

bool ResultPolicy::until_met(const Value& result) const {
  bind(result);
  bool done = true;
  for (const auto& condition : task_.until) done = done && tmpl::condition(condition, scope_.scope(), options_);
  return done;
}

void ResultPolicy::bind(const Value& result) const {
  if (!task_.register_var.empty()) scope_.bind(task_.register_var, result);
}

std::vector<std::string> ResultPolicy::notify(HostState& host) const {
  std::vector<std::string> names;
  auto add = [&](std::string name) {
    if (std::find(host.notified.begin(), host.notified.end(), name) == host.notified.end()) {
      host.notified.push_back(name);
    }
    names.push_back(std::move(name));
  };
  for (const std::string& raw_name : notify_) {
    Value rendered = raw_name;
    try {
      rendered = tmpl::template_value(Value(raw_name), scope_.scope(), options_);
    } catch (const Error&) {}
    // A template may give a list of names (`notify: "{{ handler_list }}"`), as Ansible's list keyword takes it.
    if (!rendered.is_array()) rendered = Value::array({rendered});
    for (const auto& name : rendered) add(to_plain_string(name));
  }
  return names;
}

void count_outcome(out::HostStats& stats, const TaskOutcome& outcome) {
  bool changed = as_bool(outcome.result.value("changed", Value(false)), false);
  switch (outcome.status) {
    case out::Status::Ok: ++stats.ok; break;
    case out::Status::Changed:
      ++stats.ok;
      ++stats.changed;
      break;
    case out::Status::Skipped: ++stats.skipped; break;
    case out::Status::Unreachable:
      if (outcome.ignored) {
        ++stats.ok;
        ++stats.ignored;
      } else {
        ++stats.unreachable;
      }
      break;
    case out::Status::Failed:
      if (outcome.ignored) {
        ++stats.ok;
        ++stats.ignored;
        if (changed) ++stats.changed;
      } else {
        ++stats.failed;
      }
      break;
  }
}

}  // namespace prov::exec
