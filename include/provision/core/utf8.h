#pragma once
#include <cstdint>
#include <string>

namespace prov {

/// Appends one Unicode code point to out as UTF-8 (for \u and \x escapes in the YAML, Python and Jinja readers).
void append_utf8(std::string& out, std::uint32_t code_point);

}  // namespace prov
