#pragma once
// The variables one task sees on one host, assembled in Ansible's precedence order.
#include <memory>
#include <vector>

#include "provision/vars/scope.h"
#include "state.h"

namespace prov::exec {

/// Owns what a Scope points at for one task on one host. Not copyable: the Scope holds pointers into it.
class TaskScope {
 public:
  TaskScope(const PlayState& play, HostState& host, const Frame& frame, const pb::Task* task);
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;

  /// Adds per-item variables (item, ansible_loop, index_var) above task vars; `data` when the items are data
  /// (with_* lookups, or a loop expression that read data).
  void set_loop_vars(Value loop_vars, bool data);
  /// Binds a value under a name above everything but extra vars (register name while evaluating changed_when).
  void bind(const std::string& name, Value value);

  const vars::Scope& scope() const { return scope_; }

 private:
  vars::Scope scope_;
  Value task_magic_ = Value::object();
  Value loop_vars_ = Value::object();
  vars::NameSet loop_data_;
  Value bound_ = Value::object();
  std::vector<std::unique_ptr<Value>> owned_;
};

/// The hostvars magic variable: every host's variables as far as they are known now.
Value build_hostvars(const PlayState& play);

}  // namespace prov::exec
