#include "sandbox_hosts.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string_view>

#include "provision/connection/local.h"
#include "provision/connection/ssh.h"

namespace prov::test {

std::string sandbox_dir() {
  const char* dir = std::getenv("PROVISION_SANDBOX_DIR");
  return dir && *dir ? dir : std::string(PROVISION_SOURCE_DIR) + "/.sandbox";
}

bool sandbox_up() {
  struct stat st {};
  return ::stat((sandbox_dir() + "/inventory.ini").c_str(), &st) == 0;
}

bool sandbox_required() {
  auto is = [](const char* name, std::string_view value) {
    const char* v = std::getenv(name);
    return v != nullptr && value == v;
  };
  return (is("CI", "true") || is("CI", "1")) && !is("PROVISION_SANDBOX", "offline");
}

std::string sandbox_address(int n) { return "10.213.0." + std::to_string(10 + n); }

Value sandbox_vars(int n, const std::string& user) {
  Value vars = Value::object();
  vars["inventory_hostname"] = "sbx" + std::to_string(n);
  vars["ansible_host"] = sandbox_address(n);
  vars["ansible_user"] = user;
  vars["ansible_ssh_private_key_file"] = sandbox_dir() + "/id_ed25519";
  vars["ansible_ssh_common_args"] =
      "-o UserKnownHostsFile=" + sandbox_dir() + "/known_hosts -o StrictHostKeyChecking=yes";
  vars["ansible_ssh_timeout"] = 5;
  return vars;
}

int sandbox_command(const std::string& args) {
  // What sandbox.sh says goes to a file, shown only when the command fails (a host that did not come back).
  const std::string said = sandbox_dir() + "/last-command.err";
  std::string command = std::string(PROVISION_SOURCE_DIR) + "/tests/sandbox/sandbox.sh --state " + sandbox_dir() + " " +
                        args + " >/dev/null 2>" + said;
  int status = std::system(command.c_str());
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (rc != 0) {
    std::ifstream in(said);
    std::cerr << "sandbox.sh " << args << " failed (" << rc << "):\n" << in.rdbuf() << "\n";
  }
  return rc;
}

std::vector<Target> suite_targets() {
  std::vector<Target> targets;
  targets.push_back({"local", [] { return conn::make_local_connection(); }, false});
  // A CI run that lost its hosts must not pass on the local target alone.
  if (!sandbox_up() && sandbox_required()) FAIL("sandbox is not up, and CI=true requires it (ssh/run.sh starts it)");
  if (sandbox_up()) {
    targets.push_back(
        {"ssh root@sbx1", [] { return conn::make_ssh_connection(sandbox_vars(1, "root")); }, true, true});
    targets.push_back(
        {"ssh deploy@sbx1", [] { return conn::make_ssh_connection(sandbox_vars(1, "deploy")); }, true, true});
    targets.push_back({"ssh deploy@sbx1, a channel per command",
                       [] {
                         Value vars = sandbox_vars(1, "deploy");
                         vars["provision_ssh_persistent_shell"] = false;
                         return conn::make_ssh_connection(vars);
                       },
                       true, false});
  }
  return targets;
}

std::string run_ok(conn::Connection& c, const std::string& command, const conn::RunOptions& options) {
  conn::CommandResult r = c.run(command, options);
  INFO("command: " << command << "\nstderr: " << r.err);
  REQUIRE(r.rc == 0);
  std::string out = r.out;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace prov::test
