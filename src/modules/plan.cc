// What check mode predicts a real run would have created before the current task (mod::Plan).
#include <string_view>

#include "provision/modules/module.h"

namespace prov::mod {

namespace {

std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// A folder named after a package, or after the family of a versioned one (postgresql for postgresql-15).
bool named_after(std::string_view folder, const std::set<std::string>& packages) {
  for (const auto& package : packages) {
    if (folder == package) return true;
    if (package.size() > folder.size() && package.compare(0, folder.size(), folder) == 0 &&
        package[folder.size()] == '-') {
      return true;
    }
  }
  return false;
}

}  // namespace

void Plan::add_path(std::string path) {
  path = without_trailing_slashes(std::move(path));
  if (!path.empty()) paths.insert(std::move(path));
}

void Plan::add_tree(std::string path) {
  path = without_trailing_slashes(std::move(path));
  if (!path.empty()) trees.insert(std::move(path));
}

bool Plan::predicted(std::string path) const {
  path = without_trailing_slashes(std::move(path));
  if (path.empty()) return false;
  const std::string folder = path == "/" ? path : path + "/";
  for (const auto* set : {&paths, &trees}) {
    auto below = set->lower_bound(folder);
    if (below != set->end() && below->compare(0, folder.size(), folder) == 0) return true;
  }
  if (paths.count(path) || trees.count(path)) return true;
  for (bool itself = true;; itself = false) {
    if (!itself && trees.count(path)) return true;
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos || path == "/") return false;
    if (named_after(std::string_view(path).substr(slash + 1), packages)) return true;
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
}

void Plan::merge(const Plan& other) {
  packages.insert(other.packages.begin(), other.packages.end());
  paths.insert(other.paths.begin(), other.paths.end());
  trees.insert(other.trees.begin(), other.trees.end());
  users.insert(other.users.begin(), other.users.end());
  groups.insert(other.groups.begin(), other.groups.end());
  refreshed_indexes.insert(other.refreshed_indexes.begin(), other.refreshed_indexes.end());
}

void Plan::forget(const Plan& removed) {
  for (const auto& p : removed.packages) packages.erase(p);
  for (const auto& p : removed.paths) paths.erase(p);
  for (const auto& t : removed.trees) trees.erase(t);
  for (const auto& u : removed.users) users.erase(u);
  for (const auto& g : removed.groups) groups.erase(g);
  for (const auto& i : removed.refreshed_indexes) refreshed_indexes.erase(i);
}

}  // namespace prov::mod
