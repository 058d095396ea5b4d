#include "role_runs.h"

namespace prov::exec {

void RoleRuns::allow_duplicates(const std::map<std::string, bool>& settings) {
  std::lock_guard lock(mutex_);
  for (const auto& [key, allow] : settings) runs_[key].allow_duplicates = allow;
}

void RoleRuns::allow_duplicates(const std::string& key, bool allow) {
  std::lock_guard lock(mutex_);
  runs_[key].allow_duplicates = allow;
}

void RoleRuns::ran(const std::string& key, const std::string& host) {
  std::lock_guard lock(mutex_);
  runs_[key].ran.insert(host);
}

void RoleRuns::reached_end(const std::string& key, const std::string& host) {
  std::lock_guard lock(mutex_);
  Runs& runs = runs_[key];
  if (runs.ran.count(host)) runs.completed.insert(host);
}

bool RoleRuns::done(const std::string& key, const std::string& host) const {
  std::lock_guard lock(mutex_);
  auto it = runs_.find(key);
  return it != runs_.end() && !it->second.allow_duplicates && it->second.completed.count(host) > 0;
}

}  // namespace prov::exec
