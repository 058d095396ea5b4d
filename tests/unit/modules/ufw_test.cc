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

#include "provision/modules/module.h"

namespace {

// Counts the commands a module sends: each is one round trip over SSH.
class CountingConnection : public prov::conn::Connection {
 public:
  explicit CountingConnection(prov::conn::Connection& inner) : inner_(inner) {}
  void connect() override {}
  prov::conn::CommandResult run(const std::string& command, const prov::conn::RunOptions& options) override {
    ++runs;
    return inner_.run(command, options);
  }
  void put_file(const std::string& content, const std::string& path, const prov::conn::PutOptions& options) override {
    inner_.put_file(content, path, options);
  }
  std::string fetch_file(const std::string& path, const prov::conn::Become& become) override {
    return inner_.fetch_file(path, become);
  }
  void close() override {}
  std::string kind() const override { return "counting"; }
  int runs = 0;

 private:
  prov::conn::Connection& inner_;
};

// A stand-in ufw: `status verbose` shows the rules it holds; a dry run skips a rule it holds and otherwise
// prints a rules file with it; a real rule command records its arguments, one per line, in the log.
struct FakeUfw {
  test::Sandbox s;
  CountingConnection counting{*s.conn};

  FakeUfw() {
    test::fs::create_directories(s.path("bin"));
    std::ofstream f(s.path("bin/ufw"));
    f << "#!/bin/sh\n"
         "case \"$1\" in\n"
         "status) if [ -f \"$FAKE/not-root\" ]; then echo 'ERROR: You need to be root to run this script' >&2; exit 1; "
         "fi\n"
         "  printf 'Status: active\\nLogging: on (low)\\nDefault: deny (incoming), allow (outgoing), disabled "
         "(routed)\\n\\n'; cat \"$FAKE/rules\" 2>/dev/null; exit 0;;\n"
         "--dry-run) shift; if grep -qxF -- \"$*\" \"$FAKE/rules\" 2>/dev/null; then echo 'Skipping adding existing "
         "rule'; else printf '*filter\\n### tuple ### allow tcp 9 0.0.0.0/0 any 0.0.0.0/0 in\\nCOMMIT\\n'; fi; exit "
         "0;;\n"
         "*) echo \"$*\" >>\"$FAKE/rules\"; for a in \"$@\"; do printf '<%s>\\n' \"$a\"; done >>\"$FAKE/log\";;\n"
         "esac\n";
    f.close();
    test::fs::permissions(s.path("bin/ufw"), static_cast<test::fs::perms>(0755));
  }

  prov::Value run(const prov::Value& args, bool check = false) {
    const prov::mod::Module* m = prov::mod::find_module("community.general.ufw");
    REQUIRE(m != nullptr);
    prov::mod::Context ctx;
    ctx.conn = &counting;
    ctx.args = prov::mod::validate_args(m->spec(), args);
    ctx.check_mode = check;
    ctx.env = {{"PATH", s.path("bin") + ":/usr/bin:/bin"}, {"FAKE", s.dir.string()}};
    counting.runs = 0;
    return prov::mod::execute(*m, ctx);
  }
};

}  // namespace

// A ufw other than Debian's package is never judged from files: the quick probe gives up at once (one round trip),
// then ufw itself is asked (one more), and acting is one more again.
TEST_CASE("ufw not installed as Debian's package: ufw itself judges, and acts in one more round trip", "[ufw]") {
  FakeUfw ufw;
  prov::Value rule = {{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}};

  prov::Value predicted = ufw.run(rule, true);
  CHECK(predicted["changed"] == true);
  CHECK(ufw.counting.runs == 2);
  CHECK_FALSE(test::fs::exists(ufw.s.path("log")));

  prov::Value applied = ufw.run(rule);
  CHECK(applied["changed"] == true);
  CHECK(ufw.counting.runs == 3);
  CHECK(test::read_file(ufw.s.path("log")) == "<allow>\n<from>\n<any>\n<to>\n<any>\n<port>\n<22>\n<proto>\n<tcp>\n");
  CHECK(applied["msg"] ==
        "Status: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n\n"
        "allow from any to any port 22 proto tcp");
  CHECK(applied["commands"].back().get<std::string>().find("^### tuple") != std::string::npos);

  prov::Value again = ufw.run(rule);
  CHECK(again["changed"] == false);
  CHECK(ufw.counting.runs == 2);
  CHECK(again["msg"] == applied["msg"]);

  // Every word reaches ufw as one argument, shell characters included.
  const std::string comment = "a'b; touch " + ufw.s.path("pwned") + " $(touch " + ufw.s.path("pwned") + ")\nc";
  CHECK(ufw.run({{"rule", "deny"},
                 {"port", "23"},
                 {"comment", comment},
                 {"direction", "in"},
                 {"interface", "eth0"},
                 {"log", true}})["changed"] == true);
  CHECK(test::read_file(ufw.s.path("log"))
            .find("<deny>\n<in>\n<on>\n<eth0>\n<log>\n<from>\n<any>\n<to>\n<any>\n"
                  "<port>\n<23>\n<comment>\n<" +
                  comment + ">\n") != std::string::npos);
  CHECK_FALSE(test::fs::exists(ufw.s.path("pwned")));

  // A status that fails is a failed result with ufw's words.
  std::ofstream(ufw.s.path("not-root")) << "";
  prov::Value refused = ufw.run(rule);
  CHECK(refused["failed"] == true);
  CHECK(refused["msg"] == "ERROR: You need to be root to run this script\n");
}
