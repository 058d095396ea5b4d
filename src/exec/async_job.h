#pragma once
// Tasks with `async`: the seconds they may take and how they are waited for (`poll`), the job file that
// async_status reads back, and the jobs that tasks with `poll: 0` leave running while the play goes on.
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "provision/connection/connection.h"
#include "provision/core/value.h"
#include "provision/modules/module.h"
#include "state.h"

namespace prov::exec {

class TaskInputs;

struct AsyncSettings {
  long long seconds = 0;  ///< 0: the task is not async
  long long poll = 15;    ///< 0: started and left to run (Ansible's default poll is 15)
};

/// The task's async and poll keywords, templated; throws prov::Error for a value that is not a whole number.
AsyncSettings async_settings(const TaskInputs& inputs, const SourceLoc& loc);

/// A job id as Ansible makes them: "j", random digits, ".", the process id.
std::string new_job_id();

/// Adds what Ansible's async wrapper adds to a finished job's result.
void mark_finished(Value& result, const std::string& jid);

/// Writes `content` as the job's file ~/.ansible_async/<jid> on the host (with `options`' become, so in the home
/// folder of the user the task runs as), replacing it whole. Returns the error, empty when written. Throws
/// conn::UnreachableError when the host cannot be reached.
std::string write_job_file(conn::Connection& connection, const conn::RunOptions& options, const std::string& jid,
                           const Value& content);

/// What a task started with `poll: 0` reports: the job started and not finished.
Value started_job(const std::string& jid);

/// Jobs started by tasks with `async` and `poll: 0`. Each runs its module on a connection of its own while the
/// play goes on (provision's modules are driven from the controller, so the job runs here, not as a process left on
/// the host), within its async seconds, and then leaves its result in the job's file for async_status. The run
/// waits for the jobs still running before it ends, so that what they do is done when it reports.
class BackgroundJobs {
 public:
  struct Job {
    const mod::Module* module = nullptr;
    mod::Context context;  ///< the task's; the job gives it its own connection and plan
    std::string target;    ///< the host it runs on (the task's host or its delegate)
    ConnectionPlan plan;   ///< how that host is reached
    std::string jid;
    long long seconds = 0;
  };

  explicit BackgroundJobs(const Settings& settings) : settings_(settings) {}
  ~BackgroundJobs() { wait(); }
  BackgroundJobs(const BackgroundJobs&) = delete;
  BackgroundJobs& operator=(const BackgroundJobs&) = delete;

  void start(Job job);
  /// Whether a job started on `host` still runs.
  bool running_on(const std::string& host);
  /// Waits for every job started so far to end.
  void wait();

 private:
  void run(Job& job);

  const Settings& settings_;
  // Jobs open their connections one at a time: sshd drops unauthenticated connections beyond a few at once
  // (MaxStartups), and a loop may start many jobs on one host.
  std::mutex connecting_;
  std::mutex threads_mutex_;
  std::vector<std::thread> threads_;
  std::map<std::string, int> running_;  // jobs still running, by host; under threads_mutex_
};

}  // namespace prov::exec
