#include "loops.h"

#include <fmt/format.h>

#include <set>

#include "provision/core/error.h"
#include "provision/core/text.h"
#include "provision/modules/module.h"
#include "provision/template/engine.h"
#include "task_inputs.h"

namespace prov::exec {

namespace {

std::vector<Value> as_list(const Value& value) {
  if (value.is_array()) return std::vector<Value>(value.begin(), value.end());
  if (value.is_null()) return {};
  return {value};
}

// The terms of a with_items or with_list lookup as Ansible lists them: a mapping gives its keys (Python iterates a
// dict so), anything that is not a list (none included) is one term.
std::vector<Value> lookup_terms(const Value& value) {
  if (value.is_array()) return std::vector<Value>(value.begin(), value.end());
  if (value.is_object()) {
    std::vector<Value> keys;
    for (auto it = value.begin(); it != value.end(); ++it) keys.emplace_back(it.key());
    return keys;
  }
  return {value};
}

// with_items flattens one level of nested lists; with_list does not.
std::vector<Value> flatten_one(const Value& value) {
  std::vector<Value> out;
  for (const auto& item : lookup_terms(value)) {
    if (item.is_array()) {
      for (const auto& inner : item) out.push_back(inner);
    } else {
      out.push_back(item);
    }
  }
  return out;
}

void flatten_all(const Value& value, std::vector<Value>& out) {
  if (!value.is_array()) {
    out.push_back(value);
    return;
  }
  for (const auto& item : value) flatten_all(item, out);
}

std::vector<Value> dict_items(const Value& value) {
  if (!value.is_object()) throw Error("with_dict expects a dict");
  std::vector<Value> out;
  for (auto it = value.begin(); it != value.end(); ++it) out.push_back({{"key", it.key()}, {"value", it.value()}});
  return out;
}

std::vector<Value> nested(const Value& value) {
  std::vector<Value> out{Value::array()};
  for (const auto& level : as_list(value)) {
    std::vector<Value> next;
    for (const auto& prefix : out) {
      for (const auto& item : as_list(level)) {
        Value combined = prefix;
        combined.push_back(item);
        next.push_back(std::move(combined));
      }
    }
    out = std::move(next);
  }
  return out;
}

std::vector<Value> together(const Value& value) {
  std::vector<Value> lists = as_list(value);
  std::size_t longest = 0;
  for (const auto& l : lists) longest = std::max(longest, as_list(l).size());
  std::vector<Value> out;
  for (std::size_t i = 0; i < longest; ++i) {
    Value row = Value::array();
    for (const auto& l : lists) {
      auto items = as_list(l);
      row.push_back(i < items.size() ? items[i] : Value());
    }
    out.push_back(std::move(row));
  }
  return out;
}

// with_subelements as Ansible's lookup: the key may be a dotted path into each item, whose last part names the list;
// that list is taken out of the item that comes back as `item.0`.
std::vector<Value> subelements(const Value& value) {
  auto args = as_list(value);
  const std::string expects = "subelements lookup expects a list of two or three items, ";
  if (args.size() < 2 || args.size() > 3) throw Error(expects);
  if (!(args[0].is_array() || args[0].is_object()) || !args[1].is_string()) {
    throw Error(expects + "first a dict or a list, second a string pointing to the subkey");
  }
  const std::vector<std::string> keys = split(args[1].get<std::string>(), '.');
  std::vector<Value> elements;
  if (args[0].is_object()) {
    const Value* skipped = find_key(args[0], "skipped");
    if (skipped && *skipped != Value(false)) return {};
    for (auto it = args[0].begin(); it != args[0].end(); ++it) elements.push_back(it.value());
  } else {
    elements = as_list(args[0]);
  }
  Value flags = args.size() == 3 ? args[2] : Value::object();
  if (!flags.is_object()) throw Error(expects + "the optional third item must be a dict with flags ['skip_missing']");
  const Value* skip_flag = find_key(flags, "skip_missing");
  const bool skip_missing = skip_flag && ansible_bool(*skip_flag).value_or(false);
  std::vector<Value> out;
  for (const auto& element : elements) {
    if (!element.is_object()) {
      throw Error(fmt::format("subelements lookup expects a dictionary, got '{}'", tmpl::python_str(element)));
    }
    const Value* skipped = find_key(element, "skipped");
    if (skipped && *skipped != Value(false)) continue;
    Value parent = element;
    Value* level = &parent;
    Value sublist = Value::array();
    for (const auto& key : keys) {
      // As Ansible's loop: a part equal to the last one counts as the last; a missing part is passed over.
      const bool last = key == keys.back();
      if (!level->contains(key)) {
        if (skip_missing) continue;
        throw Error(fmt::format("could not find '{}' key in iterated item '{}'", key, tmpl::python_str(*level)));
      }
      Value& child = (*level)[key];
      if (!last) {
        if (child.is_object()) {
          level = &child;
        } else if (!skip_missing) {
          throw Error(fmt::format("the key {} should point to a dictionary, got '{}'", key, tmpl::python_str(child)));
        }
        continue;
      }
      if (!child.is_array()) {
        throw Error(fmt::format("the key {} should point to a list, got '{}'", key, tmpl::python_str(child)));
      }
      sublist = std::move(child);
      level->erase(key);
    }
    for (const auto& child : sublist) out.push_back(Value::array({parent, child}));
  }
  return out;
}

// Where a with_<lookup> looks for a relative name, as Ansible's lookups do: in each folder of the task's
// ansible_search_path (its role, the roles that included it, its file's folder, the playbook's), the lookup's
// subfolder first, then the folder itself; the playbook's folder last.
std::vector<std::string> lookup_search_paths(const PlayState& play, const pb::Task& task, const tmpl::Vars& vars,
                                             const std::string& sub) {
  std::vector<std::string> bases;
  const Value* search_path = vars.lookup("ansible_search_path");
  if (search_path && search_path->is_array()) {
    for (const auto& path : *search_path) {
      if (path.is_string()) bases.push_back(path.get<std::string>());
    }
  } else if (task.role) {
    bases.push_back(task.role->path);
  }
  bases.push_back(play.playbook->dir);
  std::vector<std::string> paths;
  for (const auto& base : bases) {
    paths.push_back(base + "/" + sub);
    paths.push_back(base);
  }
  return paths;
}

// The folder a with_<lookup> searches: file and fileglob read files/, template templates/; first_found looks where
// the task's action reads (templates/ for a template, vars/ for include_vars, files/ otherwise), as Ansible does.
std::string lookup_folder(const pb::Task& task) {
  if (task.loop_kind == "template") return "templates";
  if (task.loop_kind != "first_found") return "files";
  if (task.action->has(mod::kTemplateSource)) return "templates";
  if (task.action->kind == mod::ActionKind::IncludeVars) return "vars";
  return "files";
}

}  // namespace

std::vector<Value> loop_items(const std::string& kind, const Value& value) {
  if (kind == "loop") {
    if (!value.is_array()) {
      throw Error(fmt::format("Invalid data passed to 'loop', it requires a list, got this instead: {}.",
                              to_plain_string(value)),
                  {}, "Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup "
                      "invocation or use q/query instead of lookup.");
    }
    return as_list(value);
  }
  if (kind == "items") return flatten_one(value);
  if (kind == "list") return lookup_terms(value);
  if (kind == "flattened") {
    std::vector<Value> out;
    flatten_all(value, out);
    return out;
  }
  if (kind == "dict") return dict_items(value);
  if (kind == "indexed_items") {
    std::vector<Value> out;
    int i = 0;
    for (const auto& item : flatten_one(value)) out.push_back(Value::array({i++, item}));
    return out;
  }
  if (kind == "nested" || kind == "cartesian") return nested(value);
  if (kind == "together") return together(value);
  if (kind == "subelements") return subelements(value);
  if (kind == "sequence") return sequence_items(value);
  throw Error(fmt::format("the loop lookup 'with_{}' is not supported", kind), {},
              "use `loop:` with a filter instead (docs/differences.md)");
}

bool builtin_loop(const std::string& kind) {
  static const std::set<std::string> kinds = {"loop",     "items",         "list",    "flattened",
                                              "dict",     "indexed_items", "nested",  "cartesian",
                                              "together", "subelements",   "sequence"};
  return kinds.count(kind) > 0;
}

std::vector<Value> task_loop_items(const PlayState& play, const pb::Task& task, const Value& value,
                                   const tmpl::Vars& vars, tmpl::Options options) {
  if (builtin_loop(task.loop_kind)) return loop_items(task.loop_kind, value);
  options.search_paths = lookup_search_paths(play, task, vars, lookup_folder(task));
  if (!options.lookup_hook) add_inventory_lookups(options, play);
  // Ansible hands a with_ lookup its value as a list of terms: a string or a mapping is one term.
  std::vector<Value> terms =
      value.is_array() ? std::vector<Value>(value.begin(), value.end()) : std::vector<Value>{value};
  Value items = tmpl::query(task.loop_kind, terms, vars, options);
  return std::vector<Value>(items.begin(), items.end());
}

}  // namespace prov::exec
