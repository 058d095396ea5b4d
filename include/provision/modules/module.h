#pragma once
// One interface for every module, and one registration table (src/modules/registry.cc).
// A module validates its arguments against its spec, reads the host's state, and acts only on the difference.
// A module never prints and knows nothing of the executor.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "provision/connection/connection.h"
#include "provision/core/error.h"
#include "provision/core/value.h"

namespace prov::tmpl {
class Vars;
}

namespace prov::mod {

enum class ArgType { Str, Int, Float, Bool, List, Dict, Path, Raw };

struct ArgSpec {
  std::string name;
  ArgType type = ArgType::Str;
  bool required = false;
  Value default_value;               ///< null: no default
  std::vector<std::string> choices;  ///< empty: any
  std::vector<std::string> aliases;
  ArgType elements = ArgType::Str;  ///< for lists
  bool no_log = false;              ///< never shown (passwords)
  bool keeps_null = false;          ///< a null given stays null (Ansible's None) instead of taking the default
};

struct ModuleSpec {
  std::string name;                      ///< short name, e.g. "file"
  std::vector<std::string> other_names;  ///< e.g. "ansible.builtin.file", "ansible.legacy.file"
  std::vector<ArgSpec> args;
  std::vector<std::vector<std::string>> mutually_exclusive;
  std::vector<std::vector<std::string>> required_one_of;
  bool free_form = false;           ///< accepts `module: some words` (kept as "_raw_params")
  bool any_keys = false;            ///< takes arbitrary names as arguments (set_fact); args then only lists options
  bool runs_on_controller = false;  ///< debug, set_fact, assert, fail, pause: no connection needed
  bool check_mode_support = true;   ///< false: skipped in check mode with a message
};

/// An argument error; the executor adds the task's file:line.
class ArgError : public Error {
 public:
  using Error::Error;
};

/// Checks raw (already templated) arguments against a spec: unknown keys (with "did you mean"), missing required,
/// choices, types (Ansible's conversions: "yes" -> true, "5" -> 5, "a,b" -> list), aliases, mutually exclusive,
/// and fills defaults. Returns an object with every spec'd name present (null when unset and no default).
Value validate_args(const ModuleSpec& spec, const Value& raw);

/// What earlier tasks in check mode predicted for one host. In check mode nothing is changed, so a later task
/// would fail on state that only a real run creates (a service whose package is not installed yet, a file in a
/// folder not made yet); modules record their predictions here and consult them instead of failing.
struct Plan {
  std::set<std::string> packages;     ///< packages that would be installed
  std::set<std::string> paths;        ///< files and folders that would exist (a new folder is empty)
  /// Folders whose content a change would bring without naming it (a clone, a virtualenv, a home filled from
  /// /etc/skel): anything inside them may exist.
  std::set<std::string> trees;
  std::set<std::string> users;        ///< users that would be created
  std::set<std::string> groups;       ///< groups that would be created
  /// Package indexes a real run would have refreshed (a cache update, a repository added), by package manager
  /// ("apt"): what they would offer is not known in check mode, so a package missing from them is predicted.
  std::set<std::string> refreshed_indexes;

  /// Records that path would be created (folders above it are created with it, as `mkdir -p` does).
  void add_path(std::string path);
  /// Records that the folder would be created with content not known before (see `trees`).
  void add_tree(std::string path);

  /// True when path may exist after the predicted changes: it would be created, it is inside a folder whose
  /// content is not known (a clone; a package's folder: /etc/nginx for nginx, /etc/postgresql for postgresql-15,
  /// since what packages bring is not known before they are installed), or it is a folder above something that
  /// would be created. Inside a new empty folder only what would be created exists. Check mode then predicts
  /// instead of failing on a path that only a real run would make, and does not report removing what would
  /// never be there.
  bool predicted(std::string path) const;

  /// Adds another plan's predictions to these.
  void merge(const Plan& other);
  /// Takes out what another plan names: what a change would remove (a user deleted) no longer exists.
  void forget(const Plan& removed);
};

/// What a module gets to work with for one run on one host.
struct Context {
  conn::Connection* conn = nullptr;  ///< null only for runs_on_controller modules
  Value args;                        ///< validated by validate_args
  bool check_mode = false;
  bool diff_mode = false;
  int verbosity = 0;  ///< -v count; debug's `verbosity` compares against it
  conn::Become become;
  std::map<std::string, std::string> env;
  /// Controller folders for `src` lookups: the role's files/ or templates/ first, then the playbook's.
  std::vector<std::string> search_paths;
  const tmpl::Vars* vars = nullptr;  ///< the task's variables (debug var=, assert, template)
  std::string task_location;         ///< "file:line" of the task, for messages
  std::string task_name;             ///< as the task's banner shows it ("role : name", the action without a name)
  /// This host's check-mode predictions; never null when the executor runs a module (tests may leave it null).
  Plan* plan = nullptr;
};

/// A module's result with Ansible's keys: changed, failed, msg, rc, stdout, stderr, stdout_lines, stderr_lines,
/// skipped, diff ({before, after, before_header, after_header} or a list of them), ansible_facts, and
/// module-specific keys.
using Result = Value;

/// Shell text run once before probes sent together that name it, given their `shared` values: work they can
/// share (one program for all of them instead of one each). It must leave each probe's output exactly as it
/// would be alone.
using ProbePrelude = std::string (*)(const std::vector<std::string>& shared);

/// A read of the host: what Step::query() returns and what probes sent ahead carry.
struct Probe {
  std::string command;
  ProbePrelude prelude = nullptr;  ///< the prelude this probe can use, if any (modules may share one)
  std::string shared;              ///< what the prelude needs of this probe (for path probes, the path)
  /// Probes sent together may run it right after other such probes in one subshell instead of a subshell each (a
  /// fork less per probe): it never exits the shell, and nothing it leaves there changes such a probe's output.
  bool shares_subshell = false;
  /// The command's standard input (SQL for psql, a hash to compare): kept off the command line, and so out of
  /// process lists. A read with input is never sent ahead.
  std::string stdin_data;
  /// A whole file to read as it is (the connection's fetch_file, binary-safe) instead of a command: its content is
  /// the read's output. Never sent ahead.
  std::string fetched_path;
};

/// A read that is one plain command.
Probe shell_read(std::string command);

/// What a module's diff found: whether the host differs from what the task wants, what the result reports either
/// way, Ansible's diff for --diff, and what would exist after the change (for later tasks in check mode).
struct Changes {
  Changes() = default;
  Changes(bool is_changed, Result reported) : changed(is_changed), result(std::move(reported)) {}

  bool changed = false;
  Result result = Value::object();  ///< keys reported with or without apply (path, state, msg; failed stops here)
  Value diff;                       ///< {before, after, before_header, after_header} or a list of them; null: none
  Plan predicted;                   ///< packages, paths, users, groups the change would create
  Plan removed;                     ///< what is gone after it, changed or not (taken out of earlier predictions)
};

/// One run of a module on one host, in two phases. Reading: query() names a read of the host and parse() takes its
/// output (repeated while query() has another read, each one may depend on the last). Changing: diff() compares what
/// is wanted with what was read, and apply() changes only that difference. The caller (execute() below) drives the
/// phases: it may send the first query ahead with other tasks' probes, stops after diff() in check mode, records
/// the predictions and attaches the diff when asked. A step never acts differently in check mode: it may read more
/// there (what a prediction needs, as apt's simulation; the context tells it when it is made), and diff() words
/// the result of a prediction (it is given a plan exactly in check mode).
class Step {
 public:
  virtual ~Step() = default;
  /// The next read of the host; nullopt once the host is read (or when nothing needs reading).
  virtual std::optional<Probe> query() { return std::nullopt; }
  /// Takes the output of the query just sent. Pure: it neither reads the host nor acts.
  virtual void parse(const conn::CommandResult& read) { (void)read; }
  /// Wanted against current. Pure. plan: non-null exactly in check mode, with earlier tasks' predictions.
  virtual Changes diff(const Plan* plan) const = 0;
  /// Makes the changes diff() found; called only outside check mode and when something differs. Its result is
  /// the task's (changes.result and changes.diff are used where it leaves them out).
  virtual Result apply(Context& ctx, const Changes& changes) = 0;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual const ModuleSpec& spec() const = 0;
  /// Starts a run from ctx's validated arguments (typed by the module). Expected failures (a missing src) are
  /// results of diff(); a step that had to succeed and did not (chown to an unknown user, a refused become:
  /// conn::BecomeError) throws prov::Error, which the executor reports as a failed task with the error's message;
  /// conn::UnreachableError marks the host unreachable.
  virtual std::unique_ptr<Step> start(const Context& ctx) const = 0;
};

/// Runs a module once on ctx's host through its phases (see Step): in check mode nothing past diff() runs.
Result execute(const Module& module, Context& ctx);

/// The first command execute() would send, when ctx alone decides it and it only reads: the executor may send it
/// ahead of time, with the following tasks' probes in one round trip, and answer the module's identical command
/// from that output, as long as nothing else ran on the host meanwhile.
std::optional<Probe> first_query(const Module& module, const Context& ctx);

/// The module registered under a short name or FQCN, or nullptr (the action table: provision/modules/action.h).
const Module* find_module(std::string_view name);

/// Every module's short name, for listings.
std::vector<std::string> module_names();

}  // namespace prov::mod
