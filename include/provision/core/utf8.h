#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "provision/core/value.h"

namespace prov {

/// Appends one Unicode code point to out as UTF-8 (for \u and \x escapes in the YAML, Python and Jinja readers).
void append_utf8(std::string& out, std::uint32_t code_point);

/// Whether s is well-formed UTF-8 (Unicode's table 3-7: no overlong forms, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view s);

/// The offset of the first byte of s that is not part of well-formed UTF-8, or npos when there is none.
size_t invalid_utf8_at(std::string_view s);

/// s with every byte that is not part of well-formed UTF-8 replaced by U+FFFD, as Python decodes a host's output
/// with errors='replace' (so Ansible shows it).
std::string to_valid_utf8(std::string_view s);

/// Every string (and key) in v made well-formed UTF-8 with to_valid_utf8: what a host sends becomes text that
/// JSON and the output sinks can carry.
void make_valid_utf8(Value& v);

}  // namespace prov
