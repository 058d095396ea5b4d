// meta tasks, as ansible-core 2.14's strategy runs them: some once for every host (when the first host's conditions
// hold), the others for each host whose conditions hold; each says what it did ("META: ..." from -vv on), a false
// condition shows as a skipped result with its reason.
#include <fmt/format.h>

#include <algorithm>

#include "runner.h"
#include "scope.h"
#include "task_inputs.h"
#include "task_runner.h"

namespace prov::exec::detail {

namespace {

Value skipped_meta(const pb::MetaSpec& meta, const std::string& host) {
  // end_host keeps an older message of its own beside the reason, as in Ansible.
  std::string msg = meta.action == pb::MetaAction::EndHost
                        ? "end_host conditional evaluated to false, continuing execution for " + host
                        : std::string(meta.name);
  return {{"msg", msg}, {"skipped", true}, {"skip_reason", meta.skip_reason(host)}};
}

}  // namespace

void Runner::run_meta(const graph::Node& node, const Hosts& hosts, const Frame& frame) {
  const pb::Task& task = *node.task;
  const pb::MetaSpec& meta = *task.meta;
  if (!meta.takes_condition && !task.kw.when.empty()) {
    play_.sink->warning(fmt::format("{} task does not support when conditional", meta.name));
  }
  Hosts acting;
  for (auto* h : hosts) {
    banner(node, Hosts{h}, frame, false);  // Ansible announces a meta task for each host it runs it for
    TaskScope scope(play_, *h, frame, &task);
    if (!meta.takes_condition || conditions_hold(frame, task, scope)) {
      acting.push_back(h);
      play_.sink->meta_note(meta.done_message(h->name));
    } else {
      play_.sink->meta_note(meta.skip_reason(h->name));
      play_.sink->host_result(host_result(h->name, out::Status::Skipped, skipped_meta(meta, h->name)));
    }
    if (meta.once) break;
  }
  if (acting.empty()) return;
  switch (meta.action) {
    case pb::MetaAction::FlushHandlers: return flush_for(acting, hosts);
    case pb::MetaAction::EndPlay:
    case pb::MetaAction::EndBatch:
      for (auto* h : play_.batch) h->ended = true;
      return;
    case pb::MetaAction::EndHost:
      for (auto* h : acting) h->ended = true;
      return;
    case pb::MetaAction::ClearHostErrors: return clear_host_errors();
    case pb::MetaAction::ClearFacts: return clear_facts();
    // These change nothing provision keeps.
    case pb::MetaAction::Noop:
    case pb::MetaAction::RefreshInventory:
    case pb::MetaAction::ResetConnection:
    case pb::MetaAction::RoleComplete: return;
  }
}

void Runner::flush_for(const Hosts& acting, const Hosts& hosts) {
  flush_handlers(acting);
  // With force_handlers, hosts that failed earlier in the section run theirs next, apart, as in Ansible (not under
  // free, where each host's thread flushes only its own).
  if (!force_handlers_ || !strategy_.hosts_together()) return;
  Hosts failed;
  for (auto* h : play_.batch) {
    if (h->failed && std::find(hosts.begin(), hosts.end(), h) == hosts.end()) failed.push_back(h);
  }
  flush_handlers(failed);
}

void Runner::clear_host_errors() {
  // As Ansible: a failed host that has left the play stays out, an unreachable one comes back; a host whose failure
  // an always section is handling goes on after the block (run_block); none fails the run any more.
  for (auto* h : play_.batch) {
    h->failures_cleared = h->stats.failed;
    h->unreachable_cleared = h->stats.unreachable;
    h->unreachable = false;
  }
  play_.errors_cleared = true;
}

void Runner::clear_facts() {
  // The gathered and cached facts of every host of the play go (set_fact's stay, as Ansible's non-persistent ones).
  std::unique_lock lock(play_.facts_mutex);
  for (auto* h : play_.batch) {
    h->facts = Value::object();
    h->fact_cache = Value::object();
    if (!play_.fact_cache) continue;
    try {
      play_.fact_cache->remove(h->name);
    } catch (const Error& e) {
      play_.sink->warning(e.message());
    }
  }
}

}  // namespace prov::exec::detail
