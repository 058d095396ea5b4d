#pragma once
// Tasks with `async`: the seconds they may take and how they are waited for (`poll`), and the job file that
// async_status reads back for a task started with `poll: 0`.
#include <string>

#include "provision/connection/connection.h"
#include "provision/core/value.h"

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

/// Leaves the finished job's result on the host in ~/.ansible_async/<jid> as JSON (with `options`' become, so
/// in the home folder of the user the task ran as) and returns what the task reports: the job started.
/// Throws conn::UnreachableError when the host cannot be reached.
Value leave_job_result(conn::Connection& connection, const conn::RunOptions& options, const std::string& jid,
                       Value result);

}  // namespace prov::exec
