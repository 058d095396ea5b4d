// Facts: fixture outputs of the probe parse to exact Ansible-shaped facts; the real probe runs here under /bin/sh.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "provision/core/error.h"
#include "provision/modules/facts.h"

using prov::Value;
using prov::facts::facts_probe_script;
using prov::facts::GatherOptions;
using prov::facts::parse_facts;
using prov::facts::resolve_subset;
using prov::facts::setup_facts;

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
  for (const char* name : {"debian12", "alpine_busybox", "bare", "rocky9", "debian12_setup"}) {
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
  // Interface by interface (docker0 sorts first), each one's primary then secondary addresses, as Ansible walks them.
  CHECK(f["all_ipv4_addresses"].dump() == R"(["172.17.0.1","10.1.2.3","10.1.2.50"])");
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
  // Ansible's interpreter discovery takes /usr/bin/python3 whatever PATH says, and so does the probe.
  CHECK(f.contains("python") == (::access("/usr/bin/python3", X_OK) == 0));
  CHECK(f["lsb"] == Value::object());
  CHECK(f["user_uid"] == std::stoll(chomp(run_sh("id -u"))));
  std::string route = chomp(run_sh("ip -4 route show default 2>/dev/null | head -n 1"));
  std::string src = chomp(run_sh("ip -4 route get 8.8.8.8 2>/dev/null | head -n 1"));
  if (route.empty() || src.empty()) return;  // nothing independent to compare with on this machine
  CHECK(route.find("via " + f["default_ipv4"]["gateway"].get<std::string>() + " ") != std::string::npos);
  CHECK(route.find("dev " + f["default_ipv4"]["interface"].get<std::string>()) != std::string::npos);
  CHECK(src.find("src " + f["default_ipv4"]["address"].get<std::string>() + " ") != std::string::npos);
}

namespace {

// Keys whose values change from one second to the next: only their type and keys are compared.
const std::set<std::string> kVolatile = {"ansible_date_time", "ansible_uptime_seconds", "ansible_memfree_mb",
                                         "ansible_memory_mb", "ansible_loadavg",        "ansible_mounts",
                                         "ansible_env",       "ansible_swapfree_mb"};
// Lists Ansible builds from Python sets or in /sys/class/net's directory order (the addresses follow it).
const std::set<std::string> kUnordered = {"ansible_interfaces", "ansible_virtualization_tech_guest",
                                          "ansible_virtualization_tech_host", "ansible_all_ipv4_addresses",
                                          "ansible_all_ipv6_addresses"};

Value shape(const Value& v) {
  if (v.is_object()) {
    Value out = Value::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = shape(it.value());
    return out;
  }
  if (v.is_array()) return v.empty() ? Value::array() : Value::array({shape(v[0])});
  return v.type_name();
}

Value sorted_list(const Value& v) {
  std::vector<std::string> items;
  for (const auto& item : v) items.push_back(item.dump());
  std::sort(items.begin(), items.end());
  return Value(items);
}

}  // namespace

TEST_CASE("facts: on a Debian 12 machine every key equals ansible's setup output taken at the same moment", "[facts]") {
  // debian12_setup.txt is the probe's output and debian12_setup.ansible.json `ansible localhost -m setup`'s facts,
  // both taken on the same machine a second apart (tests/fixtures/facts/README.md).
  Value ansible = Value::parse(read_file(fixture_path("debian12_setup.ansible.json")));
  GatherOptions options;
  Value ours =
      setup_facts(parse_facts(read_file(fixture_path("debian12_setup.txt"))), resolve_subset({"all"}), options);
  for (auto it = ansible.begin(); it != ansible.end(); ++it) {
    INFO("key " << it.key());
    REQUIRE(ours.contains(it.key()));
    const Value& mine = ours[it.key()];
    if (it.key() == "ansible_mounts") {
      REQUIRE(mine.size() == it.value().size());
      for (std::size_t i = 0; i < mine.size(); ++i) {
        for (const char* key : {"mount", "device", "fstype", "options", "uuid", "block_size", "block_total",
                                "size_total", "inode_total"}) {
          CHECK(mine[i][key] == it.value()[i][key]);
        }
      }
    } else if (kVolatile.count(it.key())) {
      if (it.key() != "ansible_env") CHECK(shape(mine) == shape(it.value()));
    } else if (kUnordered.count(it.key())) {
      CHECK(sorted_list(mine) == sorted_list(it.value()));
    } else {
      CHECK(mine.dump() == it.value().dump());
    }
  }
  for (auto it = ours.begin(); it != ours.end(); ++it) {
    INFO("key " << it.key());
    CHECK(ansible.contains(it.key()));
  }
}

TEST_CASE("facts: gather_subset selects collectors with Ansible's rules", "[facts]") {
  auto has = [](const std::set<std::string>& s, const char* name) { return s.count(name) > 0; };
  auto all = resolve_subset({"all"});
  CHECK(has(all, "hardware"));
  CHECK(has(all, "network"));
  CHECK(has(all, "local"));
  auto min = resolve_subset({"!all"});  // the minimal set stays
  CHECK(has(min, "platform"));
  CHECK(has(min, "date_time"));
  CHECK(!has(min, "hardware"));
  CHECK(!has(min, "loadavg"));
  CHECK(resolve_subset({"!all", "!min"}).empty());
  auto network = resolve_subset({"!all", "!min", "network"});  // network needs distribution and platform
  CHECK(network == std::set<std::string>{"distribution", "network", "platform"});
  // A fact id names its collector, and naming it explicitly wins over an exclusion.
  auto devices = resolve_subset({"!all", "devices", "!hardware"});
  CHECK(has(devices, "hardware"));
  CHECK(!has(resolve_subset({"!hardware"}), "hardware"));
  // Only exclusions: the minimal set alone, as in Ansible (an unknown name to exclude is no error).
  CHECK(resolve_subset({"!nonsense"}) == min);
  try {
    resolve_subset({"network", "bogus"});
    FAIL("no error");
  } catch (const prov::Error& e) {
    std::string message = e.message();
    CHECK(message.rfind("Bad subset 'bogus' given to Ansible. gather_subset options allowed: all, "
                        "all_ipv4_addresses, all_ipv6_addresses, apparmor, architecture, caps, chroot, ",
                        0) == 0);
    CHECK(message.find(", virtualization_tech_host, virtualization_type") != std::string::npos);
  }
}

TEST_CASE("facts: setup's filter keeps matching names, with the ansible_ prefix tried too", "[facts]") {
  Value facts = {{"kernel", "6.1"}, {"distribution", "Debian"}, {"distribution_version", "12"}, {"eth0", {{"mtu", 1}}}};
  GatherOptions options;
  options.subset = {"!all", "!min", "network"};
  options.filter = {"ansible_distribution*", "kernel"};
  Value out = setup_facts(facts, resolve_subset(options.subset), options);
  CHECK(out.dump() ==
        R"({"ansible_distribution":"Debian","ansible_distribution_version":"12","ansible_kernel":"6.1"})");
  options.filter = {"*"};
  out = setup_facts(facts, resolve_subset(options.subset), options);
  CHECK(out.contains("ansible_eth0"));
  CHECK(out["gather_subset"].dump() == R"(["!all","!min","network"])");
  CHECK(out["module_setup"] == true);
  options.filter = {"gather_subset"};  // not prefixed: Ansible tries ansible_gather_subset too, and the name itself
  CHECK(setup_facts(facts, resolve_subset(options.subset), options).dump() ==
        R"({"gather_subset":["!all","!min","network"]})");
}

namespace {

std::string hex_of(const std::string& text) {
  std::string out;
  char buffer[4];
  for (unsigned char c : text) {
    std::snprintf(buffer, sizeof buffer, " %02x", c);
    out += buffer;
  }
  return out + "\n";
}

}  // namespace

TEST_CASE("facts: local facts as JSON, INI or an executable's output, with Ansible's messages", "[facts]") {
  const std::string probe =
      "\n@@PROV@@ local\n/etc/ansible/facts.d\n"
      "app.fact file\n" +
      hex_of(R"({"port": 8080, "on": true})") + "ini.fact file\n" +
      hex_of(
          "[DEFAULT]\nRegion = north\n[db]\nHost = db1\nurl = pg://%(host)s/x\n"
          "Notes = one\n  two\n[cache]\nsize: 64\n") +
      "run.fact exec\n" + hex_of("{\"from\": \"script\"}\n\0010\002") + "bad.fact file\n" + hex_of("neither\n") +
      "fails.fact exec\n" + hex_of("half\0013\002it broke\n") + "empty.fact file\n";
  std::vector<std::string> warnings;
  Value local = parse_facts(probe, &warnings)["local"];
  CHECK(local["app"].dump() == R"({"on":true,"port":8080})");
  CHECK(local["ini"].dump() ==
        R"({"cache":{"region":"north","size":"64"},"db":{"host":"db1","notes":"one\ntwo","region":"north",)"
        R"("url":"pg://db1/x"}})");
  CHECK(local["run"]["from"] == "script");
  CHECK(local["bad"] == "error loading facts as JSON or ini - please check content: /etc/ansible/facts.d/bad.fact");
  CHECK(local["fails"] == "Failure executing fact script (/etc/ansible/facts.d/fails.fact), rc: 3, err: it broke\n");
  CHECK(local["empty"] == Value::object());
  // Ansible's setup warns with each message, in the order of the files.
  CHECK(warnings == std::vector<std::string>{local["bad"].get<std::string>(), local["fails"].get<std::string>()});
}

TEST_CASE("facts: cmdline, dns, caps and virtualization from their sections", "[facts]") {
  Value f = parse_facts(
      "\n@@PROV@@ exists\n/.dockerenv\n"
      "\n@@PROV@@ cmdline\nroot=/dev/vda ro console=tty0 console=ttyS0 \"quoted arg=1 2\" quiet\n"
      "\n@@PROV@@ resolv\n# comment\nnameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch a.example b.example\n"
      "options ndots:2 rotate\n"
      "\n@@PROV@@ capsh\nCurrent: = cap_chown,cap_kill+ep\nBounding set =cap_chown\nrc=0\n"
      "\n@@PROV@@ virt_cgroup\n0::/\n");
  CHECK(f["cmdline"]["console"] == "ttyS0");
  CHECK(f["proc_cmdline"]["console"].dump() == R"(["tty0","ttyS0"])");
  CHECK(f["cmdline"]["quiet"] == true);
  CHECK(f["cmdline"]["\"quoted arg"] == "1 2\"");  // shlex.split(posix=False) keeps the quotes, then '=' splits
  CHECK(f["dns"].dump() == R"({"nameservers":["10.0.0.1","10.0.0.2"],"options":{"ndots":"2","rotate":true},)"
                           R"("search":["a.example","b.example"]})");
  CHECK(f["system_capabilities"].dump() == R"(["cap_chown","cap_kill+ep"])");
  CHECK(f["system_capabilities_enforced"] == "True");
  CHECK(f["virtualization_type"] == "docker");
  CHECK(f["virtualization_role"] == "guest");
  CHECK(f["virtualization_tech_guest"].dump() == R"(["container","docker"])");
  CHECK(f["apparmor"]["status"] == "disabled");
}
