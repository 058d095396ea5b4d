#pragma once
// What the executor keeps per host and per play while a play runs.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "fact_cache.h"
#include "provision/connection/connection.h"
#include "provision/exec/executor.h"
#include "provision/graph/graph.h"
#include "provision/inventory/inventory.h"
#include "provision/modules/module.h"
#include "provision/output/events.h"
#include "provision/vars/scope.h"
#include "role_runs.h"
#include "traced_connection.h"

namespace prov::exec {

class BackgroundJobs;

/// How a host is reached: the connection type and what it reads of the host's variables (connect.h).
struct ConnectionPlan {
  std::string kind;
  Value vars;
  bool operator==(const ConnectionPlan& other) const { return kind == other.kind && vars == other.vars; }
};

/// The connection, remote_user and port keywords in effect for a task (the task's, else its blocks', role's or
/// play's), rendered; null when none says.
struct ConnectionKeywords {
  Value connection;
  Value remote_user;
  Value port;
};

/// A connection being opened before the play that needs it (connect.h): the plan it follows, and the connection
/// or the error that ended the attempt.
struct EarlyConnection {
  ConnectionPlan plan;
  std::future<std::unique_ptr<TracedConnection>> opened;
};

struct HostState {
  std::string name;
  Value inventory_vars = Value::object();  ///< merged group and host vars from the inventory
  Value facts = Value::object();           ///< ansible_facts plus the ansible_* names
  Value host_facts = Value::object();      ///< set_fact and register
  vars::NameSet data_host_facts;           ///< names in host_facts holding data (register, set_fact from data)
  Value include_vars = Value::object();    ///< include_vars
  Value fact_cache = Value::object();      ///< this host's entry of the fact cache (gathered and cacheable facts)
  Value magic = Value::object();           ///< per-host magic variables
  std::unique_ptr<TracedConnection> connection;  ///< the connection the last task used (connection_for)
  ConnectionPlan connection_plan;                ///< how `connection` reaches the host
  /// Connections earlier tasks opened with other plans (another remote_user or port), kept for their next use.
  std::vector<std::pair<ConnectionPlan, std::unique_ptr<TracedConnection>>> other_connections;
  std::optional<EarlyConnection> early;  ///< opened while an earlier play ran; taken by connection_for()
  out::HostStats stats;
  // Atomic: under the free strategy one host's thread may set another's (any_errors_fatal, end_play).
  std::atomic<bool> failed{false};         ///< left the play after a failure
  std::atomic<bool> unreachable{false};    ///< left the play: could not be reached
  std::atomic<bool> ended{false};          ///< meta: end_host / end_play
  /// stats.failed and stats.unreachable when meta: clear_host_errors last ran: those up to then no longer fail the
  /// run (its exit code), and a host in an always section at that moment goes on after the block.
  std::atomic<int> failures_cleared{0};
  std::atomic<int> unreachable_cleared{0};
  /// Out of the play's host lists (ansible_play_hosts, ansible_play_batch) after a failure outside a rescue or as
  /// unreachable: Ansible's play._removed_hosts, which meta: clear_host_errors leaves as it is.
  std::atomic<bool> left{false};
  std::vector<std::string> notified;       ///< handler names or listen topics, in notification order
  mod::Plan plan;                          ///< what check mode predicts earlier tasks would have done
  std::set<const pb::Task*> probed_ahead;  ///< tasks whose first probe waits in the connection (prefetch.h)
  bool active() const { return !failed && !unreachable && !ended; }
};

/// The host leaves the play after a failure (or as unreachable): no further tasks, and out of ansible_play_hosts and
/// ansible_play_batch for the rest of the play.
inline void leave_play(HostState& host, bool unreachable = false) {
  (unreachable ? host.unreachable : host.failed) = true;
  host.left = true;
}

/// Sets a host variable of the run (set_fact, register) under play.facts_mutex, held by the caller; `data` marks
/// it as data that is never templated (tmpl::Vars).
inline void set_host_fact(HostState& host, const std::string& name, Value value, bool data) {
  host.host_facts[name] = std::move(value);
  if (data)
    host.data_host_facts.insert(name);
  else
    host.data_host_facts.erase(name);
}

/// Adds facts a module or the gathering returned (ansible_* names, gather_subset, ...) to the host's variables: each
/// under its own name and, without the ansible_ prefix, under ansible_facts (ansible_local keeps its name there,
/// as in Ansible). Caller holds play.facts_mutex.
void add_facts(HostState& host, const Value& facts);

/// Records facts in the host's fact cache entry and, with fact_caching = jsonfile, writes the entry; returns a
/// warning to show when the file could not be written. Caller holds play.facts_mutex.
std::string cache_facts(HostState& host, const Value& facts, const facts::JsonFileCache* cache);

/// include_tasks/include_role parameters of one host (loop item and vars, already rendered); `data` names those
/// made from data.
struct IncludeParams {
  Value vars = Value::object();
  vars::NameSet data;
};

/// Keywords, vars and role in effect around a node: the chain of enclosing play, role and blocks.
struct Frame {
  std::vector<const pb::Keywords*> keywords;  ///< outermost first
  std::shared_ptr<pb::Role> role;
  std::string role_key;  ///< the role instance whose tasks these are (graph::Node::role_key), or empty
  /// The roles whose tasks include_role'd these, innermost first (ansible_parent_role_names, ansible_search_path).
  std::vector<const pb::Role*> includers;
  /// The roles around these tasks, outermost first, ending with their own role: those it runs as a meta dependency
  /// of and those that import or include it. Ansible's dependency chain (inherited role variables, search path).
  std::vector<graph::NamedRole> role_chain;
  /// A failure here goes on to the rescue or always of an enclosing block: any_errors_fatal waits for it, as
  /// Ansible's linear strategy does for a host whose next state is a rescue or an always.
  bool failure_handled = false;
  /// The notify of the nearest enclosing block or static import that has one: a task without its own notifies
  /// those handlers, as in Ansible.
  const std::vector<std::string>* notify = nullptr;
  /// include_tasks vars and loop items, outermost first; each maps a host name to its parameters.
  std::vector<std::shared_ptr<const std::map<std::string, IncludeParams>>> include_params;
};

/// throttle under the free strategy: how many hosts run each task now, so that no more than its bound do.
class TaskSlots {
 public:
  /// One host counted in a task while it lives: waits until fewer than `limit` hosts run the task.
  class Held {
   public:
    Held(TaskSlots& slots, const void* task, long long limit) : slots_(slots), task_(task) {
      std::unique_lock lock(slots_.mutex_);
      slots_.freed_.wait(lock, [&] { return slots_.running_[task_] < limit; });
      ++slots_.running_[task_];
    }
    ~Held() {
      std::lock_guard lock(slots_.mutex_);
      --slots_.running_[task_];
      slots_.freed_.notify_all();
    }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;

   private:
    TaskSlots& slots_;
    const void* task_;
  };

 private:
  std::mutex mutex_;
  std::condition_variable freed_;
  std::map<const void*, long long> running_;
};

struct PlayState {
  const pb::Playbook* playbook = nullptr;
  const pb::Play* play = nullptr;
  graph::PlayGraph graph;
  const inv::Inventory* inventory = nullptr;
  const Settings* settings = nullptr;
  out::Sink* sink = nullptr;
  std::vector<std::unique_ptr<HostState>>* all_hosts = nullptr;  ///< every host of the run (for hostvars)
  const facts::JsonFileCache* fact_cache = nullptr;              ///< fact_caching = jsonfile, else null
  std::vector<HostState*> batch;                                 ///< hosts of the current serial batch
  std::vector<std::string> play_hosts;
  std::vector<HostState*> play_host_states;  ///< the hosts of play_hosts, in its order
  /// Hosts of the play that failed or were unreachable in earlier plays: they do not run it, and they are out of
  /// ansible_play_hosts.
  std::set<const HostState*> left_before;
  std::atomic<bool> errors_cleared{false};  ///< meta: clear_host_errors ran: the hosts of left_before may run again
  mutable std::shared_mutex facts_mutex;  ///< guards host_facts/facts of every host against hostvars readers
  std::mutex banner_mutex;
  const void* last_banner = nullptr;  ///< free strategy: print a task's banner once in a row
  mutable std::mutex loaded_mutex;
  std::deque<std::vector<pb::Task>> loaded_tasks;  ///< task files loaded at run time (templated includes)
  std::atomic<bool> aborted{false};                ///< any_errors_fatal / max_fail_percentage ended the play
  std::atomic<bool> stepping{false};  ///< --step asks before each task of this play (until answered "continue")
  std::mutex step_mutex;              ///< one question at a time (the free strategy asks per host)
  std::string run_error;  ///< under loaded_mutex: an error that ends the whole run (Ansible's ERROR!), the first
  /// Handler names that are templates, rendered once when first needed, as Ansible caches them; nullopt when the
  /// name could not be rendered (the handler then answers to its listen topics only).
  std::map<const pb::Task*, std::optional<std::string>> handler_names;
  mutable std::mutex handler_names_mutex;
  RoleRuns role_runs;                              ///< which role instances have run on which hosts
  TaskSlots task_slots;                            ///< throttle under the free strategy
  BackgroundJobs* jobs = nullptr;                  ///< where tasks with `poll: 0` leave their jobs running
};

/// Whether a notification by `name` reaches a handler of the play (by name or listen), as Ansible checks when a task
/// notifies (handlers.cc).
bool handler_exists(PlayState& play, const std::string& name);

/// Renders the templated names of the play's handlers not rendered yet, with the play's and each handler's role's
/// variables (seen from `host`: Ansible renders them without a host, so host variables make a name unusable there).
void render_handler_names(PlayState& play, HostState& host);

/// Ends the whole run with `message` (shown as Ansible's ERROR!, no recap), as an error Ansible raises while a play
/// runs does: the play stops after the current task.
void end_run(PlayState& play, const std::string& message);
bool run_ended(PlayState& play);

/// The global interrupt flag set by SIGINT.
extern std::atomic<bool> g_interrupted;

}  // namespace prov::exec
