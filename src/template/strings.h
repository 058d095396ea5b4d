#pragma once
// Python string operations shared by methods and filters.
#include <string>
#include <vector>

#include "runtime.h"

namespace prov::tmpl {

std::vector<std::string> split_whitespace(const std::string& s, int64_t maxsplit, bool from_right);
std::vector<std::string> split_on(const std::string& s, const std::string& sep, int64_t maxsplit, bool from_right);
std::vector<std::string> split_lines(const std::string& s);
std::string strip_chars(const std::string& s, const std::string& chars, bool left, bool right);
std::string to_upper(std::string s);
std::string to_lower(std::string s);
std::string capitalize(const std::string& s);
std::string title_case(const std::string& s);
std::string replace_all(const std::string& s, const std::string& from, const std::string& to, int64_t count = -1);
/// Pads s to width code points; align is '<', '>' or '^' (Python's center puts the extra space on the right).
std::string justify(const std::string& s, size_t width, const std::string& fill, char align);
/// str.format with {} {0} {name} and format specs ({:>5}, {:.2f}, {:03d}).
std::string python_format(const std::string& fmt, const Args& args);
/// One value formatted with a Python format spec.
std::string format_spec(const Value& v, const std::string& spec);
/// printf-style `fmt % args`. With a mapping (Python's `fmt % dict`), `%(name)s` takes the mapping's `name` and
/// args are not required to be used up.
std::string percent_format(const std::string& fmt, const std::vector<Value>& args, const Value* mapping = nullptr);

}  // namespace prov::tmpl
