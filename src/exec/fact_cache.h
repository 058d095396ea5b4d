#pragma once
// Ansible's jsonfile fact cache (fact_caching = jsonfile): one JSON file per host in a folder, written as Ansible
// writes it (keys sorted, four-space indent, mode 0600), so that Ansible and provision can share one cache.
#include <optional>
#include <string>

#include "provision/core/value.h"

namespace prov::facts {

class JsonFileCache {
 public:
  /// `folder`: fact_caching_connection (~ and $VARS expanded, relative to the working directory as in Ansible);
  /// `timeout`: fact_caching_timeout in seconds, 0 for entries that never expire; `prefix`: fact_caching_prefix,
  /// put before each host's name to name its file.
  JsonFileCache(std::string folder, long long timeout, std::string prefix = "");

  /// Makes the folder when it is missing; a folder that cannot be made is left to store() to report.
  void prepare() const;

  /// The host's entry (the ansible_* facts, gather_subset, module_setup, cacheable set_fact values), or nullopt
  /// when there is none or it is older than the timeout. Throws prov::Error for a file that is not JSON.
  std::optional<Value> load(const std::string& host) const;

  /// Replaces the host's entry, through a temporary file renamed into place. Throws prov::Error when the folder
  /// cannot be made or the file cannot be written.
  void store(const std::string& host, const Value& entry) const;

  /// Removes the host's entry (--flush-cache); no entry is no error. Throws prov::Error when it cannot be removed.
  void remove(const std::string& host) const;

  const std::string& folder() const { return folder_; }

 private:
  std::string file_of(const std::string& host) const { return folder_ + "/" + prefix_ + host; }

  std::string folder_;
  long long timeout_;
  std::string prefix_;
};

/// The value as Python's json.dumps(sort_keys=True, indent=4) writes it (ASCII only, "\uXXXX" escapes).
std::string python_json_dump(const Value& value);

}  // namespace prov::facts
