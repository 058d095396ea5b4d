// The service probe, Ansible's reading of an init script's status, and systemctl show.
#include <catch2/catch.hpp>

#include "../../../src/modules/services.h"
#include "helpers.h"

using namespace prov::mod;

TEST_CASE("an init script's status as Ansible reads it", "[service]") {
  CHECK(sysv_running("cron", 0, "cron is running.\n") == 1);
  CHECK(sysv_running("cron", 3, "cron is not running ... failed!\n") == 0);
  CHECK(sysv_running("cron", 0, "cron is not running\n") == 0);
  CHECK(sysv_running("nginx", 0, "nginx stopped\n") == 0);
  CHECK(sysv_running("svc", 0, "svc started\n") == 1);
  CHECK(sysv_running("svc", 0, "\n") == 1);  // only the status says so
  CHECK(sysv_running("svc", 5, "something\nelse\nentirely\n") == -1);
  CHECK(sysv_running("svc", 0, "line one\nline two\nis stopped\n") == 1);  // several lines: words are not read
  CHECK(sysv_running("svc", 7, "could not access PID file for svc\n") == 0);
  // The service's own name is removed before the words are read ("runner" would otherwise say running).
  CHECK(sysv_running("runner", 5, "runner: unknown\n") == -1);
}

TEST_CASE("the service probe's output", "[service]") {
  SysvProbe p = parse_sysv_probe("I 1\nS 1\nC 1\nU 1\nK 1\nR 3\nO cron is not running ... failed!\n");
  CHECK(p.initscript);
  CHECK(p.start_links);
  CHECK(p.service_cmd);
  CHECK(p.update_rcd);
  CHECK(p.kill_links);
  CHECK_FALSE(p.systemd);
  CHECK(p.has_status);
  CHECK(p.status_rc == 3);
  CHECK(p.status_out == "cron is not running ... failed!\n");

  SysvProbe s = parse_sysv_probe("Y 1\nQ 0\nD Id=cron.service\nD ActiveState=active\nD \nE 0\ne enabled\n");
  CHECK(s.systemd);
  CHECK(s.show_rc == 0);
  CHECK(parse_systemctl_show(s.show_out).at("ActiveState") == "active");
  CHECK(s.enabled_rc == 0);
  CHECK(s.enabled_out == "enabled");
  CHECK(parse_sysv_probe("X failure 1 during daemon-reload: boom\n").reload_error ==
        "failure 1 during daemon-reload: boom");
  CHECK(parse_sysv_probe("T 1\n").pattern_found);
  CHECK_THROWS_WITH(parse_sysv_probe("what\n"), "unexpected line in the service probe: what");
}

TEST_CASE("systemctl show: key=value lines, Exec values over several lines", "[systemd]") {
  auto parsed = parse_systemctl_show(
      "Id=nginx.service\n"
      "Description=A high performance web server\n"
      "ExecStart={ path=/usr/sbin/nginx ; argv[]=/usr/sbin/nginx -g daemon on;\n"
      "  master_process on; ; ignore_errors=no }\n"
      "ExecReload={ path=/usr/sbin/nginx ; argv[]=/usr/sbin/nginx -s reload }\n"
      "LoadState=loaded\n"
      "Environment=A=1 B=2\n"
      "no equals sign here\n");
  CHECK(parsed.at("Id") == "nginx.service");
  CHECK(parsed.at("ExecStart") ==
        "{ path=/usr/sbin/nginx ; argv[]=/usr/sbin/nginx -g daemon on;\n  master_process on; ; ignore_errors=no }");
  CHECK(parsed.at("ExecReload") == "{ path=/usr/sbin/nginx ; argv[]=/usr/sbin/nginx -s reload }");
  CHECK(parsed.at("LoadState") == "loaded");
  CHECK(parsed.at("Environment") == "A=1 B=2");
  CHECK(parsed.size() == 6);
}

TEST_CASE("the service probe script runs under sh; a hostile name stays data", "[service]") {
  test::Sandbox s;
  ProbeRequest request;
  request.name = "x\"; touch " + s.path("pwned") + "; \"";
  request.status = true;
  auto out = s.conn->run(sysv_probe_command(request));
  REQUIRE(out.rc == 0);
  SysvProbe p = parse_sysv_probe(out.out);
  CHECK_FALSE(p.initscript);
  CHECK_FALSE(p.has_status);
  request.pattern = true;
  prov::conn::RunOptions options;
  options.stdin_data = "$(touch " + s.path("pwned") + ")\n";
  out = s.conn->run(sysv_probe_command(request), options);
  REQUIRE(out.rc == 0);
  CHECK_FALSE(parse_sysv_probe(out.out).pattern_found);
  CHECK_FALSE(test::fs::exists(s.path("pwned")));
}
