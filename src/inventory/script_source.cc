// Executable inventory files (Ansible's script inventory plugin): run "<file> --list", read its JSON groups and
// _meta.hostvars (or ask "<file> --host <name>" per host when _meta is missing).
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "sources.h"

namespace prov::inv {

namespace {

struct RunResult {
  bool started = false;  // false when the file could not be executed at all (not a script)
  int exit_code = 0;
  std::string out;
  std::string err;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

/// Runs the program without a shell, capturing stdout and stderr; reports whether exec itself succeeded.
RunResult run_program(const std::vector<std::string>& argv) {
  RunResult result;
  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (::pipe(out_pipe) != 0) return result;
  if (::pipe(err_pipe) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return result;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0]}) ::close(fd);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    int error = errno;  // tell the parent exec failed; the pipe closes on a successful exec instead
    [[maybe_unused]] auto written = ::write(exec_pipe[1], &error, sizeof error);
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);
  if (pid < 0) {
    for (int fd : {out_pipe[0], err_pipe[0], exec_pipe[0]}) ::close(fd);
    return result;
  }
  int exec_error = 0;
  result.started = ::read(exec_pipe[0], &exec_error, sizeof exec_error) <= 0;
  ::close(exec_pipe[0]);
  // Read both streams together so a chatty stderr cannot block the script.
  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* sinks[2] = {&result.out, &result.err};
  while (fds[0] >= 0 || fds[1] >= 0) {
    pollfd polls[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    if (::poll(polls, 2, -1) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i] < 0 || !(polls[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buffer[8192];
      ssize_t n = ::read(fds[i], buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close_fd(fds[i]);
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

Value run_json(const std::string& path, const std::vector<std::string>& argv) {
  RunResult run = run_program(argv);
  if (run.exit_code != 0) {
    throw Error(fmt::format("inventory script had an execution error (exit code {}): {}", run.exit_code, run.err),
                SourceLoc{path, 0, 0});
  }
  try {
    return Value::parse(run.out);
  } catch (const std::exception& e) {
    throw Error(fmt::format("failed to parse the JSON output of the inventory script: {}", e.what()),
                SourceLoc{path, 0, 0});
  }
}

void read_script_group(const std::string& path, const std::string& name, Value data, Inventory& inventory,
                       std::set<std::string>& hosts) {
  inventory.add_group(name);
  // A list is a host list; a mapping without hosts/vars/children is the vars of a host named like the group.
  if (!data.is_object()) {
    data = Value{{"hosts", data}};
  } else if (!data.contains("hosts") && !data.contains("vars") && !data.contains("children")) {
    data = Value{{"hosts", Value::array({name})}, {"vars", data}};
  }
  if (data.contains("hosts")) {
    if (!data["hosts"].is_array()) {
      throw Error(fmt::format("inventory script gave group '{}' bad data for its host list", name), {path, 0, 0});
    }
    for (const auto& host : data["hosts"]) {
      std::string host_name = to_plain_string(host);
      hosts.insert(host_name);
      inventory.add_host(host_name, name, path);
    }
  }
  if (data.contains("vars")) {
    if (!data["vars"].is_object()) {
      throw Error(fmt::format("inventory script gave group '{}' bad data for its variables", name), {path, 0, 0});
    }
    for (const auto& [key, value] : data["vars"].items()) inventory.set_group_var(name, key, value);
  }
  if (data.contains("children") && data["children"].is_array()) {
    for (const auto& child : data["children"]) {
      std::string child_name = to_plain_string(child);
      inventory.add_group(child_name);
      inventory.add_child(name, child_name, {path, 0, 0});
    }
  }
}

}  // namespace

bool read_script_inventory(const std::string& path, Inventory& inventory) {
  if (::access(path.c_str(), X_OK) != 0) return false;
  RunResult run = run_program({path, "--list"});
  if (!run.started) return false;  // not runnable after all (no shebang, not a binary): read it as a file
  if (run.exit_code != 0) {
    throw Error(fmt::format("inventory script had an execution error (exit code {}): {}", run.exit_code, run.err),
                SourceLoc{path, 0, 0}, "a file with the executable bit is run as a dynamic inventory script");
  }
  Value data;
  try {
    data = Value::parse(run.out);
  } catch (const std::exception& e) {
    throw Error(fmt::format("failed to parse the JSON output of the inventory script: {}", e.what()),
                SourceLoc{path, 0, 0}, "a file with the executable bit is run as a dynamic inventory script");
  }
  if (!data.is_object()) {
    throw Error("inventory script output must be a JSON object of groups", SourceLoc{path, 0, 0});
  }
  std::set<std::string> hosts;
  const Value* meta = nullptr;
  for (const auto& [group, group_data] : data.items()) {
    if (group == "_meta") {
      meta = find_key(group_data, "hostvars");
    } else {
      read_script_group(path, group, group_data, inventory, hosts);
    }
  }
  for (const auto& host : hosts) {
    Value vars = meta != nullptr ? (meta->contains(host) ? (*meta)[host] : Value::object())
                                 : run_json(path, {path, "--host", host});
    if (!vars.is_object()) throw Error(fmt::format("improperly formatted host information for {}", host), {path, 0, 0});
    for (const auto& [key, value] : vars.items()) inventory.set_host_var(host, key, value);
  }
  return true;
}

}  // namespace prov::inv
