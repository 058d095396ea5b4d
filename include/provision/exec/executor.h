#pragma once
// Runs a loaded playbook against an inventory: plays, batches, strategies, handlers, check and diff flow.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "provision/connection/connection.h"
#include "provision/core/value.h"
#include "provision/graph/graph.h"

namespace prov::inv {
class Inventory;
}
namespace prov::out {
class Sink;
}

namespace prov::exec {

/// Exit codes, Ansible's where it has them (docs/usage.md).
enum ExitCode {
  kExitOk = 0,
  kExitError = 1,  ///< an error found while running (e.g. an undefined variable in a play's hosts)
  kExitHostFailed = 2,
  kExitUsage = 2,      ///< the command line cannot be read (argparse's code, as ansible-playbook)
  kExitLoadError = 3,  ///< the playbook, inventory or a config file could not be loaded; nothing ran
  kExitUnreachable = 4,
  kExitBadOptions = 5,
  kExitInterrupted = 99,
};

/// Fact gathering and caching, from ansible.cfg ([defaults] gathering, fact_caching, ...) and ANSIBLE_* variables.
struct FactSettings {
  std::string gathering = "implicit";  ///< implicit, explicit or smart
  std::string caching = "memory";      ///< memory, or jsonfile: one file per host in caching_connection
  std::string caching_connection;      ///< jsonfile's folder
  long long caching_timeout = 86400;   ///< seconds a cached entry stays valid; 0: forever
  std::string caching_prefix;          ///< fact_caching_prefix: before each host's name in the file's
  /// The deprecated [defaults] gather_subset, gather_timeout and fact_path: what a play without those keywords
  /// gathers with (empty, unset: Ansible's own defaults).
  std::vector<std::string> gather_subset;
  std::optional<long long> gather_timeout;
  std::string fact_path;
  bool flush = false;                  ///< --flush-cache: the entries of the hosts --limit selects go first
};

struct Settings {
  int forks = 5;
  bool check = false;
  bool diff = false;
  bool force_handlers = false;       ///< --force-handlers: what a play without the keyword does
  bool error_on_missing_handler = true;  ///< a notify no handler answers to ends the run (else a warning)
  int verbosity = 0;
  graph::Selection selection;
  std::string limit;
  std::vector<std::string> inventory_sources;  ///< -i as Ansible shows them (ansible_inventory_sources)
  std::string config_file;                     ///< the ansible.cfg read, "" for none (ansible_config_file)
  Value extra_vars = Value::object();
  std::string connection;            ///< -c: overrides ansible_connection when set
  std::string remote_user;           ///< -u / remote_user
  std::string private_key_file;      ///< --private-key / private_key_file
  std::string ssh_args;              ///< ssh_args of ansible.cfg: first on the ssh command line, so they win
  std::string ssh_common_args;       ///< --ssh-common-args / ssh_common_args
  std::string ssh_extra_args;        ///< --ssh-extra-args / ssh_extra_args
  std::string password;              ///< -k
  int timeout = 10;                  ///< connect timeout in seconds
  bool host_key_checking = true;
  bool become = false;               ///< -b / become
  std::string become_user = "root";
  std::string become_method = "sudo";
  std::string become_exe;            ///< become_exe of ansible.cfg ("" : the method's program)
  std::string become_flags;          ///< become_flags of ansible.cfg ("" : the method's own flags)
  std::string become_password;       ///< -K
  FactSettings facts;
  /// Makes a connection of a kind ("ssh", "local", ...) for a host's connection variables (not yet connected);
  /// throws conn::UnreachableError. Empty: the transports' table (provision/connection/registry.h). Tests give
  /// fakes here.
  std::function<std::unique_ptr<conn::Connection>(const std::string& kind, const Value& vars)> make_connection;
  /// Reads a controller file the run asks for while it runs (include_vars): its text, or nullopt when there is no
  /// such file; throws prov::Error when it exists and cannot be read. Empty: the controller's disk. Tests give
  /// fakes here.
  std::function<std::optional<std::string>(const std::string& path)> read_file;
  /// Asks the operator for a vars_prompt value: shows `message`, reads a line (without echo unless `echo`);
  /// nullopt when there is no terminal to ask on. Empty: never asks (no terminal).
  std::function<std::optional<std::string>(const std::string& message, bool echo)> prompt;
  /// --step: ask before each task. `ask_step` shows the question and reads the answer (nullopt at the end of
  /// the input); empty: --step asks nothing and every task runs.
  bool step = false;
  std::function<std::optional<std::string>(const std::string& question)> ask_step;
};

/// Runs every play; reports through the sink; returns an ExitCode.
int run_playbook(const pb::Playbook& playbook, const inv::Inventory& inventory, const Settings& settings,
                 out::Sink& sink);

/// Stops a running playbook (SIGINT, SIGTERM): commands in flight are ended (conn::cancel_commands), no new task
/// starts, and the recap so far is printed; the exit code is kExitInterrupted. Async-signal-safe.
void request_interrupt();

}  // namespace prov::exec
