#pragma once
// Everything a run reports goes through one Sink interface; only sinks write to the terminal.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "provision/core/value.h"

namespace prov::out {

enum class Status { Ok, Changed, Skipped, Failed, Unreachable };

/// One result of one task on one host (or of one loop item when `item` is set).
struct HostResult {
  std::string host;
  std::string delegated_to;  ///< "" unless delegate_to
  std::string action;        ///< the task's action ("" for results that are no task's, such as an include's)
  Status status = Status::Ok;
  Value result;              ///< the module's result, already censored for no_log
  bool ignored = false;      ///< failed but ignore_errors
  bool is_item = false;      ///< one item of a loop
  std::string item_label;    ///< what "(item=...)" shows
  bool show_result = false;  ///< print the result body (debug, -v, failures)
  /// The whole result of a loop after its items (Ansible's callbacks get it; the default one prints it only for a
  /// wholly skipped loop or a failure, which come as ordinary results).
  bool loop_end = false;
};

struct HostStats {
  int ok = 0, changed = 0, unreachable = 0, failed = 0, skipped = 0, rescued = 0, ignored = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  /// Each playbook of the run as it starts: its full path, the path as the command line named it, its plays.
  virtual void playbook_start(const std::string& path, const std::string& as_given, std::size_t plays) = 0;
  /// `location` is the play's file:line:col.
  virtual void play_start(const std::string& name, const std::vector<std::string>& hosts,
                          const std::string& location) = 0;
  virtual void no_hosts_matched() = 0;
  /// `title` is the banner text, e.g. "nginx : install nginx"; handlers are announced as RUNNING HANDLER.
  virtual void task_start(const std::string& title, bool is_handler, const std::string& location) = 0;
  virtual void host_result(const HostResult& result) = 0;
  /// "FAILED - RETRYING: [host]: title (N retries left)." between attempts of an until loop.
  virtual void retrying(const std::string& host, const std::string& title, int retries_left) = 0;
  /// "...ignoring" after the items of a loop that failed under ignore_errors.
  virtual void ignored_note() = 0;
  /// "included: file for host".
  /// An include_tasks file included for hosts, with the loop item's label when the include loops.
  virtual void included(const std::string& file, const std::vector<std::string>& hosts,
                        const std::optional<std::string>& item_label) = 0;
  virtual void warning(const std::string& message) = 0;
  /// A run-level error (bad input found at run time).
  virtual void error(const std::string& message) = 0;
  virtual void recap(const std::vector<std::pair<std::string, HostStats>>& stats) = 0;
  virtual void playbook_end(int exit_code) = 0;
  /// What a meta task did or why it was skipped, for one host or all ("ending play for web1"): Ansible shows it
  /// as "META: ..." from -vv on. Listeners show nothing.
  virtual void meta_note(const std::string& text);
  /// --step: the question asked before a task was answered. Ansible shows it again as a banner whatever the
  /// output format; sinks that share stdout with another keep the default, listeners show nothing.
  virtual void step_answered(const std::string& question);
};

struct SinkOptions {
  bool color = false;
  int verbosity = 0;
  bool diff = false;
  bool check = false;
  bool display_skipped_hosts = true;  ///< print skipped results (Ansible's display_skipped_hosts)
  bool display_ok_hosts = true;       ///< print ok results (display_ok_hosts); changed and failed always show
  bool retry_files = false;           ///< write PLAYBOOK.retry naming the failed hosts (retry_files_enabled)
  std::string retry_files_save_path;  ///< where the .retry file goes; "" for the playbook's folder
};

/// The output format registered under `name` ("human", "json", "minimal", "yaml"), or nullptr.
std::unique_ptr<Sink> make_sink(const std::string& name, const SinkOptions& options);

/// The format `name`, followed by the extra reports named in `extras` ("profile_tasks", "timer") and the retry
/// file when options.retry_files, all fed every event in that order; nullptr when a name is not registered.
std::unique_ptr<Sink> make_sinks(const std::string& name, const std::vector<std::string>& extras,
                                 const SinkOptions& options);

/// Names of every registered output format (not the extra reports), for --output's help and errors.
std::vector<std::string> sink_names();

/// Names of every registered extra report, for callbacks_enabled.
std::vector<std::string> report_names();

}  // namespace prov::out
