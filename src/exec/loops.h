#pragma once
#include <string>
#include <vector>

#include "provision/core/value.h"
#include "provision/template/engine.h"
#include "state.h"

namespace prov::exec {

/// The items of a loop: `kind` is "loop" or a with_* lookup name ("items", "dict", "list", "indexed_items",
/// "sequence", "nested", "together", "subelements"); `value` is already templated.
/// Throws prov::Error for a value of the wrong shape or an unsupported lookup.
std::vector<Value> loop_items(const std::string& kind, const Value& value);

/// with_sequence's items (sequence.cc): each term of `value` gives its numbers, formatted. Throws prov::Error with
/// Ansible's messages.
std::vector<Value> sequence_items(const Value& value);

/// Whether loop_items itself makes a loop of this kind (else a lookup plugin of the template engine does).
bool builtin_loop(const std::string& kind);

/// The items of a task's loop: loop_items for the built-in kinds, else the lookup plugin run on the templated
/// value's terms with Ansible's search path for it (the role's, then the playbook's folder for the lookup).
/// Throws prov::Error as loop_items, tmpl::TemplateError for a failed lookup.
std::vector<Value> task_loop_items(const PlayState& play, const pb::Task& task, const Value& value,
                                   const tmpl::Vars& vars, tmpl::Options options);

}  // namespace prov::exec
