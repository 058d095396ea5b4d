// mod::first_query must announce exactly the command execute() sends first (same text, no stdin): the executor
// answers that command from a probe sent ahead, so any difference would be a probe sent for nothing, or worse, an
// answer to another question. Each case runs the module until its first command and compares.
#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
#include <string>

#include "helpers.h"
#include "provision/modules/module.h"

using prov::Value;

namespace {

struct FirstCommandSent {};

// Records the first command and stops the module there.
class FirstCommand : public prov::conn::Connection {
 public:
  std::optional<std::string> command;
  std::string stdin_data;

  void connect() override {}
  prov::conn::CommandResult run(const std::string& cmd, const prov::conn::RunOptions& options) override {
    command = cmd;
    stdin_data = options.stdin_data;
    throw FirstCommandSent{};
  }
  void put_file(const std::string&, const std::string&, const prov::conn::PutOptions&) override {
    FAIL("the module uploaded before any command");
  }
  std::string fetch_file(const std::string&, const prov::conn::Become&) override {
    FAIL("the module downloaded before any command");
    return {};
  }
  void close() override {}
  std::string kind() const override { return "first-command"; }
};

prov::mod::Context context_for(const prov::mod::Module& m, const Value& args, bool check,
                               prov::conn::Connection* conn) {
  prov::mod::Context ctx;
  ctx.conn = conn;
  ctx.args = prov::mod::validate_args(m.spec(), args);
  ctx.check_mode = check;
  return ctx;
}

// Whether the module announces a probe; when it does, checks that it is execute()'s first command.
bool announced(const std::string& module, const Value& args, bool check = false) {
  const prov::mod::Module* m = prov::mod::find_module(module);
  REQUIRE(m != nullptr);
  FirstCommand conn;
  prov::mod::Context plan_ctx = context_for(*m, args, check, &conn);
  std::optional<prov::mod::Probe> probe = prov::mod::first_query(*m, plan_ctx);
  if (!probe) return false;
  prov::mod::Context run_ctx = context_for(*m, args, check, &conn);
  try {
    prov::mod::execute(*m, run_ctx);
  } catch (const FirstCommandSent&) {}
  INFO(module << " " << args.dump());
  REQUIRE(conn.command.has_value());
  CHECK(*conn.command == probe->command);
  CHECK(conn.stdin_data.empty());
  return true;
}

}  // namespace

TEST_CASE("first_query is the first command execute() sends", "[first_probe]") {
  test::Sandbox box;
  const std::string src = box.path("site.conf.j2");
  {
    std::ofstream out(src);
    out << "listen {{ 80 }}\n";
  }
  CHECK(announced("file", {{"path", "/srv/app"}, {"state", "directory"}, {"mode", "0750"}}));
  CHECK(announced("file", {{"path", "/srv/app/link"}, {"src", "/srv/app"}, {"state", "link"}}, true));
  CHECK(announced("template", {{"src", src}, {"dest", "/etc/app.conf"}, {"owner", "root"}}));
  CHECK(announced("copy", {{"content", "x\n"}, {"dest", "/etc/app.env"}, {"mode", "0600"}}));
  CHECK(announced("copy", {{"src", src}, {"dest", "/etc/app.tmpl"}}));
  CHECK(announced("apt", {{"name", Value::array({"nginx", "ufw=0.36*"})}}));
  CHECK(announced("apt", {{"name", Value::array({"nginx"})}, {"update_cache", true}, {"cache_valid_time", 3600}}));
  CHECK(announced("apt", {{"name", Value::array({"nginx*"})}, {"state", "latest"}, {"update_cache", true}}, true));
  CHECK(announced("user", {{"name", "deploy"}, {"groups", Value::array({"www-data"})}, {"append", true}}));
  CHECK(announced("user", {{"name", "deploy"}, {"generate_ssh_key", true}}));
  CHECK(announced("user", {{"name", "old"}, {"state", "absent"}}));
  CHECK(announced("service", {{"name", "nginx"}, {"state", "started"}, {"enabled", true}}));
  CHECK(announced("service", {{"name", "nginx"}, {"enabled", false}}));
  CHECK(announced("systemd", {{"name", "nginx"}, {"state", "reloaded"}}));
  CHECK(announced("systemd", {{"name", "nginx"}, {"daemon_reload", true}}, true));
  CHECK(announced("command", {{"_raw_params", "make install"}, {"creates", "/usr/local/bin/x*"}, {"chdir", "/src"}}));
  CHECK(announced("shell", {{"_raw_params", "rm -f /var/run/x.pid"}, {"removes", "/var/run/x.pid"}}));
}

TEST_CASE("first_query is not announced when the first command is not a plain read", "[first_probe]") {
  CHECK_FALSE(announced("user", {{"name", "deploy"}, {"password", "$6$salt$hash"}}));  // the hash goes on stdin
  CHECK_FALSE(announced("service", {{"name", "app"}, {"state", "started"}, {"pattern", "gunicorn"}}));
  CHECK_FALSE(announced("systemd", {{"name", "nginx"}, {"daemon_reload", true}}));  // reloads first
  CHECK_FALSE(announced("command", {{"_raw_params", "true"}}));
  CHECK_FALSE(announced("copy", {{"src", "/etc/hosts"}, {"dest", "/tmp/hosts"}, {"remote_src", true}}));
  CHECK_FALSE(announced("copy", {{"content", "x"}, {"dest", "/tmp/dir/"}}));
  CHECK_FALSE(announced("apt", {{"deb", "/tmp/x.deb"}}));
}
