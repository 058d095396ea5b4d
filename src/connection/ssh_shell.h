#pragma once
// Private to the ssh transport: a persistent remote shell on one channel. Each command is written to the shell's
// stdin and read back up to an end marker, so a command costs one round trip instead of a channel open and an exec
// (two round trips, and sshd starting the user's login shell every time).
#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <cstdint>
#include <string>

#include "provision/connection/connection.h"

namespace prov::conn::detail {

/// A remote command's process, by pid, and its parent's (a check against a reused pid). Zero: not known.
struct RunningCommand {
  long pid = 0;
  long parent = 0;
};

/// Shell text that prints "<line_start><pid> <parent pid>" on a line of its own, to be put before a command:
/// `pid` and `parent` are shell words ("$$", "$PPID").
std::string announce_script(const std::string& line_start, const std::string& pid, const std::string& parent);

/// Takes the announcement line out of `output` once it has arrived whole and fills `running` (left at zero when
/// the line is malformed). False while the line may still come; true once taken, or once 64 KiB of output came
/// without it (a host without /proc), so that a long output is not searched again and again.
bool take_announcement(std::string& output, const std::string& line_start, RunningCommand& running);

class RemoteShell {
 public:
  /// Starts /bin/sh on a new channel of `session`, escalated with `become` when enabled (once, for every command
  /// the shell runs). Throws UnreachableError when the channel cannot be opened and BecomeError when escalation is
  /// refused.
  RemoteShell(ssh_session session, const Become& become);
  ~RemoteShell();
  RemoteShell(const RemoteShell&) = delete;
  RemoteShell& operator=(const RemoteShell&) = delete;

  /// Runs `command` (exports already applied, no become) in a subshell with `input` on its stdin (a here-document;
  /// accepts_input() must hold) or, when empty, /dev/null. Throws UnreachableError when the session or the shell is
  /// lost meanwhile.
  CommandResult run(const std::string& command, const std::string& input = {});

  /// Whether `input` can be handed to a command as a here-document, byte for byte: plain text (printable ASCII,
  /// tabs, CR) of whole lines, up to 64 KiB. Anything else needs a channel of its own.
  static bool accepts_input(const std::string& input);

  /// False once the shell's channel has ended; the connection then starts a new one.
  bool usable() const;

  /// The subshell running the current command, as it announced itself (pid 0 when no command runs or the host
  /// has no /proc): what to end when the command is given up on an interrupt.
  RunningCommand running() const { return running_; }

 private:
  static int on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* user);
  static void on_close(ssh_session, ssh_channel, void* user);
  static void on_eof(ssh_session, ssh_channel, void* user);

  void start(const Become& become);
  void release();
  /// Writes `text` within the remote window, polling in between. Throws when the channel ends.
  void write_all(const std::string& text);
  /// Waits for events up to `wait_ms`; throws when the session or the channel ends.
  void poll(int wait_ms);
  [[noreturn]] void lost(const std::string& what);
  /// Gives up the running command on an interrupt, after waiting briefly for its pid when `announced` is false (so
  /// that the connection can end it), and throws CancelledError.
  [[noreturn]] void give_up(bool announced, const std::string& pid_line);

  ssh_session session_;
  ssh_channel channel_ = nullptr;
  ssh_event event_ = nullptr;
  ssh_channel_callbacks_struct callbacks_{};
  std::string out_;
  std::string err_;
  bool ended_ = false;
  std::string key_;        ///< random, per shell: end markers cannot be forged by a command's output
  uint64_t commands_ = 0;  ///< numbers each command's end marker
  RunningCommand running_;
};

/// dash names `eval` in the errors of a command run through it ("/bin/sh: 3: eval: x: not found"); this takes
/// that word out at the start of each line, so the messages read as from `sh -c`.
std::string without_eval_prefix(std::string err);

}  // namespace prov::conn::detail
