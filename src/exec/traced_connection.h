#pragma once
// A Connection that logs what it sends at -vvv (commands, uploads, durations), except during no_log tasks, and
// answers commands that were sent ahead of time (prefetch.h). Passwords never reach it: become passwords travel on
// stdin, which is not logged.
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "prefetch.h"
#include "provision/connection/connection.h"

namespace prov::exec {

/// The task's time limit (the timeout keyword) passed. Not a prov::Error on purpose: nothing in a module that
/// handles its own errors may take it for one; the task runner turns it into Ansible's failure.
class TaskTimeoutError : public std::runtime_error {
 public:
  TaskTimeoutError() : std::runtime_error("the task's timeout passed") {}
};

class TracedConnection : public conn::Connection {
 public:
  TracedConnection(std::string host, std::unique_ptr<conn::Connection> inner)
      : host_(std::move(host)), inner_(std::move(inner)) {}

  /// While quiet, commands are logged as "<hidden by no_log>".
  void set_quiet(bool quiet) { quiet_ = quiet; }

  /// A task's time limit: each command gets at most the time left, and one cut short by it (or asked for after
  /// it) raises TaskTimeoutError; the host's process is killed by the transport's own timeout. nullopt: none.
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) { deadline_ = deadline; }

  /// Sends the commands together in one round trip; each is then answered from here when it is run next.
  void prefetch(const std::vector<BatchCommand>& commands, const conn::RunOptions& options,
                const std::string& prelude = "");
  /// Forgets what was sent ahead of time.
  void drop_prefetched() { probes_.clear(); }

  void connect() override;
  conn::CommandResult run(const std::string& command, const conn::RunOptions& options) override;
  void put_file(const std::string& content, const std::string& path, const conn::PutOptions& options) override;
  std::string fetch_file(const std::string& path, const conn::Become& become) override;
  void close() override { inner_->close(); }
  std::string kind() const override { return inner_->kind(); }

 private:
  void check_deadline() const;

  std::string host_;
  std::unique_ptr<conn::Connection> inner_;
  bool quiet_ = false;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  ProbeCache probes_;
};

}  // namespace prov::exec
