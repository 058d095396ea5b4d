// The local transport: fork/exec of /bin/sh -c with three pipes driven by poll(), so large outputs on both
// streams never deadlock, and a timeout can kill the whole process group.
#include "provision/connection/local.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "provision/connection/become.h"
#include "provision/connection/scripts.h"
#include "provision/core/text.h"

namespace prov::conn {

namespace {

using Clock = std::chrono::steady_clock;

// How often a running command looks for an interrupt (cancel_commands).
constexpr int kCancelCheckMs = 100;

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Writing to a pipe whose reader has exited must be an EPIPE error, not a process-killing signal.
void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

struct Pipe {
  int fd[2] = {-1, -1};
  void open() {
    if (::pipe2(fd, O_CLOEXEC) != 0) throw Error(errno_text("cannot create a pipe"));
  }
  static void close_fd(int& f) {
    if (f >= 0) ::close(f);
    f = -1;
  }
  ~Pipe() {
    close_fd(fd[0]);
    close_fd(fd[1]);
  }
};

// Reads what is available; returns false at end of file.
bool drain(int fd, std::string& into) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

// 0666 minus the process umask, read without changing it (umask() would race with other threads).
mode_t default_file_mode() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) return 0666 & ~static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  }
  return 0644;
}

// A numeric owner or group: ids are 32-bit, and (uid_t)-1 means "unchanged" to chown.
unsigned long numeric_id(const std::string& text, const char* what) {
  std::optional<long long> n = parse_int(text);
  if (!n || *n >= 0xFFFFFFFFLL) throw Error(fmt::format("chown failed: failed to look up {} {}", what, text));
  return static_cast<unsigned long>(*n);
}

uid_t lookup_uid(const std::string& owner) {
  if (owner.find_first_not_of("0123456789") == std::string::npos) return static_cast<uid_t>(numeric_id(owner, "user"));
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::string buf(16384, '\0');
  if (::getpwnam_r(owner.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    throw Error("chown failed: failed to look up user " + owner);
  }
  return pw.pw_uid;
}

gid_t lookup_gid(const std::string& group) {
  if (group.find_first_not_of("0123456789") == std::string::npos) return static_cast<gid_t>(numeric_id(group, "group"));
  struct group gr {};
  struct group* found = nullptr;
  std::string buf(16384, '\0');
  if (::getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    throw Error("chgrp failed: failed to look up group " + group);
  }
  return gr.gr_gid;
}

class LocalConnection : public Connection {
 public:
  void connect() override { ignore_sigpipe(); }
  void close() override {}
  std::string kind() const override { return "local"; }

  CommandResult run(const std::string& command, const RunOptions& options) override {
    ignore_sigpipe();
    PreparedCommand prepared = prepare_command(command, options);
    BecomeWatcher watcher(options.become, prepared.key);

    Pipe in, out, err;
    in.open();
    out.open();
    err.open();
    // Everything the child needs is built before fork: after it only async-signal-safe calls are allowed.
    const char* argv[] = {"/bin/sh", "-c", prepared.command.c_str(), nullptr};
    pid_t pid = ::fork();
    if (pid < 0) throw Error(errno_text("cannot start /bin/sh"));
    if (pid == 0) {
      ::setpgid(0, 0);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      ::sigaction(SIGPIPE, &dfl, nullptr);
      ::dup2(in.fd[0], 0);
      ::dup2(out.fd[1], 1);
      ::dup2(err.fd[1], 2);
      ::execv("/bin/sh", const_cast<char* const*>(argv));
      ::_exit(127);
    }
    ::setpgid(pid, pid);  // also from the parent, so a kill right away reaches the group
    Pipe::close_fd(in.fd[0]);
    Pipe::close_fd(out.fd[1]);
    Pipe::close_fd(err.fd[1]);
    set_nonblocking(in.fd[1]);
    set_nonblocking(out.fd[0]);
    set_nonblocking(err.fd[0]);

    CommandResult result;
    std::string to_write;
    bool stdin_queued = false;
    const auto deadline = Clock::now() + std::chrono::seconds(options.timeout_seconds);
    auto queue_stdin = [&] {
      if (!stdin_queued && watcher.state() == BecomeWatcher::State::Ready) {
        to_write += options.stdin_data;
        stdin_queued = true;
      }
    };
    queue_stdin();

    bool out_open = true, err_open = true;
    while (out_open || err_open) {
      if (watcher.take_password()) to_write.insert(0, prepared.password_line);
      queue_stdin();
      if (stdin_queued && to_write.empty()) Pipe::close_fd(in.fd[1]);

      pollfd fds[3];
      nfds_t n = 0;
      if (out_open) fds[n++] = {out.fd[0], POLLIN, 0};
      if (err_open) fds[n++] = {err.fd[0], POLLIN, 0};
      if (in.fd[1] >= 0 && !to_write.empty()) fds[n++] = {in.fd[1], POLLOUT, 0};
      if (commands_cancelled()) stop_on_interrupt(pid);
      int wait_ms = kCancelCheckMs;
      if (options.timeout_seconds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return kill_on_timeout(pid, result, options.timeout_seconds);
        wait_ms = static_cast<int>(std::min<long long>(left, kCancelCheckMs));
      }
      int ready = ::poll(fds, n, wait_ms);
      if (ready < 0) {
        if (errno == EINTR) continue;
        throw Error(errno_text("poll failed"));
      }
      for (nfds_t i = 0; i < n; ++i) {
        if (fds[i].revents == 0) continue;
        if (fds[i].fd == out.fd[0]) out_open = drain(out.fd[0], result.out);
        else if (fds[i].fd == err.fd[0]) err_open = drain(err.fd[0], result.err);
        else write_some(in.fd[1], to_write);
      }
      if (watcher.update(result.out, result.err) == BecomeWatcher::State::Failed) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw BecomeError(watcher.failure());
      }
    }
    Pipe::close_fd(in.fd[1]);

    // Both streams closed; the shell may still be finishing. Wait, within the deadline.
    int status = 0;
    for (;;) {
      pid_t done = ::waitpid(pid, &status, options.timeout_seconds > 0 ? WNOHANG : 0);
      if (done == pid) break;
      if (done < 0 && errno != EINTR) throw Error(errno_text("waitpid failed"));
      if (options.timeout_seconds > 0) {
        if (Clock::now() >= deadline) return kill_on_timeout(pid, result, options.timeout_seconds);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    result.rc = decode_status(status);
    if (watcher.finish(result.out, result.err) == BecomeWatcher::State::Failed) throw BecomeError(watcher.failure());
    return result;
  }

  void put_file(const std::string& content, const std::string& path, const PutOptions& options) override {
    if (options.become.enabled) {
      RunOptions run_options;
      run_options.stdin_data = content;
      run_options.become = options.become;
      CommandResult r = run(put_file_script(path, content, options), run_options);
      if (r.rc != 0) throw Error("cannot write " + path + ": " + first_line(r.err));
      return;
    }
    put_file_directly(content, path, options);
  }

  std::string fetch_file(const std::string& path, const Become& become) override {
    if (become.enabled) {
      RunOptions run_options;
      run_options.become = become;
      CommandResult r = run(fetch_file_script(path), run_options);
      if (r.rc != 0) throw Error("cannot read " + path + ": " + first_line(r.err));
      return r.out;
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) throw Error(errno_text("cannot read " + path));
    std::ostringstream data;
    data << file.rdbuf();
    return data.str();
  }

 private:
  static std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    return line.empty() ? "command failed" : line;
  }

  static void write_some(int fd, std::string& data) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n > 0) {
      data.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && errno == EPIPE) {
      data.clear();  // the command stopped reading its input; that is its business
    }
  }

  // An interrupted run: the command's process group gets SIGTERM and a moment to end, then SIGKILL for whatever is
  // left in it. The shell is reaped only after that, so the group id cannot have been reused meanwhile.
  [[noreturn]] static void stop_on_interrupt(pid_t pid) {
    ::kill(-pid, SIGTERM);
    auto until = Clock::now() + std::chrono::seconds(2);
    siginfo_t info{};
    while (Clock::now() < until) {
      info.si_pid = 0;
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw CancelledError("interrupted");
  }

  static CommandResult kill_on_timeout(pid_t pid, CommandResult& result, int seconds) {
    ::kill(-pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.rc = decode_status(status);
    result.timed_out = true;
    result.err += "provision: command timed out after " + std::to_string(seconds) + " seconds and was killed\n";
    return result;
  }

  static void put_file_directly(const std::string& content, const std::string& path, const PutOptions& options) {
    std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
    if (dir.empty()) dir = "/";
    // Everything that can fail without touching the disk comes first, so that no temporary file is left by it.
    mode_t mode = default_file_mode();
    struct stat old {};
    bool existed = ::stat(path.c_str(), &old) == 0;
    if (!options.mode.empty()) {
      std::optional<long long> wanted = parse_int(options.mode, 8);
      if (!wanted || *wanted < 0 || *wanted > 07777) throw Error("invalid mode " + options.mode + " for " + path);
      mode = static_cast<mode_t>(*wanted);
    } else if (existed) {
      mode = old.st_mode & 07777;
    }
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    if (!options.owner.empty()) uid = lookup_uid(options.owner);
    else if (existed) uid = old.st_uid;
    if (!options.group.empty()) gid = lookup_gid(options.group);
    else if (existed) gid = old.st_gid;

    std::string tmp = dir + "/.provision-tmp-XXXXXX";
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) throw Error(errno_text("cannot create a temporary file in " + dir));
    auto fail = [&](const std::string& what) {
      std::string message = errno_text(what);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(message);
    };
    for (size_t done = 0; done < content.size();) {
      ssize_t n = ::write(fd, content.data() + done, content.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("cannot write " + tmp);
      }
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) fail("cannot sync " + tmp);
    // Ownership first: chown clears set-id bits that the mode may ask for.
    if ((uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1)) && ::fchown(fd, uid, gid) != 0 &&
        (!options.owner.empty() || !options.group.empty())) {
      fail("cannot chown " + path);
    }
    if (::fchmod(fd, mode) != 0) fail("cannot chmod " + path);
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      std::string message = errno_text("cannot rename into " + path);
      ::unlink(tmp.c_str());
      throw Error(message);
    }
  }
};

}  // namespace

std::unique_ptr<Connection> make_local_connection() { return std::make_unique<LocalConnection>(); }

}  // namespace prov::conn
