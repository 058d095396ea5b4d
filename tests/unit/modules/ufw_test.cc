// ufw's parsers, on outputs recorded from Debian 12's ufw 0.36.2 (tests/unit/modules/fixtures/ufw/).
#include <catch2/catch.hpp>

#include "../../../src/modules/ufw_state.h"
#include "helpers.h"

using namespace prov::mod::ufw;

namespace {

std::string fixture(const std::string& name) {
  return test::read_file(std::string(PROVISION_SOURCE_DIR) + "/tests/unit/modules/fixtures/ufw/" + name);
}

std::vector<std::string> tuples_of(const std::string& rules_file) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < rules_file.size()) {
    size_t end = rules_file.find('\n', start);
    if (end == std::string::npos) end = rules_file.size();
    if (auto t = parse_tuple(rules_file.substr(start, end - start))) out.push_back(t->raw);
    start = end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("ufw status verbose: header and rule table", "[ufw]") {
  Status s = parse_status(fixture("status_active.txt"));
  CHECK(s.active);
  CHECK(s.logging == "high");
  CHECK(s.defaults ==
        std::map<std::string, std::string>{{"incoming", "deny"}, {"outgoing", "allow"}, {"routed", "disabled"}});
  REQUIRE(s.rules.size() == 13);
  CHECK(s.rules[0] == "22/tcp                     ALLOW IN    Anywhere");
  // A comment holding a newline spreads over two lines; a comment cannot forge the header.
  CHECK(s.rules[2] == "5434/tcp                   ALLOW IN    Anywhere                   # a");
  CHECK(s.rules[3] == "b");
  CHECK(s.rules.back() == "192.168.0.0/16 80/tcp on eth1 ALLOW FWD   10.0.0.0/8 on eth0");

  Status off = parse_status(fixture("status_logging_off.txt"));
  CHECK(off.active);
  CHECK(off.logging == "off");

  Status inactive = parse_status(fixture("status_inactive.txt"));
  CHECK_FALSE(inactive.active);
  CHECK(inactive.logging.empty());
  CHECK(inactive.defaults.empty());
  CHECK(inactive.rules.empty());
  CHECK_FALSE(parse_status("Status: inactive\n\nTo Action From\n-- ------ ----\nStatus: active\n").active);
}

TEST_CASE("ufw user.rules tuples: actions, ports, addresses, interfaces, apps, comments", "[ufw]") {
  std::vector<std::string> v4 = tuples_of(fixture("user.rules"));
  std::vector<std::string> v6 = tuples_of(fixture("user6.rules"));
  REQUIRE(v4.size() == 7);
  REQUIRE(v6.size() == 4);

  Tuple plain = *parse_tuple(v4[0]);
  CHECK(plain.action == "allow");
  CHECK_FALSE(plain.route);
  CHECK(plain.log.empty());
  CHECK(plain.proto == "tcp");
  CHECK(plain.dport == "22");
  CHECK(plain.dst == "0.0.0.0/0");
  CHECK(plain.sport == "any");
  CHECK(plain.src == "0.0.0.0/0");
  CHECK(plain.direction == "in");
  CHECK(plain.comment.empty());

  Tuple commented = *parse_tuple(v4[1]);
  CHECK(commented.src == "10.1.0.0/16");
  CHECK(commented.comment == "x;$(touch /tmp/pwned) \"q\" `id`");
  CHECK(parse_tuple(v4[2])->comment == "a\nb");

  Tuple routed = *parse_tuple(v4[3]);
  CHECK(routed.route);
  CHECK(routed.action == "allow");
  CHECK(routed.dst == "192.168.0.0/16");
  CHECK(routed.interface_in == "eth0");
  CHECK(routed.interface_out == "eth1");

  Tuple logged = *parse_tuple(v4[4]);
  CHECK(logged.log == "log");
  CHECK(logged.sport == "53");
  CHECK(logged.interface_in == "eth0");

  Tuple out = *parse_tuple(v4[5]);
  CHECK(out.action == "deny");
  CHECK(out.direction == "out");
  CHECK(out.interface_out == "eth0");
  CHECK(out.dst == "8.8.8.8");

  Tuple app = *parse_tuple(v4[6]);
  CHECK(app.dapp == "OpenSSH");
  CHECK(app.sapp == "-");
  CHECK(app.direction == "in");

  CHECK(parse_tuple(v6[0])->dst == "::/0");
  CHECK_FALSE(parse_tuple("-A ufw-user-input -p tcp --dport 22 -j ACCEPT"));
  CHECK_FALSE(parse_tuple("### tuple ### allow tcp"));
}

TEST_CASE("ufw configuration files: policies, log level, enabled", "[ufw]") {
  Config c = parse_config(
      "# comment\nIPV6=yes\nDEFAULT_INPUT_POLICY=\"DROP\"\nDEFAULT_OUTPUT_POLICY=\"ACCEPT\"\n"
      "DEFAULT_FORWARD_POLICY=\"REJECT\"\n",
      "# /etc/ufw/ufw.conf\nENABLED=yes\nLOGLEVEL=medium\n");
  CHECK(c.policy ==
        std::map<std::string, std::string>{{"incoming", "deny"}, {"outgoing", "allow"}, {"routed", "reject"}});
  CHECK(c.loglevel == "medium");
  CHECK(c.enabled);
  CHECK_FALSE(parse_config("", "ENABLED=no\n").enabled);
}

TEST_CASE("ufw --dry-run: which rules files would change", "[ufw]") {
  State st;
  for (const auto& line : tuples_of(fixture("user.rules"))) st.v4.push_back(*parse_tuple(line));
  for (const auto& line : tuples_of(fixture("user6.rules"))) st.v6.push_back(*parse_tuple(line));

  DryRun add = parse_dry_run(fixture("dry_run_add.txt"));
  CHECK(add.writes_v4);
  CHECK(add.writes_v6);
  CHECK(add.v4.size() == 8);
  CHECK(add.v4.back() == "### tuple ### allow tcp 443 0.0.0.0/0 any 0.0.0.0/0 in");
  CHECK(add.v6.back() == "### tuple ### allow tcp 443 ::/0 any ::/0 in");
  CHECK(dry_run_changes(add, st));

  DryRun skip = parse_dry_run(fixture("dry_run_skip.txt"));
  CHECK_FALSE(skip.writes_v4);
  CHECK_FALSE(skip.writes_v6);
  CHECK_FALSE(dry_run_changes(skip, st));

  DryRun v4_only = parse_dry_run(fixture("dry_run_v4_only.txt"));
  CHECK(v4_only.writes_v4);
  CHECK_FALSE(v4_only.writes_v6);
  CHECK(dry_run_changes(v4_only, st));

  // A dry run that writes the files as they are (deleting a rule that is not there) changes nothing.
  State same = st;
  same.v4.push_back(*parse_tuple("### tuple ### allow tcp 443 0.0.0.0/0 any 0.0.0.0/0 in"));
  same.v6.push_back(*parse_tuple("### tuple ### allow tcp 443 ::/0 any ::/0 in"));
  CHECK_FALSE(dry_run_changes(add, same));
  // Order matters: an insert moves a rule.
  std::swap(same.v4[0], same.v4[1]);
  CHECK(dry_run_changes(add, same));
}

TEST_CASE("ufw probe runs as sh and passes hostile rule words as single arguments", "[ufw]") {
  test::Sandbox s;
  // A stand-in ufw in PATH: prints its status fixture, and for a dry run one argument per line.
  const std::string bin = s.path("bin");
  test::fs::create_directories(bin);
  {
    std::ofstream f(bin + "/ufw");
    f << "#!/bin/sh\n"
         "if [ \"$1\" = status ]; then printf 'Status: active\\nLogging: on (low)\\n"
         "Default: deny (incoming), allow (outgoing), disabled (routed)\\n'; exit 0; fi\n"
         "if [ \"$1\" = --dry-run ]; then shift; for a in \"$@\"; do printf '<%s>\\n' \"$a\"; done; exit 3; fi\n"
         "exit 9\n";
  }
  test::fs::permissions(bin + "/ufw", static_cast<test::fs::perms>(0755));
  const std::string marker = "@@m@@";
  const std::string hostile = "x'; touch " + s.path("pwned") + "; $(touch " + s.path("pwned2") + ") `id`\nnext";
  std::string script =
      "PATH=" + prov::conn::shell_quote(bin) + ":$PATH\n" + probe_script(marker, {"allow", "comment", hostile});
  prov::conn::CommandResult r = s.conn->run(script);
  REQUIRE(r.rc == 0);
  State st = parse_probe(r.out, marker);
  CHECK(st.installed);
  CHECK(st.bin == bin + "/ufw");
  CHECK(st.status.active);
  CHECK(st.status.logging == "low");
  CHECK(st.dry_ran);
  CHECK(st.dry_rc == 3);
  CHECK(st.dry_out == "<allow>\n<comment>\n<" + hostile + ">\n");
  CHECK_FALSE(test::fs::exists(s.path("pwned")));
  CHECK_FALSE(test::fs::exists(s.path("pwned2")));

  // Without ufw the probe says so and gives the PATH for the message.
  r = s.conn->run("PATH=/nonexistent-bin:/usr/bin:/bin\n" + probe_script(marker, {}));
  State missing = parse_probe(r.out, marker);
  CHECK_FALSE(missing.installed);
  CHECK(missing.path == "/nonexistent-bin:/usr/bin:/bin");
  CHECK_THROWS_WITH(parse_probe("garbage\n", marker), "cannot read ufw's state: unexpected probe output");
}

TEST_CASE("ufw state snapshot and a fresh install", "[ufw]") {
  State fresh = fresh_install_state();
  CHECK(fresh.installed);
  CHECK_FALSE(fresh.status.active);
  CHECK(fresh.config.policy.at("incoming") == "deny");
  CHECK(fresh.config.loglevel == "low");
  State other = fresh;
  CHECK(other.snapshot() == fresh.snapshot());
  other.config.policy["routed"] = "allow";  // invisible in `ufw status verbose`, still a change
  CHECK(other.snapshot() != fresh.snapshot());
}
