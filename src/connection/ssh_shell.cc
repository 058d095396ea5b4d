// The persistent remote shell: /bin/sh reading commands from its stdin on one channel. Each command runs as
// `( eval 'COMMAND' ) </dev/null` (or with its input as a here-document): a subshell, so `exit`, `cd`, traps and
// variables end with it, with a stdin that cannot swallow the commands after it, and no program started for it (a
// fork only: starting a program is what costs most on a small host). The shell then prints an end marker with the exit
// status on stdout and a marker on stderr; everything before them is the command's output. Before the command, the
// subshell prints its pid and the shell's (read from /proc without starting a program) on a line of its own, which is
// taken out of the output: an interrupted command is ended by pid (SshConnection). Differences from a channel
// per command: $$ is the shell's process id, and a command killed by signal N reports 128+N, as shells do, not -N. dash
// names eval in its own messages ("/bin/sh: 1: eval: x: not found"); that word is taken out so messages read as from
// `/bin/sh -c`.
#include "ssh_shell.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "provision/connection/become.h"
#include "provision/core/random.h"
#include "ssh_internal.h"

namespace prov::conn::detail {

namespace {

struct EventDeleter {
  ssh_session session;
  void operator()(ssh_event e) const {
    ssh_event_remove_session(e, session);
    ssh_event_free(e);
  }
};
using EventPtr = std::unique_ptr<ssh_event_struct, EventDeleter>;

// How long one wait for the shell's output lasts before an interrupt (cancel_commands) is looked for again.
constexpr int kCancelCheckMs = 200;
// How long an interrupted command's announcement is awaited when it has not arrived yet (RemoteShell::give_up).
constexpr int kAnnouncementWaitMs = 3000;
constexpr int kAnnouncementPollMs = 50;
// How much output may come before a command's announcement of its pid (a daemon's output left in the shell's).
constexpr size_t kAnnouncementWindow = 64 * 1024;

EventPtr session_event(ssh_session session) {
  EventPtr event(ssh_event_new(), EventDeleter{session});
  if (!event || ssh_event_add_session(event.get(), session) != SSH_OK) {
    throw unreachable("cannot watch the session: out of memory");
  }
  return event;
}

}  // namespace

// "/bin/sh: 3: eval: x: not found" -> "/bin/sh: 3: x: not found", at the start of each line.
std::string without_eval_prefix(std::string err) {
  static const std::string kShell = "/bin/sh: ";
  static const std::string kEval = "eval: ";
  for (size_t line = 0; line < err.size();) {
    if (err.compare(line, kShell.size(), kShell) == 0) {
      size_t digits = line + kShell.size();
      size_t end = digits;
      while (end < err.size() && err[end] >= '0' && err[end] <= '9') ++end;
      if (end > digits && err.compare(end, 2, ": ") == 0 && err.compare(end + 2, kEval.size(), kEval) == 0) {
        err.erase(end + 2, kEval.size());
      }
    }
    size_t eol = err.find('\n', line);
    if (eol == std::string::npos) break;
    line = eol + 1;
  }
  return err;
}

int RemoteShell::on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* user) {
  auto* shell = static_cast<RemoteShell*>(user);
  (is_stderr ? shell->err_ : shell->out_).append(static_cast<const char*>(data), len);
  return static_cast<int>(len);
}

void RemoteShell::on_close(ssh_session, ssh_channel, void* user) { static_cast<RemoteShell*>(user)->ended_ = true; }
void RemoteShell::on_eof(ssh_session, ssh_channel, void* user) { static_cast<RemoteShell*>(user)->ended_ = true; }

std::string announce_script(const std::string& line_start, const std::string& pid, const std::string& parent) {
  return "printf '%s%s %s\\n' " + shell_quote(line_start) + " " + pid + " " + parent + "; ";
}

bool take_announcement(std::string& output, const std::string& line_start, RunningCommand& running) {
  size_t at = output.find(line_start);
  size_t end = at == std::string::npos ? at : output.find('\n', at);
  if (end == std::string::npos) return output.size() > kAnnouncementWindow;
  std::string numbers = output.substr(at + line_start.size(), end - at - line_start.size());
  char* rest = nullptr;
  long pid = std::strtol(numbers.c_str(), &rest, 10);
  long parent = std::strtol(rest, &rest, 10);
  if (pid > 0 && parent > 0 && *rest == '\0') running = {pid, parent};
  output.erase(at, end + 1 - at);
  return true;
}

RemoteShell::RemoteShell(ssh_session session, const Become& become) : session_(session), key_(random_hex(12)) {
  callbacks_.userdata = this;
  callbacks_.channel_data_function = on_data;
  callbacks_.channel_close_function = on_close;
  callbacks_.channel_eof_function = on_eof;
  ssh_callbacks_init(&callbacks_);
  try {
    channel_ = ssh_channel_new(session_);
    if (channel_ == nullptr || ssh_channel_open_session(channel_) != SSH_OK) lost("cannot open a channel");
    ssh_set_channel_callbacks(channel_, &callbacks_);
    start(become);
  } catch (...) {
    release();
    throw;
  }
}

RemoteShell::~RemoteShell() { release(); }

void RemoteShell::release() {
  if (channel_ == nullptr) return;
  // The channel may still deliver data while it closes; this object's buffers must not receive it.
  ssh_remove_channel_callbacks(channel_, &callbacks_);
  if (ssh_channel_is_open(channel_)) ssh_channel_close(channel_);
  ssh_channel_free(channel_);
  channel_ = nullptr;
}

bool RemoteShell::usable() const { return !ended_ && ssh_channel_is_open(channel_) && ssh_is_connected(session_); }

void RemoteShell::start(const Become& become) {
  RunOptions options;
  options.become = become;
  PreparedCommand prepared = prepare_command("exec /bin/sh", options);
  // As for single commands: the login shell (bash, zsh, fish) only execs the POSIX shell.
  const std::string remote = "exec /bin/sh -c " + shell_quote(prepared.command);
  if (ssh_channel_request_exec(channel_, remote.c_str()) != SSH_OK) lost("cannot start the remote shell");
  if (!become.enabled) return;
  // The escalated shell prints the become marker first; sudo's prompt and refusals arrive on stderr.
  BecomeWatcher watcher(become, prepared.key);
  while (watcher.update(out_, err_) == BecomeWatcher::State::Waiting) {
    if (watcher.take_password()) write_all(prepared.password_line);
    if (ended_) {
      if (watcher.finish(out_, err_) == BecomeWatcher::State::Failed) throw BecomeError(watcher.failure());
      break;
    }
    poll(kCancelCheckMs);
  }
  if (watcher.state() == BecomeWatcher::State::Failed) throw BecomeError(watcher.failure());
  out_.clear();
  err_.clear();
}

bool RemoteShell::accepts_input(const std::string& input) {
  constexpr size_t kMaxInput = 64 * 1024;
  if (input.empty() || input.size() > kMaxInput || input.back() != '\n') return false;
  return std::all_of(input.begin(), input.end(),
                     [](char c) { return c == '\n' || c == '\t' || c == '\r' || (c >= ' ' && c <= '~'); });
}

CommandResult RemoteShell::run(const std::string& command, const std::string& input) {
  const std::string marker = key_ + "-" + std::to_string(++commands_);
  // Whatever arrived between commands (a daemon that kept the shell's output open) belongs to no command.
  out_.clear();
  err_.clear();
  const std::string report =
      "; provision_rc=$?; printf '%s %d\\n' " + marker + " \"$provision_rc\"; printf '%s\\n' " + marker + " >&2\n";
  // The subshell's pid is the first field of /proc/self/stat, read by a builtin: no program is started for it.
  const std::string pid_line = marker + "-pid ";
  const std::string announce = "read -r provision_stat </proc/self/stat 2>/dev/null && " +
                               announce_script(pid_line, "\"${provision_stat%% *}\"", "\"$$\"") +
                               "unset provision_stat; ";
  running_ = {};
  if (input.empty()) {
    write_all("( " + announce + "eval " + shell_quote(command) + " ) </dev/null" + report);
  } else {
    // A here-document: its lines follow the command's line. The end line carries the marker, so no line of the
    // input is it by accident; the input stays out of every process's arguments.
    const std::string end_line = "PROVISION_INPUT_END_" + marker;
    if (!accepts_input(input) || ("\n" + input).find("\n" + end_line + "\n") != std::string::npos) {
      throw Error("this input cannot go to a command through the remote shell");
    }
    write_all("( " + announce + "eval " + shell_quote(command) + " ) <<'" + end_line + "'" + report + input + end_line +
              "\n");
  }
  const std::string out_end = marker + " ";
  const std::string err_end = marker + "\n";
  size_t out_at = std::string::npos, err_at = std::string::npos, rc_end = std::string::npos;
  // Each search starts where the marker could still begin: a large output is scanned once, not at every packet.
  size_t out_from = 0, err_from = 0;
  auto find_from = [](const std::string& text, const std::string& end, size_t& from) {
    size_t at = text.find(end, from);
    if (at == std::string::npos && text.size() >= end.size()) from = text.size() - end.size() + 1;
    return at;
  };
  bool announced = false;
  for (;;) {
    // The announcement comes first; a host without /proc sends none.
    if (!announced && out_.find('\n') != std::string::npos) {
      announced = take_announcement(out_, pid_line, running_);
      out_from = 0;
    }
    if (out_at == std::string::npos) out_at = find_from(out_, out_end, out_from);
    if (out_at != std::string::npos && rc_end == std::string::npos) rc_end = out_.find('\n', out_at);
    if (err_at == std::string::npos) err_at = find_from(err_, err_end, err_from);
    if (rc_end != std::string::npos && err_at != std::string::npos) break;
    if (ended_) lost("the remote shell ended while running a command");
    if (commands_cancelled()) give_up(announced, pid_line);
    poll(kCancelCheckMs);
  }
  running_ = {};
  CommandResult result;
  const size_t digits = out_at + out_end.size();
  result.rc = std::stoi(out_.substr(digits, rc_end - digits));
  result.out = out_.substr(0, out_at);
  result.err = without_eval_prefix(err_.substr(0, err_at));
  out_.erase(0, rc_end + 1);
  err_.erase(0, err_at + err_end.size());
  return result;
}

void RemoteShell::write_all(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    uint32_t window = ssh_channel_window_size(channel_);
    if (window == 0) {
      poll(kCancelCheckMs);
      continue;
    }
    uint32_t n = static_cast<uint32_t>(std::min<size_t>({text.size() - done, window, size_t{1} << 20}));
    int written = ssh_channel_write(channel_, text.data() + done, n);
    if (written < 0) lost("cannot write to the remote shell");
    done += static_cast<size_t>(written);
  }
}

void RemoteShell::poll(int wait_ms) {
  if (commands_cancelled()) give_up(true, {});
  EventPtr event = session_event(session_);
  if (ssh_event_dopoll(event.get(), wait_ms) == SSH_ERROR || !ssh_is_connected(session_)) {
    lost("connection lost while running a command");
  }
}

void RemoteShell::give_up(bool announced, const std::string& pid_line) {
  // A command that has started announces its pid before anything else, moments later: without it the command could
  // not be ended, so it is awaited for a short while.
  EventPtr event = session_event(session_);
  for (int waited = 0; !announced && !ended_ && waited < kAnnouncementWaitMs; waited += kAnnouncementPollMs) {
    if (ssh_event_dopoll(event.get(), kAnnouncementPollMs) == SSH_ERROR || !ssh_is_connected(session_)) break;
    if (out_.find('\n') != std::string::npos) announced = take_announcement(out_, pid_line, running_);
  }
  // The shell is mid-command: it cannot take another one, so it is given up; the channel closes with the session.
  ended_ = true;
  throw CancelledError("interrupted");
}

void RemoteShell::lost(const std::string& what) {
  ended_ = true;
  throw unreachable(what + ": " + ssh_get_error(session_));
}

}  // namespace prov::conn::detail
