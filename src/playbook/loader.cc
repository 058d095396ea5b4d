// Playbooks: plays, import_playbook, vars_files, and the public entry points of the loader.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "loader_internal.h"
#include "provision/core/yaml.h"
#include "provision/modules/module.h"

namespace prov::pb {
namespace detail {

namespace fs = std::filesystem;

std::string dir_of(const std::string& file) {
  std::string parent = fs::path(file).parent_path().string();
  return parent.empty() ? "." : parent;
}

std::string join_path(const std::string& folder, const std::string& name) {
  fs::path p(name);
  if (p.is_absolute() || folder.empty()) return p.lexically_normal().string();
  return (fs::path(folder) / p).lexically_normal().string();
}

std::string find_in(const std::string& name, const std::vector<std::string>& folders) {
  for (const auto& folder : folders) {
    std::string path = join_path(folder, name);
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path;
  }
  return {};
}

bool has_template(const std::string& text) {
  return text.find("{{") != std::string::npos || text.find("{%") != std::string::npos;
}

Value read_whole_number(const YAML::Node& node, const std::string& file, const std::string& key) {
  Value v = yaml::to_value(node, file);
  if (v.is_string() && has_template(v.get<std::string>())) return v;
  if (!as_whole_number(v)) {
    throw Error(fmt::format("'{}' must be a whole number, got {}", key,
                            v.is_string() ? "'" + v.get<std::string>() + "'" : node_kind(node)),
                yaml::loc(node, file));
  }
  return v;
}

namespace {

// serial: a host count, a percentage ("30%"), a template, or a list of those.
Value read_serial(const YAML::Node& node, const std::string& file) {
  Value v = yaml::to_value(node, file);
  auto check = [&](const Value& step, const YAML::Node& at) {
    if (step.is_string()) {
      const std::string& text = step.get_ref<const std::string&>();
      if (has_template(text)) return;
      if (!text.empty() && text.back() == '%') {
        char* end = nullptr;
        std::string number = text.substr(0, text.size() - 1);
        std::strtod(number.c_str(), &end);
        if (!number.empty() && end == number.c_str() + number.size()) return;
      }
    }
    if (auto n = as_whole_number(step); n && *n >= 0) return;
    throw Error(fmt::format("'serial' must be a number of hosts or a percentage such as \"30%\", got {}",
                            step.is_string() ? "'" + step.get<std::string>() + "'" : node_kind(at)),
                yaml::loc(at, file));
  };
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) check(v[i], node[i]);
  } else if (!v.is_null()) {
    check(v, node);
  }
  return v;
}

}  // namespace

std::vector<Task> load_tasks_file(const std::string& path, const TaskSource& src, LoadContext& ctx) {
  ctx.task_files.push_back(path);
  std::vector<Task> tasks =
      parse_tasks(yaml::load_file(path, ctx.options.warn), TaskSource{path, src.role, src.handlers, src.dynamic}, ctx);
  ctx.task_files.pop_back();
  return tasks;
}

namespace {

const std::vector<std::string> kStrategies = {"linear", "free", "host_pinned"};

std::string join_hosts(const YAML::Node& node, const std::string& file) {
  if (node.IsScalar()) return node.Scalar();
  if (!node.IsSequence()) {
    throw Error(fmt::format("'hosts' must be a pattern or a list of patterns, got {}", node_kind(node)),
                yaml::loc(node, file));
  }
  std::string joined;
  for (const auto& item : node) {
    if (!item.IsScalar()) {
      throw Error(fmt::format("each 'hosts' entry must be a string, got {}", node_kind(item)), yaml::loc(item, file));
    }
    joined += (joined.empty() ? "" : ",") + item.Scalar();
  }
  return joined;
}

// A vars_files file: a mapping, or a list of mappings combined in order (as Ansible's preprocess_vars).
Value load_vars_file(const std::string& path, const yaml::Warn& warn) {
  YAML::Node root = yaml::load_file(path, warn);
  if (root.IsNull()) return Value::object();
  if (root.IsMap()) return yaml::to_value(root, path);
  if (!root.IsSequence()) {
    throw Error(fmt::format("expected a mapping of variables or a list of mappings, got {}", node_kind(root)),
                yaml::loc(root, path));
  }
  Value combined = Value::object();
  for (const auto& item : root) {
    if (!item.IsMap()) {
      throw Error(fmt::format("expected each item of a list of variables to be a mapping, got {}", node_kind(item)),
                  yaml::loc(item, path));
    }
    Value vars = yaml::to_value(item, path);
    for (auto it = vars.begin(); it != vars.end(); ++it) combined[it.key()] = it.value();
  }
  return combined;
}

// One vars_files entry: a file name, or a list of names of which the first that exists is used.
void read_vars_file_entry(const YAML::Node& entry, const std::string& file, Play& play, const yaml::Warn& warn) {
  std::vector<std::string> names;
  if (entry.IsScalar()) {
    names.push_back(entry.Scalar());
  } else if (entry.IsSequence()) {
    for (const auto& name : entry) names.push_back(read_scalar(name, file, "vars_files"));
  } else {
    throw Error(fmt::format("each 'vars_files' entry must be a file name or a list of them, got {}", node_kind(entry)),
                yaml::loc(entry, file));
  }
  std::vector<std::string> candidates;
  bool templated = false;
  for (const auto& name : names) {
    candidates.push_back(has_template(name) ? name : join_path(dir_of(file), name));
    templated = templated || has_template(name);
  }
  play.vars_files_candidates.push_back(candidates);
  if (templated) {
    play.vars_files.push_back(names.empty() ? "" : names.front());
    play.vars_files_values.push_back(nullptr);
    return;
  }
  for (const auto& path : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
      play.vars_files.push_back(path);
      play.vars_files_values.push_back(load_vars_file(path, warn));
      return;
    }
  }
  std::string list;
  for (const auto& path : candidates) list += (list.empty() ? "" : ", ") + path;
  throw Error(fmt::format("vars file not found (searched: {})", list), yaml::loc(entry, file));
}

std::vector<Task> read_play_tasks(const YAML::Node& value, const std::string& key, const std::string& file,
                                  bool handlers, LoadContext& ctx) {
  if (!value.IsNull() && !value.IsSequence()) {
    throw Error(fmt::format("'{}' must be a list of tasks, got {}", key, node_kind(value)), yaml::loc(value, file));
  }
  return parse_tasks(value, TaskSource{file, nullptr, handlers}, ctx);
}

std::string play_label(const Play& play) { return play.name.empty() ? "play" : fmt::format("play '{}'", play.name); }

void read_play_key(const std::string& key, const YAML::Node& value, const std::string& file, Play& play,
                   LoadContext& ctx) {
  if (key == "name") return;
  if (key == "hosts") {
    play.hosts = join_hosts(value, file);
  } else if (key == "roles") {
    if (!value.IsNull() && !value.IsSequence()) {
      throw Error(fmt::format("'roles' must be a list, got {}", node_kind(value)), yaml::loc(value, file));
    }
    for (const auto& ref : value) play.roles.push_back(parse_role_ref(ref, file, ctx));
  } else if (key == "pre_tasks") {
    play.pre_tasks = read_play_tasks(value, key, file, false, ctx);
  } else if (key == "tasks") {
    play.tasks = read_play_tasks(value, key, file, false, ctx);
  } else if (key == "post_tasks") {
    play.post_tasks = read_play_tasks(value, key, file, false, ctx);
  } else if (key == "handlers") {
    play.handlers = read_play_tasks(value, key, file, true, ctx);
  } else if (key == "vars_files") {
    if (value.IsNull()) return;
    if (value.IsScalar()) {
      read_vars_file_entry(value, file, play, ctx.options.warn);
    } else if (value.IsSequence()) {
      for (const auto& entry : value) read_vars_file_entry(entry, file, play, ctx.options.warn);
    } else {
      throw Error("'vars_files' must be a list of file names, got a mapping", yaml::loc(value, file));
    }
  } else if (key == "gather_facts") {
    play.gather_facts = yaml::to_value(value, file);
  } else if (key == "serial") {
    play.serial = read_serial(value, file);
  } else if (key == "max_fail_percentage") {
    play.max_fail_percentage = yaml::to_value(value, file);
  } else if (key == "strategy") {
    play.strategy = read_scalar(value, file, key);
    if (!has_template(play.strategy) &&
        std::find(kStrategies.begin(), kStrategies.end(), play.strategy) == kStrategies.end()) {
      throw Error(fmt::format("unknown strategy '{}' in {}{}", play.strategy, play_label(play),
                              did_you_mean(play.strategy, kStrategies)),
                  yaml::loc(value, file), "the strategies are linear, free and host_pinned");
    }
  } else if (key == "vars_prompt") {
    play.kw.other[key] = read_vars_prompt(value, file);
  } else if (key == "order") {
    // Ansible takes the word as written (never templated) and refuses any other when the play starts.
    static const std::vector<std::string> kOrders = {"inventory", "reverse_inventory", "sorted", "reverse_sorted",
                                                     "shuffle"};
    std::string order = read_scalar(value, file, key);
    if (std::find(kOrders.begin(), kOrders.end(), order) == kOrders.end()) {
      throw Error(fmt::format("invalid 'order' '{}' for the hosts of {}{}", order, play_label(play),
                              did_you_mean(order, kOrders)),
                  yaml::loc(value, file),
                  "the orders are inventory, reverse_inventory, sorted, reverse_sorted and shuffle");
    }
    play.kw.other[key] = order;
  } else {
    read_shared_keyword(key, value, file, play.kw);
  }
}

Play parse_play(const YAML::Node& written, const std::string& file, LoadContext& ctx) {
  const YAML::Node node = with_merges(written, file);
  Play play;
  play.loc = yaml::loc(written, file);
  play.file = file;
  play.playbook_dir = ctx.playbook_dir;
  if (node["name"]) play.name = read_scalar(node["name"], file, "name");
  // The play's collections name where its tasks' short action names are looked up first, wherever the key is.
  ctx.collections.clear();
  if (node["collections"]) ctx.collections = read_collections(node["collections"], file);
  bool has_hosts = false;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    if (!is_keyword(KeywordSet::Play, key)) {
      // A task list given as a playbook shows up as a module name where a play keyword should be.
      bool looks_like_task = mod::find_action(key) != nullptr;
      throw Error(fmt::format("unknown key '{}' in {}{}", key, play_label(play),
                              did_you_mean(key, keyword_names(KeywordSet::Play))),
                  yaml::loc(entry.first, file),
                  looks_like_task ? "this looks like a task: a playbook is a list of plays with 'hosts' and 'tasks'"
                                  : "");
    }
    has_hosts = has_hosts || key == "hosts";
    read_play_key(key, entry.second, file, play, ctx);
  }
  if (!has_hosts || play.hosts.empty()) {
    throw Error(fmt::format("{} has no 'hosts'", play_label(play)), play.loc,
                "every play names the hosts it runs on, e.g. 'hosts: all'");
  }
  return play;
}

std::vector<Play> load_plays(const std::string& path, LoadContext& ctx, const SourceLoc& from);

std::string import_playbook_key(const YAML::Node& node) {
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const mod::Action* action = mod::find_action(key);
    if (action && action->kind == mod::ActionKind::ImportPlaybook) return key;
  }
  return {};
}

// `- import_playbook: other.yml`: the other playbook's plays in place, with this entry's vars, tags and when.
std::vector<Play> import_playbook(const YAML::Node& node, const std::string& key, const std::string& file,
                                  LoadContext& ctx) {
  static const std::vector<std::string> allowed = {"name", "vars", "tags", "when"};
  Keywords kw;
  for (const auto& entry : node) {
    std::string k = entry.first.Scalar();
    if (k == key || k == "name") continue;
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      throw Error(fmt::format("unknown key '{}' in import_playbook{}", k, did_you_mean(k, allowed)),
                  yaml::loc(entry.first, file));
    }
    read_shared_keyword(k, entry.second, file, kw);
  }
  const YAML::Node target = node[key];
  std::string name = read_scalar(target, file, key);
  SourceLoc at = yaml::loc(target, file);
  if (name.empty()) throw Error("'import_playbook' needs a file name", at);
  if (has_template(name)) throw Error(fmt::format("the playbook name '{}' cannot hold a template", name), at);
  std::string path = join_path(dir_of(file), name);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw Error(fmt::format("playbook '{}' not found (searched: {})", name, path), at);

  std::vector<Play> plays = load_plays(path, ctx, at);
  for (Play& play : plays) {
    for (auto& [k, v] : kw.vars.items()) play.kw.vars[k] = v;
    play.kw.tags.insert(play.kw.tags.end(), kw.tags.begin(), kw.tags.end());
    play.kw.when.insert(play.kw.when.begin(), kw.when.begin(), kw.when.end());
  }
  return plays;
}

std::vector<Play> load_plays(const std::string& path, LoadContext& ctx, const SourceLoc& from) {
  if (std::find(ctx.playbooks.begin(), ctx.playbooks.end(), path) != ctx.playbooks.end()) {
    std::string chain;
    for (auto it = std::find(ctx.playbooks.begin(), ctx.playbooks.end(), path); it != ctx.playbooks.end(); ++it) {
      chain += *it + " -> ";
    }
    throw Error("import_playbook cycle: " + chain + path, from);
  }
  YAML::Node root = yaml::load_file(path, ctx.options.warn);
  if (root.IsNull()) throw Error("empty playbook: expected a list of plays", SourceLoc{path, 0, 0});
  if (!root.IsSequence()) {
    throw Error(fmt::format("expected a list of plays, got {}", node_kind(root)), yaml::loc(root, path));
  }
  // Roles and relative files of an imported playbook are found beside it, as Ansible does.
  std::string saved_dir = ctx.playbook_dir;
  ctx.playbook_dir = dir_of(path);
  ctx.playbooks.push_back(path);
  std::vector<Play> plays;
  for (const auto& item : root) {
    if (!item.IsMap()) {
      throw Error(fmt::format("expected a play (a mapping), got {}", node_kind(item)), yaml::loc(item, path));
    }
    std::string import_key = import_playbook_key(item);
    if (!import_key.empty()) {
      for (Play& play : import_playbook(item, import_key, path, ctx)) plays.push_back(std::move(play));
    } else {
      plays.push_back(parse_play(item, path, ctx));
    }
  }
  ctx.playbooks.pop_back();
  ctx.playbook_dir = saved_dir;
  return plays;
}

}  // namespace
}  // namespace detail

Playbook load_playbook(const std::string& path, const LoadOptions& options) {
  detail::LoadContext ctx;
  ctx.options = options;
  std::string normal = detail::join_path("", path);
  ctx.playbook_dir = detail::dir_of(normal);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(normal, ec)) throw Error(fmt::format("playbook '{}' not found", path));
  Playbook book;
  book.path = normal;
  book.dir = ctx.playbook_dir;
  book.plays = detail::load_plays(normal, ctx, SourceLoc{});
  book.options = options;
  return book;
}

std::vector<Task> load_task_file(const std::string& path, std::shared_ptr<Role> role) {
  return load_task_file(path, std::move(role), detail::dir_of(path), LoadOptions{});
}

std::vector<Task> load_task_file(const std::string& path, std::shared_ptr<Role> role, const std::string& playbook_dir,
                                 const LoadOptions& options, bool handlers) {
  detail::LoadContext ctx;
  ctx.options = options;
  ctx.playbook_dir = playbook_dir;
  return detail::load_tasks_file(path, detail::TaskSource{path, std::move(role), handlers, true}, ctx);
}

std::shared_ptr<Role> load_role(const std::string& name, const std::string& playbook_dir, const LoadOptions& options,
                                const std::string& tasks_from, const std::string& vars_from,
                                const std::string& defaults_from, const std::string& handlers_from) {
  detail::LoadContext ctx;
  ctx.options = options;
  ctx.playbook_dir = playbook_dir;
  detail::RoleEntryPoints entry{tasks_from, vars_from, defaults_from, handlers_from};
  return detail::resolve_role(name, SourceLoc{}, entry, ctx);
}

}  // namespace prov::pb
