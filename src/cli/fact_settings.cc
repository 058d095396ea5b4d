#include "fact_settings.h"

#include "provision/core/error.h"
#include "provision/core/text.h"

namespace prov::cli {

namespace {

// The environment variable when set, else the configuration's [defaults] key, else "".
std::string setting(const Config& config, const std::map<std::string, std::string>& env, const char* variable,
                    const char* key, std::string* origin) {
  if (auto it = env.find(variable); it != env.end()) {
    *origin = variable;
    return it->second;
  }
  if (auto it = config.raw.find(std::string("defaults.") + key); it != config.raw.end()) {
    *origin = std::string("[defaults] ") + key;
    return it->second;
  }
  return "";
}

}  // namespace

exec::FactSettings fact_settings(const Config& config, const std::map<std::string, std::string>& env) {
  exec::FactSettings s;
  std::string origin;
  const std::string gathering = lower(trim(setting(config, env, "ANSIBLE_GATHERING", "gathering", &origin)));
  if (!gathering.empty()) {
    if (gathering != "implicit" && gathering != "explicit" && gathering != "smart") {
      throw Error("Invalid value '" + gathering + "' for " + origin + ": expected one of implicit, explicit, smart");
    }
    s.gathering = gathering;
  }
  const std::string plugin = trim(setting(config, env, "ANSIBLE_CACHE_PLUGIN", "fact_caching", &origin));
  if (!plugin.empty()) {
    std::string name = plugin;
    for (const char* prefix : {"ansible.builtin.", "ansible.legacy."}) {
      if (name.rfind(prefix, 0) == 0) name = name.substr(std::string(prefix).size());
    }
    if (name != "memory" && name != "jsonfile") {
      throw Error("fact_caching '" + plugin + "' (" + origin + "): provision has the memory and jsonfile caches only");
    }
    s.caching = name;
  }
  s.caching_connection =
      trim(setting(config, env, "ANSIBLE_CACHE_PLUGIN_CONNECTION", "fact_caching_connection", &origin));
  if (s.caching == "jsonfile" && s.caching_connection.empty()) {
    throw Error(
        "error, 'jsonfile' cache plugin requires the 'fact_caching_connection' config option to be set (to a "
        "writeable directory path)");
  }
  const std::string timeout =
      trim(setting(config, env, "ANSIBLE_CACHE_PLUGIN_TIMEOUT", "fact_caching_timeout", &origin));
  if (!timeout.empty()) {
    auto seconds = parse_int(timeout);
    if (!seconds) throw Error("Invalid value '" + timeout + "' for " + origin + ": it is not a valid integer");
    s.caching_timeout = *seconds;
  }
  s.caching_prefix = setting(config, env, "ANSIBLE_CACHE_PLUGIN_PREFIX", "fact_caching_prefix", &origin);
  const std::string subset = trim(setting(config, env, "ANSIBLE_GATHER_SUBSET", "gather_subset", &origin));
  if (!subset.empty()) {
    for (const auto& item : split(subset, ',')) {
      if (!trim(item).empty()) s.gather_subset.push_back(trim(item));
    }
  }
  const std::string gather_timeout = trim(setting(config, env, "ANSIBLE_GATHER_TIMEOUT", "gather_timeout", &origin));
  if (!gather_timeout.empty()) {
    auto seconds = parse_int(gather_timeout);
    if (!seconds) throw Error("Invalid value '" + gather_timeout + "' for " + origin + ": it is not a valid integer");
    s.gather_timeout = *seconds;
  }
  const std::string fact_path = trim(setting(config, env, "ANSIBLE_FACT_PATH", "fact_path", &origin));
  if (!fact_path.empty()) s.fact_path = expand_user_vars(fact_path);
  return s;
}

}  // namespace prov::cli
