// Handlers: run at the end of each section and on meta: flush_handlers, in the order they are listed, once per
// notified host; a handler may notify later ones.
#include <fmt/format.h>

#include <algorithm>

#include "runner.h"
#include "scope.h"
#include "task_inputs.h"

namespace prov::exec::detail {

namespace {

// The handler's name as notifications see it: rendered when it is a template (empty when it could not be).
std::string handler_name(const PlayState& play, const pb::Task& handler) {
  if (!tmpl::is_template(handler.name)) return handler.name;
  std::lock_guard lock(play.handler_names_mutex);
  auto it = play.handler_names.find(&handler);
  return it == play.handler_names.end() ? handler.name : it->second.value_or("");
}

bool answers_to(const PlayState& play, const pb::Task& handler, const std::string& name) {
  const std::string own = handler_name(play, handler);
  if (own.empty()) return false;
  return name == own || (handler.role && name == handler.role->name + " : " + own);
}

bool listens_to(const pb::Task& handler, const std::string& topic) {
  return std::find(handler.listen.begin(), handler.listen.end(), topic) != handler.listen.end();
}

// A role listed again lists its handlers again; they are the same handlers.
bool same_handler(const graph::Node& a, const graph::Node& b) { return a.task == b.task && a.role_key == b.role_key; }

// The handler a notification by name goes to, as Ansible looks it up: through the lists of handlers (a role
// instance's, the play's) from the last one read, the first of that name in the list. A role given other
// parameters brings handlers of the same names, the play's handlers may repeat a name.
const graph::Node* named_handler(const PlayState& play, const std::vector<graph::Node>& handlers,
                                 const std::string& name) {
  for (std::size_t last = handlers.size(); last-- > 0;) {
    if (!answers_to(play, *handlers[last].task, name)) continue;
    std::size_t first = last;
    while (first > 0 && handlers[first - 1].handler_list == handlers[last].handler_list) --first;
    for (std::size_t i = first; i <= last; ++i) {
      if (answers_to(play, *handlers[i].task, name)) return &handlers[i];
    }
  }
  return nullptr;
}

// Notified by name, or by a topic it listens to (every handler listening to it is).
bool notified(const PlayState& play, const HostState& h, const std::vector<graph::Node>& handlers,
              const graph::Node& handler) {
  for (const auto& name : h.notified) {
    if (listens_to(*handler.task, name)) return true;
    const graph::Node* target = named_handler(play, handlers, name);
    if (target && same_handler(*target, handler)) return true;
  }
  return false;
}

}  // namespace

bool Runner::force_handlers(const Hosts& hosts) {
  const Value* raw = find_key(play_.play->kw.other, "force_handlers");
  if (raw == nullptr || raw->is_null() || hosts.empty()) return play_.settings->force_handlers;
  TaskScope scope(play_, *hosts.front(), root_, nullptr);
  tmpl::Options options = ansible_options();
  options.name = play_.play->loc.str();
  options.in_value = true;
  return as_bool(tmpl::template_value(*raw, scope.scope(), options), false);
}

void Runner::flush_handlers(const Hosts& hosts) {
  if (run_ended(play_)) return;
  Hosts pending;
  // With force_handlers a host that failed before the flush still runs its handlers, until one of them fails.
  std::map<HostState*, int> failures_before;
  for (auto* h : hosts) {
    if (h->notified.empty() || h->unreachable || h->ended) continue;
    if (h->failed && !force_handlers_) continue;
    pending.push_back(h);
    failures_before[h] = h->stats.failed;
  }
  if (pending.empty()) return;
  auto runs_handlers = [&](HostState* h) {
    if (h->unreachable || h->ended) return false;
    return !h->failed || (force_handlers_ && h->stats.failed == failures_before[h]);
  };
  const std::vector<graph::Node>& handlers = play_.graph.handlers;
  for (std::size_t i = 0; i < handlers.size(); ++i) {
    const graph::Node& handler = handlers[i];
    bool listed_before = std::any_of(handlers.begin(), handlers.begin() + static_cast<std::ptrdiff_t>(i),
                                     [&](const graph::Node& earlier) { return same_handler(earlier, handler); });
    if (listed_before) continue;
    Hosts targets;
    for (auto* h : pending) {
      if (runs_handlers(h) && notified(play_, *h, handlers, handler)) targets.push_back(h);
    }
    if (targets.empty()) continue;
    Frame frame = root_;
    enter_role(frame, handler);
    for (const pb::Task* block : handler.enclosing_blocks) {
      frame.keywords.push_back(&block->kw);
      if (!block->notify.empty()) frame.notify = &block->notify;
    }
    run_leaf(handler, targets, frame, true);
  }
  for (auto* h : pending) h->notified.clear();
}

}  // namespace prov::exec::detail

namespace prov::exec {

bool handler_exists(PlayState& play, const std::string& name) {
  std::lock_guard lock(play.loaded_mutex);
  const auto& handlers = play.graph.handlers;
  return detail::named_handler(play, handlers, name) != nullptr ||
         std::any_of(handlers.begin(), handlers.end(),
                     [&](const graph::Node& n) { return detail::listens_to(*n.task, name); });
}

bool run_ended(PlayState& play) {
  std::lock_guard lock(play.loaded_mutex);
  return !play.run_error.empty();
}

void end_run(PlayState& play, const std::string& message) {
  std::lock_guard lock(play.loaded_mutex);
  if (play.run_error.empty()) play.run_error = message;
  play.aborted = true;
}

}  // namespace prov::exec

namespace prov::exec {

void render_handler_names(PlayState& play, HostState& host) {
  std::vector<graph::Node> pending;
  {
    std::scoped_lock lock(play.loaded_mutex, play.handler_names_mutex);
    for (const auto& node : play.graph.handlers) {
      if (tmpl::is_template(node.task->name) && !play.handler_names.count(node.task)) pending.push_back(node);
    }
  }
  for (const auto& node : pending) {
    Frame frame;
    frame.keywords.push_back(&play.play->kw);
    detail::enter_role(frame, node);
    TaskScope scope(play, host, frame, node.task);
    tmpl::Options options = ansible_options();
    options.name = node.task->loc.str();
    std::optional<std::string> name;
    try {
      name = tmpl::render(node.task->name, scope.scope(), options);
    } catch (const tmpl::UndefinedError& e) {
      if (node.task->listen.empty()) {
        play.sink->warning(
            fmt::format("Handler '{}' is unusable because it has no listen topics and the name could not be templated "
                        "(host-specific "
                        "variables are not supported in handler names). The error: {}",
                        node.task->name, e.message()));
      }
    }
    std::lock_guard lock(play.handler_names_mutex);
    play.handler_names.emplace(node.task, std::move(name));
  }
}

}  // namespace prov::exec
