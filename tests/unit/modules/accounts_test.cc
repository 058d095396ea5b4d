// The user module's probe: getent lines and the tagged probe output, parsed on the controller.
#include <catch2/catch.hpp>

#include "../../../src/modules/accounts.h"
#include "helpers.h"

using namespace prov::mod;

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
