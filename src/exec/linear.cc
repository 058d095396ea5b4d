// The linear strategy: each task runs on every host of the batch before the next task starts.
#include "strategy.h"

namespace prov::exec {

namespace {

class LinearStrategy : public Strategy {
 public:
  void run_section(const PlayState&, const Hosts& hosts,
                   const std::function<void(const Hosts&)>& run_nodes) const override {
    run_nodes(hosts);
  }
  bool repeats_banner() const override { return true; }
  bool hosts_together() const override { return true; }
};

}  // namespace

const Strategy& linear_strategy() {
  static const LinearStrategy strategy;
  return strategy;
}

}  // namespace prov::exec
