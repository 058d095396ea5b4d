#pragma once
#include <string>
#include <vector>

#include "provision/core/value.h"

namespace prov::exec {

/// The items of a loop: `kind` is "loop" or a with_* lookup name ("items", "dict", "list", "indexed_items",
/// "sequence", "nested", "together", "subelements", "fileglob", "random_choice"); `value` is already templated.
/// Throws prov::Error for a value of the wrong shape or an unsupported lookup.
std::vector<Value> loop_items(const std::string& kind, const Value& value);

}  // namespace prov::exec
