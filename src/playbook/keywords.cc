// Keyword tables for plays, blocks, tasks and role references, and readers for the keywords they share.
// The tables follow Ansible 2.14's attributes, so a playbook Ansible accepts is accepted here.
#include <fmt/format.h>

#include <algorithm>
#include <list>

#include "loader_internal.h"
#include "provision/core/yaml.h"
#include "provision/modules/action.h"

namespace prov::pb::detail {
namespace {

// Keywords valid on every level that holds tasks (blocks, tasks, role references, and plays except `when`).
const std::vector<std::string> kCommon = {
    "any_errors_fatal", "become",      "become_exe",      "become_flags",  "become_method", "become_user",
    "check_mode",       "collections", "connection",      "debugger",      "diff",          "environment",
    "ignore_errors",    "ignore_unreachable", "module_defaults", "name",    "no_log",        "port",
    "remote_user",      "run_once",    "tags",            "throttle",      "timeout",       "vars"};

// Keywords Ansible accepts that have no field of their own; they are kept raw in Keywords::other.
const std::vector<std::string> kKeptRaw = {
    "remote_user", "connection",  "port",         "async",         "poll",           "throttle",
    "timeout",     "delegate_facts", "module_defaults", "collections", "debugger",    "become_exe",
    "become_flags", "order",      "force_handlers", "gather_subset", "gather_timeout", "fact_path",
    "vars_prompt"};

// The place's own keywords come first: "did you mean" prefers the earlier of two equally close names, so 'taks'
// suggests 'tasks' rather than 'tags'.
std::vector<std::string> with_common(std::vector<std::string> own, bool drop_when_delegate = false) {
  std::vector<std::string> all = std::move(own);
  std::vector<std::string> shared = kCommon;
  if (!drop_when_delegate) shared.insert(shared.end(), {"when", "delegate_to", "delegate_facts"});
  for (const auto& name : shared) {
    if (std::find(all.begin(), all.end(), name) == all.end()) all.push_back(name);
  }
  return all;
}

bool contains(const std::vector<std::string>& list, const std::string& key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

std::string scalar_text(const YAML::Node& node, const std::string& file) {
  Value v = yaml::to_value(node, file);
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  return to_plain_string(v);
}

// Ansible's own action groups (ansible-core 2.14's builtin runtime): `group/aws` and the like name them unqualified.
const std::vector<std::string> kBuiltinGroups = {"testgroup", "testlegacy", "aws", "acme", "azure", "cpm",
                                                 "docker",    "gcp",        "k8s", "os",   "ovirt", "vmware"};

// One level's module_defaults with its keys made canonical: an action by its short name (every name of the
// action meets there, as in Ansible where `file` covers ansible.builtin.file and ansible.legacy.file), a group as
// `group/` and its fully qualified name. The keys are static; the values are templated when a task runs.
Value read_module_defaults(const YAML::Node& node, const std::string& file) {
  Value levels = Value::array();
  if (node.IsNull()) return levels;
  auto read_one = [&](const YAML::Node& map) {
    if (!map.IsMap()) {
      throw Error(fmt::format("'module_defaults' must be a mapping or a list of mappings, got {}", node_kind(map)),
                  yaml::loc(map, file), "the keys are static action or group names; only the values may be templates");
    }
    Value level = Value::object();
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      std::string canonical;
      if (key.rfind("group/", 0) == 0) {
        std::string group = key.substr(6);
        if (std::count(group.begin(), group.end(), '.') < 2) {
          if (!contains(kBuiltinGroups, group)) {
            throw Error(fmt::format("could not resolve the module_defaults group '{}'{}", key,
                                    did_you_mean(group, kBuiltinGroups)),
                        yaml::loc(entry.first, file),
                        "a group is one of ansible-core's (aws, docker, ...) or a collection's, fully qualified");
          }
          group = "ansible.builtin." + group;
        }
        canonical = "group/" + group;
      } else if (const mod::Action* action = mod::find_action(key); action && action->kind != mod::ActionKind::Block) {
        canonical = action->name;
      } else if (mod::find_ansible_only_action(key)) {
        canonical = key;  // never runs here; kept so that the playbook loads as in Ansible
      } else {
        throw Error(fmt::format("could not resolve the action '{}' in module_defaults{}", key,
                                did_you_mean(key, mod::action_names())),
                    yaml::loc(entry.first, file));
      }
      level[canonical] = yaml::to_value(entry.second, file);
    }
    levels.push_back(std::move(level));
  };
  if (node.IsSequence()) {
    for (const auto& item : node) read_one(item);
  } else {
    read_one(node);
  }
  return levels;
}

}  // namespace

const std::vector<std::string>& keyword_names(KeywordSet set) {
  static const std::vector<std::string> play =
      with_common({"hosts", "tasks", "roles", "handlers", "pre_tasks", "post_tasks", "vars_files", "gather_facts",
                   "serial", "strategy", "max_fail_percentage", "force_handlers", "gather_subset", "gather_timeout",
                   "fact_path", "order", "vars_prompt"},
                  true);
  static const std::vector<std::string> block = with_common({"block", "rescue", "always", "notify"});
  static const std::vector<std::string> task =
      with_common({"action", "args", "async", "changed_when", "delay", "failed_when", "local_action", "loop",
                   "loop_control", "notify", "poll", "register", "retries", "until"});
  static const std::vector<std::string> handler = [] {
    std::vector<std::string> all = task;
    all.push_back("listen");
    return all;
  }();
  static const std::vector<std::string> role_ref = with_common({"role"});
  switch (set) {
    case KeywordSet::Play: return play;
    case KeywordSet::Block: return block;
    case KeywordSet::Task: return task;
    case KeywordSet::Handler: return handler;
    case KeywordSet::RoleRef: return role_ref;
  }
  return task;
}

std::vector<std::string> read_collections(const YAML::Node& node, const std::string& file) {
  std::vector<std::string> names = read_string_list(node, file, "collections");
  std::size_t i = 0;
  for (const auto& name : names) {
    const YAML::Node at = node.IsSequence() ? node[i++] : node;
    const auto dots = std::count(name.begin(), name.end(), '.');
    if (dots != 1 || name.front() == '.' || name.back() == '.') {
      throw Error(fmt::format("'{}' is not a collection name in 'collections'", name), yaml::loc(at, file),
                  "a collection is named namespace.collection, e.g. community.general");
    }
  }
  return names;
}

Value read_vars_prompt(const YAML::Node& node, const std::string& file) {
  static const std::vector<std::string> kKeys = {"name",    "prompt", "default",   "private", "confirm",
                                                 "encrypt", "salt",   "salt_size", "unsafe"};
  Value prompts = Value::array();
  if (node.IsNull()) return prompts;
  if (node.IsScalar()) {
    throw Error("'vars_prompt' must be a list of prompts, got a string", yaml::loc(node, file));
  }
  // A single mapping is one prompt, as Ansible reads it.
  std::vector<YAML::Node> items;
  if (node.IsMap()) {
    items.push_back(node);
  } else {
    for (const auto& item : node) items.push_back(item);
  }
  for (const auto& item : items) {
    if (!item.IsMap()) {
      throw Error(fmt::format("each 'vars_prompt' entry must be a mapping, got {}", node_kind(item)),
                  yaml::loc(item, file));
    }
    Value prompt = Value::object();
    for (const auto& entry : item) {
      const std::string key = entry.first.Scalar();
      if (!contains(kKeys, key)) {
        throw Error(fmt::format("unknown key '{}' in vars_prompt{}", key, did_you_mean(key, kKeys)),
                    yaml::loc(entry.first, file));
      }
      prompt[key] = yaml::to_value(entry.second, file);
    }
    if (!prompt.contains("name") || !prompt["name"].is_string() || prompt["name"].get<std::string>().empty()) {
      throw Error("a vars_prompt entry has no 'name'", yaml::loc(item, file),
                  "each prompt names the variable it sets: '- name: user'");
    }
    prompts.push_back(std::move(prompt));
  }
  return prompts;
}

bool is_keyword(KeywordSet set, const std::string& key) { return contains(keyword_names(set), key); }

YAML::Node with_merges(const YAML::Node& map, const std::string& file) {
  if (!map.IsMap() || !map["<<"]) return map;
  // A list, not a vector: assigning a YAML::Node rebinds the node it refers to (it would rewrite the anchored
  // mapping), so entries are only ever constructed, never assigned or shifted.
  std::list<std::pair<YAML::Node, YAML::Node>> entries;
  auto has_key = [&](const std::string& key) {
    return std::any_of(entries.begin(), entries.end(), [&](const auto& e) { return e.first.Scalar() == key; });
  };
  auto merge_one = [&](const YAML::Node& source) {
    if (!source.IsMap()) throw Error("a merge key '<<' needs a mapping or a list of mappings", yaml::loc(source, file));
    for (const auto& entry : with_merges(source, file)) {
      if (!has_key(entry.first.Scalar())) entries.emplace_back(entry.first, entry.second);
    }
  };
  const YAML::Node merge = map["<<"];
  if (merge.IsSequence()) {
    for (const auto& source : merge) merge_one(source);
  } else {
    merge_one(merge);
  }
  // Explicit keys replace merged ones but keep the merged order, as Python dicts do.
  for (const auto& entry : map) {
    std::string key = entry.first.Scalar();
    if (key == "<<") continue;
    auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first.Scalar() == key; });
    if (it != entries.end()) {
      entries.emplace(entries.erase(it), entry.first, entry.second);
    } else {
      entries.emplace_back(entry.first, entry.second);
    }
  }
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& [key, value] : entries) out.force_insert(key, value);
  return out;
}

std::string node_kind(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return "a string";
}

std::string read_scalar(const YAML::Node& node, const std::string& file, const std::string& key) {
  if (node.IsNull()) return {};
  if (!node.IsScalar()) {
    throw Error(fmt::format("'{}' must be a string, got {}", key, node_kind(node)), yaml::loc(node, file));
  }
  return node.Scalar();
}

std::vector<std::string> read_conditions(const YAML::Node& node, const std::string& file, const std::string& key) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsMap()) {
    throw Error(fmt::format("'{}' must be a condition or a list of conditions, got a mapping", key),
                yaml::loc(node, file));
  }
  if (node.IsScalar()) {
    out.push_back(scalar_text(node, file));
    return out;
  }
  for (const auto& item : node) {
    if (!item.IsScalar()) {
      throw Error(fmt::format("each '{}' condition must be a string, got {}", key, node_kind(item)),
                  yaml::loc(item, file));
    }
    out.push_back(scalar_text(item, file));
  }
  return out;
}

std::vector<std::string> read_string_list(const YAML::Node& node, const std::string& file, const std::string& key) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (node.IsMap()) {
    throw Error(fmt::format("'{}' must be a string or a list of strings, got a mapping", key), yaml::loc(node, file));
  }
  for (const auto& item : node) {
    if (!item.IsScalar()) {
      throw Error(fmt::format("each '{}' entry must be a string, got {}", key, node_kind(item)),
                  yaml::loc(item, file));
    }
    out.push_back(item.Scalar());
  }
  return out;
}

std::vector<std::string> read_tags(const YAML::Node& node, const std::string& file) {
  std::vector<std::string> out;
  auto add_split = [&](const std::string& text) {
    // "a, b" is two tags, as in Ansible.
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t comma = text.find(',', start);
      std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      std::size_t b = part.find_first_not_of(" \t");
      std::size_t e = part.find_last_not_of(" \t");
      if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  };
  if (node.IsNull()) return out;
  if (node.IsMap()) throw Error("'tags' must be a string or a list, got a mapping", yaml::loc(node, file));
  if (node.IsScalar()) {
    add_split(node.Scalar());
    return out;
  }
  for (const auto& item : node) {
    if (!item.IsScalar()) {
      throw Error(fmt::format("each tag must be a string, got {}", node_kind(item)), yaml::loc(item, file));
    }
    out.push_back(item.Scalar());
  }
  return out;
}

Value read_vars(const YAML::Node& node, const std::string& file, const std::string& key) {
  Value out = Value::object();
  if (node.IsNull()) return out;
  auto merge = [&](const YAML::Node& map) {
    if (!map.IsMap()) {
      throw Error(fmt::format("'{}' must be a mapping of variables, got {}", key, node_kind(map)),
                  yaml::loc(map, file));
    }
    Value vars = yaml::to_value(map, file);
    for (auto& [k, v] : vars.items()) out[k] = v;
  };
  if (node.IsSequence()) {
    for (const auto& item : node) merge(item);
  } else {
    merge(node);
  }
  return out;
}

bool read_shared_keyword(const std::string& key, const YAML::Node& value, const std::string& file, Keywords& kw) {
  auto raw = [&] { return yaml::to_value(value, file); };
  if (key == "when") {
    kw.when = read_conditions(value, file, key);
  } else if (key == "tags") {
    kw.tags = read_tags(value, file);
  } else if (key == "become") {
    kw.become = raw();
  } else if (key == "become_user") {
    kw.become_user = raw();
  } else if (key == "become_method") {
    kw.become_method = raw();
  } else if (key == "check_mode") {
    kw.check_mode = raw();
  } else if (key == "diff") {
    kw.diff = raw();
  } else if (key == "no_log") {
    kw.no_log = raw();
  } else if (key == "ignore_errors") {
    kw.ignore_errors = raw();
  } else if (key == "ignore_unreachable") {
    kw.ignore_unreachable = raw();
  } else if (key == "environment") {
    kw.environment = raw();
    // A list of mappings is allowed too: Ansible merges them in order.
    if (kw.environment.is_boolean() || kw.environment.is_number()) {
      throw Error(fmt::format("'environment' must be a mapping, got '{}'", value.Scalar()), yaml::loc(value, file));
    }
  } else if (key == "vars") {
    kw.vars = read_vars(value, file, key);
  } else if (key == "any_errors_fatal") {
    kw.any_errors_fatal = raw();
  } else if (key == "run_once") {
    kw.run_once = raw();
  } else if (key == "delegate_to") {
    kw.delegate_to = raw();
  } else if (key == "module_defaults") {
    kw.other[key] = read_module_defaults(value, file);
  } else if (contains(kKeptRaw, key)) {
    kw.other[key] = raw();
  } else {
    return false;
  }
  return true;
}

}  // namespace prov::pb::detail
