#pragma once
// How provision reaches a host. A Connection knows nothing of modules; modules know nothing of transports.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "provision/core/error.h"
#include "provision/core/value.h"

namespace prov::conn {

/// Privilege escalation for one command; applied by wrap_become() in one place for every transport.
struct Become {
  bool enabled = false;
  std::string user = "root";
  std::string method = "sudo";  ///< sudo or su
  std::string password;         ///< empty: none; sent on stdin to the prompt, never on a command line
  std::string flags;            ///< words for the method instead of its default ones (become_flags), split at spaces
  std::string exe;              ///< the program instead of the method's name (become_exe)
};

struct RunOptions {
  std::string stdin_data;                     ///< fed to the command's standard input
  std::map<std::string, std::string> env;     ///< exported for this command only
  Become become;
  int timeout_seconds = 0;                    ///< 0: no limit
};

struct CommandResult {
  int rc = 0;          ///< exit status; -N when killed by signal N (Ansible's convention)
  std::string out;
  std::string err;
  bool timed_out = false;  ///< RunOptions::timeout_seconds passed and the command was killed
};

struct PutOptions {
  std::string mode;   ///< octal string like "0644"; empty keeps the default (umask, or the old file's mode)
  std::string owner;  ///< empty: unchanged
  std::string group;
  Become become;
};

/// The host could not be reached or authenticated: the host is UNREACHABLE, not failed.
class UnreachableError : public Error {
 public:
  using Error::Error;
};

class Connection {
 public:
  virtual ~Connection() = default;
  /// Opens the session; throws UnreachableError with a one-line reason.
  virtual void connect() = 0;
  /// Runs `command` with /bin/sh -c on the host. Throws UnreachableError when the transport breaks.
  virtual CommandResult run(const std::string& command, const RunOptions& options = {}) = 0;
  /// Writes content to path atomically: a temporary file in the same folder, mode/owner set, then rename.
  virtual void put_file(const std::string& content, const std::string& path, const PutOptions& options = {}) = 0;
  /// Reads a whole file; throws Error when it cannot.
  virtual std::string fetch_file(const std::string& path, const Become& become = {}) = 0;
  virtual void close() = 0;
  /// A short name for logs: "local", "ssh".
  virtual std::string kind() const = 0;
};

/// The run was interrupted (SIGINT, SIGTERM) while a command ran or was about to start.
class CancelledError : public Error {
 public:
  using Error::Error;
};

/// Ends the commands in flight on every connection and refuses new ones (raising CancelledError): local commands
/// are stopped with their whole process group. Async-signal-safe: the interrupt handler calls it.
void cancel_commands();
/// Whether cancel_commands() was called.
bool commands_cancelled();

/// Quotes one value for a POSIX shell: the one quoting helper every remote command goes through.
std::string shell_quote(std::string_view value);

/// Wraps a command for privilege escalation; the password (if any) is prepended to stdin by the caller.
std::string wrap_become(const std::string& command, const Become& become);

}  // namespace prov::conn
