#include "async_job.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>

#include "connect.h"
#include "provision/core/random.h"
#include "provision/core/utf8.h"
#include "provision/modules/async.h"
#include "task_inputs.h"
#include "task_result.h"

namespace prov::exec {

AsyncSettings async_settings(const TaskInputs& inputs, const SourceLoc& loc) {
  AsyncSettings s;
  if (Value raw = inputs.other_keyword("async"); !raw.is_null()) {
    s.seconds = std::max(0LL, whole_number(inputs.templated(raw), "async", loc));
  }
  if (Value raw = inputs.other_keyword("poll"); !raw.is_null()) {
    s.poll = std::max(0LL, whole_number(inputs.templated(raw), "poll", loc));
  }
  return s;
}

std::string new_job_id() {
  // Twelve decimal digits at most, as Ansible's random.randint(0, 999999999999).
  const unsigned long long n = std::stoull(random_hex(8), nullptr, 16) % 1000000000000ULL;
  return fmt::format("j{}.{}", n, static_cast<long long>(getpid()));
}

void mark_finished(Value& result, const std::string& jid) {
  result["ansible_job_id"] = jid;
  result["finished"] = 1;
  result["results_file"] = mod::async_results_file(jid);
  result["started"] = 1;
}

std::string write_job_file(conn::Connection& connection, const conn::RunOptions& options, const std::string& jid,
                           const Value& content) {
  conn::RunOptions write = options;
  write.stdin_data = content.dump();
  const std::string path = mod::async_results_path_shell(jid);
  conn::CommandResult written = connection.run(
      "mkdir -p \"$HOME\"/.ansible_async && cat > " + path + ".tmp && mv -f " + path + ".tmp " + path, write);
  return written.rc == 0 ? "" : fmt::format("could not write the job's file on the host: {}", written.err);
}

Value started_job(const std::string& jid) {
  return {{"ansible_job_id", jid},
          {"changed", true},
          {"failed", 0},
          {"finished", 0},
          {"results_file", mod::async_results_file(jid)},
          {"started", 1}};
}

namespace {

// What async_status reads of a job its time limit ended, as Ansible's async wrapper leaves it.
Value timed_out() {
  return {{"changed", false},
          {"failed", true},
          {"msg", "Timeout exceeded"},
          {"stderr", ""},
          {"stderr_lines", Value::array()},
          {"stdout", ""},
          {"stdout_lines", Value::array()}};
}

}  // namespace

void BackgroundJobs::start(Job job) {
  std::lock_guard lock(threads_mutex_);
  ++running_[job.target];
  threads_.emplace_back([this, job = std::move(job)]() mutable {
    run(job);
    std::lock_guard done(threads_mutex_);
    --running_[job.target];
  });
}

bool BackgroundJobs::running_on(const std::string& host) {
  std::lock_guard lock(threads_mutex_);
  auto found = running_.find(host);
  return found != running_.end() && found->second > 0;
}

void BackgroundJobs::wait() {
  std::vector<std::thread> running;
  {
    std::lock_guard lock(threads_mutex_);
    running.swap(threads_);
  }
  if (!running.empty()) spdlog::info("waiting for {} job(s) started with poll: 0", running.size());
  for (std::thread& thread : running) thread.join();
}

void BackgroundJobs::run(Job& job) {
  // Nothing may escape a job's thread: whatever goes wrong becomes the job's result.
  Value result;
  std::unique_ptr<TracedConnection> connection;
  try {
    {
      std::lock_guard lock(connecting_);
      connection = open_connection(job.target, job.plan, settings_);
    }
    mod::Plan plan;
    job.context.conn = connection.get();
    job.context.plan = &plan;
    // Ansible's async wrapper looks at its job every 5 seconds and ends it at the first look past its time: a
    // job with `async: 1` (`sleep 2 && reboot`, as many roles write) gets 5 seconds.
    const long long limit = (job.seconds + 4) / 5 * 5;
    connection->set_deadline(std::chrono::steady_clock::now() + std::chrono::seconds(limit));
    try {
      result = mod::execute(*job.module, job.context);
    } catch (const TaskTimeoutError&) {
      result = timed_out();
    }
    connection->set_deadline(std::nullopt);
  } catch (const conn::UnreachableError& e) {
    result = failure(e.message());
    result["unreachable"] = true;
  } catch (const Error& e) {
    result = failure(e.message());
  } catch (const std::exception& e) {
    result = failure(fmt::format("internal error in provision: {}", e.what()));
  }
  if (!result.is_object()) result = {{"result", result}};
  if (!result.contains("changed")) result["changed"] = false;
  make_valid_utf8(result);
  mark_finished(result, job.jid);
  conn::RunOptions options;
  options.become = job.context.become;
  // A command cut short by the time limit may leave its connection unusable: the result then goes on a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!connection || attempt > 0) {
        std::lock_guard lock(connecting_);
        connection = open_connection(job.target, job.plan, settings_);
      }
      const std::string error = write_job_file(*connection, options, job.jid, result);
      if (error.empty()) return;
      spdlog::warn("[{}] job {}: {}", job.target, job.jid, error);
    } catch (const std::exception& e) {
      spdlog::warn("[{}] job {}: the result could not be left on the host: {}", job.target, job.jid, e.what());
    }
  }
}

}  // namespace prov::exec
