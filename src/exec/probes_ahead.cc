// Probes sent ahead: the first commands of a task and the ones right after it go to the host in one round trip
// (prefetch.h holds the cache that answers them).
#include <algorithm>
#include <map>
#include <set>

#include "async_job.h"
#include "prefetch.h"
#include "runner.h"
#include "task_runner.h"

namespace prov::exec::detail {

namespace {

constexpr size_t kMaxProbesAhead = 64;

bool same_options(const conn::RunOptions& a, const conn::RunOptions& b) {
  return a.env == b.env && a.become.enabled == b.become.enabled && a.become.user == b.become.user &&
         a.become.method == b.become.method && a.become.password == b.become.password;
}

}  // namespace

// On a converged host most tasks only probe. When this task and the ones right after it can tell what they
// would send first (planned_probes), those probes go to the host in one round trip and each task then finds its
// answers waiting in the connection; anything else sent meanwhile drops the rest.
void Runner::send_probes_ahead(HostState& h, const graph::Node& node, const Frame& frame, Following following) {
  if (!h.connection) return;
  if (h.probed_ahead.erase(node.task) > 0) return;
  h.probed_ahead.clear();
  h.connection->drop_prefetched();
  if (following.nodes == nullptr) return;
  // A job left running (poll: 0) changes the host meanwhile: what a probe reads now may be stale when asked.
  if (play_.jobs && play_.jobs->running_on(h.name)) return;
  PlannedProbes first = planned_probes(play_, h, node, frame);
  if (first.probes.empty()) return;
  const conn::RunOptions options = first.probes.front().options;
  std::vector<BatchCommand> commands;
  std::set<const pb::Task*> tasks;
  auto fits = [&](const PlannedProbes& planned) {
    return std::all_of(planned.probes.begin(), planned.probes.end(),
                       [&](const PlannedProbe& p) { return same_options(p.options, options); });
  };
  // A command asked again gets the same answer (nothing ran in between, or the answers are gone): sent once.
  std::set<std::string> sent;
  std::map<mod::ProbePrelude, std::vector<std::string>> shared;  // for each prelude named by a probe
  size_t answers = 0;
  auto add = [&](const PlannedProbes& planned) {
    for (const PlannedProbe& p : planned.probes) {
      if (!sent.insert(p.command).second) continue;
      commands.emplace_back(p.command, p.shares_subshell);
      if (p.prelude != nullptr) shared[p.prelude].push_back(p.shared);
    }
    answers += planned.probes.size();
    return planned.complete;
  };
  if (!fits(first)) return;
  bool more = add(first);
  for (size_t i = following.from; more && i < following.nodes->size() && commands.size() < kMaxProbesAhead; ++i) {
    const graph::Node& next = (*following.nodes)[i];
    if (next.kind != graph::Node::Kind::Task || is_meta(*next.task) || is_include(*next.task)) break;
    if (tasks.count(next.task) || next.task == node.task) break;
    PlannedProbes planned = planned_probes(play_, h, next, frame);
    if (planned.probes.empty() || !fits(planned)) break;
    tasks.insert(next.task);
    more = add(planned);
  }
  if (answers < 2) return;  // one probe alone: as many round trips either way
  std::string prelude;
  for (const auto& [make_prelude, items] : shared) {
    if (items.size() > 1) prelude += make_prelude(items);
  }
  try {
    h.connection->prefetch(commands, options, prelude);
  } catch (const Error&) {
    h.connection->drop_prefetched();  // the task's own probe will meet the problem and report it
    return;
  }
  h.probed_ahead = std::move(tasks);
}

}  // namespace prov::exec::detail
