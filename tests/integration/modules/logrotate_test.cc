// logrotate on a real Debian host over SSH: the file written, checked by logrotate itself, and used for real.
#include <catch2/catch.hpp>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::test::ModuleHost;
using prov::test::ModuleRun;
namespace hosts = prov::test::hosts;

namespace {

const Value kArgs = {{"name", "app"},
                     {"path", Value::array({"/var/log/app/*.log"})},
                     {"options",
                      {{"rotate", 3},
                       {"daily", true},
                       {"compress", true},
                       {"missingok", true},
                       {"notifempty", true},
                       {"create", "0640 root adm"},
                       {"postrotate", "touch /var/log/app/rotated.marker"}}}};

const std::string kExpected =
    "# Written by provision (logrotate module): changes made here are overwritten.\n"
    "/var/log/app/*.log {\n"
    "    daily\n"
    "    rotate 3\n"
    "    missingok\n"
    "    notifempty\n"
    "    compress\n"
    "    create 0640 root adm\n"
    "    postrotate\n"
    "        touch /var/log/app/rotated.marker\n"
    "    endscript\n"
    "}\n";

// Without recommends: cron recommends an MTA, and exim4's daemon writes to /var/log and /var/spool at moments of its
// own, which breaks the before/after listings that prove check mode changed nothing.
void install_logrotate(ModuleHost& host) {
  host.sh(
      "command -v logrotate >/dev/null || { apt-get update -qq >/dev/null && "
      "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends logrotate >/dev/null; }");
}

}  // namespace

TEST_CASE("logrotate: not installed fails clearly, check mode follows the plan", "[logrotate]") {
  ModuleHost host = ModuleHost::fresh(hosts::kLogrotate);
  REQUIRE(host.try_sh("command -v logrotate").rc != 0);
  Value r = host.run("logrotate", kArgs);
  CHECK(r["failed"] == true);
  CHECK(r["msg"] ==
        "logrotate is not installed on the host (no logrotate command in PATH): install the logrotate package first, "
        "e.g. with apt: name=logrotate");
  CHECK(host.check("logrotate", kArgs)["failed"] == true);

  host.plan().packages.insert("logrotate");
  std::string before = host.upper_listing();
  Value predicted = host.check("logrotate", kArgs);
  CHECK(predicted["changed"] == true);
  CHECK_FALSE(predicted.contains("failed"));
  CHECK(host.upper_listing() == before);
}

TEST_CASE("logrotate: apply, again, check mode, diff, a real rotation, absent", "[logrotate]") {
  ModuleHost host(hosts::kLogrotate);
  install_logrotate(host);
  host.sh("rm -rf /var/log/app /etc/logrotate.d/app && mkdir -p /var/log/app && echo hello > /var/log/app/app.log");

  std::string before = host.upper_listing();
  Value predicted = host.check("logrotate", kArgs);
  CHECK(predicted["changed"] == true);
  CHECK(host.upper_listing() == before);
  CHECK(host.try_sh("test -e /etc/logrotate.d/app").rc != 0);

  ModuleRun diff;
  diff.diff = true;
  Value applied = host.run("logrotate", kArgs, diff);
  CHECK(applied["changed"] == true);
  CHECK(applied["dest"] == "/etc/logrotate.d/app");
  CHECK(applied["diff"]["before"] == "");
  CHECK(applied["diff"]["after"] == kExpected);
  CHECK(host.sh("cat /etc/logrotate.d/app") + "\n" == kExpected);
  CHECK(host.sh("stat -c '%a %U' /etc/logrotate.d/app") == "644 root");
  CHECK(host.sh("ls -A /etc/logrotate.d | grep -c provision || true") == "0");

  std::string settled = host.upper_listing();
  CHECK(host.run("logrotate", kArgs)["changed"] == false);
  CHECK(host.upper_listing() == settled);

  // logrotate itself uses the file.
  host.sh("logrotate -f /etc/logrotate.d/app");
  CHECK(host.sh("test -f /var/log/app/app.log.1.gz && zcat /var/log/app/app.log.1.gz") == "hello");
  CHECK(host.sh("stat -c '%a %U %G' /var/log/app/app.log") == "640 root adm");
  CHECK(host.sh("test -f /var/log/app/rotated.marker && echo yes") == "yes");

  // A list of options in another order is the same file.
  Value as_list = kArgs;
  as_list["options"] = Value::array({"compress", "notifempty", "create 0640 root adm", "missingok", "rotate 3", "daily",
                                     Value{{"postrotate", "touch /var/log/app/rotated.marker\n"}}});
  CHECK(host.run("logrotate", as_list)["changed"] == false);

  Value absent = {{"name", "app"}, {"state", "absent"}};
  CHECK(host.check("logrotate", absent)["changed"] == true);
  CHECK(host.try_sh("test -f /etc/logrotate.d/app").rc == 0);
  CHECK(host.run("logrotate", absent)["changed"] == true);
  CHECK(host.try_sh("test -e /etc/logrotate.d/app").rc != 0);
  CHECK(host.run("logrotate", absent)["changed"] == false);
}

TEST_CASE("logrotate: a configuration logrotate rejects leaves the old file", "[logrotate]") {
  ModuleHost host(hosts::kLogrotate);
  install_logrotate(host);
  host.sh("rm -f /etc/logrotate.d/app");
  REQUIRE(host.run("logrotate", kArgs)["changed"] == true);

  Value bad = kArgs;
  bad["options"]["su"] = "nosuchuser root";
  Value r = host.run("logrotate", bad);
  CHECK(r["failed"] == true);
  CHECK(r["msg"] ==
        "logrotate rejected the configuration for /etc/logrotate.d/app, which was left unchanged:\n"
        "error: /etc/logrotate.d/app:9 unknown user 'nosuchuser'\n"
        "error: found error in /var/log/app/*.log , skipping");
  CHECK(host.sh("cat /etc/logrotate.d/app") + "\n" == kExpected);
  CHECK(host.sh("ls -A /etc/logrotate.d | grep -c provision || true") == "0");

  Value unknown = kArgs;
  unknown["options"]["compres"] = true;
  r = host.run("logrotate", unknown);
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "unknown logrotate option 'compres' (did you mean 'compress'?)");

  r = host.run("logrotate", {{"name", "app"}, {"options", {{"daily", true}}}});
  CHECK(r["msg"] == "path is required with state=present");
  r = host.run("logrotate", {{"name", "../app"}, {"path", "/var/log/x"}});
  CHECK(r["msg"] == "name must be a file name without '/' that does not start with '.', got '../app'");
  CHECK_THROWS_WITH(host.run("logrotate", {{"name", "a"}, {"stat", "absent"}}),
                    Catch::StartsWith("Unsupported parameters for (logrotate) module: stat.") &&
                        Catch::EndsWith("(did you mean 'state'?)"));
}

TEST_CASE("logrotate: hostile values stay data", "[logrotate]") {
  ModuleHost host(hosts::kLogrotate);
  install_logrotate(host);
  host.sh("rm -f /tmp/pwned* ~/pwned* /pwned*");
  Value args = {{"name", "x;touch pwned1;$(touch pwned5)`touch pwned6`"},
                {"path", Value::array({"/var/log/$(touch /tmp/pwned2).log", "/var/log/`touch /tmp/pwned3`.log"})},
                {"options", {{"missingok", true}, {"su", "root root;touch /tmp/pwned4"}}}};
  Value r = host.run("logrotate", args);
  INFO(r.dump());
  // logrotate reads "root;touch" as a group that does not exist, and the file never lands.
  CHECK(r["failed"] == true);
  args["options"].erase("su");
  r = host.run("logrotate", args);
  INFO(r.dump());
  CHECK(r["changed"] == true);
  CHECK(host.sh("head -2 '/etc/logrotate.d/x;touch pwned1;$(touch pwned5)`touch pwned6`' | tail -1") ==
        "\"/var/log/$(touch /tmp/pwned2).log\" \"/var/log/`touch /tmp/pwned3`.log\" {");
  CHECK(host.sh("ls /tmp ~ / | grep -c pwned || true") == "0");
  host.sh("rm -f '/etc/logrotate.d/x;touch pwned1;$(touch pwned5)`touch pwned6`'");
}
