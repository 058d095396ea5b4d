// load_inventory: turns a list of -i sources into one Inventory, the way Ansible's InventoryManager does:
// "a,b," host lists, files (YAML or INI by extension and content), directories of such files, then the
// group_vars/ and host_vars/ folders beside each source and beside the playbook.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "provision/core/yaml.h"
#include "provision/inventory/inventory.h"
#include "provision/inventory/syntax.h"
#include "sources.h"

namespace prov::inv {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kYamlExtensions{".yml", ".yaml", ".json"};

// Ansible skips these in an inventory directory: hidden files, vars folders, editor and package leftovers,
// and (by INVENTORY_IGNORE_EXTS) .orig, .ini, .cfg and .retry files.
bool ignored_in_inventory_dir(const std::string& name) {
  static const std::vector<std::string> skipped_names{"host_vars", "group_vars", "vars_plugins"};
  static const std::vector<std::string> skipped_suffixes{".pyc", ".pyo", ".swp",  ".bak", "~",    ".rpm",  ".md",
                                                         ".txt", ".rst", ".orig", ".ini", ".cfg", ".retry"};
  if (name.empty() || name[0] == '.') return true;
  if (std::find(skipped_names.begin(), skipped_names.end(), name) != skipped_names.end()) return true;
  return std::any_of(skipped_suffixes.begin(), skipped_suffixes.end(), [&](const std::string& suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read inventory file {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool has_yaml_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  return std::find(kYamlExtensions.begin(), kYamlExtensions.end(), ext) != kYamlExtensions.end();
}

/// A file without extension is YAML when it parses as a mapping (Ansible tries its yaml plugin first).
bool looks_like_yaml_inventory(const std::string& path) {
  try {
    YAML::Node root = yaml::load_file(path);
    return root.IsMap() && !root["plugin"];
  } catch (const std::exception&) {
    return false;
  }
}

void read_file(const std::string& path, Inventory& inventory) {
  fs::path p(path);
  if (read_script_inventory(path, inventory)) return;  // Ansible tries scripts before YAML and INI
  if (has_yaml_extension(p) || (!p.has_extension() && looks_like_yaml_inventory(path))) {
    read_yaml_inventory(path, inventory);
  } else {
    read_ini_inventory(path, read_text(path), inventory);
  }
}

void read_directory(const fs::path& dir, Inventory& inventory) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (ignored_in_inventory_dir(name)) continue;
    fs::path full = dir / name;
    if (fs::is_directory(full)) {
      read_directory(full, inventory);
    } else {
      read_file(full.string(), inventory);
    }
  }
}

/// "web1,web2:2222," as Ansible's host_list plugin reads it: every name goes to ungrouped.
void read_host_list(const std::string& list, Inventory& inventory) {
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    auto b = item.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    item = item.substr(b, item.find_last_not_of(" \t") - b + 1);
    auto address = parse_address(item, false);
    std::string name = address ? address->host : item;
    inventory.add_host(name, "ungrouped", "", address ? address->port : std::nullopt);
  }
}

// find_vars_files: "<name>", "<name>.yml", "<name>.yaml", "<name>.json", first that exists; a folder of that
// name contributes its files (recursively, sorted, no hidden or backup files, no other extensions).
void collect_dir_files(const fs::path& dir, std::vector<fs::path>& out) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  for (const auto& path : entries) {
    std::string name = path.filename().string();
    if (name[0] == '.' || name.back() == '~') continue;
    bool no_ext = !path.has_extension();
    if (fs::is_directory(path)) {
      if (no_ext) collect_dir_files(path, out);
    } else if (no_ext || has_yaml_extension(path)) {
      out.push_back(path);
    }
  }
}

std::vector<fs::path> find_vars_files(const fs::path& folder, const std::string& name) {
  std::vector<fs::path> found;
  for (const char* ext : {"", ".yml", ".yaml", ".json"}) {
    fs::path candidate = folder / (name + ext);
    if (!fs::exists(candidate)) continue;
    if (fs::is_directory(candidate)) {
      collect_dir_files(candidate, found);
    } else {
      found.push_back(candidate);
    }
    break;
  }
  return found;
}

void load_entity_vars(const fs::path& folder, const std::vector<std::string>& names, std::map<std::string, Value>& out,
                      const yaml::Warn& warn) {
  if (!fs::is_directory(folder)) return;
  for (const auto& name : names) {
    if (name.empty() || name[0] == '/') continue;  // Ansible skips chroot-like names
    Value merged = Value::object();
    bool any = false;
    for (const auto& file : find_vars_files(folder, name)) {
      YAML::Node node = yaml::load_file(file.string(), warn);
      if (!node || node.IsNull()) continue;  // an empty file adds nothing
      if (!node.IsMap()) {
        throw Error(fmt::format("variables file must hold a mapping of variable names, got a {}",
                                node.IsSequence() ? "list" : "scalar"),
                    yaml::loc(node, file.string()));
      }
      Value vars = yaml::to_value(node, file.string());
      for (const auto& [key, value] : vars.items()) merged[key] = value;
      any = true;
    }
    if (any) out[name] = std::move(merged);
  }
}

}  // namespace

VarsFolder load_vars_folder(const std::string& dir, const Inventory& inventory, const yaml::Warn& warn) {
  VarsFolder folder;
  folder.dir = dir;
  std::vector<std::string> groups;
  for (const Group* g : inventory.groups_in_order()) groups.push_back(g->name);
  std::vector<std::string> hosts{"localhost", "127.0.0.1", "::1"};  // the implicit localhost may take any of these
  for (const Host* h : inventory.hosts()) hosts.push_back(h->name);
  load_entity_vars(fs::path(dir) / "group_vars", groups, folder.group_vars, warn);
  load_entity_vars(fs::path(dir) / "host_vars", hosts, folder.host_vars, warn);
  return folder;
}

Inventory load_inventory(const std::vector<std::string>& sources, const std::string& playbook_dir) {
  Inventory inventory;
  std::vector<std::string> vars_dirs;
  bool parsed = false;
  for (const auto& source : sources) {
    if (source.empty()) continue;
    if (source.find(',') != std::string::npos && !fs::exists(source)) {
      read_host_list(source, inventory);
      parsed = true;
      continue;
    }
    if (!fs::exists(source)) {
      // Ansible carries on with what it has; its own default location is skipped without a word.
      if (source != "/etc/ansible/hosts") {
        inventory.add_warning(fmt::format("Unable to parse {} as an inventory source", source));
      }
      continue;
    }
    parsed = true;
    // Like Ansible, sources are made absolute so inventory_file and inventory_dir are too.
    fs::path path = fs::absolute(source).lexically_normal();
    if (path.filename().empty()) path = path.parent_path();  // "inv/" names the folder itself
    if (fs::is_directory(path)) {
      read_directory(path, inventory);
      vars_dirs.push_back(path.string());
    } else {
      read_file(path.string(), inventory);
      vars_dirs.push_back(path.parent_path().string());
    }
  }
  inventory.reconcile();
  if (!parsed) inventory.add_warning("No inventory was parsed, only implicit localhost is available");
  if (inventory.hosts().empty()) {
    inventory.add_warning(
        "provided hosts list is empty, only localhost is available. Note that the implicit localhost does not "
        "match 'all'");
  }
  auto warn = [&inventory](const std::string& message) { inventory.add_warning(message); };
  for (const auto& dir : vars_dirs) inventory.add_inventory_vars(load_vars_folder(dir, inventory, warn));
  if (!playbook_dir.empty()) inventory.set_playbook_vars(load_vars_folder(playbook_dir, inventory, warn));
  return inventory;
}

}  // namespace prov::inv
