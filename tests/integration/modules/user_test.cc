// user and group on a real Debian host: /etc/passwd, /etc/group, /etc/shadow and the home folders are checked
// after each run, reruns must change nothing, check mode must write nothing.
#include <catch2/catch.hpp>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::test::ModuleHost;
using prov::test::ModuleRun;

namespace {

const std::string kHash1 =
    "$6$provsalt$FOqE81reZT.QJrJHvbDMySTnO4.Zlb9JZch5ZcLiAVsY9C4BsKAUH6ylttFllVpuD00JAQwH3.Uvv/aLbNo/P1";
const std::string kHash2 =
    "$6$provsalt$2pqSQT7rbp4YEmDrz8NtPl.Ixb/.KcCudAwTZN6FYj7wploFaUx7PjLLLW.i6uMf/WON9RuwwSLDQAwcqTcgB0";

std::string shadow_hash(ModuleHost& host, const std::string& user) {
  return host.sh("getent shadow " + user + " | cut -d: -f2");
}

}  // namespace

TEST_CASE("group: create, rerun, gid change, check mode, removal", "[group]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kUser);
  std::string before = host.upper_listing();
  Value r = host.check("group", {{"name", "devs"}, {"gid", 3100}});
  CHECK(r == Value{{"changed", true}});
  CHECK(host.upper_listing() == before);
  CHECK(host.plan().groups.count("devs") == 1);
  CHECK(host.try_sh("getent group devs").rc == 2);

  r = host.run("group", {{"name", "devs"}, {"gid", 3100}});
  CHECK(r == Value{{"name", "devs"}, {"state", "present"}, {"changed", true}, {"system", false}, {"gid", 3100}});
  CHECK(host.sh("getent group devs") == "devs:x:3100:");
  r = host.run("group", {{"name", "devs"}, {"gid", 3100}});
  CHECK(r["changed"] == false);
  CHECK(r["gid"] == 3100);

  before = host.upper_listing();
  r = host.check("group", {{"name", "devs"}, {"gid", 3200}});
  CHECK(r["changed"] == true);
  CHECK(r["gid"] == 3100);  // check mode reports what is there now
  CHECK(host.upper_listing() == before);
  r = host.run("group", {{"name", "devs"}, {"gid", 3200}});
  CHECK(r["changed"] == true);
  CHECK(r["gid"] == 3200);
  CHECK(host.sh("getent group devs") == "devs:x:3200:");

  r = host.run("group", {{"name", "sysgrp"}, {"system", true}});
  CHECK(r["changed"] == true);
  CHECK(r["system"] == true);
  CHECK(r["gid"].get<long long>() < 1000);
  CHECK(host.sh("getent group sysgrp | cut -d: -f3") == std::to_string(r["gid"].get<long long>()));

  before = host.upper_listing();
  CHECK(host.check("group", {{"name", "devs"}, {"state", "absent"}}) == Value{{"changed", true}});
  CHECK(host.upper_listing() == before);
  r = host.run("group", {{"name", "devs"}, {"state", "absent"}});
  CHECK(r == Value{{"name", "devs"}, {"state", "absent"}, {"changed", true}});
  CHECK(host.try_sh("getent group devs").rc == 2);
  CHECK(host.run("group", {{"name", "devs"}, {"state", "absent"}}) ==
        Value{{"name", "devs"}, {"state", "absent"}, {"changed", false}});

  // The primary group of a user cannot go: groupdel's message is the result's.
  host.sh("useradd -M keeper");
  r = host.run("group", {{"name", "keeper"}, {"state", "absent"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "groupdel: cannot remove the primary group of user 'keeper'\n");
  CHECK(host.try_sh("getent group keeper").rc == 0);
}

TEST_CASE("group: argument errors", "[group]") {
  ModuleHost host(prov::test::hosts::kUser);
  CHECK_THROWS_WITH(host.run("group", {{"name", "g"}, {"gidd", 5}}),
                    "Unsupported parameters for (group) module: gidd. Supported parameters include: gid, local, name, "
                    "non_unique, state, system. (did you mean 'gid'?)");
  CHECK_THROWS_WITH(host.run("group", {{"name", "g"}, {"state", "gone"}}),
                    "value of state must be one of: absent, present, got: gone");
  CHECK_THROWS_WITH(host.run("group", {{"gid", 5}}), "missing required arguments: name");
  Value r = host.run("group", {{"name", "g"}, {"non_unique", true}});
  CHECK(r["msg"] == "non_unique is True but all of the following are missing: gid");
  CHECK(host.try_sh("getent group g").rc == 2);
  CHECK_THROWS_WITH(host.run("group", {{"name", "g"}, {"gid", "many"}}),
                    "argument 'gid' is of type <class 'str'> and we were unable to convert to int: <class 'str'> "
                    "cannot be converted to an int");
}

TEST_CASE("user: create with groups, home, shell, comment and a password hash; rerun; modify", "[user]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kUser);
  for (const char* g : {"devs", "ops", "extra"}) REQUIRE(host.run("group", {{"name", g}})["changed"] == true);
  const std::string devs_gid = host.sh("getent group devs | cut -d: -f3");
  Value args = {{"name", "alice"},      {"uid", 2001},
                {"group", "devs"},      {"groups", Value::array({"ops"})},
                {"shell", "/bin/sh"},   {"home", "/srv/people/alice"},
                {"comment", "Alice A"}, {"password", kHash1}};

  std::string before = host.upper_listing();
  Value r = host.check("user", args);
  CHECK(r == Value{{"changed", true}});
  CHECK(host.upper_listing() == before);
  CHECK(host.plan().users.count("alice") == 1);
  CHECK(host.plan().trees.count("/srv/people/alice") == 1);

  r = host.run("user", args);
  CHECK(r.dump().find(kHash1) == std::string::npos);
  CHECK(r["changed"] == true);
  CHECK(r["name"] == "alice");
  CHECK(r["state"] == "present");
  CHECK(r["system"] == false);
  CHECK(r["create_home"] == true);
  CHECK(r["password"] == "NOT_LOGGING_PASSWORD");
  CHECK(r["uid"] == 2001);
  CHECK(std::to_string(r["group"].get<long long>()) == devs_gid);
  CHECK(r["comment"] == "Alice A");
  CHECK(r["home"] == "/srv/people/alice");
  CHECK(r["shell"] == "/bin/sh");
  CHECK(r["groups"] == "ops");
  CHECK(host.sh("getent passwd alice") == "alice:x:2001:" + devs_gid + ":Alice A:/srv/people/alice:/bin/sh");
  CHECK(shadow_hash(host, "alice") == kHash1);
  CHECK(host.sh("id -nG alice") == "devs ops");
  CHECK(host.sh("stat -c '%U:%G' /srv/people/alice") == "alice:devs");
  CHECK(host.sh("test -f /srv/people/alice/.profile && echo skel") == "skel");

  r = host.run("user", args);
  CHECK(r["changed"] == false);
  CHECK(r["append"] == false);
  CHECK(r["move_home"] == false);
  CHECK(r["password"] == "NOT_LOGGING_PASSWORD");
  CHECK_FALSE(r.contains("create_home"));

  // append adds, without append the list is exact, an empty list removes every supplementary group.
  r = host.run("user", {{"name", "alice"}, {"groups", "extra"}, {"append", true}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("id -nG alice") == "devs ops extra");
  CHECK(host.run("user", {{"name", "alice"}, {"groups", "extra"}, {"append", true}})["changed"] == false);
  CHECK(host.run("user", {{"name", "alice"}, {"groups", "ops,extra"}})["changed"] == false);
  r = host.run("user", {{"name", "alice"}, {"groups", "extra"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("id -nG alice") == "devs extra");
  r = host.run("user", {{"name", "alice"}, {"groups", ""}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("id -nG alice") == "devs");
  CHECK(host.run("user", {{"name", "alice"}, {"groups", ""}})["changed"] == false);

  // Passwords: on_create leaves an existing account's hash alone, always replaces it; the lock is a "!".
  CHECK(host.run("user", {{"name", "alice"}, {"password", kHash2}, {"update_password", "on_create"}})["changed"] ==
        false);
  CHECK(shadow_hash(host, "alice") == kHash1);
  before = host.upper_listing();
  CHECK(host.check("user", {{"name", "alice"}, {"password", kHash2}})["changed"] == true);
  CHECK(host.upper_listing() == before);
  r = host.run("user", {{"name", "alice"}, {"password", kHash2}});
  CHECK(r["changed"] == true);
  CHECK(shadow_hash(host, "alice") == kHash2);
  CHECK(host.run("user", {{"name", "alice"}, {"password", kHash2}})["changed"] == false);
  CHECK(host.run("user", {{"name", "alice"}, {"password_lock", true}})["changed"] == true);
  CHECK(shadow_hash(host, "alice") == "!" + kHash2);
  CHECK(host.run("user", {{"name", "alice"}, {"password_lock", true}})["changed"] == false);
  CHECK(host.run("user", {{"name", "alice"}, {"password", kHash2}})["changed"] == false);  // the lock is not a change
  CHECK(host.run("user", {{"name", "alice"}, {"password_lock", false}})["changed"] == true);
  CHECK(shadow_hash(host, "alice") == kHash2);

  // Attributes, and move_home moving the folder.
  r = host.run("user", {{"name", "alice"},
                        {"comment", "Alice B"},
                        {"shell", "/bin/bash"},
                        {"uid", 2002},
                        {"home", "/srv/people/alice2"},
                        {"move_home", true}});
  CHECK(r["changed"] == true);
  CHECK(r["move_home"] == true);
  CHECK(host.sh("getent passwd alice") == "alice:x:2002:" + devs_gid + ":Alice B:/srv/people/alice2:/bin/bash");
  CHECK(host.sh("test -d /srv/people/alice2 && test ! -e /srv/people/alice && stat -c %U /srv/people/alice2") ==
        "alice");
  r = host.run("user", {{"name", "alice"}, {"group", "ops"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("id -gn alice") == "ops");
  r = host.run("user", {{"name", "alice"}, {"group", "nosuch"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Group nosuch does not exist");
}

TEST_CASE("user: system accounts, removal, a missing home made again", "[user]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kUser);
  Value r =
      host.run("user", {{"name", "svc"}, {"system", true}, {"create_home", false}, {"shell", "/usr/sbin/nologin"}});
  CHECK(r["changed"] == true);
  CHECK(r["system"] == true);
  CHECK(r["create_home"] == false);
  CHECK(r["uid"].get<long long>() < 1000);
  CHECK(host.try_sh("test -e /home/svc").rc != 0);
  CHECK(host.run("user", {{"name", "svc"}, {"system", true}, {"create_home", false}})["changed"] == false);

  // A home that went missing is made again (with the skeleton, owned by the user) whenever create_home is set.
  r = host.run("user", {{"name", "bob"}});
  CHECK(r["changed"] == true);
  CHECK(r["home"] == "/home/bob");
  CHECK(host.sh("stat -c '%U:%G %a' /home/bob") == "bob:bob 755");
  host.sh("rm -rf /home/bob");
  CHECK(host.run("user", {{"name", "bob"}, {"create_home", false}})["changed"] == false);
  r = host.run("user", {{"name", "bob"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("stat -c '%U:%G %a' /home/bob /home/bob/.profile") == "bob:bob 755\nbob:bob 644");
  CHECK(host.run("user", {{"name", "bob"}})["changed"] == false);

  std::string before = host.upper_listing();
  CHECK(host.check("user", {{"name", "bob"}, {"state", "absent"}}) == Value{{"changed", true}});
  CHECK(host.upper_listing() == before);
  r = host.run("user", {{"name", "bob"}, {"state", "absent"}, {"remove", true}});
  CHECK(r["changed"] == true);
  CHECK(r["force"] == false);
  CHECK(r["remove"] == true);
  CHECK(host.try_sh("getent passwd bob").rc == 2);
  CHECK(host.try_sh("test -e /home/bob").rc != 0);
  r = host.run("user", {{"name", "bob"}, {"state", "absent"}});
  CHECK(r == Value{{"name", "bob"}, {"state", "absent"}, {"changed", false}});
  // A group of the user's name that is left over is reused (useradd -N), not an error.
  host.sh("groupadd carol");
  r = host.run("user", {{"name", "carol"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("id -gn carol") == "users");
}

TEST_CASE("user: generate_ssh_key", "[user]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kUser);
  const std::string hostname = host.sh("uname -n");
  Value args = {{"name", "dave"}, {"generate_ssh_key", true}, {"ssh_key_type", "ed25519"}};
  Value r = host.run("user", args);
  CHECK(r["changed"] == true);
  CHECK(r["ssh_key_file"] == "/home/dave/.ssh/id_ed25519");
  CHECK(host.sh("stat -c '%U:%G %a' /home/dave/.ssh /home/dave/.ssh/id_ed25519 /home/dave/.ssh/id_ed25519.pub") ==
        "dave:dave 700\ndave:dave 600\ndave:dave 644");
  CHECK(r["ssh_public_key"] == host.sh("cat /home/dave/.ssh/id_ed25519.pub"));
  CHECK(r["ssh_public_key"].get<std::string>().find("ansible-generated on " + hostname) != std::string::npos);
  const std::string fingerprint = r["ssh_fingerprint"].get<std::string>();
  CHECK(fingerprint == host.sh("ssh-keygen -l -f /home/dave/.ssh/id_ed25519"));
  CHECK(fingerprint.find("SHA256:") != std::string::npos);

  r = host.run("user", args);
  CHECK(r["changed"] == false);
  CHECK(r["ssh_fingerprint"] == fingerprint);

  std::string before = host.upper_listing();
  r = host.check("user", {{"name", "dave"}, {"generate_ssh_key", true}, {"ssh_key_file", ".ssh/other"}});
  CHECK(r["changed"] == true);
  CHECK(r["ssh_fingerprint"] == "");
  CHECK(r["ssh_public_key"].is_null());
  CHECK(host.upper_listing() == before);

  Value forced = args;
  forced["force"] = true;
  forced["ssh_key_comment"] = "dave's key";
  forced["ssh_key_file"] = "/srv/keys/dave";
  host.sh("mkdir -p /srv/keys");
  r = host.run("user", forced);
  CHECK(r["changed"] == true);
  CHECK(host.sh("cut -d' ' -f3- /srv/keys/dave.pub") == "dave's key");
  std::string first = r["ssh_fingerprint"];
  r = host.run("user", forced);  // force overwrites every time
  CHECK(r["changed"] == true);
  CHECK(r["ssh_fingerprint"] != first);
}

TEST_CASE("user and group: hostile values never run as shell", "[user][group]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kUser);
  Value r = host.run("user", {{"name", "x; touch /tmp/pwned"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "useradd: invalid user name 'x; touch /tmp/pwned': use --badname to ignore\n");
  r = host.run("group", {{"name", "$(touch /tmp/pwned)"}});
  CHECK(r["failed"] == true);

  const std::string comment = "it's \"$(touch /tmp/pwned)\" `touch /tmp/pwned`; touch /tmp/pwned";
  const std::string home = "/srv/h x;touch /tmp/pwned $(id)";
  r = host.run("user", {{"name", "eve"}, {"comment", comment}, {"home", home}, {"shell", "/bin/sh;id"}});
  CHECK(r["changed"] == true);
  CHECK(r["comment"] == comment);
  CHECK(host.sh("getent passwd eve | cut -d: -f5") == comment);
  CHECK(host.sh("getent passwd eve | cut -d: -f6") == home);
  CHECK(host.sh("getent passwd eve | cut -d: -f7") == "/bin/sh;id");
  CHECK(host.sh("stat -c %U '" + home + "'") == "eve");
  CHECK(host.run("user", {{"name", "eve"}, {"comment", comment}, {"home", home}})["changed"] == false);

  // A "hash" with a line break would give chpasswd a second line: refused before anything runs.
  const std::string root_hash = shadow_hash(host, "root");
  r = host.run("user", {{"name", "eve"}, {"password", "x\nroot:" + kHash1}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] ==
        "password must be a crypt hash (see the password_hash filter); it may not contain ':' or a line "
        "break");
  CHECK(r.dump().find(kHash1) == std::string::npos);
  CHECK(shadow_hash(host, "root") == root_hash);
  CHECK(host.try_sh("test -e /tmp/pwned").rc != 0);
  CHECK(host.try_sh("ls /tmp/pwned*").rc != 0);
}

TEST_CASE("user and group: check mode follows the plan", "[user][group][plan]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kUser);
  REQUIRE(host.run("user", {{"name", "frank"}})["changed"] == true);
  std::string before = host.upper_listing();

  CHECK(host.check("group", {{"name", "planned"}}) == Value{{"changed", true}});
  Value r = host.check("user", {{"name", "frank"}, {"groups", Value::array({"planned"})}, {"group", "planned"}});
  CHECK(r["changed"] == true);
  CHECK_FALSE(r.contains("failed"));
  r = host.check("user", {{"name", "frank"}, {"groups", "nosuch"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Group nosuch does not exist");
  // A user a check-mode task would create makes a later removal a change, and its own group is predicted.
  CHECK(host.check("user", {{"name", "grace"}}) == Value{{"changed", true}});
  CHECK(host.plan().groups.count("grace") == 1);
  CHECK(host.check("user", {{"name", "grace"}, {"state", "absent"}}) == Value{{"changed", true}});
  CHECK(host.plan().users.count("grace") == 0);
  CHECK(host.upper_listing() == before);
}

TEST_CASE("user: argument errors", "[user]") {
  ModuleHost host(prov::test::hosts::kUser);
  CHECK_THROWS_WITH(host.run("user", {{"name", "u"}, {"update_password", "sometimes"}}),
                    "value of update_password must be one of: always, on_create, got: sometimes");
  CHECK_THROWS_WITH(host.run("user", {{"uid", 5}}), "missing required arguments: name");
  CHECK_THROWS_WITH(host.run("user", {{"name", "u"}, {"create_home", "maybe"}}),
                    "argument 'create_home' is of type <class 'str'> and we were unable to convert to bool: The value "
                    "'maybe' is not a valid boolean.  Valid booleans include: 'y', 'yes', 'on', '1', 'true', 't', "
                    "'n', 'no', 'off', '0', 'false', 'f'");
  Value v = prov::mod::validate_args(prov::mod::find_module("user")->spec(),
                                     Value{{"user", "u"}, {"createhome", "no"}, {"groups", "a, b"}});
  CHECK(v["name"] == "u");
  CHECK(v["create_home"] == false);
  CHECK(v["groups"] == Value::array({"a", " b"}));
}
