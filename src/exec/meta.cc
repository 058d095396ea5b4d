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

// Ansible's linear strategy runs these once for all hosts; noop, flush_handlers, end_host, reset_connection and
// role_complete run for each host.
bool acts_once(const std::string& what) {
  return what == "clear_facts" || what == "clear_host_errors" || what == "end_batch" || what == "end_play" ||
         what == "refresh_inventory";
}

// These do not take a condition: Ansible warns and runs them.
bool takes_no_condition(const std::string& what) {
  return what == "noop" || what == "refresh_inventory" || what == "reset_connection";
}

// What the meta task says it did for `host`.
std::string done_message(const std::string& what, const std::string& host) {
  if (what == "flush_handlers") return "triggered running handlers for " + host;
  if (what == "refresh_inventory") return "inventory successfully refreshed";
  if (what == "clear_facts") return "facts cleared";
  if (what == "clear_host_errors") return "cleared host errors";
  if (what == "end_batch") return "ending batch";
  if (what == "end_play") return "ending play";
  if (what == "end_host") return "ending play for " + host;
  if (what == "reset_connection") return "reset connection";
  return what;
}

// Why a meta task whose condition is false did nothing for `host`.
std::string skip_reason(const std::string& what, const std::string& host) {
  std::string reason = what + " conditional evaluated to False";
  if (what == "flush_handlers") return reason + ", not running handlers for " + host;
  if (what == "clear_facts") return reason + ", not clearing facts and fact cache for " + host;
  if (what == "clear_host_errors") return reason + ", not clearing host error state for " + host;
  if (what == "end_batch") return reason + ", continuing current batch";
  if (what == "end_play") return reason + ", continuing play";
  if (what == "end_host") return reason + ", continuing execution for " + host;
  return reason;
}

Value skipped_meta(const std::string& what, const std::string& host) {
  // end_host keeps an older message of its own beside the reason, as in Ansible.
  std::string msg =
      what == "end_host" ? "end_host conditional evaluated to false, continuing execution for " + host : what;
  return {{"msg", msg}, {"skipped", true}, {"skip_reason", skip_reason(what, host)}};
}

}  // namespace

void Runner::run_meta(const graph::Node& node, const Hosts& hosts, const Frame& frame) {
  const pb::Task& task = *node.task;
  std::string what = task.args.contains("_raw_params") ? to_plain_string(task.args["_raw_params"])
                                                       : to_plain_string(task.args.value("name", Value("")));
  if (takes_no_condition(what) && !task.kw.when.empty()) {
    play_.sink->warning(fmt::format("{} task does not support when conditional", what));
  }
  const bool once = acts_once(what);
  Hosts acting;
  for (auto* h : hosts) {
    banner(node, Hosts{h}, frame, false);  // Ansible announces a meta task for each host it runs it for
    TaskScope scope(play_, *h, frame, &task);
    if (takes_no_condition(what) || conditions_hold(frame, task, scope)) {
      acting.push_back(h);
      play_.sink->meta_note(done_message(what, h->name));
    } else {
      play_.sink->meta_note(skip_reason(what, h->name));
      play_.sink->host_result(host_result(h->name, out::Status::Skipped, skipped_meta(what, h->name)));
    }
    if (once) break;
  }
  if (acting.empty()) return;
  if (what == "flush_handlers") {
    flush_handlers(acting);
    // With force_handlers, hosts that failed earlier in the section run theirs next, apart, as in Ansible (not
    // under free, where each host's thread flushes only its own).
    if (!force_handlers_ || !strategy_.hosts_together()) return;
    Hosts failed;
    for (auto* h : play_.batch) {
      if (h->failed && std::find(hosts.begin(), hosts.end(), h) == hosts.end()) failed.push_back(h);
    }
    return flush_handlers(failed);
  }
  if (what == "end_play" || what == "end_batch") {
    for (auto* h : play_.batch) h->ended = true;
  } else if (what == "end_host") {
    for (auto* h : acting) h->ended = true;
  } else if (what == "clear_host_errors") {
    // As Ansible: a failed host that has left the play stays out, an unreachable one comes back; a host whose
    // failure an always section is handling goes on after the block (run_block); none fails the run any more.
    for (auto* h : play_.batch) {
      h->failures_cleared = h->stats.failed;
      h->unreachable_cleared = h->stats.unreachable;
      h->unreachable = false;
    }
    play_.errors_cleared = true;
  } else if (what == "clear_facts") {
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
  // noop, refresh_inventory and reset_connection change nothing provision keeps.
}

}  // namespace prov::exec::detail
