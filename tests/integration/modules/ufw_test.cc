// ufw on real hosts: ufw runs inside each sandbox host's own network namespace, so enabling it with a default deny
// policy is real, and SSH must keep working through the rules the tests add.
#include <catch2/catch.hpp>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::test::ModuleHost;
namespace hosts = prov::test::hosts;

namespace {

void install_ufw(ModuleHost& host) {
  host.sh(
      "command -v ufw >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
      "ufw >/dev/null; }");
}

// ufw names its reset backups by the second and refuses to overwrite one, so a second reset within the same
// second fails unless the backups of the first are gone first.
constexpr const char* kResetUfw =
    "rm -f /etc/ufw/*.rules.[0-9]* /etc/ufw/*.rules.*_* && ufw --force reset >/dev/null && "
    "rm -f /etc/ufw/*.rules.[0-9]* /etc/ufw/*.rules.*_*";

// ufw installed, with no rules, inactive, and its defaults: as after a fresh install.
ModuleHost clean_ufw_host(int n) {
  ModuleHost host(n);
  install_ufw(host);
  host.sh(std::string(kResetUfw) +
          " && ufw logging low >/dev/null && ufw default deny incoming >/dev/null && ufw default allow outgoing "
          ">/dev/null && "
          "ufw default deny routed >/dev/null");
  return host;
}

// One line of `ufw status`'s table as ufw prints it (columns of 27 and 12 characters), without trailing blanks.
std::string row(const std::string& to, const std::string& action, const std::string& from,
                const std::string& comment = "") {
  auto pad = [](std::string s, size_t width) {
    s.resize(std::max(width, s.size() + 1), ' ');
    return s;
  };
  return pad(to, 27) + pad(action, 12) + (comment.empty() ? from : pad(from, 27) + "# " + comment);
}

// The rule table of `ufw status` (the lines below "--"), trailing blanks removed, one line each.
std::string rules_table(ModuleHost& host) {
  std::string out = host.sh("LANG=C ufw status");
  std::string table;
  bool in_table = false;
  size_t start = 0;
  while (start <= out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (in_table && !line.empty()) table += line + "\n";
    if (line.rfind("--", 0) == 0) in_table = true;
    start = end + 1;
  }
  return table;
}

Value apply_ok(ModuleHost& host, const Value& args) {
  Value r = host.run("ufw", args);
  INFO(r.dump());
  REQUIRE_FALSE(r.contains("failed"));
  return r;
}

// Applies args, expects a change, then applies them again and expects none.
void converge(ModuleHost& host, const Value& args) {
  INFO("args " << args.dump());
  Value first = apply_ok(host, args);
  CHECK(first["changed"] == true);
  Value again = apply_ok(host, args);
  CHECK(again["changed"] == false);
}

}  // namespace

TEST_CASE("ufw without ufw installed: Ansible's message, and check mode after a planned install", "[ufw]") {
  ModuleHost host = ModuleHost::fresh(hosts::kSpare);
  Value r = host.run("ufw", {{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().rfind("Failed to find required executable \"ufw\" in paths: ", 0) == 0);
  CHECK(r["msg"].get<std::string>().find("/usr/sbin") != std::string::npos);

  // In check mode without a planned install it fails the same way.
  CHECK(host.check("ufw", {{"state", "enabled"}})["failed"] == true);

  host.plan().packages.insert("ufw");
  std::string before = host.upper_listing();
  CHECK(host.check("ufw", {{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}})["changed"] == true);
  CHECK(host.check("ufw", {{"state", "enabled"}})["changed"] == true);
  CHECK(host.check("ufw", {{"state", "disabled"}})["changed"] == false);
  CHECK(host.check("ufw", {{"default", "deny"}, {"direction", "incoming"}})["changed"] == false);
  CHECK(host.check("ufw", {{"default", "reject"}})["changed"] == true);
  CHECK(host.check("ufw", {{"logging", "on"}})["changed"] == false);
  CHECK(host.check("ufw", {{"logging", "full"}})["changed"] == true);
  CHECK(host.check("ufw", {{"rule", "allow"}, {"port", "22"}, {"delete", true}})["changed"] == false);
  CHECK(host.upper_listing() == before);
  CHECK(host.try_sh("command -v ufw").rc != 0);
}

TEST_CASE("ufw rules, policies, logging and state on a fresh host", "[ufw]") {
  ModuleHost host = ModuleHost::fresh(hosts::kUfw);
  install_ufw(host);

  // Check mode predicts and writes nothing, while ufw is inactive and later while it is active.
  std::string listing = host.upper_listing();
  CHECK(host.check("ufw", {{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}})["changed"] == true);
  CHECK(host.check("ufw", {{"state", "enabled"}})["changed"] == true);
  CHECK(host.check("ufw", {{"default", "allow"}, {"direction", "outgoing"}})["changed"] == false);
  CHECK(host.check("ufw", {{"logging", "high"}})["changed"] == true);
  CHECK(host.upper_listing() == listing);
  CHECK(host.sh("LANG=C ufw status") == "Status: inactive");

  // The default incoming policy of a fresh install is already deny.
  Value deny = apply_ok(host, {{"default", "deny"}, {"direction", "incoming"}});
  CHECK(deny["changed"] == false);
  CHECK(host.sh("grep '^DEFAULT_INPUT_POLICY' /etc/default/ufw") == "DEFAULT_INPUT_POLICY=\"DROP\"");
  converge(host, {{"policy", "reject"}, {"direction", "outgoing"}});
  CHECK(host.sh("grep '^DEFAULT_OUTPUT_POLICY' /etc/default/ufw") == "DEFAULT_OUTPUT_POLICY=\"REJECT\"");
  converge(host, {{"policy", "allow"}, {"direction", "outgoing"}});

  // SSH first, then the rest, each applied twice.
  Value ssh = apply_ok(host, {{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}});
  CHECK(ssh["changed"] == true);
  CHECK(ssh["msg"] == "Status: inactive");
  CHECK(ssh["commands"].dump().find("allow from any to any port 22 proto tcp") != std::string::npos);
  CHECK(apply_ok(host, {{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}})["changed"] == false);
  converge(host, {{"rule", "allow"}, {"port", "80"}});
  converge(host, {{"rule", "allow"}, {"to_port", "443"}, {"protocol", "tcp"}, {"comment", "https"}});
  converge(host, {{"rule", "allow"}, {"port", "9200:9400"}, {"proto", "tcp"}});
  converge(host, {{"rule", "allow"}, {"src", "10.0.0.0/8"}, {"port", "5432"}, {"proto", "tcp"}});
  CHECK(host.sh("grep -c '^### tuple' /etc/ufw/user.rules /etc/ufw/user6.rules") ==
        "/etc/ufw/user.rules:5\n/etc/ufw/user6.rules:4");

  // Enabling keeps this session and lets new SSH sessions in through the port 22 rule.
  Value enabled = apply_ok(host, {{"state", "enabled"}});
  CHECK(enabled["changed"] == true);
  CHECK(enabled["msg"].get<std::string>().rfind("Status: active\nLogging: on (low)\nDefault: deny (incoming), "
                                                "allow (outgoing), disabled (routed)",
                                                0) == 0);
  CHECK(apply_ok(host, {{"state", "enabled"}})["changed"] == false);
  CHECK(host.sh("echo still-here") == "still-here");
  {
    ModuleHost second(hosts::kUfw);
    CHECK(second.sh("echo new-session") == "new-session");
  }
  CHECK(host.sh("iptables -S ufw-user-input | grep -c -- '--dport 22 '") == "1");
  CHECK(rules_table(host) ==
        row("22/tcp", "ALLOW", "Anywhere") + "\n" + row("80", "ALLOW", "Anywhere") + "\n" +
            row("443/tcp", "ALLOW", "Anywhere", "https") + "\n" + row("9200:9400/tcp", "ALLOW", "Anywhere") + "\n" +
            row("5432/tcp", "ALLOW", "10.0.0.0/8") + "\n" + row("22/tcp (v6)", "ALLOW", "Anywhere (v6)") + "\n" +
            row("80 (v6)", "ALLOW", "Anywhere (v6)") + "\n" + row("443/tcp (v6)", "ALLOW", "Anywhere (v6)", "https") +
            "\n" + row("9200:9400/tcp (v6)", "ALLOW", "Anywhere (v6)") + "\n");

  // Every rule again while active: nothing changes.
  for (const Value& args :
       {Value{{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}}, Value{{"rule", "allow"}, {"port", "80"}},
        Value{{"rule", "allow"}, {"port", "443"}, {"proto", "tcp"}, {"comment", "https"}},
        Value{{"rule", "allow"}, {"port", "9200:9400"}, {"proto", "tcp"}},
        Value{{"rule", "allow"}, {"from_ip", "10.0.0.0/8"}, {"port", "5432"}, {"proto", "tcp"}},
        Value{{"default", "deny"}}, Value{{"logging", "on"}}}) {
    INFO(args.dump());
    CHECK(apply_ok(host, args)["changed"] == false);
  }

  // Check mode while active: predicted, not written.
  listing = host.upper_listing();
  CHECK(host.check("ufw", {{"rule", "deny"}, {"port", "8080"}, {"proto", "tcp"}})["changed"] == true);
  CHECK(host.check("ufw", {{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}})["changed"] == false);
  CHECK(host.check("ufw", {{"rule", "allow"}, {"port", "80"}, {"delete", true}})["changed"] == true);
  CHECK(host.check("ufw", {{"rule", "allow"}, {"port", "81"}, {"delete", true}})["changed"] == false);
  CHECK(host.check("ufw", {{"state", "disabled"}})["changed"] == true);
  CHECK(host.upper_listing() == listing);
  CHECK(host.sh("LANG=C ufw status | head -1") == "Status: active");

  // limit, insert at position 1, delete.
  converge(host, {{"rule", "limit"}, {"port", "2222"}, {"proto", "tcp"}});
  converge(host, {{"rule", "deny"}, {"from", "192.0.2.7"}, {"insert", 1}});
  CHECK(host.sh("LANG=C ufw status numbered | sed -n 's/ *$//; 5p'") ==
        "[ 1] " + row("Anywhere", "DENY IN", "192.0.2.7"));
  CHECK(host.sh("grep '^### tuple' /etc/ufw/user.rules | tail -1") ==
        "### tuple ### limit tcp 2222 0.0.0.0/0 any 0.0.0.0/0 in");
  converge(host, {{"rule", "allow"}, {"port", "80"}, {"delete", true}});
  CHECK(host.try_sh("grep -q '^### tuple ### allow any 80 ' /etc/ufw/user.rules /etc/ufw/user6.rules").rc != 0);

  // Logging: a level, "on" keeps the level, off.
  converge(host, {{"logging", "medium"}});
  CHECK(apply_ok(host, {{"logging", "on"}})["changed"] == false);
  CHECK(host.sh("LANG=C ufw status verbose | sed -n 2p") == "Logging: on (medium)");
  converge(host, {{"logging", "off"}});
  CHECK(host.sh("LANG=C ufw status verbose | sed -n 2p") == "Logging: off");

  // reloaded always reports a change, as in Ansible.
  CHECK(apply_ok(host, {{"state", "reloaded"}})["changed"] == true);

  // disable, then reset: no rules left.
  converge(host, {{"state", "disabled"}});
  CHECK(host.sh("LANG=C ufw status") == "Status: inactive");
  CHECK(host.sh("grep '^ENABLED' /etc/ufw/ufw.conf") == "ENABLED=no");
  CHECK(apply_ok(host, {{"state", "reset"}})["changed"] == true);
  CHECK(host.try_sh("grep -q '^### tuple' /etc/ufw/user.rules /etc/ufw/user6.rules").rc != 0);
}

TEST_CASE("ufw failures: a range without a protocol, bad directions, a quote in a comment", "[ufw]") {
  ModuleHost host = clean_ufw_host(hosts::kUfw);
  Value r = host.run("ufw", {{"rule", "allow"}, {"port", "9200:9400"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "ERROR: Must specify 'tcp' or 'udp' with multiple ports\n");
  CHECK(host.check("ufw", {{"rule", "allow"}, {"port", "9200:9400"}})["msg"] ==
        "ERROR: Must specify 'tcp' or 'udp' with multiple ports\n");
  CHECK(host.run("ufw", {{"rule", "allow"}, {"port", "22"}, {"direction", "incoming"}})["msg"] ==
        "For rules, direction must be one of \"in\" and \"out\", or direction must not be specified.");
  CHECK(host.run("ufw", {{"default", "deny"}, {"direction", "in"}})["msg"] ==
        "For default, direction must be one of \"outgoing\", \"incoming\" and \"routed\", or direction must not be "
        "specified.");
  CHECK(host.run("ufw", {{"rule", "allow"}, {"interface_in", "eth0"}, {"interface_out", "eth1"}})["msg"] ==
        "Only route rules can combine interface_in and interface_out");
  // ufw refuses a single quote in a comment; the failure is ufw's own message.
  Value quoted = host.run("ufw", {{"rule", "allow"}, {"port", "25"}, {"comment", "it's"}});
  CHECK(quoted["failed"] == true);
  CHECK(quoted["msg"].get<std::string>().rfind("ERROR: Invalid syntax", 0) == 0);
  CHECK(host.try_sh("grep -q '^### tuple' /etc/ufw/user.rules").rc != 0);
}

TEST_CASE("ufw argument errors", "[ufw]") {
  ModuleHost host(hosts::kUfw);
  CHECK_THROWS_WITH(host.run("ufw", {{"port", "22"}}),
                    "one of the following is required: state, default, rule, logging");
  CHECK_THROWS_WITH(host.run("ufw", {{"rule", "allow"}, {"name", "OpenSSH"}, {"proto", "tcp"}}),
                    "parameters are mutually exclusive: name|proto|logging");
  CHECK_THROWS_WITH(host.run("ufw", {{"rule", "allow"}, {"direction", "in"}, {"interface_in", "eth0"}}),
                    "parameters are mutually exclusive: direction|interface_in");
  CHECK_THROWS_WITH(host.run("ufw", {{"rule", "permit"}}),
                    "value of rule must be one of: allow, deny, limit, reject, got: permit");
  CHECK_THROWS_WITH(host.run("ufw", {{"rule", "allow"}, {"proto", "icmp"}}),
                    "value of proto must be one of: any, tcp, udp, ipv6, esp, ah, gre, igmp, got: icmp");
  CHECK_THROWS_WITH(host.run("ufw", {{"rule", "allow"}, {"interface", "eth0"}}),
                    "missing parameter(s) required by 'interface': direction");
  CHECK_THROWS_WITH(host.run("ufw", {{"rule", "allow"}, {"insert", "first"}}),
                    "argument 'insert' is of type <class 'str'> and we were unable to convert to int: <class 'str'> "
                    "cannot be converted to an int");
}

TEST_CASE("ufw hostile values never run as shell", "[ufw]") {
  ModuleHost host = clean_ufw_host(hosts::kUfw);
  host.sh("rm -f /tmp/pwned /tmp/pwned2 /tmp/pwned3");
  const std::string comment = "x; touch /tmp/pwned $(touch /tmp/pwned2) `touch /tmp/pwned3` \"q\"\nsecond line";
  converge(host, {{"rule", "allow"}, {"port", "8443"}, {"proto", "tcp"}, {"comment", comment}});
  CHECK(host.try_sh("ls /tmp/pwned /tmp/pwned2 /tmp/pwned3").rc != 0);
  // ufw stores the comment hex-encoded; decoding it gives the value back unchanged.
  std::string hex = host.sh(
      "sed -n 's/^### tuple ### allow tcp 8443 0.0.0.0\\/0 any 0.0.0.0\\/0 in comment=//p' "
      "/etc/ufw/user.rules");
  std::string decoded;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) decoded += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  CHECK(decoded == comment);

  Value r = host.run("ufw", {{"rule", "allow"}, {"port", "22; touch /tmp/pwned"}, {"proto", "tcp"}});
  CHECK(r["failed"] == true);
  r = host.run("ufw", {{"rule", "allow"}, {"from_ip", "$(touch /tmp/pwned2)"}});
  CHECK(r["failed"] == true);
  CHECK(host.try_sh("ls /tmp/pwned /tmp/pwned2 /tmp/pwned3").rc != 0);
}

TEST_CASE("ufw: the seed deployment's firewall on a web and an elasticsearch host", "[ufw]") {
  // The deployment's README: web servers accept 22, 80 and 443; elasticsearch accepts 22 and 9200-9400.
  ModuleHost web = clean_ufw_host(hosts::kUfw);
  ModuleHost es = clean_ufw_host(hosts::kSpare);
  const std::vector<Value> web_tasks = {
      {{"default", "deny"}, {"direction", "incoming"}},
      {{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}},
      {{"rule", "allow"}, {"port", "80"}, {"proto", "tcp"}},
      {{"rule", "allow"}, {"port", "443"}, {"proto", "tcp"}},
      {{"state", "enabled"}},
  };
  const std::vector<Value> es_tasks = {
      {{"default", "deny"}, {"direction", "incoming"}},
      {{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}},
      {{"rule", "allow"}, {"port", "9200:9400"}, {"proto", "tcp"}},
      {{"state", "enabled"}},
  };
  for (auto* pair : {&web, &es}) {
    ModuleHost& host = *pair;
    const auto& tasks = pair == &web ? web_tasks : es_tasks;
    int changed = 0;
    for (const Value& t : tasks) changed += apply_ok(host, t)["changed"].get<bool>() ? 1 : 0;
    CHECK(changed == static_cast<int>(tasks.size()) - 1);  // the incoming default was already deny
    for (const Value& t : tasks) {
      INFO(t.dump());
      CHECK(apply_ok(host, t)["changed"] == false);
    }
    CHECK(host.sh("LANG=C ufw status verbose | sed -n 3p") ==
          "Default: deny (incoming), allow (outgoing), disabled (routed)");
    ModuleHost again(host.number());
    CHECK(again.sh("echo ssh-ok") == "ssh-ok");
  }
  CHECK(rules_table(web) ==
        row("22/tcp", "ALLOW", "Anywhere") + "\n" + row("80/tcp", "ALLOW", "Anywhere") + "\n" +
            row("443/tcp", "ALLOW", "Anywhere") + "\n" + row("22/tcp (v6)", "ALLOW", "Anywhere (v6)") + "\n" +
            row("80/tcp (v6)", "ALLOW", "Anywhere (v6)") + "\n" + row("443/tcp (v6)", "ALLOW", "Anywhere (v6)") + "\n");
  CHECK(rules_table(es) == row("22/tcp", "ALLOW", "Anywhere") + "\n" + row("9200:9400/tcp", "ALLOW", "Anywhere") +
                               "\n" + row("22/tcp (v6)", "ALLOW", "Anywhere (v6)") + "\n" +
                               row("9200:9400/tcp (v6)", "ALLOW", "Anywhere (v6)") + "\n");
  // Leave the spare host open again for whoever uses it next.
  es.sh(kResetUfw);
}

TEST_CASE("ufw on a converged host: judged from its files without running ufw, with ufw's own status", "[ufw]") {
  ModuleHost host = clean_ufw_host(hosts::kUfw);
  // Rules of every shape ufw's status shows, made by ufw itself.
  host.sh(
      "ufw allow 22/tcp && ufw allow 80 && ufw allow 443/tcp comment https && ufw allow 9200:9400/tcp && "
      "ufw limit 2222/tcp && ufw allow out 53/udp && ufw allow log 8080/tcp && "
      "ufw deny from 192.0.2.0/24 to any port 5432 proto tcp && ufw allow in on eth0 to any port 25 proto tcp && "
      "ufw route allow in on eth0 out on eth0 to 10.0.0.0/8 port 80 proto tcp && ufw allow OpenSSH && "
      "ufw --force enable >/dev/null");
  // From here on every start of ufw is written down.
  host.sh(
      "mv /usr/sbin/ufw /usr/sbin/ufw.real && printf '#!/bin/sh\\necho \"$*\" >>/run/ufw-calls\\nexec "
      "/usr/sbin/ufw.real \"$@\"\\n' >/usr/sbin/ufw && chmod 755 /usr/sbin/ufw && : >/run/ufw-calls");
  struct Restore {
    ModuleHost& host;
    ~Restore() { host.try_sh("[ -f /usr/sbin/ufw.real ] && mv /usr/sbin/ufw.real /usr/sbin/ufw"); }
  } restore{host};
  auto calls = [&] { return host.sh("cat /run/ufw-calls; : >/run/ufw-calls"); };
  // Ansible's msg is ufw's status without its trailing blanks.
  std::string status = host.sh("LANG=C /usr/sbin/ufw.real status verbose");
  while (!status.empty() && (status.back() == ' ' || status.back() == '\n')) status.pop_back();

  for (const Value& args :
       {Value{{"rule", "allow"}, {"port", "22"}, {"proto", "tcp"}}, Value{{"rule", "allow"}, {"port", "80"}},
        Value{{"rule", "allow"}, {"port", "443"}, {"proto", "tcp"}, {"comment", "https"}},
        Value{{"rule", "allow"}, {"port", "9200:9400"}, {"proto", "tcp"}},
        Value{{"rule", "limit"}, {"port", "2222"}, {"proto", "tcp"}},
        Value{{"rule", "allow"}, {"direction", "out"}, {"port", "53"}, {"proto", "udp"}},
        Value{{"rule", "allow"}, {"log", true}, {"port", "8080"}, {"proto", "tcp"}}, Value{{"state", "enabled"}},
        Value{{"default", "deny"}, {"direction", "incoming"}}, Value{{"default", "allow"}, {"direction", "outgoing"}},
        Value{{"logging", "low"}}, Value{{"logging", "on"}}}) {
    INFO(args.dump());
    Value r = apply_ok(host, args);
    CHECK(r["changed"] == false);
    CHECK(r["msg"] == status);
    CHECK(r["commands"][0] == "/usr/sbin/ufw status verbose");
    CHECK(host.check("ufw", args)["changed"] == false);
    CHECK(calls() == "");
  }

  // What the files cannot settle goes to ufw: a rule with an address, one that is missing, a change of level.
  CHECK(
      apply_ok(host, {{"rule", "deny"}, {"from_ip", "192.0.2.0/24"}, {"port", "5432"}, {"proto", "tcp"}})["changed"] ==
      false);
  CHECK(calls().find("status verbose") != std::string::npos);
  CHECK(host.check("ufw", {{"rule", "allow"}, {"port", "8443"}, {"proto", "tcp"}})["changed"] == true);
  CHECK(calls().find("--dry-run allow from any to any port 8443 proto tcp") != std::string::npos);
  converge(host, {{"logging", "medium"}});
  CHECK(host.sh("LANG=C /usr/sbin/ufw.real status verbose | sed -n 2p") == "Logging: on (medium)");
  calls();

  // Disabled by hand: the quick look sees it, ufw enables it again, and the next look is quick again.
  host.sh("/usr/sbin/ufw.real disable >/dev/null");
  CHECK(apply_ok(host, {{"state", "enabled"}})["changed"] == true);
  CHECK(calls().find("-f enable") != std::string::npos);
  CHECK(apply_ok(host, {{"state", "enabled"}})["changed"] == false);
  CHECK(calls() == "");
  host.sh("/usr/sbin/ufw.real logging low >/dev/null");
}
