#pragma once
// Python `re` patterns on top of std::regex (ECMAScript): named groups, \A \Z, inline (?i) flags, and Python's
// replacement syntax (\1, \g<1>, \g<name>).
#include <map>
#include <regex>
#include <string>

namespace prov::tmpl {

struct PyRegex {
  std::regex re;
  std::map<std::string, int> group_names;
};

/// Compiles a Python pattern; raises TemplateError when it is invalid or uses unsupported syntax.
PyRegex compile_regex(const std::string& pattern, bool ignorecase = false, bool multiline = false);

/// Expands a Python replacement template for one match.
std::string expand_replacement(const std::string& repl, const std::smatch& m, const PyRegex& rx);

}  // namespace prov::tmpl
