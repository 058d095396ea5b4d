#pragma once
// A YAML writer that reproduces PyYAML's yaml.dump output as Ansible's to_yaml and to_nice_yaml call it (and the
// yaml stdout callback).
#include <string>

#include "provision/core/value.h"

namespace prov::tmpl {

struct YamlStyle {
  int indent = 2;
  bool flow_leaves = true;  ///< default_flow_style=None: collections holding only scalars are written [a, b]
  bool all_flow = false;    ///< default_flow_style=True
  bool sort_keys = true;
  int width = 80;
  /// Strings holding a line break as literal blocks ("|-"), their lines' trailing blanks removed, as the yaml
  /// stdout callback's dumper writes them.
  bool literal_multiline = false;
};

/// yaml.dump(value) with the given style, ending with a newline.
std::string yaml_dump(const Value& value, const YamlStyle& style);

}  // namespace prov::tmpl
