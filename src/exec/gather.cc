// Fact gathering at the start of a play (Ansible's implicit "Gathering Facts" task) and the fact cache: which hosts
// gather (gathering = implicit, explicit or smart), with the play's gather_subset, gather_timeout and fact_path,
// and where the facts go (the host's variables, its fact cache entry, the jsonfile cache).
#include "connect.h"
#include "provision/core/text.h"
#include "provision/core/utf8.h"
#include "provision/modules/facts.h"
#include "runner.h"
#include "scope.h"
#include "task_inputs.h"
#include "task_runner.h"
#include "workers.h"

namespace prov::exec {

void add_facts(HostState& host, const Value& facts) {
  for (auto it = facts.begin(); it != facts.end(); ++it) host.facts[it.key()] = it.value();
  Value& namespaced = host.facts["ansible_facts"];  // taken after the insertions, which may move it
  if (!namespaced.is_object()) namespaced = Value::object();
  for (auto it = facts.begin(); it != facts.end(); ++it) {
    const bool prefixed = it.key().rfind("ansible_", 0) == 0 && it.key() != "ansible_local";
    namespaced[prefixed ? it.key().substr(8) : it.key()] = it.value();
  }
}

std::string cache_facts(HostState& host, const Value& facts, const facts::JsonFileCache* cache) {
  for (auto it = facts.begin(); it != facts.end(); ++it) host.fact_cache[it.key()] = it.value();
  if (!cache) return "";
  try {
    cache->store(host.name, host.fact_cache);
  } catch (const Error& e) {
    return e.message();  // Ansible warns and goes on without the cache
  }
  return "";
}

namespace detail {

namespace {

// A play keyword Ansible keeps raw until a host needs it (gather_subset, gather_timeout, fact_path), templated with
// that host's variables; null when the play does not set it.
Value play_keyword(PlayState& play, HostState& host, const Frame& frame, const char* name) {
  const Value* raw = find_key(play.play->kw.other, name);
  if (raw == nullptr || raw->is_null()) return nullptr;
  TaskScope scope(play, host, frame, nullptr);
  tmpl::Options options = ansible_options();
  options.name = play.play->loc.str();
  options.in_value = true;
  return tmpl::template_value(*raw, scope.scope(), options);
}

facts::GatherOptions gather_options(PlayState& play, HostState& host, const Frame& frame) {
  facts::GatherOptions o;
  const FactSettings& configured = play.settings->facts;
  if (!configured.gather_subset.empty()) o.subset = configured.gather_subset;
  if (configured.gather_timeout) o.timeout = *configured.gather_timeout;
  if (!configured.fact_path.empty()) o.fact_path = configured.fact_path;
  Value subset = play_keyword(play, host, frame, "gather_subset");
  if (subset.is_array()) {
    o.subset.clear();
    for (const auto& item : subset) o.subset.push_back(to_plain_string(item));
  } else if (!subset.is_null()) {
    o.subset = {to_plain_string(subset)};
  }
  Value timeout = play_keyword(play, host, frame, "gather_timeout");
  if (!timeout.is_null()) {
    auto seconds = parse_int(trim(to_plain_string(timeout)));
    if (!seconds) throw Error("gather_timeout: '" + to_plain_string(timeout) + "' is not a valid integer");
    o.timeout = *seconds;
  }
  Value path = play_keyword(play, host, frame, "fact_path");
  if (!path.is_null()) o.fact_path = to_plain_string(path);
  return o;
}

// Ansible's rule (gathering and the play's gather_facts): implicit gathers unless gather_facts is false,
// explicit only when it is true, smart as implicit but not for a host whose facts were gathered before (earlier
// in the run or, with a cache, in an earlier run).
bool gathers(const PlayState& play, const HostState& host) {
  const Value& keyword = play.play->gather_facts;
  const bool implied = keyword.is_null() || as_bool(keyword, true);
  const std::string& mode = play.settings->facts.gathering;
  if (mode == "explicit") return !keyword.is_null() && as_bool(keyword, false);
  if (mode == "smart") {
    const Value* facts = find_key(host.facts, "ansible_facts");
    const Value* done = facts ? find_key(*facts, "_ansible_facts_gathered") : nullptr;
    return implied && !(done && done->is_boolean() && done->get<bool>());
  }
  return implied;
}

}  // namespace

void Runner::gather_facts(const Hosts& hosts) {
  Hosts gathering;
  for (HostState* h : active_of(hosts)) {
    if (gathers(play_, *h)) gathering.push_back(h);
  }
  if (gathering.empty()) return;  // no host gathers: Ansible shows no task either
  if (!take_step("TASK: Gathering Facts", nullptr)) return;
  play_.sink->task_start("Gathering Facts", false, play_.play->loc.str());
  for_each_host(gathering, play_.settings->forks, *play_.sink, [&](HostState& h) {
    out::HostResult r = host_result(h.name, out::Status::Ok, Value::object());
    std::string warning;
    bool ignore_unreachable = false;
    try {
      const facts::GatherOptions o = gather_options(play_, h, root_);
      const std::set<std::string> collectors = facts::resolve_subset(o.subset);
      PlayStep step = play_step(play_, h, root_);
      ignore_unreachable = step.ignore_unreachable;
      conn::Connection& c = connection_for(play_, h, step.plan);
      conn::RunOptions options;
      options.become = step.become;
      conn::CommandResult probe = c.run(facts::probe_script(o, collectors), options);
      std::vector<std::string> fact_warnings;
      Value facts = facts::setup_facts(facts::parse_facts(probe.out, &fact_warnings), collectors, o);
      facts["_ansible_facts_gathered"] = true;  // what smart gathering looks for
      make_valid_utf8(facts);
      std::unique_lock lock(play_.facts_mutex);
      add_facts(h, facts);
      warning = cache_facts(h, facts, play_.fact_cache);
      lock.unlock();
      r.status = out::Status::Ok;
      r.result = {{"changed", false}};
      if (!fact_warnings.empty()) r.result["warnings"] = fact_warnings;
      ++h.stats.ok;
    } catch (const conn::UnreachableError& e) {
      r.status = out::Status::Unreachable;
      r.result = {{"changed", false}, {"msg", e.message()}, {"unreachable", true}};
      count_outcome(h.stats, TaskOutcome{r.status, ignore_unreachable, r.result});
      r.ignored = ignore_unreachable;
      if (!ignore_unreachable) leave_play(h, true);
    } catch (const Error& e) {
      r.status = out::Status::Failed;
      r.result = {{"changed", false}, {"failed", true}, {"msg", e.message()}};
      ++h.stats.failed;
      leave_play(h);
    }
    if (!warning.empty()) play_.sink->warning(warning);
    play_.sink->host_result(r);
  });
}

}  // namespace detail

}  // namespace prov::exec
