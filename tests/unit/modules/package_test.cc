// package (apt behind Ansible's portable name), package_facts, and the modules of Ansible's that provision lacks.
#include <catch2/catch.hpp>

#include "provision/modules/action.h"
#include "scripted_host.h"

using test::answer;
using test::ScriptedHost;

TEST_CASE("package is apt with apt's arguments, and refuses another package manager", "[package]") {
  const std::string read = "@@cache 100\n@@lists yes\n@@dpkg\ntree\tinstall ok installed\t2.1.0-1\n@@auto\n@@end\n";
  ScriptedHost host;
  host.answers = {answer(read)};
  CHECK(test::run_module("package", host, {{"name", "tree"}, {"state", "present"}, {"use", "auto"}}) ==
        prov::Value{{"changed", false}, {"cache_updated", false}, {"cache_update_time", 100}});
  ScriptedHost apt_host;
  apt_host.answers = {answer(read)};
  test::run_module("apt", apt_host, {{"name", "tree"}});
  CHECK(host.commands == apt_host.commands);  // the same read as apt's

  host = {};
  host.answers = {answer(read)};
  test::run_module("package", host, {{"name", "tree"}, {"cache_valid_time", 3600}});  // an apt option goes through
  CHECK(host.commands.size() == 1);
  host = {};
  CHECK_THROWS_WITH(test::run_module("package", host, {{"name", "tree"}, {"use", "dnf"}}),
                    Catch::Contains("the package manager 'dnf' is not supported by provision"));
  CHECK(host.commands.empty());
}

TEST_CASE("package_facts: dpkg's packages, the archive's section and the origin of the installed version",
          "[package]") {
  const std::string out =
      "amd64\n"
      "installed\tbash\tamd64\t5.2.15-2+b8\tshells\n"
      "installed\tlibc6\tamd64\t2.36-9\tlibs\n"
      "installed\tlibc6\ti386\t2.36-9\tlibs\n"
      "config-files\told\tamd64\t1.0\tutils\n"
      "installed\tbats\tall\t1.8.2-1\tshells\n"
      "--- provision apt-cache policy\n"
      "Package files:\n"
      " 100 /var/lib/dpkg/status\n"
      "     release a=now\n"
      " 500 http://mirror/debian bookworm/main amd64 Packages\n"
      "     release v=12,o=Debian,a=stable,n=bookworm,l=Debian,c=main,b=amd64\n"
      "     origin mirror\n"
      "Pinned packages:\n"
      "--- provision installed versions\n"
      "bash:\n"
      "  Installed: 5.2.15-2+b8\n"
      "  Version table:\n"
      "     5.2.15-2+b13 500\n"
      "        500 http://mirror/debian bookworm/main amd64 Packages\n"
      " *** 5.2.15-2+b8 100\n"
      "        100 /var/lib/dpkg/status\n"
      "libc6:amd64:\n"
      " *** 2.36-9 500\n"
      "        500 http://mirror/debian bookworm/main amd64 Packages\n"
      "        100 /var/lib/dpkg/status\n"
      "libc6:i386:\n"
      " *** 2.36-9 100\n"
      "        100 /var/lib/dpkg/status\n"
      "bats:\n"
      " *** 1.8.2-1 500\n"
      "        500 http://mirror/debian bookworm/main amd64 Packages\n"
      "--- provision installed records\n"
      "Package: bash\nSection: shells\nArchitecture: amd64\n"
      "Package: libc6\nArchitecture: amd64\nSection: libs\n"
      "Package: libc6\nSection: libs\nArchitecture: i386\n"
      "Package: bats\nArchitecture: all\nSection: devel\n";
  ScriptedHost host;
  host.answers = {answer(out)};
  prov::Value r = test::run_module("package_facts", host, prov::Value::object());
  REQUIRE(host.commands.size() == 1);
  CHECK(r["changed"] == false);
  const prov::Value& p = r["ansible_facts"]["packages"];
  CHECK(p.size() == 4);  // "old" left only its configuration files
  CHECK(p["bash"] == prov::Value::array({{{"name", "bash"},
                                          {"version", "5.2.15-2+b8"},
                                          {"arch", "amd64"},
                                          {"category", "shells"},
                                          {"origin", ""},
                                          {"source", "apt"}}}));
  CHECK(p["libc6"][0]["origin"] == "Debian");
  CHECK(p["libc6:i386"][0]["origin"] == "");
  CHECK(p["libc6:i386"][0]["arch"] == "i386");
  CHECK(p["bats"][0]["category"] == "devel");  // the archive's section, as python-apt reads it

  host = {};
  host.answers = {answer("", 127)};
  r = test::run_module("package_facts", host, prov::Value::object());
  CHECK(r["failed"] == true);
  host = {};
  r = test::run_module("package_facts", host, {{"manager", prov::Value::array({"rpm"})}});
  CHECK(r["failed"] == true);
  CHECK(host.commands.empty());
}

TEST_CASE("Ansible's modules that provision lacks are told from names that are no module", "[package]") {
  using prov::mod::ActionKind;
  using prov::mod::find_ansible_only_action;
  for (const char* name : {"yum", "ansible.builtin.yum", "ansible.legacy.dnf", "pacman", "community.general.pacman",
                           "cron", "group_by", "community.mysql.mysql_db", "mysql_db", "ansible.posix.sysctl",
                           "win_copy", "ansible.windows.win_copy", "apk", "zypper"}) {
    INFO(name);
    const prov::mod::Action* action = find_ansible_only_action(name);
    REQUIRE(action != nullptr);
    CHECK(action->kind == ActionKind::NotInProvision);
    CHECK(action->name == name);
    CHECK(find_ansible_only_action(name) == action);  // one action per name
  }
  for (const char* name : {"yumm", "copy", "ansible.builtin.copy", "package", "community.general.nope", "nope.x.y",
                           "ansible.builtin.pacman", "", "ansible.legacy."}) {
    INFO(name);
    CHECK(find_ansible_only_action(name) == nullptr);
  }
}
