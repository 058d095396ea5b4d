#include "task_report.h"

namespace prov::exec {

namespace {

constexpr const char* kCensored =
    "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

}  // namespace

void TaskReport::item(out::Status status, const Value& result, const std::string& label) const {
  out::HostResult event;
  event.host = host_.name;
  event.delegated_to = delegated_to_;
  event.action = action_->name;
  event.status = status;
  event.is_item = true;
  event.item_label = no_log_ ? "None" : label;
  event.result = displayed(result);
  event.show_result = shows_result(status);
  play_.sink->host_result(event);
}

void TaskReport::outcome(const TaskOutcome& outcome) const {
  bool loop = !task_.loop_kind.empty() && outcome.result.contains("results") && !outcome.result["results"].empty();
  out::HostResult event;
  event.host = host_.name;
  event.delegated_to = delegated_to_;
  event.action = action_->name;
  event.status = outcome.status;
  event.ignored = outcome.ignored;
  if (loop) {
    out::HostResult whole = event;
    whole.loop_end = true;
    whole.result = displayed(outcome.result);
    whole.show_result = shows_result(outcome.status);
    play_.sink->host_result(whole);
    // Items were shown one by one; Ansible adds a line only for a wholly skipped loop or an ignored failure.
    if (outcome.status == out::Status::Skipped) {
      event.result = Value{{"changed", false}, {"skipped", true}};
      play_.sink->host_result(event);
    } else if (outcome.status == out::Status::Failed && !outcome.ignored) {
      event.result = displayed(Value{{"changed", outcome.result.value("changed", Value(false))},
                                     {"msg", outcome.result.value("msg", Value(""))}});
      play_.sink->host_result(event);
    } else if (outcome.status == out::Status::Failed) {
      play_.sink->ignored_note();
    } else if (outcome.status == out::Status::Unreachable) {
      event.result = displayed(outcome.result);  // Ansible shows the whole result here, ignored or not
      play_.sink->host_result(event);
    }
    return;
  }
  event.result = displayed(outcome.result);
  event.show_result = shows_result(outcome.status);
  play_.sink->host_result(event);
}

// debug's result is shown without -v, when it succeeded.
bool TaskReport::shows_result(out::Status status) const {
  return action_->has(mod::kShowsResult) && (status == out::Status::Ok || status == out::Status::Changed);
}

// What the sink may show: no_log hides everything but the outcome; debug shows only its message.
Value TaskReport::displayed(const Value& result) const {
  if (no_log_) {
    Value hidden = {{"censored", kCensored}, {"changed", result.value("changed", Value(false))}};
    if (result.contains("failed")) hidden["failed"] = result["failed"];
    return hidden;
  }
  if (action_->has(mod::kShowsResult) && !result.value("failed", false) && !result.value("skipped", false)) {
    Value shown = Value::object();
    for (auto it = result.begin(); it != result.end(); ++it) {
      if (it.key() == "changed" || it.key() == "_ansible_verbose_always" || it.key() == "ansible_loop_var") continue;
      if (result.contains("ansible_loop_var") && it.key() == to_plain_string(result["ansible_loop_var"])) continue;
      shown[it.key()] = it.value();
    }
    return shown;
  }
  return result;
}

}  // namespace prov::exec
