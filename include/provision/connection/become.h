#pragma once
// Privilege escalation shared by every transport: the wrapped command, the password on stdin, and the watcher
// that tells success (a marker line) from a wrong or missing password without ever waiting for a second try.
#include <string>
#include <string_view>

#include "provision/connection/connection.h"

namespace prov::conn {

/// sudo/su refused: wrong password, a password was needed but none given, unknown user. The task fails.
class BecomeError : public Error {
 public:
  using Error::Error;
};

/// wrap_become() with a chosen key (tests use it; wrap_become() draws a random one).
/// The wrapped command prints "BECOME-SUCCESS-<key>" on stdout before running `command`.
std::string wrap_become_with_key(const std::string& command, const Become& become, const std::string& key);

/// A command ready for a transport: environment exported, become applied, the password line to write first.
struct PreparedCommand {
  std::string command;        ///< give to /bin/sh -c
  std::string password_line;  ///< written to stdin when BecomeWatcher::take_password() says so; may be empty
  std::string key;            ///< the random key in this command's become marker and prompt (BecomeWatcher)
};

/// Exports options.env (names must be shell identifiers, else Error) and applies options.become.
PreparedCommand prepare_command(const std::string& command, const RunOptions& options);

/// Watches a become'd command's output while it runs. Until the success marker shows up the command's own stdin
/// must be held back: sudo -S reads one password line, and anything more would be taken as a second attempt.
class BecomeWatcher {
 public:
  enum class State { Waiting, Ready, Failed };

  /// An inactive watcher (become disabled) is Ready from the start and changes nothing. It answers only the
  /// marker and prompt that carry `key` (PreparedCommand::key): text from anything else that looks like them, the
  /// command's own output or a message of the host, is neither success nor a cue to send the password.
  BecomeWatcher(const Become& become, const std::string& key);

  /// Looks at everything read so far; strips the marker from out and the prompts from err once Ready.
  State update(std::string& out, std::string& err);
  /// Called when the command has ended: a command that never printed the marker failed to become.
  State finish(std::string& out, std::string& err);
  /// True once, when the password prompt has appeared: the transport writes PreparedCommand::password_line then.
  /// Waiting for the prompt keeps the password away from a command that needed none (NOPASSWD, root's su).
  bool take_password();
  /// A one-line reason when Failed ("Incorrect sudo password", "Missing sudo password", ...).
  const std::string& failure() const { return failure_; }
  State state() const { return state_; }

 private:
  State check_failure(const std::string& err, bool ended);

  Become become_;
  std::string marker_;  // "BECOME-SUCCESS-<key>"
  std::string prompt_;  // "[provision-sudo-password-<key>]: "
  State state_ = State::Ready;
  bool prompt_seen_ = false;
  bool password_sent_ = false;
  std::string failure_;
};

}  // namespace prov::conn
