// service and systemd on a real Debian host without systemd: cron's init script (installed with apt-get) is
// started, stopped and enabled through its rc links; the process table and /etc/rc?.d are checked after each run.
#include <catch2/catch.hpp>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::test::ModuleHost;

namespace {

// The host with cron installed, stopped and disabled.
ModuleHost cron_host(bool fresh) {
  ModuleHost host = fresh ? ModuleHost::fresh(prov::test::hosts::kService) : ModuleHost(prov::test::hosts::kService);
  host.sh(
      "test -x /etc/init.d/cron || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive "
      "apt-get install -y -qq --no-install-recommends cron >/dev/null 2>&1; }");
  host.sh("service cron stop >/dev/null 2>&1; update-rc.d cron disable >/dev/null 2>&1; true");
  return host;
}

bool running(ModuleHost& host) { return host.try_sh("pgrep -x cron >/dev/null").rc == 0; }
bool start_links(ModuleHost& host) { return host.try_sh("ls /etc/rc2.d/S??cron >/dev/null 2>&1").rc == 0; }

}  // namespace

TEST_CASE("service: cron's init script: started, stopped, restarted, reloaded, enabled", "[service]") {
  ModuleHost host = cron_host(true);
  REQUIRE_FALSE(running(host));
  REQUIRE_FALSE(start_links(host));

  std::string before = host.upper_listing();
  Value r = host.check("service", {{"name", "cron"}, {"state", "started"}});
  CHECK(r == Value{{"changed", true}, {"msg", "service state changed"}});
  CHECK_FALSE(running(host));
  CHECK(host.upper_listing() == before);

  r = host.run("service", {{"name", "cron"}, {"state", "started"}});
  CHECK(r == Value{{"name", "cron"}, {"state", "started"}, {"changed", true}});
  CHECK(running(host));
  CHECK(host.run("service", {{"name", "cron"}, {"state", "started"}})["changed"] == false);

  // enabled: the S links in /etc/rc[2-5].d.
  before = host.upper_listing();
  CHECK(host.check("service", {{"name", "cron"}, {"enabled", true}}) ==
        Value{{"name", "cron"}, {"enabled", true}, {"changed", true}});
  CHECK(host.upper_listing() == before);
  r = host.run("service", {{"name", "cron"}, {"enabled", true}});
  CHECK(r == Value{{"name", "cron"}, {"enabled", true}, {"changed", true}});
  CHECK(host.sh("ls /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d | grep -c '^S..cron$'") == "4");
  r = host.run("service", {{"name", "cron"}, {"enabled", true}, {"state", "started"}});
  CHECK(r == Value{{"name", "cron"}, {"enabled", true}, {"state", "started"}, {"changed", false}});

  // restarted and reloaded always change; restart gives a new process.
  const std::string pid = host.sh("pgrep -x cron");
  r = host.run("service", {{"name", "cron"}, {"state", "restarted"}, {"sleep", 1}});
  CHECK(r == Value{{"name", "cron"}, {"state", "started"}, {"changed", true}});
  CHECK(running(host));
  CHECK(host.sh("pgrep -x cron") != pid);
  r = host.run("service", {{"name", "cron"}, {"state", "reloaded"}});
  CHECK(r["changed"] == true);
  CHECK(running(host));

  r = host.run("service", {{"name", "cron"}, {"state", "stopped"}, {"enabled", false}});
  CHECK(r == Value{{"name", "cron"}, {"enabled", false}, {"state", "stopped"}, {"changed", true}});
  CHECK_FALSE(running(host));
  CHECK_FALSE(start_links(host));
  CHECK(host.sh("ls /etc/rc2.d | grep -c '^K..cron$'") == "1");
  CHECK(host.run("service", {{"name", "cron"}, {"state", "stopped"}, {"enabled", false}})["changed"] == false);

  // A reload of a stopped service starts it.
  CHECK(host.run("service", {{"name", "cron"}, {"state", "reloaded"}})["changed"] == true);
  CHECK(running(host));
  host.sh("service cron stop >/dev/null");

  // pattern: the process table decides, not the status command.
  r = host.run("service", {{"name", "cron"}, {"state", "started"}, {"pattern", "/usr/sbin/cron"}});
  CHECK(r["changed"] == true);
  CHECK(running(host));
  CHECK(host.run("service", {{"name", "cron"}, {"state", "started"}, {"pattern", "/usr/sbin/cron"}})["changed"] ==
        false);
  CHECK(host.run("service", {{"name", "cron"}, {"state", "stopped"}, {"pattern", "/usr/sbin/cron"}})["changed"] ==
        true);
  CHECK_FALSE(running(host));
}

TEST_CASE("service: a missing service, the plan, hostile names, argument errors", "[service]") {
  ModuleHost host = cron_host(false);
  Value r = host.run("service", {{"name", "nosuch"}, {"state", "started"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Could not find the requested service nosuch: host");

  // In check mode a service an earlier task's package would bring is assumed to come with it.
  std::string before = host.upper_listing();
  r = host.check("service", {{"name", "nginx"}, {"state", "started"}, {"enabled", true}});
  CHECK(r["failed"] == true);
  host.plan().packages.insert("nginx-light");
  r = host.check("service", {{"name", "nginx"}, {"state", "started"}, {"enabled", true}});
  CHECK(r == Value{{"name", "nginx"},
                   {"changed", true},
                   {"msg",
                    "Service nginx is not installed yet; assumed to come with a pending package (nginx-light): "
                    "would start and enable it"},
                   {"enabled", true},
                   {"state", "started"}});
  r = host.check("service", {{"name", "nginx"}, {"state", "stopped"}});
  CHECK(r["changed"] == false);
  CHECK(host.upper_listing() == before);
  host.plan().packages.clear();

  for (const std::string name :
       {"cron; touch /tmp/pwned", "$(touch /tmp/pwned)", "../../../bin/touch /tmp/pwned", "`touch /tmp/pwned`"}) {
    r = host.run("service", {{"name", name}, {"state", "started"}, {"enabled", true}});
    CHECK(r["failed"] == true);
  }
  r = host.run("service", {{"name", "cron"},
                           {"state", "stopped"},
                           {"pattern", "x'; touch /tmp/pwned; '"},
                           {"arguments", "$(touch /tmp/pwned)"}});
  CHECK(r["changed"] == false);
  CHECK(host.try_sh("ls /tmp/pwned*").rc != 0);

  CHECK_THROWS_WITH(host.run("service", {{"name", "cron"}}), "one of the following is required: state, enabled");
  CHECK_THROWS_WITH(host.run("service", {{"name", "cron"}, {"state", "running"}}),
                    "value of state must be one of: reloaded, restarted, started, stopped, got: running");
  CHECK_THROWS_WITH(host.run("service", {{"state", "started"}}), "missing required arguments: name");
}

TEST_CASE("systemd: on a host without systemd, state and enabled go through the init script", "[systemd]") {
  ModuleHost host = cron_host(false);
  REQUIRE(prov::mod::find_module("systemd_service") == prov::mod::find_module("systemd"));
  REQUIRE(prov::mod::find_module("ansible.builtin.systemd_service") == prov::mod::find_module("systemd"));

  std::string before = host.upper_listing();
  Value r = host.check("systemd", {{"name", "cron"}, {"state", "started"}, {"enabled", true}});
  CHECK(
      r ==
      Value{{"name", "cron"}, {"changed", true}, {"status", Value::object()}, {"enabled", true}, {"state", "started"}});
  CHECK(host.upper_listing() == before);
  CHECK_FALSE(running(host));

  r = host.run("systemd_service", {{"name", "cron"}, {"state", "started"}, {"enabled", true}, {"daemon_reload", true}});
  CHECK(
      r ==
      Value{{"name", "cron"}, {"changed", true}, {"status", Value::object()}, {"enabled", true}, {"state", "started"}});
  CHECK(running(host));
  CHECK(start_links(host));
  r = host.run("systemd", {{"name", "cron"}, {"state", "started"}, {"enabled", true}, {"masked", false}});
  CHECK(r["changed"] == false);
  r = host.run("systemd", {{"name", "cron"}, {"state", "restarted"}});
  CHECK(r == Value{{"name", "cron"}, {"changed", true}, {"status", Value::object()}, {"state", "started"}});
  r = host.run("systemd", {{"unit", "cron"}, {"state", "stopped"}, {"enabled", false}});
  CHECK(r["changed"] == true);
  CHECK_FALSE(running(host));
  CHECK_FALSE(start_links(host));

  CHECK(host.run("systemd", {{"daemon_reload", true}}) ==
        Value{{"name", nullptr}, {"changed", false}, {"status", Value::object()}});
  r = host.run("systemd", {{"name", "cron"}, {"masked", true}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] ==
        "masked=true needs systemd, which this host does not run (/run/systemd/system is missing); use "
        "enabled=false to keep cron from starting at boot");
  r = host.run("systemd", {{"name", "cron"}, {"state", "started"}, {"scope", "user"}});
  CHECK(r["msg"] == "scope=user needs systemd, which this host does not run (/run/systemd/system is missing)");
  r = host.run("systemd", {{"name", "cron*"}, {"state", "started"}});
  CHECK(r["msg"] == "This module does not currently support using glob patterns, found '*' in service name: cron*");
  r = host.run("systemd", {{"state", "started"}});
  CHECK(r["msg"] == "missing parameter(s) required by 'state': name");
  r = host.run("systemd", {{"name", "nosuch"}, {"state", "started"}});
  CHECK(r["msg"] == "Could not find the requested service nosuch: host");
  CHECK_THROWS_WITH(host.run("systemd", {{"name", "cron"}}),
                    "one of the following is required: state, enabled, masked, daemon_reload, daemon_reexec");
  CHECK(host.try_sh("ls /tmp/pwned*").rc != 0);
}
