#pragma once
// A sandbox host for module tests: modules run over a real SSH connection against a real Debian 12 host
// (tests/sandbox/sandbox.sh), exactly as the executor runs them, and the host is inspected over the same session.
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "provision/connection/connection.h"
#include "provision/modules/module.h"

namespace prov::test {

struct ModuleRun {
  bool check = false;
  bool diff = false;
  conn::Become become;                     ///< e.g. {true, "postgres"}
  std::map<std::string, std::string> env;  ///< the task's environment
};

class ModuleHost {
 public:
  /// sbxN as it is now; the sandbox must be up (tests/integration/modules/run.sh brings it up).
  explicit ModuleHost(int n);
  /// sbxN replaced by a fresh host first (sandbox.sh reset): nothing any test did before is left on it.
  static ModuleHost fresh(int n);

  /// Validates args against the module's spec and runs it, as the executor does; the plan persists between runs
  /// so check-mode predictions carry over like they do in a play. An ArgError propagates.
  Value run(std::string_view module, const Value& args, const ModuleRun& how = {});
  Value check(std::string_view module, const Value& args) {
    ModuleRun how;
    how.check = true;
    return run(module, args, how);
  }

  /// Runs a shell command as root over SSH; the test fails unless it exits 0. Returns stdout without the last
  /// newline.
  std::string sh(const std::string& command);
  /// Runs a shell command as root and returns whatever happened.
  conn::CommandResult try_sh(const std::string& command);

  /// Every entry of the host's writable overlay layer with type, mode, owner, size and mtime: equal before and
  /// after means the run wrote nothing on the host. The login records sshd updates are left out.
  std::string upper_listing() const;

  conn::Connection& connection() { return *conn_; }
  mod::Plan& plan() { return plan_; }
  int number() const { return n_; }
  std::string name() const { return "sbx" + std::to_string(n_); }

 private:
  int n_;
  std::unique_ptr<conn::Connection> conn_;
  mod::Plan plan_;
};

}  // namespace prov::test
