// Roles: found by name beside the playbook or in the roles path, loaded once per set of entry points.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "loader_internal.h"
#include "provision/core/yaml.h"

namespace prov::pb::detail {
namespace {

namespace fs = std::filesystem;

// `main` may be written main.yml, main.yaml or plain main; a name with an extension is taken as written.
std::string find_role_file(const std::string& role_path, const std::string& folder, const std::string& name) {
  std::string base = join_path(join_path(role_path, folder), name);
  for (const char* ext : {".yml", ".yaml", ".json", ""}) {
    std::error_code ec;
    if (fs::is_regular_file(base + ext, ec)) return base + ext;
  }
  return {};
}

// As Ansible, an entry point (tasks_from, vars_from, ...) must be a file inside the role's folder for it: an absolute
// path or one climbing out with `..` is refused.
void check_inside(const Role& role, const std::string& folder, const std::string& path, const SourceLoc& at) {
  const fs::path expected = fs::path(join_path(role.path, folder)).lexically_normal();
  const fs::path found = fs::path(path).lexically_normal();
  auto e = expected.begin(), f = found.begin();
  for (; e != expected.end() && f != found.end() && *e == *f; ++e, ++f) {}
  if (e == expected.end()) return;
  throw Error(fmt::format("Failed loading '{}' for role ({}) as it is not inside the expected role path: '{}'", path,
                          role.name, expected.string()),
              at);
}

std::string missing_entry_message(const Role& role, const std::string& folder, const std::string& name) {
  return fmt::format("'{}' not found in role '{}' (searched {}/{}/{}.yml, .yaml and without extension)", name,
                     role.name, role.path, folder, name);
}

// One variables file of a role: a mapping (an empty file is an empty mapping).
Value load_vars_file(const std::string& path, const LoadContext& ctx) {
  YAML::Node root = yaml::load_file(path, ctx.options.warn);
  if (root.IsNull()) return Value::object();
  if (!root.IsMap()) {
    throw Error(fmt::format("expected a mapping of variables, got {}", node_kind(root)), yaml::loc(root, path));
  }
  return yaml::to_value(root, path);
}

// The files of a folder such as defaults/main/, as Ansible reads them: names in order, subfolders where they sort,
// hidden names skipped, files ending in .yml, .yaml, .json or nothing.
void vars_folder_files(const std::string& folder, std::vector<std::string>& files) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  for (const auto& entry : entries) {
    if (entry.filename().string().front() == '.') continue;
    if (fs::is_directory(entry, ec)) {
      vars_folder_files(entry.string(), files);
      continue;
    }
    const std::string ext = entry.extension().string();
    if (ext.empty() || ext == ".yml" || ext == ".yaml" || ext == ".json") files.push_back(entry.string());
  }
}

// defaults/ and vars/: NAME.yml (.yaml, .json, plain), else a folder NAME/ whose files are read in order, a later
// file's variables replacing an earlier one's.
Value load_role_vars(const Role& role, const std::string& folder, const std::string& name, const SourceLoc& at,
                     const LoadContext& ctx) {
  std::string path = find_role_file(role.path, folder, name);
  if (!path.empty()) check_inside(role, folder, path, at);
  if (!path.empty()) return load_vars_file(path, ctx);
  const std::string dir = join_path(join_path(role.path, folder), name);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (name != "main") throw Error(missing_entry_message(role, folder, name), at);
    return Value::object();
  }
  std::vector<std::string> files;
  vars_folder_files(dir, files);
  Value vars = Value::object();
  for (const auto& file : files) {
    Value more = load_vars_file(file, ctx);
    for (auto it = more.begin(); it != more.end(); ++it) vars[it.key()] = it.value();
  }
  return vars;
}

std::vector<Task> load_role_tasks(const std::shared_ptr<Role>& role, const std::string& folder,
                                  const std::string& name, bool handlers, const SourceLoc& at, LoadContext& ctx) {
  std::string path = find_role_file(role->path, folder, name);
  if (path.empty()) {
    if (name != "main") throw Error(missing_entry_message(*role, folder, name), at);
    return {};
  }
  check_inside(*role, folder, path, at);
  return load_tasks_file(path, TaskSource{path, role, handlers}, ctx);
}

void load_meta(Role& role, LoadContext& ctx) {
  std::string path = find_role_file(role.path, "meta", "main");
  if (path.empty()) return;
  YAML::Node root = yaml::load_file(path, ctx.options.warn);
  if (root.IsNull()) return;
  if (!root.IsMap()) {
    throw Error(fmt::format("expected a mapping in role metadata, got {}", node_kind(root)), yaml::loc(root, path));
  }
  // galaxy_info, argument_specs and the like describe the role; only these change how it runs.
  if (const YAML::Node deps = root["dependencies"]) {
    if (!deps.IsNull() && !deps.IsSequence()) {
      throw Error(fmt::format("'dependencies' must be a list of roles, got {}", node_kind(deps)), yaml::loc(deps, path));
    }
    for (const auto& dep : deps) role.dependencies.push_back(parse_role_ref(dep, path, ctx, &role));
  }
  if (const YAML::Node allow = root["allow_duplicates"]) role.allow_duplicates = truthy(yaml::to_value(allow, path));
  if (const YAML::Node collections = root["collections"]) {
    ctx.role_collections[role.path] = read_collections(collections, path);
  }
}

// The roles of a cycle by name; `chain` holds role keys (the folder, then the entry points after '|').
std::string chain_of_names(const std::vector<std::string>& chain, const std::string& again) {
  auto name = [](const std::string& key) { return fs::path(key.substr(0, key.find('|'))).filename().string(); };
  std::string text;
  for (auto it = std::find(chain.begin(), chain.end(), again); it != chain.end(); ++it) text += name(*it) + " -> ";
  return text + name(again);
}

// "ns.coll" of a role folder inside a collection (.../ansible_collections/ns/coll/roles/role), "" otherwise.
std::string collection_of(const std::string& role_path) {
  fs::path p(role_path);
  fs::path roles = p.parent_path(), coll = roles.parent_path(), ns = coll.parent_path();
  if (roles.filename() != "roles" || ns.parent_path().filename() != "ansible_collections") return "";
  return ns.filename().string() + "." + coll.filename().string();
}

// The folders a role of a collection may be in, as Ansible looks for one: a name NS.COLL.ROLE, or a short name in
// the collection of the role that names it and in the play's `collections`; the playbook's collections/ folder
// first, then each collections_path folder.
std::vector<std::string> collection_role_folders(const std::string& name, const LoadContext& ctx,
                                                 const Role* near_role) {
  std::vector<std::pair<std::string, std::string>> wanted;  // collection, role
  const size_t dots = static_cast<size_t>(std::count(name.begin(), name.end(), '.'));
  if (name.find('/') != std::string::npos) return {};
  if (dots == 2) {
    size_t last = name.rfind('.');
    wanted.push_back({name.substr(0, last), name.substr(last + 1)});
  } else if (dots == 0) {
    std::vector<std::string> collections;
    if (near_role && !collection_of(near_role->path).empty()) collections.push_back(collection_of(near_role->path));
    for (const auto& c : ctx.collections) collections.push_back(c);
    for (const auto& c : collections) {
      if (c != "ansible.builtin" && c != "ansible.legacy") wanted.push_back({c, name});
    }
  }
  std::vector<std::string> roots{join_path(ctx.playbook_dir, "collections")};
  roots.insert(roots.end(), ctx.options.collections_path.begin(), ctx.options.collections_path.end());
  std::vector<std::string> folders;
  for (const auto& [collection, role] : wanted) {
    const std::string ns = collection.substr(0, collection.find('.')), coll = collection.substr(ns.size() + 1);
    for (const auto& root : roots) {
      folders.push_back(join_path(root, "ansible_collections/" + ns + "/" + coll + "/roles/" + role));
    }
  }
  return folders;
}

}  // namespace

std::shared_ptr<Role> resolve_role(const std::string& name, const SourceLoc& at, const RoleEntryPoints& entry,
                                   LoadContext& ctx, bool dynamic, const Role* near_role) {
  // A collection's role first, as Ansible tries it before a standalone role of that name.
  std::vector<std::string> searched = collection_role_folders(name, ctx, near_role);
  if (near_role) searched.push_back(join_path(dir_of(near_role->path), name));
  searched.push_back(join_path(join_path(ctx.playbook_dir, "roles"), name));
  for (const auto& folder : ctx.options.roles_path) searched.push_back(join_path(folder, name));
  searched.push_back(join_path(ctx.playbook_dir, name));
  // Drop repeats (the sibling folder is often the playbook's roles/), keeping the first of each.
  std::vector<std::string> unique;
  for (const auto& candidate : searched) {
    if (std::find(unique.begin(), unique.end(), candidate) == unique.end()) unique.push_back(candidate);
  }
  searched = unique;
  std::string path;
  for (const auto& candidate : searched) {
    std::error_code ec;
    if (fs::is_directory(candidate, ec)) {
      path = candidate;
      break;
    }
  }
  if (path.empty()) {
    std::string list;
    for (const auto& candidate : searched) list += (list.empty() ? "" : ", ") + candidate;
    throw Error(fmt::format("role '{}' not found (searched: {})", name, list), at);
  }

  std::string key = fmt::format("{}|{}|{}|{}|{}", path, entry.tasks_from, entry.vars_from, entry.defaults_from,
                                entry.handlers_from);
  if (auto cached = ctx.roles.find(key); cached != ctx.roles.end()) return cached->second;
  // A role may import itself with other entry points (tasks_from); the same entry points again are a cycle.
  if (std::find(ctx.roles_loading.begin(), ctx.roles_loading.end(), key) != ctx.roles_loading.end()) {
    if (dynamic) return nullptr;
    throw Error("role dependency cycle: " + chain_of_names(ctx.roles_loading, key), at);
  }

  auto role = std::make_shared<Role>();
  // A collection's role is named by its full name (its tasks' banners say "ns.coll.role : task"), as in Ansible.
  const std::string collection = collection_of(path);
  role->name = (collection.empty() ? "" : collection + ".") + fs::path(path).filename().string();
  role->path = path;
  ctx.roles_loading.push_back(key);
  role->defaults = load_role_vars(*role, "defaults", entry.defaults_from, at, ctx);
  role->vars = load_role_vars(*role, "vars", entry.vars_from, at, ctx);
  load_meta(*role, ctx);
  role->tasks = load_role_tasks(role, "tasks", entry.tasks_from, false, at, ctx);
  role->handlers = load_role_tasks(role, "handlers", entry.handlers_from, true, at, ctx);
  ctx.roles_loading.pop_back();
  ctx.roles[key] = role;
  return role;
}

RoleRef parse_role_ref(const YAML::Node& written, const std::string& file, LoadContext& ctx, const Role* near_role) {
  const YAML::Node node = with_merges(written, file);
  RoleRef ref;
  ref.loc = yaml::loc(written, file);
  SourceLoc name_loc = ref.loc;
  if (node.IsScalar()) {
    ref.name = node.Scalar();
  } else if (node.IsMap()) {
    YAML::Node name_node = node["role"] ? node["role"] : node["name"];
    if (!name_node) throw Error("a role reference needs 'role' (or 'name')", ref.loc);
    ref.name = read_scalar(name_node, file, "role");
    name_loc = yaml::loc(name_node, file);
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      if (key == "role" || key == "name") continue;
      // As in Ansible, keys that are not keywords are the role's parameters.
      if (is_keyword(KeywordSet::RoleRef, key) && read_shared_keyword(key, entry.second, file, ref.kw)) continue;
      ref.params[key] = yaml::to_value(entry.second, file);
    }
  } else {
    throw Error(fmt::format("expected a role name or a mapping with 'role', got {}", node_kind(node)), ref.loc);
  }
  if (ref.name.empty()) throw Error("empty role name", name_loc);
  if (has_template(ref.name)) {
    throw Error(fmt::format("role name '{}' cannot hold a template here", ref.name), name_loc,
                "use include_role to choose a role at run time");
  }
  ref.role = resolve_role(ref.name, name_loc, RoleEntryPoints{}, ctx, false, near_role);
  return ref;
}

std::vector<Task> expand_role_tasks(const std::shared_ptr<Role>& role) {
  std::vector<Task> out;
  for (const RoleRef& dep : role->dependencies) {
    Task block;
    block.loc = dep.loc;
    block.file = dep.loc.file;
    block.name = dep.name;
    block.action = &mod::block_action();
    block.import_kind = "import_role";
    block.args = Value{{"name", dep.name}};
    block.kw = dep.kw;
    for (auto& [k, v] : dep.params.items()) block.kw.vars[k] = v;
    block.role = dep.role.get();
    block.included_role = dep.role;
    block.block = expand_role_tasks(dep.role);
    out.push_back(std::move(block));
  }
  out.insert(out.end(), role->tasks.begin(), role->tasks.end());
  return out;
}

}  // namespace prov::pb::detail
