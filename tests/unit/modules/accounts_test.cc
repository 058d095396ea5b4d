// The user module's probe: getent lines and the tagged probe output, parsed on the controller.
#include <catch2/catch.hpp>
#include <deque>

#include "../../../src/modules/accounts.h"
#include "helpers.h"
#include "scripted_host.h"

using namespace prov::mod;
using prov::Value;
using prov::conn::CommandResult;

namespace {

using test::ScriptedHost;

using test::answer;

Value run_group(ScriptedHost& host, const Value& args, bool check = false, Plan* plan = nullptr) {
  return test::run_module("group", host, args, {check, false, plan});
}

Value run_user(ScriptedHost& host, const Value& args, bool check = false, Plan* plan = nullptr) {
  return test::run_module("user", host, args, {check, false, plan});
}

const std::string kDeployRead =
    "P deploy:x:1001:1001::/home/deploy:/bin/bash\nG deploy:x:1001:\nG www-data:x:33:deploy\nN host1\nW same\n"
    "L 0\nH 1\n";

}  // namespace

TEST_CASE("passwd and group lines as getent prints them", "[user][group]") {
  auto p = parse_passwd_line("alice:x:2001:3100:Alice A,,,:/srv/people/alice:/bin/sh");
  REQUIRE(p);
  CHECK(p->name == "alice");
  CHECK(p->uid == 2001);
  CHECK(p->gid == 3100);
  CHECK(p->gecos == "Alice A,,,");
  CHECK(p->home == "/srv/people/alice");
  CHECK(p->shell == "/bin/sh");
  CHECK(parse_passwd_line("svc:x:998:998::/nonexistent:")->shell.empty());
  CHECK_FALSE(parse_passwd_line("broken:x:abc:1::/:/bin/sh"));
  CHECK_FALSE(parse_passwd_line("short:x:1:1"));
  CHECK_FALSE(parse_passwd_line("+::::::"));

  auto g = parse_group_line("devs:x:3100:alice,bob");
  REQUIRE(g);
  CHECK(g->gid == 3100);
  CHECK(g->members == std::vector<std::string>{"alice", "bob"});
  CHECK(parse_group_line("empty:x:5:")->members.empty());
  CHECK_FALSE(parse_group_line("+:::"));
}

TEST_CASE("groups are found by gid first, then by name; memberships read the member lists", "[user][group]") {
  std::vector<GroupEntry> groups = {{"100", 7, {}}, {"users", 100, {"alice"}}, {"ops", 3200, {"bob", "alice"}}};
  CHECK(find_group(groups, "100")->name == "users");  // as Python's grp: a number is a gid first
  CHECK(find_group(groups, "ops")->gid == 3200);
  CHECK(find_group(groups, "nosuch") == nullptr);
  CHECK(memberships(groups, "alice") == std::vector<std::string>{"users", "ops"});
  CHECK(memberships(groups, "carol").empty());
}

TEST_CASE("the user probe's output", "[user]") {
  UserProbe p = parse_user_probe(
      "P alice:x:2001:3100:Alice:/home/alice:/bin/sh\n"
      "G root:x:0:\n"
      "G devs:x:3100:\n"
      "G ops:x:3200:alice\n"
      "G +:::\n"
      "N host1\n"
      "W differs\n"
      "L 1\n"
      "H 1\n"
      "K 1\n"
      "F 256 SHA256:abc alice@host1 (ED25519)\n"
      "B ssh-ed25519 AAAA alice@host1\n");
  REQUIRE(p.user);
  CHECK(p.user->home == "/home/alice");
  CHECK(p.groups.size() == 3);
  CHECK(p.hostname == "host1");
  CHECK(p.password == "differs");
  CHECK(p.locked);
  CHECK(p.home_exists);
  CHECK(p.key_exists);
  CHECK(p.fingerprint == "256 SHA256:abc alice@host1 (ED25519)");
  CHECK(p.public_key == "ssh-ed25519 AAAA alice@host1");

  UserProbe absent = parse_user_probe("G root:x:0:\nN h\nH 0\n");
  CHECK_FALSE(absent.user);
  CHECK_FALSE(absent.home_exists);
  CHECK(absent.password.empty());
  CHECK_THROWS_WITH(parse_user_probe("Z what\n"), "unexpected line in the user probe: Z what");
  CHECK_THROWS_WITH(parse_user_probe("P alice:x\n"), "unexpected passwd entry: alice:x");
}

TEST_CASE("the user probe script runs under sh and reads this machine's accounts", "[user]") {
  test::Sandbox s;
  UserProbeRequest request;
  request.name = "root";
  request.key_file = ".ssh/no-such-key-for-provision";
  auto out = s.conn->run(user_probe_command(request));
  REQUIRE(out.rc == 0);
  UserProbe p = parse_user_probe(out.out);
  REQUIRE(p.user);
  CHECK(p.user->uid == 0);
  CHECK(find_group(p.groups, "0") != nullptr);
  CHECK_FALSE(p.key_exists);
  CHECK_FALSE(p.hostname.empty());

  // A hostile name is only ever data.
  request.name = "x'; touch " + s.path("pwned") + "; '";
  request.home = s.path("h $(touch " + s.path("pwned") + ")");
  out = s.conn->run(user_probe_command(request));
  REQUIRE(out.rc == 0);
  CHECK_FALSE(parse_user_probe(out.out).user);
  CHECK_FALSE(test::fs::exists(s.path("pwned")));
}

TEST_CASE("the group lookup: a name only, never a gid", "[group]") {
  CHECK(group_lookup_command("dev's") == "getent group -- 'dev'\"'\"'s'; [ $? -le 2 ]");
  auto devs = parse_group_lookup(answer("devs:x:3100:alice\n"), "devs");
  REQUIRE(devs);
  CHECK(devs->gid == 3100);
  CHECK_FALSE(parse_group_lookup(answer(""), "devs"));
  CHECK_FALSE(parse_group_lookup(answer("users:x:100:\n"), "100"));
  CHECK_THROWS_WITH(parse_group_lookup(answer("", 1, "getent: boom\nmore"), "x"), "getent group failed: getent: boom");
  CHECK_THROWS_WITH(parse_group_lookup(answer("devs:x\n"), "devs"), "unexpected group entry: devs:x");
}

TEST_CASE("group: one read on a converged run, a prediction in check mode, the change then a fresh read", "[group]") {
  ScriptedHost host;
  host.answers = {answer("devs:x:3100:\n")};
  CHECK(run_group(host, {{"name", "devs"}, {"gid", 3100}}) ==
        Value{{"name", "devs"}, {"state", "present"}, {"changed", false}, {"system", false}, {"gid", 3100}});
  CHECK(host.commands.size() == 1);

  host = {};
  host.answers = {answer("")};
  Plan plan;
  CHECK(run_group(host, {{"name", "devs"}}, true, &plan) == Value{{"changed", true}});
  CHECK(plan.groups.count("devs") == 1);

  host = {};
  host.answers = {answer("devs:x:3100:\n")};
  CHECK(run_group(host, {{"name", "devs"}, {"gid", 3200}}, true, &plan) ==
        Value{{"name", "devs"}, {"state", "present"}, {"changed", true}, {"system", false}, {"gid", 3100}});

  host = {};
  host.answers = {answer("devs:x:3100:\n"), answer(""), answer("devs:x:3200:\n")};
  CHECK(run_group(host, {{"name", "devs"}, {"gid", 3200}, {"non_unique", true}}) ==
        Value{{"name", "devs"}, {"state", "present"}, {"changed", true}, {"system", false}, {"gid", 3200}});
  CHECK(host.commands[1] == "groupmod -g 3200 -o -- devs");

  host = {};
  host.answers = {answer("devs:x:3100:\n"), answer("", 4, "groupmod: GID '3200' already exists\n")};
  CHECK(
      run_group(host, {{"name", "devs"}, {"gid", 3200}}) ==
      Value{{"failed", true}, {"name", "devs"}, {"msg", "groupmod: GID '3200' already exists\n"}, {"changed", false}});

  host = {};
  host.answers = {answer(""), answer(""), answer("sys:x:990:\n")};
  CHECK(run_group(host, {{"name", "sys"}, {"system", true}})["gid"] == 990);
  CHECK(host.commands[1] == "groupadd -r -- sys");

  host = {};
  host.answers = {answer("keeper:x:1001:\n"), answer("", 8, "groupdel: cannot remove\n")};
  CHECK(run_group(host, {{"name", "keeper"}, {"state", "absent"}}) ==
        Value{{"failed", true}, {"name", "keeper"}, {"msg", "groupdel: cannot remove\n"}, {"changed", false}});

  host = {};
  CHECK(run_group(host, {{"name", "g"}, {"non_unique", true}})["msg"] ==
        "non_unique is True but all of the following are missing: gid");
  CHECK(host.commands.empty());
}

TEST_CASE("user: a converged rerun is one read, the hash compared on stdin", "[user]") {
  ScriptedHost host;
  host.answers = {answer(kDeployRead)};
  Value args = {
      {"name", "deploy"}, {"password", "$6$salt$hash"}, {"groups", Value::array({"www-data"})}, {"shell", "/bin/bash"}};
  Value r = run_user(host, args);
  CHECK(r["changed"] == false);
  CHECK(r["shell"] == "/bin/bash");
  CHECK(r["groups"] == "www-data");
  CHECK(r["password"] == "NOT_LOGGING_PASSWORD");
  REQUIRE(host.commands.size() == 1);
  CHECK(host.inputs[0] == "$6$salt$hash\n");
  CHECK(host.commands[0].find("$6$salt$hash") == std::string::npos);
}

TEST_CASE("user: a change runs usermod, then reads the account again", "[user]") {
  ScriptedHost host;
  std::string changed_read = kDeployRead;
  changed_read.replace(changed_read.find("/bin/bash"), 9, "/bin/sh");
  host.answers = {answer(kDeployRead), answer(""), answer(changed_read)};
  Value r = run_user(host, {{"name", "deploy"}, {"shell", "/bin/sh"}});
  CHECK(r["changed"] == true);
  CHECK(r["shell"] == "/bin/sh");
  REQUIRE(host.commands.size() == 3);
  CHECK(host.commands[1] == "usermod -s /bin/sh -- deploy || exit $?\n");
}

TEST_CASE("user: check mode predicts a new account and forgets one it would remove", "[user]") {
  ScriptedHost host;
  Plan plan;
  host.answers = {answer("G root:x:0:\nN host1\nH 0\n")};
  Value r = run_user(host, {{"name", "app"}, {"home", "/srv/app"}}, true, &plan);
  CHECK(r == Value{{"changed", true}});
  CHECK(plan.users.count("app") == 1);
  CHECK(plan.groups.count("app") == 1);
  CHECK(plan.trees.count("/srv/app") == 1);
  REQUIRE(host.commands.size() == 1);

  // Removing the account an earlier task would create: a change, and later tasks no longer count on it.
  host.answers = {answer("G root:x:0:\nN host1\n")};
  r = run_user(host, {{"name", "app"}, {"state", "absent"}}, true, &plan);
  CHECK(r == Value{{"changed", true}});
  CHECK(plan.users.count("app") == 0);
  CHECK(host.commands.size() == 2);  // one read each, nothing changed

  // A group neither on the host nor planned is refused before anything runs, in both modes.
  host.answers = {answer(kDeployRead)};
  r = run_user(host, {{"name", "deploy"}, {"group", "nosuch"}}, true, &plan);
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Group nosuch does not exist");
  plan.groups.insert("nosuch");
  host.answers = {answer(kDeployRead)};
  CHECK(run_user(host, {{"name", "deploy"}, {"group", "nosuch"}}, true, &plan)["changed"] == true);
}
