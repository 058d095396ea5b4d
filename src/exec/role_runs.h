#pragma once
// Which role instances have run on which hosts in a play, for Ansible's role deduplication: once a task of an
// instance has run on a host (ok, changed or failed; not skipped, not a meta task) and the host reaches the end of
// the instance, its tasks are skipped on that host from then on, unless the instance allows duplicates.
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace prov::exec {

class RoleRuns {
 public:
  /// Sets whether instances allow duplicates (from meta/main.yml, import_role or include_role).
  void allow_duplicates(const std::map<std::string, bool>& settings);
  void allow_duplicates(const std::string& key, bool allow);
  /// A task of the instance ran on the host.
  void ran(const std::string& key, const std::string& host);
  /// The host reached the end of the instance: it has run there if one of its tasks ran.
  void reached_end(const std::string& key, const std::string& host);
  /// Whether the instance's tasks are skipped on the host.
  bool done(const std::string& key, const std::string& host) const;

 private:
  struct Runs {
    bool allow_duplicates = false;
    std::set<std::string> ran;
    std::set<std::string> completed;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Runs> runs_;
};

}  // namespace prov::exec
