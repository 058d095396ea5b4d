#pragma once
// Where the integration tests find things: the sandbox hosts (tests/sandbox/sandbox.sh) and the local machine.
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "provision/connection/connection.h"

namespace prov::test {

/// The sandbox state directory: $PROVISION_SANDBOX_DIR, else <source>/.sandbox.
std::string sandbox_dir();
/// True when sandbox hosts are up (inventory.ini exists).
bool sandbox_up();
/// True when a test that needs the sandbox must fail without it instead of skipping: under CI=true, unless the run
/// says it is meant to have no hosts (PROVISION_SANDBOX=offline, the ssh_offline test).
bool sandbox_required();
/// Host variables for sandbox host sbxN logging in as `user`, as the sandbox inventory writes them.
Value sandbox_vars(int n, const std::string& user = "root");
/// The address of sbxN.
std::string sandbox_address(int n);
/// Runs tests/sandbox/sandbox.sh with `args`; returns its exit status.
int sandbox_command(const std::string& args);

/// A connection under test: the shared suite runs every case against each one.
struct Target {
  std::string name;
  std::function<std::unique_ptr<conn::Connection>()> make;
  bool can_become = false;       ///< passwordless sudo to root works on this target
  bool persistent_shell = false;  ///< commands run in one remote shell: a signal's death reports 128+N, not -N
};

/// "local" always; ssh as root and as deploy to sbx1 when the sandbox is up (in the persistent remote shell), and
/// as deploy with a channel per command.
std::vector<Target> suite_targets();

/// The output of a command with the trailing newline removed; fails the test when rc != 0.
std::string run_ok(conn::Connection& c, const std::string& command, const conn::RunOptions& options = {});

}  // namespace prov::test
