// The free strategy: each host runs the section at its own pace, up to `forks` hosts at once; a task's banner is
// shown once for a run of hosts reaching it in a row.
#include "strategy.h"
#include "workers.h"

namespace prov::exec {

namespace {

class FreeStrategy : public Strategy {
 public:
  void run_section(const PlayState& play, const Hosts& hosts,
                   const std::function<void(const Hosts&)>& run_nodes) const override {
    for_each_host(active_of(hosts), play.settings->forks, *play.sink, [&](HostState& h) { run_nodes(Hosts{&h}); });
  }
  bool repeats_banner() const override { return false; }
  bool hosts_together() const override { return false; }
};

}  // namespace

const Strategy& free_strategy() {
  static const FreeStrategy strategy;
  return strategy;
}

}  // namespace prov::exec
