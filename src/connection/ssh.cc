// The ssh transport: one session per host. Commands run in a persistent remote shell (ssh_shell.h): one round trip
// each, with short plain-text input as a here-document. A command that needs other input, a time limit or a become
// password to another user gets a channel of its own (open + exec, two round trips) driven by libssh callbacks, so
// stdout and stderr are collected as they arrive while stdin is written within the remote window, and neither side can
// stall the other.
#include <libssh/callbacks.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>

#include "provision/connection/become.h"
#include "provision/connection/scripts.h"
#include "ssh_files.h"
#include "ssh_internal.h"
#include "ssh_shell.h"

namespace prov::conn {

namespace {

using Clock = std::chrono::steady_clock;
using detail::unreachable;

constexpr auto kTimeoutGrace = std::chrono::seconds(2);
// How long an interrupted command's announcement of its pid is awaited when it has not been read yet: it is the
// first thing the command prints, so it is moments away once the command has started.
constexpr auto kAnnouncementWait = std::chrono::seconds(3);

int signal_number(const std::string& name) {
  static const std::pair<const char*, int> kSignals[] = {
      {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},
      {"INT", SIGINT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},
      {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"BUS", SIGBUS},   {"TRAP", SIGTRAP}};
  for (const auto& [signal_name, number] : kSignals) {
    if (name == signal_name) return number;
  }
  return 127;
}

// What the channel callbacks collect for one command.
struct ChannelState {
  CommandResult* result = nullptr;
  bool eof = false;
  bool closed = false;
  std::optional<int> exit_code;
};

int on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* user) {
  auto* state = static_cast<ChannelState*>(user);
  (is_stderr ? state->result->err : state->result->out).append(static_cast<const char*>(data), len);
  return static_cast<int>(len);
}
void on_eof(ssh_session, ssh_channel, void* user) { static_cast<ChannelState*>(user)->eof = true; }
void on_close(ssh_session, ssh_channel, void* user) { static_cast<ChannelState*>(user)->closed = true; }
void on_exit_status(ssh_session, ssh_channel, int status, void* user) {
  static_cast<ChannelState*>(user)->exit_code = status;
}
void on_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*, void* user) {
  static_cast<ChannelState*>(user)->exit_code = -signal_number(signal ? signal : "");
}

struct ChannelDeleter {
  void operator()(ssh_channel c) const {
    if (ssh_channel_is_open(c)) ssh_channel_close(c);
    ssh_channel_free(c);
  }
};
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;

struct EventDeleter {
  ssh_session session;
  void operator()(ssh_event e) const {
    ssh_event_remove_session(e, session);
    ssh_event_free(e);
  }
};

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "command failed" : line;
}

class SshConnection : public Connection {
 public:
  explicit SshConnection(SshSettings settings) : settings_(std::move(settings)) {}
  ~SshConnection() override { close(); }

  std::string kind() const override { return "ssh"; }

  void connect() override {
    static std::once_flag once;
    // libssh writes to the socket; a peer that vanished must give EPIPE, not kill the controller.
    std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
    if (broken_) close();
    broken_ = false;
    if (!session_) session_ = detail::open_session(settings_);
  }

  void close() override {
    last_shell_ = nullptr;
    shells_.clear();
    files_.reset();
    session_.reset();
  }

  CommandResult run(const std::string& command, const RunOptions& options) override {
    connect();
    const Become& become = options.become;
    if (settings_.persistent_shell && options.timeout_seconds <= 0 &&
        (options.stdin_data.empty() || detail::RemoteShell::accepts_input(options.stdin_data)) &&
        (!become.enabled || become.user == "root" || become.password.empty())) {
      try {
        return run_in_shell(command, options);
      } catch (const UnreachableError&) {
        broken_ = true;
        throw;
      } catch (const CancelledError&) {
        end_interrupted_command(options.become);
        broken_ = true;
        throw;
      }
    }
    last_shell_ = nullptr;
    return run_in_channel(command, options, true);
  }

  // A command in a channel of its own. `cancellable`: an interrupt (cancel_commands) gives it up; the clean-up
  // after an interrupt is not.
  CommandResult run_in_channel(const std::string& command, const RunOptions& options, bool cancellable) {
    PreparedCommand prepared = prepare_command(with_remote_timeout(command, options.timeout_seconds), options);
    BecomeWatcher watcher(options.become, prepared.key);
    ssh_session s = session_.get();

    // Declared before the channel: closing the channel can still deliver callbacks, so they must outlive it.
    CommandResult result;
    ChannelState state;
    state.result = &result;
    ssh_channel_callbacks_struct callbacks{};
    callbacks.userdata = &state;
    callbacks.channel_data_function = on_data;
    callbacks.channel_eof_function = on_eof;
    callbacks.channel_close_function = on_close;
    callbacks.channel_exit_status_function = on_exit_status;
    callbacks.channel_exit_signal_function = on_exit_signal;
    ssh_callbacks_init(&callbacks);
    ChannelPtr channel(ssh_channel_new(s));
    if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK) throw lost("cannot open a channel");
    ssh_set_channel_callbacks(channel.get(), &callbacks);
    // A channel we gave up on (timeout, failed become) is freed by libssh only once the server closes it, and it
    // may still receive data or an exit signal then: unhook our callbacks before their data goes out of scope.
    std::unique_ptr<ssh_channel_struct, std::function<void(ssh_channel)>> unhook(
        channel.get(), [&callbacks](ssh_channel c) { ssh_remove_channel_callbacks(c, &callbacks); });
    // sshd hands the command to the user's login shell, which may be bash, zsh or fish: /bin/sh gives every
    // command the same POSIX semantics as the local transport. The login shell execs it (one word list).
    // The shell announces its pid first (stripped from the output): an interrupt ends the command's process tree.
    const std::string pid_line = prepared.key + "-pid ";
    const std::string remote =
        "/bin/sh -c " + shell_quote(detail::announce_script(pid_line, "$$", "$PPID") + prepared.command);
    if (ssh_channel_request_exec(channel.get(), remote.c_str()) != SSH_OK) {
      throw lost("cannot start the command");
    }

    std::unique_ptr<ssh_event_struct, EventDeleter> event(ssh_event_new(), EventDeleter{s});
    ssh_event_add_session(event.get(), s);
    const auto started = Clock::now();
    // The host's own timeout fires first; ours is the fallback for hosts without one, or one that hangs.
    const auto deadline = started + std::chrono::seconds(options.timeout_seconds) + kTimeoutGrace;
    std::string to_write;
    bool stdin_queued = false, eof_sent = false, announced = false;
    detail::RunningCommand running;
    while (!state.closed && !(state.eof && state.exit_code)) {
      if (watcher.take_password()) to_write.insert(0, prepared.password_line);
      if (!stdin_queued && watcher.state() == BecomeWatcher::State::Ready) {
        to_write += options.stdin_data;
        stdin_queued = true;
      }
      // Write only what the remote window takes now: a blocking write could wait on a command that is itself
      // waiting for us to read its output.
      uint32_t window = ssh_channel_window_size(channel.get());
      if (!to_write.empty() && window > 0) {
        uint32_t n = std::min<uint32_t>({window, static_cast<uint32_t>(std::min<size_t>(to_write.size(), 1u << 20))});
        int written = ssh_channel_write(channel.get(), to_write.data(), n);
        if (written < 0) throw lost("cannot write to the command");
        to_write.erase(0, static_cast<size_t>(written));
      }
      if (stdin_queued && to_write.empty() && !eof_sent) {
        ssh_channel_send_eof(channel.get());
        eof_sent = true;
      }
      if (cancellable && commands_cancelled()) {
        // sshd passes a signal to the shell it started (OpenSSH's "signal" request) but not to the shell's
        // children, which would be left running: the whole tree is ended, or failing that the shell. The clean-up
        // command polls the session itself, which may be in one event only.
        for (auto until = Clock::now() + kAnnouncementWait; !announced && !state.closed && Clock::now() < until;) {
          if (ssh_event_dopoll(event.get(), 50) == SSH_ERROR || !ssh_is_connected(s)) break;
          announced = detail::take_announcement(result.out, pid_line, running);
        }
        event.reset();
        if (!end_process_tree(running, options.become)) ssh_channel_request_send_signal(channel.get(), "TERM");
        throw CancelledError("interrupted");
      }
      int wait_ms = (!to_write.empty() && ssh_channel_window_size(channel.get()) > 0) ? 0 : 200;
      if (options.timeout_seconds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return kill_on_timeout(channel.get(), result, options.timeout_seconds);
        wait_ms = std::min<int>(wait_ms, static_cast<int>(left));
      }
      if (ssh_event_dopoll(event.get(), wait_ms) == SSH_ERROR || !ssh_is_connected(s)) {
        if (!state.closed && !(state.eof && state.exit_code)) throw lost("connection lost while running a command");
      }
      // The announcement is taken out before the become watcher reads the output.
      if (!announced) announced = detail::take_announcement(result.out, pid_line, running);
      if (watcher.update(result.out, result.err) == BecomeWatcher::State::Failed) throw BecomeError(watcher.failure());
    }
    if (!announced) detail::take_announcement(result.out, pid_line, running);
    result.rc = state.exit_code.value_or(-1);
    // timeout(1) kills its own process group, itself included: the shell ends by SIGKILL (or reports 137).
    if (options.timeout_seconds > 0 && (result.rc == -SIGKILL || result.rc == 128 + SIGKILL) &&
        Clock::now() - started >= std::chrono::seconds(options.timeout_seconds)) {
      mark_timed_out(result, options.timeout_seconds);
    }
    if (watcher.finish(result.out, result.err) == BecomeWatcher::State::Failed) throw BecomeError(watcher.failure());
    return result;
  }

  void put_file(const std::string& content, const std::string& path, const PutOptions& options) override {
    connect();
    if (options.become.enabled || !files().available()) {
      // The content goes on stdin to a command running as the target user: the file is theirs from the start and
      // no copy readable by others is left anywhere. Hosts without SFTP take the same path.
      RunOptions run_options;
      run_options.stdin_data = content;
      run_options.become = options.become;
      CommandResult r = run(put_file_script(path, content, options), run_options);
      if (r.rc != 0) throw Error("cannot write " + path + ": " + first_line(r.err));
      return;
    }
    std::string finish = files().upload(content, path);
    CommandResult r = run(detail::finish_upload_script(finish, path, content, options), {});
    if (r.rc != 0) throw Error("cannot write " + path + ": " + first_line(r.err));
  }

  std::string fetch_file(const std::string& path, const Become& become) override {
    connect();
    if (become.enabled || !files().available()) {
      RunOptions run_options;
      run_options.become = become;
      CommandResult r = run(fetch_file_script(path), run_options);
      if (r.rc != 0) throw Error("cannot read " + path + ": " + first_line(r.err));
      return r.out;
    }
    return files().download(path);
  }

 private:
  // Kept open at once: shells, the SFTP channel and one single command stay under sshd's MaxSessions (10).
  static constexpr size_t kMaxShells = 4;
  static constexpr int kCleanupSeconds = 5;

  // The command runs in a shell started as its user (escalated once, with the password if any). The shell of a
  // user other than root is kept only while commands go to it one after another: a command run anywhere else (a
  // task as root may add that user to a group) ends it, and the user's next command starts a new one that sees
  // the user's current groups, as a command escalated on its own would.
  CommandResult run_in_shell(const std::string& command, const RunOptions& options) {
    RunOptions plain = options;
    plain.become = {};
    const std::string prepared = prepare_command(command, plain).command;
    const bool other_user = options.become.enabled && options.become.user != "root";
    return shell_for(options.become.enabled ? options.become : Become{}, other_user).run(prepared, options.stdin_data);
  }

  // A command given up on an interrupt: its process tree is ended from a channel of its own (the persistent shell
  // cannot take another command while one runs), as the same user, within a few seconds. A failure here changes
  // nothing for the run, which is being interrupted anyway.
  bool end_process_tree(const detail::RunningCommand& running, const Become& become) {
    if (running.pid == 0) return false;
    RunOptions options;
    options.become = become;
    options.timeout_seconds = kCleanupSeconds;
    try {
      return run_in_channel(end_process_tree_script(running.pid, running.parent), options, false).rc == 0;
    } catch (const std::exception&) {
      return false;
    }
  }

  void end_interrupted_command(const Become& become) {
    if (last_shell_ != nullptr) end_process_tree(last_shell_->running(), become);
  }

  detail::RemoteShell& shell_for(const Become& become, bool only_if_last) {
    // The password too: a command given another one is escalated with it, and refused if it is wrong.
    const std::string key = become.enabled ? become.method + '\n' + become.exe + '\n' + become.user + '\n' +
                                                 become.flags + '\n' + become.password
                                           : "";
    auto found = std::find_if(shells_.begin(), shells_.end(), [&](const auto& entry) { return entry.first == key; });
    if (found != shells_.end() && found->second->usable() && (!only_if_last || found->second.get() == last_shell_)) {
      std::rotate(found, found + 1, shells_.end());  // most recently used last
      last_shell_ = shells_.back().second.get();
      return *shells_.back().second;
    }
    if (found != shells_.end()) shells_.erase(found);
    if (shells_.size() >= kMaxShells) shells_.erase(shells_.begin());
    last_shell_ = nullptr;  // a shell that cannot start leaves no last one
    shells_.emplace_back(key, std::make_unique<detail::RemoteShell>(session_.get(), become));
    last_shell_ = shells_.back().second.get();
    return *shells_.back().second;
  }

  detail::SftpFiles& files() {
    if (!files_) files_ = std::make_unique<detail::SftpFiles>(session_.get());
    return *files_;
  }

  // A failure of the transport itself: the session is unusable, the host becomes unreachable. The session is
  // freed by the next connect(), after the failed command's channel has been released.
  UnreachableError lost(const std::string& what) {
    broken_ = true;
    return unreachable(what + ": " + ssh_get_error(session_.get()));
  }

  // With a time limit the command runs under the host's timeout(1) when it has one, inside the escalated shell:
  // it kills the command's whole process group, which sshd's signal request (the shell's pid only) cannot.
  static std::string with_remote_timeout(const std::string& command, int seconds) {
    if (seconds <= 0) return command;
    return "exec $(command -v timeout >/dev/null 2>&1 && echo timeout -s KILL " + std::to_string(seconds) +
           ") /bin/sh -c " + shell_quote(command);
  }

  static void mark_timed_out(CommandResult& result, int seconds) {
    result.rc = -SIGKILL;
    result.timed_out = true;
    result.err += "provision: command timed out after " + std::to_string(seconds) + " seconds and was killed\n";
  }

  static CommandResult kill_on_timeout(ssh_channel channel, CommandResult& result, int seconds) {
    // sshd delivers the signal to the session's shell only; the channel is then closed on the rest.
    ssh_channel_request_send_signal(channel, "KILL");
    mark_timed_out(result, seconds);
    return result;
  }

  SshSettings settings_;
  detail::SessionPtr session_;
  std::unique_ptr<detail::SftpFiles> files_;
  std::vector<std::pair<std::string, std::unique_ptr<detail::RemoteShell>>> shells_;
  const detail::RemoteShell* last_shell_ = nullptr;  ///< the shell of the last command, if it ran in one
  bool broken_ = false;
};

}  // namespace

std::unique_ptr<Connection> make_ssh_connection(const Value& host_vars) {
  return std::make_unique<SshConnection>(parse_ssh_settings(host_vars));
}

}  // namespace prov::conn
