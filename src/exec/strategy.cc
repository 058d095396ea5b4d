// The table of strategies a play's `strategy` keyword names.
#include "strategy.h"

#include <utility>

namespace prov::exec {

namespace {

constexpr std::pair<std::string_view, const Strategy& (*)()> kStrategies[] = {
    {"linear", &linear_strategy},
    {"free", &free_strategy},
    // Ansible's host_pinned is free with each worker kept on its host until the host is done; provision's free
    // already gives each host its own thread.
    {"host_pinned", &free_strategy},
};

}  // namespace

const Strategy& find_strategy(std::string_view name) {
  for (const auto& [strategy_name, strategy] : kStrategies) {
    if (strategy_name == name) return strategy();
  }
  return linear_strategy();
}

Hosts active_of(const Hosts& hosts) {
  Hosts out;
  for (auto* h : hosts) {
    if (h->active()) out.push_back(h);
  }
  return out;
}

}  // namespace prov::exec
