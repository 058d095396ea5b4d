#include "include_vars.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "provision/core/yaml.h"
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

}  // namespace

Value include_vars(PlayState& play, HostState& host, const pb::Task& task, const Value& args) {
  std::string file = args.contains("file")          ? to_plain_string(args["file"])
                     : args.contains("_raw_params") ? to_plain_string(args["_raw_params"])
                                                    : "";
  if (file.empty()) return failure("include_vars needs a file");
  std::vector<std::string> candidates;
  if (fs::path(file).is_absolute()) {
    candidates.push_back(file);
  } else {
    if (task.role) candidates.push_back(task.role->path + "/vars/" + file);
    candidates.push_back((fs::path(task.file).parent_path() / "vars" / file).string());
    candidates.push_back((fs::path(task.file).parent_path() / file).string());
    candidates.push_back(play.playbook->dir + "/vars/" + file);
    candidates.push_back(play.playbook->dir + "/" + file);
  }
  const auto& read = play.settings->read_file ? play.settings->read_file : read_from_disk;
  for (const auto& path : candidates) {
    std::optional<std::string> text = read(path);
    if (!text) continue;
    auto warn = [&play](const std::string& message) { play.sink->warning(message); };
    Value loaded = yaml::to_value(yaml::load_string(*text, path, warn), path);
    if (!loaded.is_object() && !loaded.is_null()) return failure(fmt::format("{} must hold a mapping", path));
    std::unique_lock lock(play.facts_mutex);
    if (args.contains("name")) {
      host.include_vars[to_plain_string(args["name"])] = loaded;
    } else if (loaded.is_object()) {
      for (auto it = loaded.begin(); it != loaded.end(); ++it) host.include_vars[it.key()] = it.value();
    }
    return {{"changed", false}, {"ansible_included_var_files", {path}}, {"ansible_facts", loaded}};
  }
  return failure(fmt::format("Could not find or access '{}'. Searched in: {}", file, fmt::join(candidates, ", ")));
}

}  // namespace prov::exec
