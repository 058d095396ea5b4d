#pragma once
// Fact gathering and caching settings: [defaults] gathering, fact_caching, fact_caching_connection and
// fact_caching_timeout of ansible.cfg, overridden by ANSIBLE_GATHERING and ANSIBLE_CACHE_PLUGIN*.
#include <map>
#include <string>

#include "provision/core/config.h"
#include "provision/exec/executor.h"

namespace prov::cli {

/// The settings from the configuration's values and the environment. Throws prov::Error for a value Ansible
/// refuses (a gathering other than implicit, explicit, smart; a timeout that is not a number) or a cache plugin
/// provision lacks.
exec::FactSettings fact_settings(const Config& config, const std::map<std::string, std::string>& env);

}  // namespace prov::cli
