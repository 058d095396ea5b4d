// The YAML inventory format (Ansible's yaml inventory plugin): top-level keys are groups; each group may hold
// hosts (name -> vars), vars and children (name -> group), recursively.
#include <fmt/format.h>

#include <algorithm>

#include "provision/core/yaml.h"
#include "sources.h"

namespace prov::inv {

namespace {

const std::vector<std::string> kGroupKeys{"hosts", "vars", "children"};

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return fmt::format("a scalar ('{}')", node.Scalar());
    default:
      return "nothing";
  }
}

class YamlReader {
 public:
  YamlReader(const std::string& path, Inventory& inventory) : path_(path), inv_(inventory) {}

  void read(const YAML::Node& root) {
    if (!root || root.IsNull()) throw Error("YAML inventory is empty", SourceLoc{path_, 0, 0});
    if (!root.IsMap()) {
      throw Error(fmt::format("YAML inventory must be a mapping of group names, got {}", kind_of(root)),
                  yaml::loc(root, path_));
    }
    if (root["plugin"]) {
      throw Error("inventory plugin configuration files are not supported", yaml::loc(root, path_),
                  "list hosts and groups directly (all: hosts: ...)");
    }
    for (const auto& entry : root) read_group(entry.first.Scalar(), entry.first, entry.second);
  }

 private:
  std::string path_;
  Inventory& inv_;

  void read_group(const std::string& name, const YAML::Node& key, const YAML::Node& body) {
    if (body && !body.IsNull() && !body.IsMap()) {
      throw Error(fmt::format("group '{}' must be a mapping of hosts, vars and children, got {}", name, kind_of(body)),
                  yaml::loc(body.IsDefined() ? body : key, path_));
    }
    inv_.add_group(name);
    if (!body || body.IsNull()) return;
    for (const auto& entry : body) {
      const std::string section = entry.first.Scalar();
      if (std::find(kGroupKeys.begin(), kGroupKeys.end(), section) == kGroupKeys.end()) {
        throw Error(fmt::format("unknown key '{}' in group '{}'{}", section, name, did_you_mean(section, kGroupKeys)),
                    yaml::loc(entry.first, path_), "a group holds only 'hosts', 'vars' and 'children'");
      }
      const YAML::Node& value = entry.second;
      if (!value || value.IsNull()) continue;
      if (value.IsScalar()) {
        // Ansible accepts a bare name where a one-entry mapping is meant ("hosts: web1").
        read_section(name, section, value, value.Scalar(), YAML::Node(YAML::NodeType::Null));
        continue;
      }
      if (!value.IsMap()) {
        throw Error(fmt::format("'{}' of group '{}' must be a mapping, got {}", section, name, kind_of(value)),
                    yaml::loc(value, path_),
                    section == "vars" ? "" : fmt::format("write each entry as a key ending in ':'"));
      }
      for (const auto& item : value) read_section(name, section, item.first, item.first.Scalar(), item.second);
    }
  }

  void read_section(const std::string& group, const std::string& section, const YAML::Node& key,
                    const std::string& key_text, const YAML::Node& value) {
    if (section == "vars") {
      inv_.set_group_var(group, key_text, yaml::to_value(value, path_));
    } else if (section == "children") {
      read_group(key_text, key, value);
      inv_.add_child(group, key_text, yaml::loc(key, path_));
    } else {
      read_hosts(group, key, key_text, value);
    }
  }

  void read_hosts(const std::string& group, const YAML::Node& key, const std::string& pattern, const YAML::Node& vars) {
    if (key.Tag() == "?" && !yaml::resolve_plain_scalar(pattern).is_string()) {
      throw Error(fmt::format("host pattern {} must be a string", pattern), yaml::loc(key, path_),
                  "enclose numbers in quotation marks");
    }
    if (vars && !vars.IsNull() && !vars.IsMap()) {
      throw Error(fmt::format("variables of host '{}' must be a mapping, got {}", pattern, kind_of(vars)),
                  yaml::loc(vars, path_));
    }
    HostEntry hosts;
    try {
      hosts = expand_host_entry(pattern);
    } catch (const Error& e) {
      throw Error(e.message(), yaml::loc(key, path_));
    }
    Value values = vars && vars.IsMap() ? yaml::to_value(vars, path_) : Value::object();
    for (const auto& name : hosts.names) {
      inv_.add_host(name, group, path_, hosts.port);
      for (const auto& [k, v] : values.items()) inv_.set_host_var(name, k, v);
    }
  }
};

}  // namespace

void read_yaml_inventory(const std::string& path, Inventory& inventory) {
  auto warn = [&inventory](const std::string& message) { inventory.add_warning(message); };
  YamlReader(path, inventory).read(yaml::load_file(path, warn));
}

}  // namespace prov::inv
