// Facts: fixture outputs of the probe parse to exact Ansible-shaped facts; the real probe runs here under /bin/sh.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "provision/vars/facts.h"

using prov::Value;
using prov::vars::facts_probe_script;
using prov::vars::parse_facts;

namespace {

std::string fixture_path(const std::string& name) {
  return std::string(PROVISION_SOURCE_DIR) + "/tests/fixtures/facts/" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs a command with /bin/sh (popen) and returns its stdout.
std::string run_sh(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

std::string chomp(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The value of KEY in an os-release file, unquoted.
std::string os_release_value(const std::string& key) {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) != 0) continue;
    std::string value = line.substr(key.size() + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) value = value.substr(1, value.size() - 2);
    return value;
  }
  return "";
}

}  // namespace

TEST_CASE("facts: each fixture parses to its expected facts exactly", "[facts]") {
  for (const char* name : {"debian12", "alpine_busybox", "bare", "rocky9"}) {
    INFO("fixture " << name);
    Value expected = Value::parse(read_file(fixture_path(std::string(name) + ".expected.json")));
    Value actual = parse_facts(read_file(fixture_path(std::string(name) + ".txt")));
    CHECK(actual.dump(2) == expected.dump(2));
  }
}

TEST_CASE("facts: Debian 12 output matches what ansible's setup module reported on the same machine", "[facts]") {
  Value f = parse_facts(read_file(fixture_path("debian12.txt")));
  CHECK(f["hostname"] == "vm");
  CHECK(f["nodename"] == "vm");
  CHECK(f["fqdn"] == "localhost");  // getfqdn: 'vm' resolves to 127.0.0.1, whose first name is localhost
  CHECK(f["domain"] == "");
  CHECK(f["distribution"] == "Debian");
  CHECK(f["distribution_version"] == "12.11");
  CHECK(f["distribution_major_version"] == "12");
  CHECK(f["distribution_minor_version"] == "11");
  CHECK(f["distribution_release"] == "bookworm");
  CHECK(f["distribution_file_variety"] == "Debian");
  CHECK(f["os_family"] == "Debian");
  CHECK(f["system"] == "Linux");
  CHECK(f["architecture"] == "x86_64");
  CHECK(f["kernel"] == "6.18.44-fc-v669");
  CHECK(f["kernel_version"] == "#1 SMP PREEMPT_DYNAMIC @0");
  CHECK(f["default_ipv4"].dump() ==
        R"({"address":"192.0.2.2","alias":"eth0","broadcast":"192.0.2.255","gateway":"192.0.2.1",)"
        R"("interface":"eth0","macaddress":"02:fc:00:00:00:01","mtu":1400,"netmask":"255.255.255.0",)"
        R"("network":"192.0.2.0","prefix":"24","type":"ether"})");
  CHECK(f["all_ipv4_addresses"].dump() == R"(["192.0.2.2","10.213.0.1"])");
  CHECK(f["memtotal_mb"] == 24105);
  CHECK(f["processor_vcpus"] == 2);
  CHECK(f["processor_cores"] == 2);
  CHECK(f["processor_count"] == 1);
  CHECK(f["user_id"] == "root");
  CHECK(f["user_uid"] == 0);
  CHECK(f["user_gid"] == 0);
  CHECK(f["user_dir"] == "/root");
  CHECK(f["user_shell"] == "/bin/bash");
  CHECK(f["service_mgr"] == "process_api");  // PID 1's name wins, as in Ansible
  CHECK(f["pkg_mgr"] == "apt");
  CHECK(f["lsb"].dump() == R"J({"codename":"bookworm","description":"Debian GNU/Linux 12 (bookworm)","id":"Debian",)J"
                           R"J("major_release":"12","release":"12"})J");
  CHECK(f["python_version"] == "3.11.7");
  CHECK(f["python"]["version_info"].dump() == R"([3,11,7,"final",0])");
  CHECK(f["eth0"]["promisc"] == false);
  CHECK(f["prov_sbx1"]["promisc"] == true);  // dashes become underscores in per-interface fact names
}

TEST_CASE("facts: hex-encoded environment keeps '=', newlines and marker-like lines", "[facts]") {
  Value env = parse_facts(read_file(fixture_path("debian12.txt")))["env"];
  CHECK(env["WITH_EQUALS"] == "a=b=c");
  CHECK(env["MULTI_LINE"] == "first\nsecond\n@@PROV@@ end\nthird");
  CHECK(env["EMPTY"] == "");
  CHECK(env.size() == 7);
}

TEST_CASE("facts: a busybox host without ip, getent, lsb_release or python", "[facts]") {
  Value f = parse_facts(read_file(fixture_path("alpine_busybox.txt")));
  CHECK(f["fqdn"] == "tiny.lab.example.org");  // from hostname -f, since getent did not run
  CHECK(f["hostname"] == "tiny");
  CHECK(f["domain"] == "lab.example.org");
  CHECK(f["distribution"] == "Alpine");
  CHECK(f["distribution_version"] == "3.18.4");
  CHECK(f["os_family"] == "Alpine");
  // /proc/net/route and fib_trie stand in for ip.
  CHECK(f["default_ipv4"]["gateway"] == "192.168.1.1");
  CHECK(f["default_ipv4"]["address"] == "192.168.1.7");
  CHECK(f["default_ipv4"]["interface"] == "eth0");
  CHECK(f["all_ipv4_addresses"].dump() == R"(["192.168.1.7"])");
  CHECK(f["service_mgr"] == "openrc");  // PID 1 is a generic "init", so the openrc binary decides
  CHECK(f["pkg_mgr"] == "apk");
  CHECK(f["processor_vcpus"] == 4);
  CHECK(!f.contains("python"));
  CHECK(!f.contains("python_version"));
  CHECK(f["env"]["GREETING"] == "hello\n  and a second line, not a new variable");
  CHECK(f["env"]["X"] == "1=2");
  CHECK(f["date_time"]["epoch"] == "1709247598");
  CHECK(f["date_time"]["iso8601"] == "2024-02-29T22:59:58Z");
  CHECK(f["date_time"]["time"] == "23:59:58");
}

TEST_CASE("facts: a RHEL-family systemd host with secondary addresses and hyper-threading", "[facts]") {
  Value f = parse_facts(read_file(fixture_path("rocky9.txt")));
  CHECK(f["fqdn"] == "db01.prod.example.com");
  CHECK(f["domain"] == "prod.example.com");
  CHECK(f["distribution"] == "Rocky");
  CHECK(f["distribution_release"] == "Blue Onyx");  // from VERSION's parentheses, there is no VERSION_CODENAME
  CHECK(f["os_family"] == "RedHat");
  CHECK(f["pkg_mgr"] == "dnf");
  CHECK(f["service_mgr"] == "systemd");  // no /proc/1/comm, so the /sbin/init link names it
  CHECK(f["default_ipv4"]["netmask"] == "255.255.252.0");
  CHECK(f["default_ipv4"]["network"] == "10.1.0.0");
  CHECK(f["default_ipv4"]["alias"] == "ens3");
  CHECK(f["all_ipv4_addresses"].dump() == R"(["10.1.2.3","10.1.2.50","172.17.0.1"])");
  CHECK(f["processor_threads_per_core"] == 2);
  CHECK(f["processor_vcpus"] == 4);
  CHECK(f["processor_nproc"] == 3);  // nproc honours the CPU affinity mask
  CHECK(f["date_time"]["epoch"] == "1704067200");
  CHECK(f["date_time"]["date"] == "2023-12-31");  // local date, while iso8601 is UTC
  CHECK(f["date_time"]["iso8601"] == "2024-01-01T00:00:00Z");
}

TEST_CASE("facts: almost nothing available still gives Ansible's defaults", "[facts]") {
  Value f = parse_facts(read_file(fixture_path("bare.txt")));
  CHECK(f["architecture"] == "i386");
  CHECK(f["distribution"] == "Linux");
  CHECK(f["distribution_version"] == "NA");
  CHECK(f["default_ipv4"] == Value::object());
  CHECK(f["all_ipv4_addresses"] == Value::array());
  CHECK(f["service_mgr"] == "service");
  CHECK(f["pkg_mgr"] == "unknown");
  CHECK(f["user_dir"] == "/nonexistent");  // from HOME when no passwd entry came back
  CHECK(f["env"]["NOTE"] == "line one\nline two");
  CHECK(!f.contains("date_time"));
  CHECK(parse_facts("")["default_ipv4"] == Value::object());
}

TEST_CASE("facts: one ip -batch gives the facts the three separate ip commands gave", "[facts]") {
  const std::string netdev =
      "\n@@PROV@@ netdev\nlo 00:00:00:00:00:00 65536 772 unknown 0x9\neth0 52:54:00:12:34:56 1500 1 up 0x1003\n";
  const std::string addr_lines =
      "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n"
      "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever\n"
      "4: eth0    inet 198.51.100.7/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever\n";
  const std::string separate =
      "\n@@PROV@@ ip_route_get\n8.8.8.8 via 192.0.2.1 dev eth0 src 192.0.2.2 uid 0\n    cache\n"
      "\n@@PROV@@ ip_route_default\ndefault via 192.0.2.1 dev eth0\n"
      "\n@@PROV@@ ip_addr\n" +
      addr_lines + netdev;
  const std::string batch =
      "\n@@PROV@@ ip_batch\n8.8.8.8 via 192.0.2.1 dev eth0 src 192.0.2.2 uid 0 \\    cache \n"
      "default via 192.0.2.1 dev eth0 \n" +
      addr_lines + netdev;
  Value from_batch = parse_facts(batch);
  CHECK(from_batch["default_ipv4"]["address"] == "192.0.2.2");
  CHECK(from_batch["default_ipv4"]["gateway"] == "192.0.2.1");
  CHECK(from_batch["default_ipv4"]["interface"] == "eth0");
  CHECK(from_batch["all_ipv4_addresses"].size() == 2);
  CHECK(from_batch == parse_facts(separate));

  // No route to 8.8.8.8 (ip prints only an error): the default route answers, as with the separate commands.
  const std::string no_route = "\n@@PROV@@ ip_batch\ndefault via 192.0.2.1 dev eth0 \n" + addr_lines + netdev;
  Value without = parse_facts(no_route);
  CHECK(without["default_ipv4"]["gateway"] == "192.0.2.1");
  CHECK(without["default_ipv4"]["interface"] == "eth0");
  CHECK(without == parse_facts("\n@@PROV@@ ip_route_get\n\n@@PROV@@ ip_route_default\ndefault via 192.0.2.1 dev eth0\n"
                               "\n@@PROV@@ ip_addr\n" +
                               addr_lines + netdev));
}

TEST_CASE("facts: the probe is valid POSIX sh for dash", "[facts]") {
  std::string path = "/tmp/provision-facts-probe-" + std::to_string(::getpid()) + ".sh";
  {
    std::ofstream out(path);
    out << facts_probe_script();
  }
  CHECK(run_sh("dash -n " + path + " && echo ok") == "ok\n");
  std::remove(path.c_str());
}

TEST_CASE("facts: the real probe on this machine agrees with independent commands", "[facts][live]") {
  Value f = parse_facts(run_sh(facts_probe_script()));
  CHECK(f["machine"] == chomp(run_sh("uname -m")));
  CHECK(f["kernel"] == chomp(run_sh("uname -r")));
  CHECK(f["system"] == chomp(run_sh("uname -s")));
  CHECK(f["nodename"] == chomp(run_sh("uname -n")));
  std::string short_name = chomp(run_sh("hostname 2>/dev/null || uname -n"));
  CHECK(f["hostname"] == short_name.substr(0, short_name.find('.')));
  CHECK(f["user_uid"] == std::stoll(chomp(run_sh("id -u"))));
  CHECK(f["user_id"] == chomp(run_sh("id -un")));
  CHECK(f["env"]["HOME"] == chomp(run_sh("printf %s \"$HOME\"")));
  if (!os_release_value("VERSION_CODENAME").empty()) {
    CHECK(f["distribution_release"] == os_release_value("VERSION_CODENAME"));
  }
  std::string version_id = os_release_value("VERSION_ID");
  CHECK(f["distribution_major_version"] == version_id.substr(0, version_id.find('.')));
  if (os_release_value("ID") == "debian") {
    CHECK(f["distribution"] == "Debian");
    CHECK(f["os_family"] == "Debian");
    CHECK(f["pkg_mgr"] == "apt");
  }
  CHECK(f["processor_nproc"] == std::stoll(chomp(run_sh("nproc"))));
  std::string route = chomp(run_sh("ip -4 route get 8.8.8.8 2>/dev/null | head -n 1"));
  if (!route.empty()) {
    CHECK(route.find("dev " + f["default_ipv4"]["interface"].get<std::string>() + " ") != std::string::npos);
    CHECK(route.find("src " + f["default_ipv4"]["address"].get<std::string>() + " ") != std::string::npos);
  }
  std::string route_default = chomp(run_sh("ip -4 route show default 2>/dev/null | head -n 1"));
  if (route_default.find(" via ") != std::string::npos) {
    CHECK(route_default.find("via " + f["default_ipv4"]["gateway"].get<std::string>() + " ") != std::string::npos);
  }
  std::string listed = run_sh("ip -4 -o addr 2>/dev/null");
  for (const auto& address : f["all_ipv4_addresses"]) {
    CHECK(listed.find("inet " + address.get<std::string>() + "/") != std::string::npos);
  }
  long long epoch = std::stoll(f["date_time"]["epoch"].get<std::string>());
  long long now = std::stoll(chomp(run_sh("date +%s")));
  CHECK(now - epoch >= 0);
  CHECK(now - epoch < 60);
  CHECK(f["date_time"]["iso8601"] == chomp(run_sh("date -u -d @" + std::to_string(epoch) + " +%Y-%m-%dT%H:%M:%SZ")));
  CHECK(f["date_time"]["time"] == chomp(run_sh("date -d @" + std::to_string(epoch) + " +%H:%M:%S")));
}

TEST_CASE("facts: the real probe with only core tools falls back to /proc for the default route", "[facts][live]") {
  const std::string bin = "/tmp/provision-facts-minbin-" + std::to_string(::getpid());
  // A PATH holding only what a minimal image has: no ip, getent, hostname, lsb_release, python3, nproc.
  run_sh("mkdir -p " + bin +
         " && for t in uname cat od grep awk id date readlink; do "
         "p=$(command -v $t) && ln -sf \"$p\" " +
         bin + "/$t; done");
  Value f = parse_facts(run_sh("PATH=" + bin + "; export PATH\n" + facts_probe_script()));
  run_sh("rm -rf " + bin);
  CHECK(f["machine"] == chomp(run_sh("uname -m")));
  CHECK(!f.contains("python"));
  CHECK(f["lsb"] == Value::object());
  CHECK(f["user_uid"] == std::stoll(chomp(run_sh("id -u"))));
  std::string route = chomp(run_sh("ip -4 route show default 2>/dev/null | head -n 1"));
  std::string src = chomp(run_sh("ip -4 route get 8.8.8.8 2>/dev/null | head -n 1"));
  if (route.empty() || src.empty()) return;  // nothing independent to compare with on this machine
  CHECK(route.find("via " + f["default_ipv4"]["gateway"].get<std::string>() + " ") != std::string::npos);
  CHECK(route.find("dev " + f["default_ipv4"]["interface"].get<std::string>()) != std::string::npos);
  CHECK(src.find("src " + f["default_ipv4"]["address"].get<std::string>() + " ") != std::string::npos);
}
