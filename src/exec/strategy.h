#pragma once
// How the hosts of a batch go through a section of a play: `linear` runs each task on every host before the next
// task (linear.cc), `free` lets each host run the section at its own pace (free.cc). A new strategy is one file and
// one line in strategy.cc's table.
#include <functional>
#include <string_view>
#include <vector>

#include "state.h"

namespace prov::exec {

using Hosts = std::vector<HostState*>;

class Strategy {
 public:
  virtual ~Strategy() = default;
  /// Runs a section on the hosts through `run_nodes`, which takes the section's nodes through the hosts it is
  /// given, each task on all of them before the next.
  virtual void run_section(const PlayState& play, const Hosts& hosts,
                           const std::function<void(const Hosts&)>& run_nodes) const = 0;
  /// Whether a task's banner is printed again when another host reaches it right after (free: no, once in a row).
  virtual bool repeats_banner() const = 0;
  /// Whether run_nodes is given every host of the section at once (linear), rather than one host at a time.
  virtual bool hosts_together() const = 0;
};

const Strategy& linear_strategy();
const Strategy& free_strategy();

/// The strategy a play names; linear for names provision does not have (host_pinned, debug), as it has been.
const Strategy& find_strategy(std::string_view name);

/// The hosts of the list still in the play.
Hosts active_of(const Hosts& hosts);

}  // namespace prov::exec
