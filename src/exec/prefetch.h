#pragma once
// Probes sent ahead of time. The next tasks' first commands on a host (mod::first_query: reads only) go in one
// round trip, and each task's identical command is then answered from that output: a run of converged file tasks
// costs one round trip instead of one each, and consecutive ufw tasks read ufw's state once. Anything else sent to the
// host drops what is left, since it may change what those probes read.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "provision/connection/connection.h"

namespace prov::exec {

/// Results of commands run ahead of time, for the same command with the same become and environment. They
/// answer as often as they are asked while only they are asked: the host is as it was when they ran.
class ProbeCache {
 public:
  void store(const std::string& command, const conn::RunOptions& options, conn::CommandResult result);
  /// The stored result of this command. nullopt when there is none, and then the store is emptied: the command
  /// about to run may change what the stored ones read.
  std::optional<conn::CommandResult> take(const std::string& command, const conn::RunOptions& options);
  void clear() { results_.clear(); }
  bool empty() const { return results_.empty(); }

 private:
  std::map<std::string, conn::CommandResult> results_;
};

/// One of the commands sent together.
struct BatchCommand {
  BatchCommand(std::string command, bool shares = false)  // NOLINT: implicit on purpose, from a plain command
      : text(std::move(command)), shares_subshell(shares) {}
  BatchCommand(const char* command) : text(command), shares_subshell(false) {}  // NOLINT: as above
  std::string text;
  bool shares_subshell;  ///< mod::Probe::shares_subshell
};

/// Runs the commands one after another as one command on `conn` (each in a subshell with stdin from /dev/null,
/// as the persistent shell runs a command; neighbours that share a subshell run in one), after `prelude` (shell
/// text whose functions and variables they see), and returns each one's output, error output and status. Throws
/// what conn throws, and prov::Error when the output cannot be split (the shell died half-way).
std::vector<conn::CommandResult> run_together(conn::Connection& conn, const std::vector<BatchCommand>& commands,
                                              const conn::RunOptions& options, const std::string& prelude = "");

}  // namespace prov::exec
