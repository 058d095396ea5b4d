#include "module_host.h"

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>

#include "../ssh/sandbox_hosts.h"
#include "provision/connection/ssh.h"

namespace prov::test {

ModuleHost::ModuleHost(int n) : n_(n) {
  REQUIRE(sandbox_up());
  conn_ = conn::make_ssh_connection(sandbox_vars(n, "root"));
  conn_->connect();
}

ModuleHost ModuleHost::fresh(int n) {
  INFO("sandbox.sh reset sbx" << n);
  const std::string reset = "reset sbx" + std::to_string(n);
  // One retry, as tests/deployment/run.sh does: a reset has been seen, rarely, to lose the host's boot process.
  REQUIRE((sandbox_command(reset) == 0 || sandbox_command(reset) == 0));
  return ModuleHost(n);
}

Value ModuleHost::run(std::string_view module, const Value& args, const ModuleRun& how) {
  const mod::Module* m = mod::find_module(module);
  INFO("module " << module);
  REQUIRE(m != nullptr);
  mod::Context ctx;
  ctx.conn = conn_.get();
  ctx.args = mod::validate_args(m->spec(), args);
  ctx.check_mode = how.check;
  ctx.diff_mode = how.diff;
  ctx.become = how.become;
  ctx.env = how.env;
  ctx.plan = &plan_;
  ctx.task_location = "test";
  return prov::mod::execute(*m, ctx);
}

conn::CommandResult ModuleHost::try_sh(const std::string& command) { return conn_->run(command); }

std::string ModuleHost::sh(const std::string& command) { return run_ok(*conn_, command); }

std::string ModuleHost::upper_listing() const {
  std::string upper = sandbox_dir() + "/hosts/" + name() + "/rw/upper";
  std::string command = "find " + conn::shell_quote(upper) +
                        " -path '*/var/log/wtmp' -prune -o -path '*/var/log/btmp' -prune -o -path '*/var/log/lastlog' "
                        "-prune -o -printf '%P %y %m %U:%G %s %T@ %l\\n' | sort";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  return out;
}

}  // namespace prov::test
