#include "play_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "connect.h"
#include "loops.h"
#include "provision/core/utf8.h"
#include "provision/template/engine.h"
#include "provision/vars/facts.h"
#include "scope.h"
#include "task_runner.h"

namespace prov::exec {

namespace {

namespace fs = std::filesystem;

using Hosts = std::vector<HostState*>;

Hosts active_of(const Hosts& hosts) {
  Hosts out;
  for (auto* h : hosts) {
    if (h->active()) out.push_back(h);
  }
  return out;
}

out::HostResult host_result(const std::string& host, out::Status status, Value result) {
  out::HostResult r;
  r.host = host;
  r.status = status;
  r.result = std::move(result);
  return r;
}

// Runs fn for each host, at most `forks` at once; each host is handled by one thread at a time. Expected failures
// are results; an exception that still escapes fn (a bug) fails that host alone, and never the run.
template <typename Fn>
void for_each_host(const Hosts& hosts, int forks, out::Sink& sink, Fn fn) {
  auto guarded = [&](HostState& h) {
    std::string error;
    try {
      fn(h);
      return;
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "an unknown exception";
    }
    h.failed = true;
    ++h.stats.failed;
    sink.host_result(host_result(h.name, out::Status::Failed,
                                 {{"failed", true}, {"msg", "internal error in provision: " + error}}));
  };
  if (hosts.size() == 1 || forks <= 1) {
    for (auto* h : hosts) guarded(*h);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(forks), hosts.size());
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < hosts.size(); i = next++) guarded(*hosts[i]);
    });
  }
  for (auto& t : threads) t.join();
}

std::shared_ptr<pb::Role> shared_role(const pb::Task& task) {
  return task.role ? task.role->shared_from_this() : nullptr;
}

bool is_include(const pb::Task& task) {
  return task.action->kind == mod::ActionKind::IncludeTasks || task.action->kind == mod::ActionKind::IncludeRole;
}

bool is_meta(const pb::Task& task) { return task.action->kind == mod::ActionKind::Meta; }

// One run of an included file or role on a host: what to run and the variables it gets.
struct Instance {
  std::string file;
  const std::vector<pb::Task>* tasks = nullptr;
  std::shared_ptr<pb::Role> role;
  IncludeParams params;
};

// The tasks after a leaf in its list, whose probes may be sent ahead with its own.
struct Following {
  const std::vector<graph::Node>* nodes = nullptr;
  size_t from = 0;
};

class Runner {
 public:
  explicit Runner(PlayState& play) : play_(play) { root_.keywords.push_back(&play.play->kw); }

  void run() {
    Hosts hosts = play_.batch;
    if (wants_facts()) gather_facts(hosts);
    for (const auto& section : play_.graph.sections) {
      if (play_.aborted || g_interrupted) break;
      run_section(section, hosts);
      flush_handlers(active_of(hosts));
    }
  }

 private:
  bool wants_facts() const { return as_bool(play_.play->gather_facts, true); }

  bool free_strategy() const { return play_.play->strategy == "free"; }

  void run_section(const graph::Section& section, const Hosts& hosts) {
    if (!free_strategy()) {
      run_nodes(section.nodes, hosts, root_);
      return;
    }
    for_each_host(active_of(hosts), play_.settings->forks, *play_.sink,
                  [&](HostState& h) { run_nodes(section.nodes, Hosts{&h}, root_); });
  }

  void run_nodes(const std::vector<graph::Node>& nodes, const Hosts& hosts, const Frame& frame) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      const graph::Node& node = nodes[i];
      if (play_.aborted || g_interrupted) return;
      Hosts active = active_of(hosts);
      if (active.empty()) return;
      switch (node.kind) {
        case graph::Node::Kind::Task: run_leaf(node, active, frame, false, {&nodes, i + 1}); break;
        case graph::Node::Kind::Block: run_block(node, active, frame); break;
        case graph::Node::Kind::Role: run_role(node, active, frame); break;
      }
    }
  }

  void run_role(const graph::Node& node, const Hosts& hosts, const Frame& frame) {
    Frame inner = frame;
    inner.role = node.role;
    if (node.role_ref) {
      inner.keywords.push_back(&node.role_ref->kw);
      inner.role_params = &node.role_ref->params;
    } else if (node.task) {
      inner.keywords.push_back(&node.task->kw);  // import_role: the import's keywords apply to the role's tasks
    }
    run_nodes(node.block, hosts, inner);
  }

  void run_block(const graph::Node& node, const Hosts& hosts, const Frame& frame) {
    Frame inner = frame;
    inner.keywords.push_back(&node.task->kw);
    run_nodes(node.block, hosts, inner);
    Hosts failed;
    for (auto* h : hosts) {
      if (h->failed && !h->unreachable) failed.push_back(h);
    }
    if (!node.rescue.empty() && !failed.empty()) {
      std::unique_lock lock(play_.facts_mutex);
      for (auto* h : failed) {
        h->failed = false;
        --h->stats.failed;
        ++h->stats.rescued;
      }
      lock.unlock();
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
    run_nodes(node.always, reachable, inner);
    for (auto* h : still_failed) h->failed = true;
  }

  void banner(const graph::Node& node, bool is_handler) {
    std::lock_guard lock(play_.banner_mutex);
    if (free_strategy() && play_.last_banner == node.task) return;
    play_.last_banner = node.task;
    play_.sink->task_start(task_title(play_, node), is_handler, node.task->loc.str());
  }

  static constexpr size_t kMaxProbesAhead = 64;

  static bool same_options(const conn::RunOptions& a, const conn::RunOptions& b) {
    return a.env == b.env && a.become.enabled == b.become.enabled && a.become.user == b.become.user &&
           a.become.method == b.become.method && a.become.password == b.become.password;
  }

  // On a converged host most tasks only probe. When this task and the ones right after it can tell what they
  // would send first (planned_probes), those probes go to the host in one round trip and each task then finds its
  // answers waiting in the connection; anything else sent meanwhile drops the rest.
  void send_probes_ahead(HostState& h, const graph::Node& node, const Frame& frame, Following following) {
    if (!h.connection) return;
    if (h.probed_ahead.erase(node.task) > 0) return;
    h.probed_ahead.clear();
    h.connection->drop_prefetched();
    if (following.nodes == nullptr) return;
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

  void run_leaf(const graph::Node& node, const Hosts& hosts, const Frame& frame, bool is_handler,
                Following following = {}) {
    const pb::Task& task = *node.task;
    if (is_meta(task)) return run_meta(task, hosts, frame);
    if (is_include(task)) return run_include(node, hosts, frame);
    banner(node, is_handler);
    Hosts targets = hosts;
    Value run_once = keyword(frame, &task, &pb::Keywords::run_once);
    bool once = as_bool(run_once, false);
    if (once) targets = Hosts{hosts.front()};
    for_each_host(targets, play_.settings->forks, *play_.sink, [&](HostState& h) {
      send_probes_ahead(h, node, frame, once ? Following{} : following);
      TaskOutcome outcome = run_task(play_, h, node, frame);
      if (outcome.status == out::Status::Unreachable) h.unreachable = true;
      if (outcome.status == out::Status::Failed && !outcome.ignored) {
        h.failed = true;
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

  void apply_failure_policy(const Hosts& hosts, const Frame& frame, const pb::Task& task) {
    bool any_failed = std::any_of(hosts.begin(), hosts.end(), [](HostState* h) { return h->failed.load(); });
    if (!any_failed) return;
    Value fatal = keyword(frame, &task, &pb::Keywords::any_errors_fatal);
    if (as_bool(fatal, false)) {
      for (auto* h : play_.batch) {
        if (h->active()) h->failed = true;
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

  void run_meta(const pb::Task& task, const Hosts& hosts, const Frame& frame) {
    std::string what = task.args.contains("_raw_params") ? to_plain_string(task.args["_raw_params"])
                                                         : to_plain_string(task.args.value("name", Value("")));
    if (what == "flush_handlers") return flush_handlers(hosts);
    if (what == "end_play") {
      for (auto* h : play_.batch) h->ended = true;
      return;
    }
    if (what == "end_host" || what == "end_batch") {
      for (auto* h : hosts) {
        TaskScope scope(play_, *h, frame, &task);
        if (conditions_hold(frame, task, scope)) h->ended = true;
      }
      return;
    }
    if (what == "clear_host_errors") {
      for (auto* h : play_.batch) h->failed = false;
    }
    // noop, refresh_inventory, clear_facts and reset_connection change nothing we keep.
  }

  // include_tasks / include_role: decided per host (when, loop, templated file), then run in place.
  void run_include(const graph::Node& node, const Hosts& hosts, const Frame& frame) {
    const pb::Task& task = *node.task;
    std::map<HostState*, std::vector<Instance>> per_host;
    banner(node, false);
    for (auto* h : hosts) {
      try {
        per_host[h] = expand_include(task, *h, frame);
      } catch (const Error& e) {
        play_.sink->host_result(host_result(h->name, out::Status::Failed, {{"failed", true}, {"msg", e.message()}}));
        ++h->stats.failed;
        h->failed = true;
      }
    }
    std::size_t rounds = 0;
    for (auto& [h, list] : per_host) rounds = std::max(rounds, list.size());
    if (rounds == 0) {
      for (auto& [h, list] : per_host) {
        if (!h->failed) {
          ++h->stats.skipped;
          play_.sink->host_result(host_result(h->name, out::Status::Skipped, {{"changed", false}, {"skipped", true}}));
        }
      }
      return;
    }
    for (std::size_t i = 0; i < rounds; ++i) {
      // Hosts that include the same file in this round run it together.
      std::map<std::string, Hosts> by_file;
      std::map<std::string, const Instance*> first;
      auto params = std::make_shared<std::map<std::string, IncludeParams>>();
      for (auto& [h, list] : per_host) {
        if (i >= list.size() || !h->active()) continue;
        by_file[list[i].file].push_back(h);
        first.emplace(list[i].file, &list[i]);
        (*params)[h->name] = list[i].params;
      }
      for (auto& [file, group] : by_file) {
        // include_tasks reports "included: FILE for HOSTS" and counts as ok; include_role shows nothing itself.
        if (task.action->kind == mod::ActionKind::IncludeTasks) {
          std::vector<std::string> names;
          for (auto* h : group) {
            names.push_back(h->name);
            ++h->stats.ok;
          }
          play_.sink->included(file, names);
        }
        const Instance& inst = *first[file];
        Frame inner = frame;
        inner.keywords.push_back(&task.kw);
        inner.include_params.push_back(params);
        std::set<std::string> tags(play_.play->kw.tags.begin(), play_.play->kw.tags.end());
        std::vector<graph::Node> nodes = graph::compile_tasks(*inst.tasks, tags, inst.role, play_.settings->selection);
        if (task.action->kind == mod::ActionKind::IncludeRole) {
          inner.role = inst.role;
          graph::Node role_node;
          role_node.kind = graph::Node::Kind::Role;
          role_node.role = inst.role;
          role_node.block = std::move(nodes);
          add_handlers(inst.role);
          run_role(role_node, group, inner);
        } else {
          run_nodes(nodes, group, inner);
        }
      }
    }
  }

  void add_handlers(const std::shared_ptr<pb::Role>& role) {
    std::lock_guard lock(play_.loaded_mutex);
    if (std::find(play_.graph.roles.begin(), play_.graph.roles.end(), role) != play_.graph.roles.end()) return;
    play_.graph.roles.push_back(role);
    std::set<std::string> tags;
    auto nodes = graph::compile_tasks(role->handlers, tags, role, graph::Selection{});
    for (auto& n : nodes) play_.graph.handlers.push_back(std::move(n));
  }

  std::vector<Instance> expand_include(const pb::Task& task, HostState& h, const Frame& frame) {
    TaskScope scope(play_, h, frame, &task);
    tmpl::Options options = ansible_options();
    options.name = task.loc.str();
    std::vector<Value> items{Value()};
    std::string loop_var = "item";
    bool items_data = false;
    if (!task.loop_kind.empty()) {
      tmpl::Rendered rendered = tmpl::template_marked(task.loop, scope.scope(), options);
      items = loop_items(task.loop_kind, rendered.value);
      items_data = items_are_data(task, rendered);
      if (task.loop_control.is_object() && task.loop_control.contains("loop_var")) {
        loop_var = to_plain_string(task.loop_control["loop_var"]);
      }
    }
    std::vector<Instance> out;
    for (const auto& item : items) {
      IncludeParams params;
      if (!task.loop_kind.empty()) {
        params.vars[loop_var] = item;
        if (items_data) params.data.insert(loop_var);
        scope.set_loop_vars(params.vars, items_data);
      }
      if (!conditions_hold(frame, task, scope)) continue;
      if (task.kw.vars.is_object()) {
        for (auto it = task.kw.vars.begin(); it != task.kw.vars.end(); ++it) {
          tmpl::Rendered rendered = tmpl::template_marked(it.value(), scope.scope(), options);
          params.vars[it.key()] = std::move(rendered.value);
          if (rendered.data) params.data.insert(it.key());
        }
      }
      out.push_back(resolve_include(task, scope, options, std::move(params)));
    }
    return out;
  }

  Instance resolve_include(const pb::Task& task, const TaskScope& scope, const tmpl::Options& options,
                           IncludeParams params) {
    Value args = tmpl::template_value(task.args, scope.scope(), options);
    if (task.action->kind == mod::ActionKind::IncludeRole) {
      std::shared_ptr<pb::Role> role = task.included_role;
      if (!role) {
        std::string name = to_plain_string(args.value("name", Value("")));
        std::string from = args.contains("tasks_from") ? to_plain_string(args["tasks_from"]) : "main";
        pb::LoadOptions load;
        role = pb::load_role(name, play_.playbook->dir, load, from);
      }
      return Instance{role->path, &role->tasks, role, std::move(params)};
    }
    std::string file = args.contains("_raw_params") ? to_plain_string(args["_raw_params"])
                                                    : to_plain_string(args.value("file", Value("")));
    if (!task.included.empty() && !tmpl::is_template(task.args.dump())) {
      return Instance{resolve_path(task, file), &task.included, shared_role(task), std::move(params)};
    }
    std::string path = resolve_path(task, file);
    std::lock_guard lock(play_.loaded_mutex);
    play_.loaded_tasks.push_back(pb::load_task_file(path, shared_role(task)));
    return Instance{path, &play_.loaded_tasks.back(), shared_role(task), std::move(params)};
  }

  std::string resolve_path(const pb::Task& task, const std::string& file) const {
    if (fs::path(file).is_absolute()) return file;
    std::vector<fs::path> candidates;
    if (task.role) candidates.push_back(fs::path(task.role->path) / "tasks" / file);
    candidates.push_back(fs::path(task.file).parent_path() / file);
    candidates.push_back(fs::path(play_.playbook->dir) / file);
    for (const auto& c : candidates) {
      if (fs::exists(c)) return fs::weakly_canonical(c).string();
    }
    return candidates.front().string();
  }

  // Handlers run in the order they are defined, once per notified host; a handler may notify later ones.
  void flush_handlers(const Hosts& hosts) {
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
          play_.sink->warning(
              fmt::format("The requested handler '{}' was not found in the handlers of this play", name));
        }
      }
      h->notified.clear();
    }
  }

  static std::vector<std::string> handler_names(const pb::Task& task) {
    std::vector<std::string> names;
    if (!task.name.empty()) {
      names.push_back(task.name);
      if (task.role) names.push_back(task.role->name + " : " + task.name);
    }
    for (const auto& topic : task.listen) names.push_back(topic);
    return names;
  }

  static bool notified(const HostState& h, const pb::Task& handler) {
    for (const auto& name : handler_names(handler)) {
      if (std::find(h.notified.begin(), h.notified.end(), name) != h.notified.end()) return true;
    }
    return false;
  }

  void gather_facts(const Hosts& hosts) {
    play_.sink->task_start("Gathering Facts", false, play_.play->loc.str());
    for_each_host(active_of(hosts), play_.settings->forks, *play_.sink, [&](HostState& h) {
      out::HostResult r = host_result(h.name, out::Status::Ok, Value::object());
      try {
        conn::Connection& c = connection_for(play_, h);
        conn::RunOptions options;
        options.become = play_become(play_, h, root_);
        conn::CommandResult probe = c.run(vars::facts_probe_script(), options);
        Value facts = vars::parse_facts(probe.out);
        make_valid_utf8(facts);
        std::unique_lock lock(play_.facts_mutex);
        h.facts["ansible_facts"] = facts;
        for (auto it = facts.begin(); it != facts.end(); ++it) h.facts["ansible_" + it.key()] = it.value();
        lock.unlock();
        r.status = out::Status::Ok;
        r.result = {{"changed", false}};
        ++h.stats.ok;
      } catch (const conn::UnreachableError& e) {
        r.status = out::Status::Unreachable;
        r.result = {{"changed", false}, {"msg", e.message()}, {"unreachable", true}};
        ++h.stats.unreachable;
        h.unreachable = true;
      } catch (const Error& e) {
        r.status = out::Status::Failed;
        r.result = {{"changed", false}, {"failed", true}, {"msg", e.message()}};
        ++h.stats.failed;
        h.failed = true;
      }
      play_.sink->host_result(r);
    });
  }

  PlayState& play_;
  Frame root_;
};

}  // namespace

void run_play_batch(PlayState& play) { Runner(play).run(); }

}  // namespace prov::exec
