#pragma once
// The one dynamic value type: what YAML, JSON, variables, module arguments and results are made of.
// An ordered JSON value keeps mapping keys in insertion order, as Python dicts (and so Ansible) do.
#include <nlohmann/json.hpp>
#include <string>

namespace prov {

using Value = nlohmann::ordered_json;

/// Python-style truthiness: null, false, 0, 0.0, "", [] and {} are false.
bool truthy(const Value& v);

/// A value as a plain string: strings verbatim, everything else as compact JSON.
std::string to_plain_string(const Value& v);

/// Returns v[key] when v is an object holding key, otherwise nullptr.
const Value* find_key(const Value& v, std::string_view key);

}  // namespace prov

namespace prov {

/// JSON as Python's json.dumps writes it (", " and ": " separators, or indented lines), as Ansible prints results.
/// indent < 0: one line. Non-ASCII stays as UTF-8 (ensure_ascii=False).
std::string python_json(const Value& v, int indent = -1, bool sort_keys = true);

}  // namespace prov
