// apt_key and apt_repository on a real host, the way Elastic's documentation adds its repository: the signing key
// is downloaded into /usr/share/keyrings, then a `deb [signed-by=...]` line is added and the lists refreshed. The
// repository here is a local one signed with a throwaway key, so apt really verifies the signature.
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>

#include "hosts.h"
#include "local_repo.h"
#include "module_host.h"

using prov::Value;
using prov::test::LocalRepo;
using prov::test::ModuleHost;
namespace hosts = prov::test::hosts;

namespace {

const char* const kKeyring = "/usr/share/keyrings/provtest-keyring.gpg";

std::string fingerprint_of(const LocalRepo& repo) {
  std::string armored_path = repo.dir() + "/flat/key.asc";
  std::string command = "GNUPGHOME='" + repo.dir() + "/gnupg' gpg --batch --with-colons --show-keys '" + armored_path +
                        "' 2>/dev/null | awk -F: '$1 == \"fpr\" {print $10; exit}'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  char buf[128] = {};
  std::string out = std::fgets(buf, sizeof buf, pipe.get()) != nullptr ? buf : "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("apt_key and apt_repository add a signed repository the way Elastic documents it",
          "[apt_repository][apt_key]") {
  LocalRepo repo;
  repo.build(prov::test::deb("provtest-signed", "1.0"));
  repo.index(true);
  repo.serve();
  const std::string fp = fingerprint_of(repo);
  REQUIRE(fp.size() == 40);
  ModuleHost host = ModuleHost::fresh(hosts::kAptRepo);
  const std::string line = "deb [signed-by=" + std::string(kKeyring) + "] " + prov::test::repo_url() + " ./";
  const std::string list = "/etc/apt/sources.list.d/10_213_0_1_8101.list";

  // The key: check mode predicts, then the host downloads it (no curl, wget or gpg there: apt's downloader and
  // provision's own dearmoring).
  Value key_args = {{"url", prov::test::repo_url("key.asc")}, {"keyring", kKeyring}};
  std::string before = host.upper_listing();
  Value r = host.check("apt_key", key_args);
  INFO(r.dump());
  CHECK(r["changed"] == true);
  CHECK(r["fp"] == fp);
  CHECK(prov::test::listing_diff(before, host.upper_listing()) == "");
  r = host.run("apt_key", key_args);
  CHECK(r["changed"] == true);
  CHECK(r["fp"] == fp);
  CHECK(r["key_id"] == fp.substr(24));
  CHECK(r["short_id"] == fp.substr(32));
  CHECK(r["after"] == Value::array({fp}));
  CHECK(host.sh(std::string("stat -c '%a %s' ") + kKeyring).rfind("644 ", 0) == 0);
  // The keyring is binary (no armor), as gpg --dearmor would have written it.
  CHECK(host.try_sh(std::string("grep -q 'BEGIN PGP' ") + kKeyring).rc != 0);
  CHECK(host.run("apt_key", key_args)["changed"] == false);
  Value with_id = key_args;
  with_id["id"] = fp.substr(32);
  CHECK(host.run("apt_key", with_id)["changed"] == false);
  with_id["id"] = "0xDEADBEEF";
  r = host.run("apt_key", with_id);
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "the key given has fingerprint " + fp + ", which does not match id 0xDEADBEEF");

  // The repository: check mode, diff, then for real with the lists refreshed through the signed InRelease.
  before = host.upper_listing();
  prov::test::ModuleRun check;
  check.check = true;
  check.diff = true;
  r = host.run("apt_repository", {{"repo", line}}, check);
  CHECK(r["changed"] == true);
  CHECK(
      r["diff"] ==
      Value::array({{{"before", ""}, {"after", line + "\n"}, {"before_header", "/dev/null"}, {"after_header", list}}}));
  CHECK(host.plan().refreshed_indexes.count("apt") == 1);
  CHECK(prov::test::listing_diff(before, host.upper_listing()) == "");

  r = host.run("apt_repository", {{"repo", line}});
  INFO(r.dump());
  CHECK(r["changed"] == true);
  CHECK(r["repo"] == line);
  CHECK(r["state"] == "present");
  CHECK(host.sh("cat " + list) == line);
  CHECK(host.sh("stat -c %a " + list) == "644");
  CHECK(host.sh("LC_ALL=C apt-cache policy provtest-signed | sed -n 's/.*Candidate: //p'") == "1.0");
  CHECK(host.run("apt_repository", {{"repo", line}})["changed"] == false);
  // Extra spaces do not make another line.
  CHECK(host.run("apt_repository", {{"repo", "  " + line + "  "}, {"update_cache", false}})["changed"] == false);

  r = host.run("apt", {{"name", "provtest-signed"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("cat /usr/share/provtest/provtest-signed") == "provtest-signed 1.0");

  // A commented-out line in a named file is enabled rather than duplicated; absent removes it, and the empty file.
  host.sh("printf '# deb http://10.213.0.1:8101/other ./\\n' > /etc/apt/sources.list.d/other.list");
  r = host.run("apt_repository",
               {{"repo", "deb http://10.213.0.1:8101/other ./"}, {"filename", "other"}, {"update_cache", false}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("cat /etc/apt/sources.list.d/other.list") == "deb http://10.213.0.1:8101/other ./");
  r = host.run("apt_repository",
               {{"repo", "deb http://10.213.0.1:8101/other ./"}, {"state", "absent"}, {"update_cache", false}});
  CHECK(r["changed"] == true);
  CHECK(host.try_sh("test -e /etc/apt/sources.list.d/other.list").rc != 0);

  // A named file with a mode.
  r = host.run("apt_repository", {{"repo", "deb http://10.213.0.1:8101/third ./"},
                                  {"filename", "third"},
                                  {"mode", "0600"},
                                  {"update_cache", false}});
  CHECK(host.sh("stat -c %a /etc/apt/sources.list.d/third.list") == "600");
  host.sh("rm /etc/apt/sources.list.d/third.list");  // nothing is served there: apt-get update would fail

  r = host.run("apt_repository", {{"repo", line}, {"state", "absent"}});
  CHECK(r["changed"] == true);
  CHECK(host.try_sh("test -e " + list).rc != 0);
  CHECK(host.run("apt_repository", {{"repo", line}, {"state", "absent"}})["changed"] == false);

  // The key goes too.
  r = host.run("apt_key", {{"id", fp}, {"keyring", kKeyring}, {"state", "absent"}});
  CHECK(r["changed"] == true);
  CHECK(host.try_sh(std::string("test -e ") + kKeyring).rc != 0);
  CHECK(host.run("apt_key", {{"id", fp}, {"keyring", kKeyring}, {"state", "absent"}})["changed"] == false);
}

TEST_CASE("apt_key keeps an armored key as .asc, defaults to trusted.gpg.d, and says what it cannot do", "[apt_key]") {
  LocalRepo repo;
  repo.index(true);
  std::ifstream in(repo.dir() + "/flat/key.asc");
  std::string armored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string fp = fingerprint_of(repo);
  ModuleHost host(hosts::kAptRepo);
  host.sh("mkdir -p /etc/apt/keyrings; rm -f /etc/apt/keyrings/provtest.asc /etc/apt/trusted.gpg.d/" + fp.substr(24) +
          ".gpg");

  Value r = host.run("apt_key", {{"data", armored}, {"keyring", "/etc/apt/keyrings/provtest.asc"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("cat /etc/apt/keyrings/provtest.asc") + "\n" == armored);
  CHECK(host.run("apt_key", {{"data", armored}, {"keyring", "/etc/apt/keyrings/provtest.asc"}})["changed"] == false);

  // No keyring: a file of its own in trusted.gpg.d, found again by its fingerprint.
  host.connection().put_file(armored, "/root/provtest.asc");
  r = host.run("apt_key", {{"file", "/root/provtest.asc"}});
  CHECK(r["changed"] == true);
  const std::string trusted = "/etc/apt/trusted.gpg.d/" + fp.substr(24) + ".gpg";
  CHECK(host.try_sh("test -s " + trusted).rc == 0);
  CHECK(host.run("apt_key", {{"file", "/root/provtest.asc"}})["changed"] == false);
  r = host.run("apt_key", {{"id", fp.substr(24)}, {"state", "absent"}});
  CHECK(r["changed"] == true);
  CHECK(host.try_sh("test -e " + trusted).rc != 0);

  r = host.run("apt_key", {{"data", "not a key"}, {"keyring", "/etc/apt/keyrings/bad.gpg"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "the key is not a valid OpenPGP public key: not an OpenPGP keyring (expected a packet header)");
  r = host.run("apt_key", {{"id", "0x1"}, {"keyserver", "keyserver.ubuntu.com"}});
  CHECK(r["msg"] ==
        "keyserver is not supported by provision's apt_key (it needs gpg on the host): download the key "
        "with url= instead");
  CHECK_THROWS_WITH(
      prov::mod::validate_args(prov::mod::find_module("apt_key")->spec(), Value{{"url", "http://x"}, {"data", "y"}}),
      "parameters are mutually exclusive: data|file|keyserver|url");
  CHECK_THROWS_WITH(
      prov::mod::validate_args(prov::mod::find_module("apt_repository")->spec(), Value{{"state", "absent"}}),
      "missing required arguments: repo");

  // Hostile values are data.
  host.sh("rm -f /tmp/pwned");
  r = host.run("apt_key", {{"url", "http://10.213.0.1:1/$(touch /tmp/pwned)"}, {"keyring", "/tmp/k;touch /tmp/pwned"}});
  CHECK(r["failed"] == true);
  r = host.run("apt_repository",
               {{"repo", "deb http://x/ ./ `touch /tmp/pwned`"}, {"filename", "hostile"}, {"update_cache", false}});
  CHECK(host.try_sh("test -e /tmp/pwned").rc != 0);
  host.sh("rm -f /etc/apt/sources.list.d/hostile.list /etc/apt/keyrings/provtest.asc /root/provtest.asc");
}
