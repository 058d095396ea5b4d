// ufw's status written on the controller, against `ufw status verbose` recorded from Debian 12's ufw 0.36.2 with
// the rules files beside it (tests/unit/modules/fixtures/ufw/), and the quick probe's reading of a host.
#include <catch2/catch.hpp>

#include "../../../src/modules/ufw_quick.h"
#include "helpers.h"

using namespace prov::mod::ufw;

namespace {

std::string fixture(const std::string& name) {
  return test::read_file(std::string(PROVISION_SOURCE_DIR) + "/tests/unit/modules/fixtures/ufw/" + name);
}

std::vector<Tuple> tuples_of(const std::string& rules_file) {
  std::vector<Tuple> out;
  size_t start = 0;
  while (start < rules_file.size()) {
    size_t end = rules_file.find('\n', start);
    if (end == std::string::npos) end = rules_file.size();
    if (auto t = parse_tuple(rules_file.substr(start, end - start))) out.push_back(*t);
    start = end + 1;
  }
  return out;
}

const std::string kDefaults =
    "# /etc/default/ufw\nIPV6=yes\nDEFAULT_INPUT_POLICY=\"DROP\"\nDEFAULT_OUTPUT_POLICY=\"ACCEPT\"\n"
    "DEFAULT_FORWARD_POLICY=\"DROP\"\nDEFAULT_APPLICATION_POLICY=\"SKIP\"\nMANAGE_BUILTINS=no\n"
    "IPT_SYSCTL=/etc/ufw/sysctl.conf\nIPT_MODULES=\"\"\n";

StatusInputs recorded(const std::string& loglevel) {
  StatusInputs in;
  in.settings = read_settings(kDefaults, "ENABLED=yes\nLOGLEVEL=" + loglevel + "\n");
  in.active = true;
  in.ipv6 = true;
  in.v4 = tuples_of(fixture("user.rules"));
  in.v6 = tuples_of(fixture("user6.rules"));
  return in;
}

// A quick probe's output as a host with Debian's ufw prints it.
std::string probe_output(const std::string& chains4, const std::string& chains6, const std::string& forward = "0",
                         const std::string& files = "/etc/ufw/user.rules /etc/ufw/user6.rules") {
  const std::string m = "@@m@@ ";
  return m + "path\n/usr/bin:/bin\n\n" + m + "bin\n/usr/sbin/ufw\n/usr/bin/grep\n\n" + m + "default\n" + kDefaults +
         "\n" + m + "conf\nENABLED=yes\nLOGLEVEL=low\n\n" + m + "forward\n" + forward + "\n0\n0\n\n" + m +
         "kernel-ipv6\n\n" + m + "tuples " + files +
         "\n/etc/ufw/user.rules:### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in\n"
         "/etc/ufw/user6.rules:### tuple ### allow tcp 22 ::/0 any ::/0 in\n\n" +
         m + "chains4\n" + chains4 + "\n" + m + "chains4-rc 0\n\n" + m + "chains6\n" + chains6 + "\n" + m +
         "chains6-rc 0\n\n" + m + "end\n";
}

const std::string kChains4 = "-P INPUT DROP\n-N ufw-user-input\n-N ufw-user-output\n-N ufw-user-forward\n";
const std::string kChains6 = "-P INPUT DROP\n-N ufw6-user-input\n-N ufw6-user-output\n-N ufw6-user-forward\n";

}  // namespace

TEST_CASE("ufw status verbose written from the rules files is ufw's own, byte for byte", "[ufw]") {
  // Ports, addresses, a comment with shell characters, a comment with a newline, log, an interface, an app
  // profile, an outgoing rule and a route rule, IPv4 and IPv6.
  CHECK(status_verbose(recorded("high")) == fixture("status_active.txt"));
  CHECK(status_verbose(recorded("off")) == fixture("status_logging_off.txt"));

  StatusInputs in = recorded("low");
  in.active = false;
  CHECK(status_verbose(in) == fixture("status_inactive.txt"));

  // No rules: the header alone. Forwarding on shows the routed policy; an unknown level is "unknown".
  in = recorded("loud");
  in.v4.clear();
  in.v6.clear();
  in.forwarding = true;
  CHECK(status_verbose(in) ==
        "Status: active\nLogging: unknown\nDefault: deny (incoming), allow (outgoing), deny (routed)\n"
        "New profiles: skip\n");

  // Without IPv6, user6.rules is not read.
  in = recorded("low");
  in.ipv6 = false;
  CHECK(status_verbose(in)->find("(v6)") == std::string::npos);

  // Settings ufw refuses to start with: ufw's own error is needed.
  in = recorded("low");
  in.settings.erase("default_output_policy");
  CHECK_FALSE(status_verbose(in).has_value());
  in = recorded("low");
  in.settings["default_input_policy"] = "block";
  CHECK_FALSE(status_verbose(in).has_value());
}

TEST_CASE("ufw settings are read as ufw reads them", "[ufw]") {
  auto s = read_settings("IPV6=YES\nDEFAULT_INPUT_POLICY='REJECT'\n  LATE=x\nIPT_SYSCTL=/etc/x\nEMPTY=\"\"\n#A=b\n",
                         "LOGLEVEL=\"Medium\"\nENABLED=no\n");
  // ufw's pattern takes double quotes only: the single-quoted policy is not a setting to it.
  CHECK(s == std::map<std::string, std::string>{{"ipv6", "yes"}, {"loglevel", "medium"}, {"enabled", "no"}});
}

TEST_CASE("ufw quick probe: active, inactive, and the states left to ufw", "[ufw]") {
  std::optional<State> st = parse_quick_probe(probe_output(kChains4, kChains6), "@@m@@");
  REQUIRE(st.has_value());
  CHECK(st->installed);
  CHECK(st->bin == "/usr/sbin/ufw");
  CHECK(st->grep == "/usr/bin/grep");
  CHECK(st->ipv6);
  CHECK(st->status.active);
  CHECK(st->config.enabled);
  CHECK(st->config.loglevel == "low");
  CHECK(st->config.policy.at("incoming") == "deny");
  REQUIRE(st->v4.size() == 1);
  REQUIRE(st->v6.size() == 1);
  CHECK(st->v6[0].raw == "### tuple ### allow tcp 22 ::/0 any ::/0 in");
  CHECK(st->status_text ==
        "Status: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n"
        "New profiles: skip\n\n"
        "To                         Action      From\n"
        "--                         ------      ----\n"
        "22/tcp                     ALLOW IN    Anywhere                  \n"
        "22/tcp (v6)                ALLOW IN    Anywhere (v6)             \n\n");

  // Forwarding on: the routed policy shows.
  st = parse_quick_probe(probe_output(kChains4, kChains6, "1"), "@@m@@");
  REQUIRE(st.has_value());
  CHECK(st->status.defaults.at("routed") == "deny");

  // The chains not loaded (a reboot without the ufw service): inactive, whatever ufw.conf says.
  st = parse_quick_probe(probe_output("-P INPUT ACCEPT\n-N ufw-user-input\n", kChains6), "@@m@@");
  REQUIRE(st.has_value());
  CHECK_FALSE(st->status.active);
  CHECK(st->status_text == "Status: inactive\n");

  // Left to ufw: IPv4 loaded without IPv6, rules kept elsewhere, another ufw, garbage.
  CHECK_FALSE(parse_quick_probe(probe_output(kChains4, "-P INPUT ACCEPT\n"), "@@m@@").has_value());
  CHECK_FALSE(parse_quick_probe(probe_output(kChains4, kChains6, "0",
                                             "/lib/ufw/user.rules /etc/ufw/user.rules "
                                             "/etc/ufw/user6.rules"),
                                "@@m@@")
                  .has_value());
  CHECK_FALSE(parse_quick_probe("@@m@@ path\n/bin\n\n@@m@@ other\n", "@@m@@").has_value());
  CHECK_FALSE(parse_quick_probe("@@m@@ path\n/bin\n\n@@m@@ missing\n", "@@m@@").has_value());
  CHECK_FALSE(parse_quick_probe("garbage\n", "@@m@@").has_value());
  std::string broken = probe_output(kChains4, kChains6);
  broken.replace(broken.find("any 0.0.0.0/0 in"), 16, "0.0.0.0/0 in");
  CHECK_FALSE(parse_quick_probe(broken, "@@m@@").has_value());
}
