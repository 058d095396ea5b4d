#pragma once
// YAML loading as Ansible (PyYAML, YAML 1.1) reads it, keeping source marks for errors.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>

#include "provision/core/error.h"
#include "provision/core/value.h"

namespace prov::yaml {

/// Told what loads but deserves a word, as "file:line:col: ..." (a key given twice in a mapping).
using Warn = std::function<void(const std::string&)>;

/// Parses a file; syntax errors become prov::Error with file:line:col. An empty file is a Null node.
/// Read as Ansible reads YAML: a key given twice in a mapping keeps its first place and its last value, and `warn`
/// (when set) is told; a mapping or list used as a key is an error (a Python dict key must be hashable), which
/// names the missing quotes when the value is an unquoted `{{ template }}`.
YAML::Node load_file(const std::string& path, const Warn& warn = {});

/// As load_file, for text; `name` is used as the file name in errors.
YAML::Node load_string(const std::string& text, const std::string& name, const Warn& warn = {});

/// Where a node starts in `file` (1-based line and column).
SourceLoc loc(const YAML::Node& node, const std::string& file);

/// Converts a node to a Value with YAML 1.1 scalar resolution (yes/no/on/off booleans, 0644 octal, ~ null,
/// 0x hex, floats, .inf/.nan), quoted scalars kept as strings, explicit !!str/!!int tags, and `<<` merge keys.
Value to_value(const YAML::Node& node, const std::string& file);

/// Resolves one plain (unquoted) scalar as YAML 1.1 does.
Value resolve_plain_scalar(const std::string& text);

}  // namespace prov::yaml
