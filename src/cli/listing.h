#pragma once
// --list-hosts, --list-tasks and --list-tags: read from the loaded playbook and its task graph; no host is touched.
#include <string>
#include <vector>

#include "provision/exec/executor.h"
#include "provision/inventory/inventory.h"

namespace prov::cli {

enum class Listing { Hosts, Tasks, Tags };

/// Prints the listing the way ansible-playbook does, one part per playbook (`shown`: their paths as given, one per
/// entry of playbook.ends); returns an exit code.
int print_listing(Listing what, const pb::Playbook& playbook, const std::vector<std::string>& shown,
                  const inv::Inventory& inventory, const exec::Settings& settings);

}  // namespace prov::cli
