#include "include_vars.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "provision/core/text.h"
#include "provision/core/yaml.h"
#include "task_inputs.h"
#include "task_result.h"

namespace prov::exec {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_from_disk(const std::string& path) {
  std::error_code missing;
  if (!fs::exists(path, missing)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read file '{}'", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Where a relative file or folder is looked for: the role's vars/ and the task file's, then the playbook's.
std::vector<std::string> candidates_for(const PlayState& play, const pb::Task& task, const std::string& name) {
  if (fs::path(name).is_absolute()) return {name};
  std::vector<std::string> out;
  if (task.role) out.push_back(task.role->path + "/vars/" + name);
  out.push_back((fs::path(task.file).parent_path() / "vars" / name).string());
  out.push_back((fs::path(task.file).parent_path() / name).string());
  out.push_back(play.playbook->dir + "/vars/" + name);
  out.push_back(play.playbook->dir + "/" + name);
  return out;
}

std::vector<std::string> string_list(const Value& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& x : v) out.push_back(to_plain_string(x));
  } else if (!v.is_null()) {
    out.push_back(to_plain_string(v));
  }
  return out;
}

// What include_vars was asked for, read from its arguments.
struct Request {
  std::string file;
  std::string dir;
  long depth = 0;  // 0: no limit
  std::optional<std::regex> matching;
  std::vector<std::regex> ignore;
  std::vector<std::string> extensions = {"yaml", "yml", "json"};
  bool ignore_unknown = false;
  bool merge = false;
  std::string name;
};

std::regex compile(const std::string& pattern) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    throw Error(fmt::format("Invalid regular expression: {}", pattern));
  }
}

Request read_request(const Value& args) {
  Request r;
  auto text = [&](const char* key) { return args.contains(key) ? to_plain_string(args[key]) : std::string(); };
  r.file = args.contains("file") ? text("file") : text("_raw_params");
  r.dir = text("dir");
  r.name = text("name");
  bool dir_only = false;
  for (const char* key : {"depth", "files_matching", "ignore_files", "extensions", "ignore_unknown_extensions"})
    dir_only |= args.contains(key);
  if (!r.file.empty() && (!r.dir.empty() || dir_only)) {
    throw Error("You are mixing file only and dir only arguments, these are incompatible");
  }
  if (args.contains("depth")) {
    std::optional<long long> n = parse_int(text("depth"));
    if (!n || *n < 0) throw Error(fmt::format("depth must be a whole number, got '{}'", text("depth")));
    r.depth = static_cast<long>(*n);
  }
  if (!text("files_matching").empty()) r.matching = compile(text("files_matching"));
  // Ansible anchors each ignore pattern at the end of the name.
  if (args.contains("ignore_files")) {
    for (const auto& p : string_list(args["ignore_files"])) r.ignore.push_back(compile("(?:" + p + ")$"));
  }
  if (args.contains("extensions")) r.extensions = string_list(args["extensions"]);
  if (args.contains("ignore_unknown_extensions")) r.ignore_unknown = as_bool(args["ignore_unknown_extensions"], false);
  std::string hash = text("hash_behaviour");
  if (!hash.empty() && hash != "replace" && hash != "merge") {
    throw Error(fmt::format("hash_behaviour must be 'replace' or 'merge', got '{}'", hash));
  }
  r.merge = hash == "merge";
  return r;
}

// Python's name for a value's type, as combine_vars names it in its error.
std::string python_type(const Value& v) {
  if (v.is_null()) return "NoneType";
  if (v.is_boolean()) return "bool";
  if (v.is_number_integer()) return "int";
  if (v.is_number()) return "float";
  if (v.is_string()) return "str";
  if (v.is_array()) return "list";
  return "dict";
}

// Ansible's recursive merge (hash_behaviour=merge): mappings merge key by key, anything else is replaced.
Value merged(const Value& low, const Value& high) {
  if (!low.is_object() || !high.is_object()) {
    throw Error(fmt::format("failed to combine variables, expected dicts but got a '{}' and a '{}'", python_type(low),
                            python_type(high)));
  }
  Value out = low;
  for (auto it = high.begin(); it != high.end(); ++it) {
    Value& slot = out[it.key()];
    slot = slot.is_object() && it.value().is_object() ? merged(slot, it.value()) : it.value();
  }
  return out;
}

// The files of a folder in Ansible's order: its own files sorted by name, then each subfolder's, depth first in
// name order, down to `depth` levels (0: all).
void walk(const fs::path& dir, long level, long depth, std::vector<fs::path>& out) {
  std::vector<fs::path> files, dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    (entry.is_directory(ec) ? dirs : files).push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::sort(dirs.begin(), dirs.end());
  out.insert(out.end(), files.begin(), files.end());
  if (depth != 0 && level >= depth) return;
  for (const auto& sub : dirs) walk(sub, level + 1, depth, out);
}

bool wanted(const Request& r, const std::string& filename) {
  for (const auto& re : r.ignore)
    if (std::regex_search(filename, re)) return false;
  return !r.matching || std::regex_search(filename, *r.matching);
}

}  // namespace

Value include_vars(PlayState& play, HostState& host, const pb::Task& task, const Value& args, const tmpl::Vars& vars) {
  Request request;
  try {
    request = read_request(args);
  } catch (const Error& e) {
    return failure(e.message());
  }
  const auto& read = play.settings->read_file ? play.settings->read_file : read_from_disk;
  auto warn = [&play](const std::string& message) { play.sink->warning(message); };
  Value files = Value::array();
  Value results = Value::object();
  auto load = [&](const std::string& path, const std::string& text) -> std::optional<std::string> {
    Value loaded = yaml::to_value(yaml::load_string(text, path, warn), path);
    if (!loaded.is_object() && !loaded.is_null()) return fmt::format("{} must hold a mapping", path);
    files.push_back(path);
    if (loaded.is_object())
      for (auto it = loaded.begin(); it != loaded.end(); ++it) results[it.key()] = it.value();
    return std::nullopt;
  };
  if (!request.dir.empty()) {
    std::vector<std::string> candidates = candidates_for(play, task, request.dir);
    auto found = std::find_if(candidates.begin(), candidates.end(), [](const std::string& c) {
      std::error_code ec;
      return fs::is_directory(c, ec);
    });
    std::string dir = found != candidates.end() ? *found : candidates.back();
    auto failed = [&](const std::string& message) {
      return Value{{"failed", true},
                   {"changed", false},
                   {"message", message},
                   {"ansible_included_var_files", files},
                   {"ansible_facts", Value::object()}};
    };
    if (found == candidates.end()) return failed(fmt::format("{} directory does not exist", dir));
    std::vector<fs::path> paths;
    walk(dir, 1, request.depth, paths);
    for (const auto& path : paths) {
      const std::string filename = path.filename().string();
      if (!wanted(request, filename)) continue;
      std::string ext = path.extension().string();
      if (!ext.empty()) ext.erase(0, 1);
      if (std::find(request.extensions.begin(), request.extensions.end(), ext) == request.extensions.end()) {
        if (request.ignore_unknown) continue;
        return failed(
            fmt::format("{} does not have a valid extension: {}", path.string(), fmt::join(request.extensions, ", ")));
      }
      std::optional<std::string> text = read(path.string());
      if (!text) continue;
      if (auto error = load(path.string(), *text)) return failed(*error);
    }
  } else {
    if (request.file.empty()) return failure("include_vars needs a file");
    std::vector<std::string> candidates = candidates_for(play, task, request.file);
    bool loaded = false;
    for (const auto& path : candidates) {
      std::optional<std::string> text = read(path);
      if (!text) continue;
      if (auto error = load(path, *text)) return failure(*error);
      loaded = true;
      break;
    }
    if (!loaded) {
      return failure(
          fmt::format("Could not find or access '{}'. Searched in: {}", request.file, fmt::join(candidates, ", ")));
    }
  }
  // merge: what the files gave merges into the variable's value so far (each top-level one, or the named one),
  // which must be a mapping, as Ansible's combine_vars requires.
  if (request.merge) {
    try {
      if (!request.name.empty()) {
        const Value* before = vars.lookup(request.name);
        results = merged(before ? *before : Value(), results);
      } else {
        for (auto it = results.begin(); it != results.end(); ++it) {
          const Value* before = vars.lookup(it.key());
          it.value() = merged(before ? *before : Value(), it.value());
        }
      }
    } catch (const Error& e) {
      return failure(e.message());
    }
  }
  Value facts = request.name.empty() ? results : Value{{request.name, results}};
  std::unique_lock lock(play.facts_mutex);
  for (auto it = facts.begin(); it != facts.end(); ++it) host.include_vars[it.key()] = it.value();
  return {{"changed", false}, {"ansible_included_var_files", files}, {"ansible_facts", facts}};
}

}  // namespace prov::exec
