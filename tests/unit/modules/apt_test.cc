// The pure parts of apt, apt_repository and apt_key: parsers of what apt and dpkg print (fixtures captured on a
// Debian 12 host), source lines and file names, and the OpenPGP reading that spares the host gpg.
#include <catch2/catch.hpp>
#include <deque>

#include "../../../src/modules/apt_key.h"
#include "../../../src/modules/apt_parse.h"
#include "../../../src/modules/openpgp.h"
#include "../../../src/modules/postgresql.h"
#include "helpers.h"
#include "provision/core/error.h"
#include "scripted_host.h"

namespace apt = prov::mod::apt;
namespace pgp = prov::mod::pgp;

namespace {

std::string fixture(const std::string& name) {
  return test::read_file(std::string(PROVISION_SOURCE_DIR) + "/tests/unit/modules/fixtures/apt/" + name);
}

using test::ScriptedHost;

using test::answer;

prov::Value run_apt(ScriptedHost& host, const prov::Value& args, bool check = false, prov::mod::Plan* plan = nullptr,
                    bool diff = false) {
  return test::run_module("apt", host, args, {check, diff, plan});
}

}  // namespace

TEST_CASE("apt: package specs and wildcards", "[apt]") {
  CHECK(apt::split_spec("tree").name == "tree");
  CHECK(apt::split_spec("tree").version.empty());
  CHECK(apt::split_spec("less=590-2*").name == "less");
  CHECK(apt::split_spec("less=590-2*").version == "590-2*");
  CHECK(apt::has_wildcard("lib*"));
  CHECK(apt::has_wildcard("t?ee"));
  CHECK_FALSE(apt::has_wildcard("libc6.1+x-y"));
  CHECK(apt::fnmatch("libc6*", "libc6-amd64"));
  CHECK(apt::fnmatch("590-2*", "590-2.1~deb12u2"));
  CHECK_FALSE(apt::fnmatch("590-3*", "590-2.1~deb12u2"));
  CHECK(apt::fnmatch("[ab]pt", "apt"));
  CHECK_FALSE(apt::fnmatch("apt", "apt-utils"));
}

TEST_CASE("apt: dpkg-query output", "[apt]") {
  auto states = apt::parse_dpkg_query(fixture("dpkg_query.txt"));
  REQUIRE(states.size() == 5);
  CHECK(states["apt"].installed());
  CHECK(states["apt"].version == "2.6.1");
  CHECK(states["libc6"].version == "2.36-9+deb12u14");
  CHECK_FALSE(states["libc6-amd64"].installed());
  CHECK_FALSE(states["libc6-amd64"].has_files());
  CHECK(states["libc6-amd64"].version.empty());
  CHECK(states.count("tree") == 0);

  auto removed = apt::parse_dpkg_query("less\tdeinstall ok config-files\t590-2\nvim\thold ok installed\t9.0\n");
  CHECK_FALSE(removed["less"].installed());
  CHECK(removed["less"].has_files());
  CHECK(removed["vim"].installed());
  CHECK(removed["vim"].want == "hold");
}

TEST_CASE("apt: apt-cache policy output", "[apt]") {
  auto policy = apt::parse_policy(fixture("policy.txt"));
  REQUIRE(policy.size() == 3);
  CHECK(policy["tree"].installed.empty());
  CHECK(policy["tree"].candidate == "2.1.0-1");
  CHECK(policy["tree"].versions == std::vector<std::string>{"2.1.0-1"});
  CHECK(policy["apt"].installed == "2.6.1");
  CHECK(policy["apt"].candidate == "2.6.2");
  CHECK(policy["apt"].versions == std::vector<std::string>{"2.6.2", "2.6.1"});
  // A virtual package: known, nothing to install.
  CHECK(policy["mail-transport-agent"].candidate.empty());
  CHECK(policy["mail-transport-agent"].versions.empty());
  CHECK(policy.count("nosuch") == 0);
}

TEST_CASE("apt: apt-get --simulate output", "[apt]") {
  std::string install = fixture("simulate_install.txt");
  auto sim = apt::parse_simulation(install);
  CHECK(sim.installed == std::vector<std::string>{"libpsl5", "wget", "publicsuffix", "tree"});
  CHECK(sim.removed.empty());
  // No "Reading state information..." when apt's output is not a terminal: everything up to the summary.
  CHECK(apt::prepared_text(install) ==
        "Reading package lists...\nBuilding dependency tree...\nless is already the newest version "
        "(590-2.1~deb12u2).\nThe following additional packages will be installed:\n  libpsl5 publicsuffix\nThe "
        "following NEW packages will be installed:\n  libpsl5 publicsuffix tree wget\n0 upgraded, 4 newly installed, "
        "0 to remove and 15 not upgraded.");

  auto upgrade = apt::parse_simulation(fixture("simulate_upgrade.txt"));
  CHECK(upgrade.installed == std::vector<std::string>{"libapt-pkg6.0", "apt", "apt-utils"});

  std::string remove = fixture("simulate_remove.txt");
  auto removed = apt::parse_simulation(remove);
  CHECK(removed.installed.empty());
  CHECK(removed.removed == std::vector<std::string>{"less"});

  CHECK(apt::prepared_text("Reading package lists...\nReading state information...\nThe following NEW packages will "
                           "be installed:\n  tree\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.\n"
                           "Inst tree (2.1.0-1 Debian:12.0/stable [amd64])\n") ==
        "The following NEW packages will be installed:\n  tree\n0 upgraded, 1 newly installed, 0 to remove and 0 not "
        "upgraded.");
}

TEST_CASE("apt: packages apt-get could not find", "[apt]") {
  CHECK(apt::missing_packages(fixture("install_errors.txt")) ==
        std::vector<std::string>{"nosuchpkg", "mail-transport-agent", "tree"});
  CHECK(apt::missing_packages("W: something\n").empty());
}

TEST_CASE("apt: automatically installed packages", "[apt]") {
  std::string states =
      "Package: libpsl5\nArchitecture: amd64\nAuto-Installed: 1\n\nPackage: tree\nArchitecture: amd64\n"
      "Auto-Installed: 0\n\nPackage: publicsuffix\nArchitecture: all\nAuto-Installed: 1\n";
  CHECK(apt::parse_auto_installed(states) == std::vector<std::string>{"libpsl5", "publicsuffix"});
}

TEST_CASE("apt_repository: source lines and file names", "[apt_repository]") {
  auto line =
      apt::parse_source_line("  deb   [signed-by=/usr/share/keyrings/e.gpg]  https://a.example/apt  stable main ");
  CHECK(line.valid);
  CHECK(line.enabled);
  CHECK(line.source == "deb [signed-by=/usr/share/keyrings/e.gpg] https://a.example/apt stable main");

  auto disabled = apt::parse_source_line("# deb http://x.example/debian bookworm main # old mirror");
  CHECK(disabled.valid);
  CHECK_FALSE(disabled.enabled);
  CHECK(disabled.source == "deb http://x.example/debian bookworm main");
  CHECK(disabled.comment == "old mirror");
  disabled.enabled = true;
  CHECK(apt::render_source_line(disabled) == "deb http://x.example/debian bookworm main # old mirror");

  auto comment = apt::parse_source_line("# just words");
  CHECK_FALSE(comment.valid);
  CHECK(apt::render_source_line(comment) == "# just words");

  CHECK(
      apt::suggest_sources_filename(
          "deb [signed-by=/usr/share/keyrings/elasticsearch-keyring.gpg] https://artifacts.elastic.co/packages/8.x/apt "
          "stable main") == "artifacts_elastic_co_packages_8_x_apt.list");
  CHECK(apt::suggest_sources_filename("deb http://user:pw@10.213.0.1:8101/ ./") == "10_213_0_1_8101.list");
  CHECK(apt::suggest_sources_filename("deb-src http://deb.debian.org/debian bookworm main") ==
        "deb_debian_org_debian.list");
}

TEST_CASE("apt_key: armored and binary keys give the same fingerprint", "[apt_key]") {
  const std::string fp = "A1081506B0DA4CFFA14BEF3F7C3C949FD42DFDE8";
  std::string armored = fixture("key.asc");
  std::string binary = fixture("key.gpg");
  CHECK(pgp::is_armored(armored));
  CHECK_FALSE(pgp::is_armored(binary));
  CHECK(pgp::dearmor(armored) == binary);
  auto keys = pgp::parse_keys(binary);
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].fingerprint == fp);
  CHECK(keys[0].key_id() == "7C3C949FD42DFDE8");
  CHECK(keys[0].short_id() == "D42DFDE8");
  CHECK(keys[0].packets == binary);
  CHECK(pgp::id_matches("0xd42dfde8", keys[0]));
  CHECK(pgp::id_matches("A108 1506 B0DA 4CFF A14B  EF3F 7C3C 949F D42D FDE8", keys[0]));
  CHECK_FALSE(pgp::id_matches("0xD42DFDE9", keys[0]));

  // Two keys in one keyring are told apart.
  auto two = pgp::parse_keys(binary + binary);
  CHECK(two.size() == 2);

  std::string damaged = armored;
  damaged[damaged.find("mDMEa") + 10] ^= 1;
  CHECK_THROWS_AS(pgp::dearmor(damaged), prov::Error);
  CHECK_THROWS_WITH(pgp::parse_keys("not a key"), "not an OpenPGP keyring (expected a packet header)");
}

TEST_CASE("apt_key: the probe's key and keyrings", "[apt_key]") {
  using prov::mod::pg::base64_encode;
  prov::conn::CommandResult read;
  read.out = "@@key\n" + base64_encode(fixture("key.asc")) +
             "\n@@download 0 200\n@@ring /etc/apt/trusted.gpg.d/a.gpg\n" + base64_encode(fixture("key.gpg")) +
             "\n@@ring /etc/apt/trusted.gpg.d/b.gpg\n" + base64_encode("junk") +
             "\n@@ring /etc/apt/trusted.gpg.d/c.asc\n" + base64_encode(fixture("key.asc")) + "\n@@end\n";
  prov::mod::AptKeyRead parsed = prov::mod::parse_apt_key_probe(read, false);
  CHECK(parsed.failure.empty());
  CHECK(parsed.sections.at("download") == "0 200");
  CHECK(prov::mod::pgp::base64_decode(parsed.sections.at("key")) == fixture("key.asc"));
  REQUIRE(parsed.rings.size() == 3);
  CHECK(parsed.rings[0].keys.at(0).fingerprint == "A1081506B0DA4CFFA14BEF3F7C3C949FD42DFDE8");
  CHECK(parsed.rings[1].keys.empty());  // not ours to judge
  CHECK(parsed.rings[2].armored);
  CHECK(parsed.rings[2].keys.size() == 1);

  read.out = "@@ring /etc/apt/keyrings/x.gpg\n" + base64_encode("junk") + "\n@@end\n";
  CHECK(prov::mod::parse_apt_key_probe(read, true)
            .failure.rfind("the keyring /etc/apt/keyrings/x.gpg cannot be read: ", 0) == 0);
  read.out = "@@ring /etc/apt/trusted.gpg\n";
  read.err = "sh: base64: not found\n";
  CHECK(prov::mod::parse_apt_key_probe(read, false).failure == "cannot read the apt keyrings: sh: base64: not found\n");
}

TEST_CASE("apt: script sections, numbers and lock failures", "[apt]") {
  auto sec = apt::sections("junk\n@@now 17\n@@dpkg\na\tb\n@@end\n");
  CHECK(sec.at("now") == "17\n");
  CHECK(sec.at("dpkg") == "a\tb\n");
  CHECK(sec.at("end").empty());
  CHECK(sec.count("junk") == 0);
  CHECK(apt::to_number("17\n") == 17);
  CHECK(apt::to_number("") == 0);
  CHECK(apt::lock_failure("E: Could not get lock /var/lib/dpkg/lock-frontend"));
  CHECK_FALSE(apt::lock_failure("E: Unable to locate package x"));
  CHECK(apt::first_error("W: a\nE: b\nE: c\n") == "E: b");
  CHECK(apt::first_error("broken \n") == "broken");
}

TEST_CASE("apt: a converged run reads once; check mode simulates; a real run installs", "[apt]") {
  const std::string read = "@@cache 100\n@@lists yes\n@@dpkg\ntree\tinstall ok installed\t2.1.0-1\n@@auto\n@@end\n";
  ScriptedHost host;
  host.answers = {answer(read)};
  CHECK(run_apt(host, {{"name", "tree"}}) ==
        prov::Value{{"changed", false}, {"cache_updated", false}, {"cache_update_time", 100}});
  CHECK(host.commands.size() == 1);

  const std::string absent = "@@cache 100\n@@lists yes\n@@dpkg\n@@auto\n@@end\n";
  host = {};
  host.answers = {answer(absent), answer(fixture("simulate_install.txt"))};
  prov::mod::Plan plan;
  prov::Value r = run_apt(host, {{"name", "tree"}}, true, &plan, true);
  CHECK(r["changed"] == true);
  CHECK(r["diff"]["prepared"].get<std::string>().find("tree") != std::string::npos);
  CHECK(host.commands.size() == 2);
  CHECK(host.commands[1].find("apt-get -y") != std::string::npos);
  CHECK(host.commands[1].find(" --simulate -o Dir::Cache::pkgcache=") != std::string::npos);
  CHECK(plan.packages == std::set<std::string>{"libpsl5", "publicsuffix", "tree", "wget"});
  CHECK(plan.refreshed_indexes.empty());

  // Removing it in check mode: later tasks no longer count on it.
  host = {};
  host.answers = {answer(read), answer("Remv tree [2.1.0-1]\n")};
  r = run_apt(host, {{"name", "tree"}, {"state", "absent"}}, true, &plan);
  CHECK(r["changed"] == true);
  CHECK(plan.packages == std::set<std::string>{"libpsl5", "publicsuffix", "wget"});

  host = {};
  host.answers = {answer(absent), answer("Setting up tree (2.1.0-1) ...\n")};
  r = run_apt(host, {{"name", "tree"}});
  CHECK(r["changed"] == true);
  CHECK(r["stdout_lines"] == prov::Value::array({"Setting up tree (2.1.0-1) ..."}));
  REQUIRE(host.commands.size() == 2);
  CHECK(host.commands[1].find("--simulate") == std::string::npos);
  CHECK(host.commands[1].find("apt-mark manual -- tree") != std::string::npos);
}

TEST_CASE("apt: check mode on lists never fetched predicts the install, unverified", "[apt]") {
  ScriptedHost host;
  host.answers = {answer("@@now 5000\n@@cache 0\n@@dpkg\n@@auto\n@@end\n"),
                  answer("", 100, "E: Unable to locate package tree\n")};
  prov::mod::Plan plan;
  prov::Value r = run_apt(host, {{"name", "tree"}, {"update_cache", true}}, true, &plan);
  CHECK(r["changed"] == true);
  CHECK(r["cache_updated"] == true);
  CHECK(r["msg"] ==
        "check mode: the package lists on this host were never fetched, so the availability of tree is unverified; "
        "a real run would install tree");
  CHECK(plan.packages.count("tree") == 1);
  CHECK(plan.refreshed_indexes.count("apt") == 1);

  // A real run updates first, then installs from the fresh lists: no simulation.
  host = {};
  host.answers = {answer("@@now 5000\n@@cache 0\n@@dpkg\n@@auto\n@@end\n"),
                  answer("@@update_out\n@@update_rc 0\n@@now 5001\n@@cache 5001\n@@lists yes\n@@dpkg\n@@auto\n@@end\n"),
                  answer("Setting up tree\n")};
  r = run_apt(host, {{"name", "tree"}, {"update_cache", true}});
  CHECK(r["changed"] == true);
  CHECK(r["cache_updated"] == true);
  CHECK(r["cache_update_time"] == 5001);
  CHECK(host.commands.size() == 3);
  CHECK(host.commands[1].rfind("echo '@@update_out'; ", 0) == 0);

  host = {};
  host.answers = {answer("@@cache 0\n@@end\n"), answer("@@update_out\nE: boom\n@@update_rc 100\n")};
  r = run_apt(host, {{"update_cache", true}});
  CHECK(r == prov::Value{{"failed", true}, {"msg", "Failed to update apt cache: E: boom"}, {"changed", false}});
}

TEST_CASE("apt_key: a key already there is one read; a new one is predicted, then written", "[apt_key]") {
  using prov::mod::pg::base64_encode;
  const prov::mod::Module* m = prov::mod::find_module("apt_key");
  REQUIRE(m != nullptr);
  auto run_key = [&](ScriptedHost& host, bool check, prov::mod::Plan* plan) {
    prov::mod::Context ctx;
    ctx.conn = &host;
    ctx.args = prov::mod::validate_args(m->spec(), {{"data", fixture("key.asc")}});
    ctx.check_mode = check;
    ctx.plan = plan;
    return prov::mod::execute(*m, ctx);
  };
  const std::string fp = "A1081506B0DA4CFFA14BEF3F7C3C949FD42DFDE8";
  ScriptedHost host;
  host.answers = {answer("@@ring /etc/apt/trusted.gpg.d/x.gpg\n" + base64_encode(fixture("key.gpg")) + "\n@@end\n")};
  prov::Value r = run_key(host, false, nullptr);
  CHECK(r["changed"] == false);
  CHECK(r["fp"] == fp);
  CHECK(host.commands.size() == 1);

  host = {};
  host.answers = {answer("@@end\n")};
  prov::mod::Plan plan;
  r = run_key(host, true, &plan);
  CHECK(r["changed"] == true);
  CHECK(r["after"] == prov::Value::array({fp}));
  CHECK(plan.paths.count("/etc/apt/trusted.gpg.d/7C3C949FD42DFDE8.gpg") == 1);

  host = {};
  host.answers = {answer("@@end\n"), answer("", 1)};
  r = run_key(host, false, nullptr);
  CHECK(r == prov::Value{{"failed", true},
                         {"msg", "the keyring's folder /etc/apt/trusted.gpg.d does not exist"},
                         {"changed", false}});
  CHECK(host.commands.back() == "[ -d /etc/apt/trusted.gpg.d ]");
}
