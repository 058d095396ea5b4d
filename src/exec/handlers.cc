// Handlers: run at the end of each section and on meta: flush_handlers, in the order they are defined, once per
// notified host; a handler may notify later ones.
#include <fmt/format.h>

#include <algorithm>

#include "runner.h"

namespace prov::exec::detail {

namespace {

std::vector<std::string> handler_names(const pb::Task& task) {
  std::vector<std::string> names;
  if (!task.name.empty()) {
    names.push_back(task.name);
    if (task.role) names.push_back(task.role->name + " : " + task.name);
  }
  for (const auto& topic : task.listen) names.push_back(topic);
  return names;
}

bool notified(const HostState& h, const pb::Task& handler) {
  for (const auto& name : handler_names(handler)) {
    if (std::find(h.notified.begin(), h.notified.end(), name) != h.notified.end()) return true;
  }
  return false;
}

}  // namespace

// Handlers run in the order they are defined, once per notified host; a handler may notify later ones.
void Runner::flush_handlers(const Hosts& hosts) {
  Hosts pending;
  for (auto* h : hosts) {
    if (!h->notified.empty()) pending.push_back(h);
  }
  if (pending.empty()) return;
  for (std::size_t i = 0; i < play_.graph.handlers.size(); ++i) {
    const graph::Node& handler = play_.graph.handlers[i];
    Hosts targets;
    for (auto* h : pending) {
      if (h->active() && notified(*h, *handler.task)) targets.push_back(h);
    }
    if (targets.empty()) continue;
    Frame frame = root_;
    frame.role = handler.role;
    run_leaf(handler, targets, frame, true);
  }
  for (auto* h : pending) {
    for (const auto& name : h->notified) {
      bool known = std::any_of(play_.graph.handlers.begin(), play_.graph.handlers.end(), [&](const graph::Node& n) {
        auto names = handler_names(*n.task);
        return std::find(names.begin(), names.end(), name) != names.end();
      });
      if (!known) {
        play_.sink->warning(fmt::format("The requested handler '{}' was not found in the handlers of this play", name));
      }
    }
    h->notified.clear();
  }
}

}  // namespace prov::exec::detail
