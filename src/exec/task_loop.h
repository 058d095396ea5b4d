#pragma once
// A task's loop on one host: its items and the variables each item gets, its labels, and the one result the items
// add up to.
#include <string>
#include <vector>

#include "provision/output/events.h"
#include "provision/template/engine.h"
#include "state.h"

namespace prov::exec {

class TaskInputs;
class TaskScope;

struct TaskLoop {
  std::vector<Value> items;
  bool items_are_data = false;  ///< the items are data (tmpl::Vars)
  std::string var = "item";     ///< loop_control.loop_var
  std::string index_var;        ///< loop_control.index_var
  bool extended = false;        ///< loop_control.extended: ansible_loop
  bool allitems = true;         ///< loop_control.extended_allitems
  double pause = 0;             ///< loop_control.pause: seconds to wait before each item after the first

  /// The variables item i gets: the loop variable, the index variable, ansible_loop when extended.
  Value item_vars(std::size_t i) const;
  /// Adds the loop's own keys to an item's result, as Ansible does.
  void mark_item_result(Value& result, std::size_t i) const;
};

/// A with_* lookup or loop kind that could not make the items: its message is the task's, as Ansible gives it
/// (without the task's location that provision adds to other errors).
class LoopItemsError : public Error {
 public:
  using Error::Error;
};

/// The task's loop rendered for this host, with what loop_control says. Throws LoopItemsError when the lookup
/// fails.
TaskLoop read_task_loop(const PlayState& play, const pb::Task& task, const TaskInputs& inputs, const TaskScope& scope,
                        const tmpl::Options& options);

/// loop_control.pause rendered: the seconds to wait before each item after the first, 0 without one; a value that
/// is not a number is an error located at the task.
double loop_pause(const pb::Task& task, const tmpl::Vars& vars, const tmpl::Options& options);

/// Whether a loop's items are data (tmpl::Vars): a with_* lookup's always, as Ansible wraps them; loop:'s when
/// its expression read data.
bool items_are_data(const pb::Task& task, const tmpl::Rendered& loop);

/// The label shown for an item: loop_control.label rendered for it, or the item itself.
std::string item_label(const pb::Task& task, const Value& item, const TaskInputs& inputs);

/// The result of a whole loop from its items' results, as Ansible sums them up.
class LoopSummary {
 public:
  void add(out::Status status, Value item_result);
  Value result() const;

 private:
  Value results_ = Value::array();
  bool any_changed_ = false;
  bool any_failed_ = false;
  bool any_unreachable_ = false;
  bool all_skipped_ = true;
};

/// The result of a loop without items.
Value empty_loop_result();

}  // namespace prov::exec
