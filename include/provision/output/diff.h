#pragma once
#include <string>

#include "provision/core/value.h"

namespace prov::out {

/// Renders a result's `diff` ({before, after, before_header, after_header} or a list of them) as a unified diff,
/// the way ansible-playbook --diff shows it. Non-string sides (state dicts) are shown as indented JSON.
std::string render_diff(const Value& diff);

/// A unified diff of two texts with 3 lines of context; "" when they are equal.
std::string unified_diff(const std::string& before, const std::string& after, const std::string& before_header,
                         const std::string& after_header);

}  // namespace prov::out
