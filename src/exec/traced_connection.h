#pragma once
// A Connection that logs what it sends at -vvv (commands, uploads, durations), except during no_log tasks, and
// answers commands that were sent ahead of time (prefetch.h). Passwords never reach it: become passwords travel on
// stdin, which is not logged.
#include <memory>
#include <string>

#include "prefetch.h"
#include "provision/connection/connection.h"

namespace prov::exec {

class TracedConnection : public conn::Connection {
 public:
  TracedConnection(std::string host, std::unique_ptr<conn::Connection> inner)
      : host_(std::move(host)), inner_(std::move(inner)) {}

  /// While quiet, commands are logged as "<hidden by no_log>".
  void set_quiet(bool quiet) { quiet_ = quiet; }

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
  std::string host_;
  std::unique_ptr<conn::Connection> inner_;
  bool quiet_ = false;
  ProbeCache probes_;
};

}  // namespace prov::exec
