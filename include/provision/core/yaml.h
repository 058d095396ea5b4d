#pragma once
// YAML loading as Ansible (PyYAML, YAML 1.1) reads it, keeping source marks for errors.
#include <yaml-cpp/yaml.h>

#include <string>

#include "provision/core/error.h"
#include "provision/core/value.h"

namespace prov::yaml {

/// Parses a file; syntax errors become prov::Error with file:line:col. An empty file is a Null node.
YAML::Node load_file(const std::string& path);

/// Parses text; `name` is used as the file name in errors.
YAML::Node load_string(const std::string& text, const std::string& name);

/// Where a node starts in `file` (1-based line and column).
SourceLoc loc(const YAML::Node& node, const std::string& file);

/// Converts a node to a Value with YAML 1.1 scalar resolution (yes/no/on/off booleans, 0644 octal, ~ null,
/// 0x hex, floats, .inf/.nan), quoted scalars kept as strings, explicit !!str/!!int tags, and `<<` merge keys.
Value to_value(const YAML::Node& node, const std::string& file);

/// Resolves one plain (unquoted) scalar as YAML 1.1 does.
Value resolve_plain_scalar(const std::string& text);

}  // namespace prov::yaml
