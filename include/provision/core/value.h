#pragma once
// The one dynamic value type: what YAML, JSON, variables, module arguments and results are made of.
// An ordered JSON value keeps mapping keys in insertion order, as Python dicts (and so Ansible) do.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace prov {

using Value = nlohmann::ordered_json;

/// Python-style truthiness: null, false, 0, 0.0, "", [] and {} are false.
bool truthy(const Value& v);

/// A value as a plain string: strings verbatim, everything else as compact JSON.
std::string to_plain_string(const Value& v);

/// Returns v[key] when v is an object holding key, otherwise nullptr.
const Value* find_key(const Value& v, std::string_view key);

/// The value as Python's int() takes it for an integer keyword (retries, delay, serial): integers, floats
/// (truncated), booleans and whole-number text; nullopt for anything else or a number out of range.
std::optional<long long> as_whole_number(const Value& v);

/// Ansible's boolean() (convert_bool): y, yes, on, 1, true, t and n, no, off, 0, false, f in any case, the
/// numbers 1 and 0, and booleans; nullopt for anything else, which each caller reports or defaults as it must.
std::optional<bool> ansible_bool(const Value& v);

/// `!unsafe` text from YAML is kept as this prefix and the text: the template engine gives the text back exactly,
/// never renders it, and marks what is made from it as data (tmpl::Vars). Nothing else reads the prefix.
inline constexpr std::string_view kUnsafeMark = "{#provision:unsafe#}";
/// Every string in v (and v itself when it is one) marked with kUnsafeMark.
Value mark_unsafe(Value v);

}  // namespace prov

namespace prov {

/// JSON as Python's json.dumps writes it (", " and ": " separators, or indented lines), as Ansible prints results.
/// indent < 0: one line. Non-ASCII stays as UTF-8 (ensure_ascii=False).
std::string python_json(const Value& v, int indent = -1, bool sort_keys = true);

}  // namespace prov
