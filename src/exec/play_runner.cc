#include "play_runner.h"

#include <fmt/format.h>

#include <algorithm>

#include "connect.h"
#include "provision/core/utf8.h"
#include "runner.h"
#include "scope.h"
#include "task_runner.h"
#include "workers.h"

namespace prov::exec {

namespace detail {

bool is_include(const pb::Task& task) {
  return task.action->kind == mod::ActionKind::IncludeTasks || task.action->kind == mod::ActionKind::IncludeRole;
}

bool is_meta(const pb::Task& task) { return task.action->kind == mod::ActionKind::Meta; }

void enter_role(Frame& frame, const graph::Node& node) {
  frame.role = node.role;
  if (node.role_ref) {
    frame.keywords.push_back(&node.role_ref->kw);
  } else if (node.role_import && node.kind != graph::Node::Kind::Role) {
    // A role's handler; the role's own tasks run inside the importing task, which holds these keywords already.
    frame.keywords.push_back(&node.role_import->kw);
  }
  for (auto it = node.dependents.rbegin(); it != node.dependents.rend(); ++it) frame.role_chain.push_back(*it);
  const Value* vars = node.role_ref ? &node.role_ref->kw.vars : node.role_import ? &node.role_import->kw.vars : nullptr;
  if (node.role) frame.role_chain.push_back({node.role.get(), vars, node.role_ref});
}

void note_role_ran(PlayState& play, const Frame& frame, const HostState& h) {
  if (!frame.role_key.empty()) play.role_runs.ran(frame.role_key, h.name);
}

Runner::Runner(PlayState& play) : play_(play), strategy_(find_strategy(play.play->strategy)) {
  root_.keywords.push_back(&play.play->kw);
}

void Runner::run() {
  Hosts hosts = play_.batch;
  force_handlers_ = force_handlers(hosts);
  // Until --start-at-task finds its task, plays run nothing, not even the gathering of facts (as in Ansible).
  if (play_.graph.start_found) gather_facts(hosts);
  for (const auto& section : play_.graph.sections) {
    if (play_.aborted || g_interrupted) break;
    strategy_.run_section(play_, hosts, [&](const Hosts& some) { run_nodes(section.nodes, some, root_); });
    flush_handlers(hosts);
  }
}

void Runner::run_nodes(const std::vector<graph::Node>& nodes, const Hosts& hosts, const Frame& frame) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const graph::Node& node = nodes[i];
    if (play_.aborted || g_interrupted) return;
    Hosts active = active_of(hosts);
    if (active.empty()) return;
    if (node.kind == graph::Node::Kind::Task && !frame.role_key.empty()) {
      // Ansible skips, without a word, the tasks of a role instance that has run on a host.
      active.erase(std::remove_if(active.begin(), active.end(),
                                  [&](HostState* h) { return play_.role_runs.done(frame.role_key, h->name); }),
                   active.end());
      if (active.empty()) continue;
    }
    switch (node.kind) {
      case graph::Node::Kind::Task: run_leaf(node, active, frame, false, {&nodes, i + 1}); break;
      case graph::Node::Kind::Block: run_block(node, active, frame); break;
      case graph::Node::Kind::Role: run_role(node, active, frame); break;
    }
  }
}

void Runner::run_role(const graph::Node& node, const Hosts& hosts, const Frame& frame) {
  Frame inner = frame;
  enter_role(inner, node);
  inner.role_key = node.role_key;
  run_nodes(node.block, hosts, inner);
  // Ansible's implicit role_complete: whatever tags or conditions, a host still in the play has reached the end.
  for (auto* h : hosts) {
    if (h->active()) play_.role_runs.reached_end(node.role_key, h->name);
  }
}

void Runner::run_block(const graph::Node& node, const Hosts& hosts, const Frame& frame) {
  Frame inner = frame;
  inner.keywords.push_back(&node.task->kw);
  if (!node.task->notify.empty()) inner.notify = &node.task->notify;
  const bool has_rescue = !node.rescue.empty(), has_always = !node.always.empty();
  inner.failure_handled = frame.failure_handled || has_rescue || has_always;
  run_nodes(node.block, hosts, inner);
  Hosts failed;
  for (auto* h : hosts) {
    if (h->failed && !h->unreachable) failed.push_back(h);
  }
  if (!node.rescue.empty() && !failed.empty()) {
    std::unique_lock lock(play_.facts_mutex);
    for (auto* h : failed) {
      h->failed = false;
      h->left = false;  // a rescued host is back in the play's lists
      --h->stats.failed;
      ++h->stats.rescued;
    }
    lock.unlock();
    inner.failure_handled = frame.failure_handled || has_always;
    run_nodes(node.rescue, failed, inner);
  }
  if (node.always.empty()) return;
  Hosts still_failed;
  Hosts reachable;
  for (auto* h : hosts) {
    if (h->unreachable || h->ended) continue;
    if (h->failed) still_failed.push_back(h);
    h->failed = false;
    reachable.push_back(h);
  }
  inner.failure_handled = frame.failure_handled;
  run_nodes(node.always, reachable, inner);
  for (auto* h : still_failed) {
    if (h->stats.failed > h->failures_cleared) leave_play(*h);
  }
}

void Runner::banner(const graph::Node& node, const Hosts& hosts, const Frame& frame, bool is_handler) {
  std::lock_guard lock(play_.banner_mutex);
  if (!strategy_.repeats_banner() && play_.last_banner == node.task) return;
  play_.last_banner = node.task;
  if (hosts.empty()) return;
  play_.sink->task_start(task_title(play_, *node.task, *hosts.front(), frame), is_handler, node.task->loc.str());
}

void Runner::run_leaf(const graph::Node& node, const Hosts& hosts, const Frame& frame, bool is_handler,
                      Following following) {
  const pb::Task& task = *node.task;
  if (is_meta(task)) return run_meta(node, hosts, frame);
  const HostState* asked_for = strategy_.hosts_together() ? nullptr : hosts.front();
  if (!take_step(step_subject(task, is_handler), asked_for)) return;
  if (is_include(task)) return run_include(node, hosts, frame);
  banner(node, hosts, frame, is_handler);
  Hosts targets = hosts;
  Value run_once = keyword(frame, &task, &pb::Keywords::run_once);
  bool once = as_bool(run_once, false);
  if (once) targets = Hosts{hosts.front()};
  const long long bound = throttle(task, frame, *targets.front());
  int forks = play_.settings->forks;
  if (bound > 0 && strategy_.hosts_together()) forks = static_cast<int>(std::min<long long>(forks, bound));
  // Under free each host runs on its own thread, so the bound is kept by counting the hosts in the task.
  const bool slotted = bound > 0 && !strategy_.hosts_together();
  for_each_host(targets, forks, *play_.sink, [&](HostState& h) {
    send_probes_ahead(h, node, frame, once ? Following{} : following);
    std::optional<TaskSlots::Held> slot;
    if (slotted) slot.emplace(play_.task_slots, &task, bound);
    TaskOutcome outcome = run_task(play_, h, node, frame);
    slot.reset();
    if (!is_handler && outcome.status != out::Status::Skipped && outcome.status != out::Status::Unreachable) {
      note_role_ran(play_, frame, h);
    }
    if (outcome.status == out::Status::Unreachable && !outcome.ignored) leave_play(h, true);
    if (outcome.status == out::Status::Failed && !outcome.ignored) {
      leave_play(h);
      std::unique_lock lock(play_.facts_mutex);
      h.magic["ansible_failed_task"] = {{"name", task.name}, {"action", task.action->name}};
      h.magic["ansible_failed_result"] = outcome.result;
    }
    if (once && !task.register_var.empty()) {
      std::unique_lock lock(play_.facts_mutex);
      for (auto* other : hosts) set_host_fact(*other, task.register_var, outcome.result, true);
    }
  });
  apply_failure_policy(hosts, frame, task);
}

long long Runner::throttle(const pb::Task& task, const Frame& frame, HostState& h) {
  const Value raw = other_keyword(frame, &task, "throttle");
  if (raw.is_null()) return 0;
  Value value;
  try {
    TaskScope scope(play_, h, frame, &task);
    value = tmpl::template_value(raw, scope.scope(), template_options(play_, task));
  } catch (const Error& e) {
    throw Error("Failed to convert the throttle value to an integer: " + e.message(), task.loc);
  }
  return std::max(0LL, whole_number(value, "throttle", task.loc));
}

void Runner::apply_failure_policy(const Hosts& hosts, const Frame& frame, const pb::Task& task) {
  bool any_failed = std::any_of(hosts.begin(), hosts.end(), [](HostState* h) { return h->failed.load(); });
  if (!any_failed) return;
  Value fatal = keyword(frame, &task, &pb::Keywords::any_errors_fatal);
  if (as_bool(fatal, false)) {
    if (frame.failure_handled) return;  // the rescue or always runs first; the failed hosts stop there
    for (auto* h : play_.batch) {
      if (h->active()) leave_play(*h);
    }
    play_.aborted = true;
    return;
  }
  const Value& max_fail = play_.play->max_fail_percentage;
  if (!max_fail.is_null()) {
    double limit = std::stod(to_plain_string(max_fail));
    std::size_t failed = 0;
    for (auto* h : play_.batch) failed += h->failed || h->unreachable;
    if (100.0 * static_cast<double>(failed) / static_cast<double>(play_.batch.size()) > limit) {
      play_.aborted = true;
    }
  }
}

}  // namespace detail

void run_play_batch(PlayState& play) { detail::Runner(play).run(); }

}  // namespace prov::exec
