#include "task_loop.h"

#include <fmt/format.h>

#include <cstdlib>
#include <optional>

#include "loops.h"
#include "provision/core/text.h"
#include "scope.h"
#include "task_inputs.h"

namespace prov::exec {

namespace {

// A number of seconds as Python's float() reads it: a number, or text that is one.
std::optional<double> seconds_of(const Value& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string text(trim(v.get<std::string>()));
  char* end = nullptr;
  double n = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
  return n;
}

}  // namespace

TaskLoop read_task_loop(const PlayState& play, const pb::Task& task, const TaskInputs& inputs, const TaskScope& scope,
                        const tmpl::Options& options) {
  TaskLoop loop;
  tmpl::Rendered raw_items = tmpl::template_marked(task.loop, scope.scope(), options);
  try {
    loop.items = task_loop_items(play, task, raw_items.value, scope.scope(), options);
  } catch (const tmpl::UndefinedError&) {
    throw;
  } catch (const Error& e) {
    throw LoopItemsError(e.message());
  }
  loop.items_are_data = items_are_data(task, raw_items);
  const Value& control = task.loop_control;
  auto text = [&](const char* key, const char* fallback) {
    const Value* v = find_key(control, key);
    return v ? to_plain_string(*v) : std::string(fallback);
  };
  auto flag = [&](const char* key, bool fallback) {
    const Value* v = find_key(control, key);
    return v ? as_bool(inputs.templated(*v), fallback) : fallback;
  };
  loop.var = text("loop_var", "item");
  loop.index_var = text("index_var", "");
  loop.extended = flag("extended", false);
  loop.allitems = flag("extended_allitems", true);
  loop.pause = loop_pause(task, scope.scope(), options);
  return loop;
}

double loop_pause(const pb::Task& task, const tmpl::Vars& vars, const tmpl::Options& options) {
  const Value* pause = find_key(task.loop_control, "pause");
  if (!pause) return 0;
  Value seconds = tmpl::template_value(*pause, vars, options);
  std::optional<double> n = seconds_of(seconds);
  if (!n) {
    throw Error(fmt::format("loop_control.pause must be a number of seconds, got '{}'", to_plain_string(seconds)),
                task.loc);
  }
  return *n;
}

Value TaskLoop::item_vars(std::size_t i) const {
  Value loop_vars = {{var, items[i]}, {"ansible_loop_var", var}};
  if (!index_var.empty()) {
    loop_vars[index_var] = i;
    loop_vars["ansible_index_var"] = index_var;
  }
  // ansible_loop only with loop_control.extended, as in Ansible: its allitems copies the whole list for each item,
  // which a long loop cannot afford otherwise.
  if (extended) {
    Value& loop = loop_vars["ansible_loop"] = {{"index", i + 1},
                                               {"index0", i},
                                               {"revindex", items.size() - i},
                                               {"revindex0", items.size() - i - 1},
                                               {"first", i == 0},
                                               {"last", i + 1 == items.size()},
                                               {"length", items.size()}};
    if (allitems) loop["allitems"] = items;
    if (i > 0) loop["previtem"] = items[i - 1];
    if (i + 1 < items.size()) loop["nextitem"] = items[i + 1];
  }
  return loop_vars;
}

void TaskLoop::mark_item_result(Value& result, std::size_t i) const {
  result[var] = items[i];
  result["ansible_loop_var"] = var;
  if (!index_var.empty()) result[index_var] = i;
}

bool items_are_data(const pb::Task& task, const tmpl::Rendered& loop) { return task.loop_kind != "loop" || loop.data; }

std::string item_label(const pb::Task& task, const Value& item, const TaskInputs& inputs) {
  const Value& control = task.loop_control;
  if (control.is_object() && control.contains("label")) {
    try {
      return tmpl::python_str(inputs.templated(control["label"]));
    } catch (const Error&) {}
  }
  return tmpl::python_str(item);
}

void LoopSummary::add(out::Status status, Value item_result) {
  any_changed_ |= status == out::Status::Changed;
  any_failed_ |= status == out::Status::Failed;
  any_unreachable_ |= status == out::Status::Unreachable;
  all_skipped_ &= status == out::Status::Skipped;
  results_.push_back(std::move(item_result));
}

Value LoopSummary::result() const {
  Value result = {{"changed", any_changed_}, {"msg", "All items completed"}, {"results", results_}};
  if (any_failed_) {
    result["failed"] = true;
    result["msg"] = "One or more items failed";
  } else if (any_unreachable_) {
    result["unreachable"] = true;  // a failed item wins, as in Ansible
  } else if (all_skipped_) {
    result["skipped"] = true;
  }
  return result;
}

Value empty_loop_result() {
  return {
      {"changed", false}, {"skipped", true}, {"skipped_reason", "No items in the list"}, {"results", Value::array()}};
}

}  // namespace prov::exec
