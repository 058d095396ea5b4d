// apt on real hosts: packages from a local repository served from this machine and from Debian through
// apt-cacher-ng; check mode on a host whose lists were never fetched; the dpkg lock held by another apt.
#include <catch2/catch.hpp>

#include "hosts.h"
#include "local_repo.h"
#include "module_host.h"

using prov::Value;
using prov::test::DebSpec;
using prov::test::LocalRepo;
using prov::test::ModuleHost;
namespace hosts = prov::test::hosts;

namespace {

const char* const kSources = "/etc/apt/sources.list.d/provtest.list";

// A local repository with two versions of provtest-a, a package with a dependency and a recommendation, and a
// package whose postinst holds the dpkg lock for a while.
void build_repo(LocalRepo& repo) {
  repo.build(prov::test::deb("provtest-a", "1.0", "", "", "", true));
  repo.build(prov::test::deb("provtest-a", "1.1", "", "", "", true));
  repo.build(prov::test::deb("provtest-dep", "1.0"));
  repo.build(prov::test::deb("provtest-rec", "1.0"));
  repo.build(prov::test::deb("provtest-b", "1.0", "provtest-dep", "provtest-rec"));
  repo.build(prov::test::deb("provtest-slow", "1.0", "", "", "sleep 8"));
  repo.index();
  repo.serve();
}

std::string version_of(ModuleHost& host, const std::string& name) {
  return host.try_sh("dpkg-query -W -f='${Status} ${Version}' " + name + " 2>/dev/null").out;
}

}  // namespace

TEST_CASE("apt installs, pins versions, upgrades, removes and purges from a local repository", "[apt]") {
  LocalRepo repo;
  build_repo(repo);
  ModuleHost host(hosts::kApt);
  // The repository is rebuilt on every run: .debs cached by an earlier run would not match it.
  host.sh("dpkg --purge provtest-a provtest-b provtest-dep provtest-rec provtest-slow >/dev/null 2>&1; apt-get clean");
  host.sh("echo 'deb [trusted=yes] " + prov::test::repo_url() + " ./' > " + kSources);

  Value r = host.run("apt", {{"name", Value::array({"provtest-a=1.0"})}, {"update_cache", true}});
  INFO(r.dump());
  CHECK(r["changed"] == true);
  CHECK(r["cache_updated"] == true);
  CHECK(r["cache_update_time"].get<long long>() > 0);
  CHECK(r["stdout"].get<std::string>().find("Setting up provtest-a (1.0)") != std::string::npos);
  CHECK(version_of(host, "provtest-a") == "install ok installed 1.0");

  // Again: the version is there; the lists are fresh enough.
  r = host.run("apt", {{"name", "provtest-a=1.0"}, {"cache_valid_time", 3600}});
  CHECK(r["changed"] == false);
  CHECK(r["cache_updated"] == false);
  r = host.run("apt", {{"name", "provtest-a"}});
  CHECK(r["changed"] == false);
  // A version wildcard matching what is installed is no change either.
  CHECK(host.run("apt", {{"name", "provtest-a=1.*"}})["changed"] == false);

  // latest: check mode predicts the upgrade with apt's own simulation and changes nothing.
  std::string before = host.upper_listing();
  prov::test::ModuleRun check;
  check.check = true;
  check.diff = true;
  r = host.run("apt", {{"name", "provtest-a"}, {"state", "latest"}}, check);
  CHECK(r["changed"] == true);
  CHECK(r["diff"]["prepared"].get<std::string>().find("provtest-a") != std::string::npos);
  CHECK(r["stdout"].get<std::string>().find("Inst provtest-a [1.0] (1.1") != std::string::npos);
  CHECK(host.plan().packages.count("provtest-a") == 1);
  CHECK(prov::test::listing_diff(before, host.upper_listing()) == "");
  CHECK(version_of(host, "provtest-a") == "install ok installed 1.0");

  r = host.run("apt", {{"name", "provtest-a"}, {"state", "latest"}});
  CHECK(r["changed"] == true);
  CHECK(version_of(host, "provtest-a") == "install ok installed 1.1");
  CHECK(host.run("apt", {{"name", "provtest-a"}, {"state", "latest"}})["changed"] == false);

  // A dependency comes along; install_recommends=no leaves the recommendation out.
  r = host.run("apt", {{"name", "provtest-b"}, {"install_recommends", false}});
  CHECK(r["changed"] == true);
  CHECK(version_of(host, "provtest-dep") == "install ok installed 1.0");
  CHECK(version_of(host, "provtest-rec").find("ok installed") == std::string::npos);

  // Wildcards expand to the names apt knows.
  r = host.run("apt", {{"name", "provtest-r*"}});
  CHECK(r["changed"] == true);
  CHECK(version_of(host, "provtest-rec") == "install ok installed 1.0");

  // absent, then autoremove takes the dependency nobody needs any more.
  r = host.run("apt", {{"name", Value::array({"provtest-b", "provtest-rec"})}, {"state", "absent"}});
  CHECK(r["changed"] == true);
  CHECK(version_of(host, "provtest-b").find(" installed") == std::string::npos);
  CHECK(host.run("apt", {{"name", "provtest-b"}, {"state", "absent"}})["changed"] == false);
  r = host.run("apt", {{"autoremove", true}});
  CHECK(r["changed"] == true);
  CHECK(version_of(host, "provtest-dep").find(" installed") == std::string::npos);
  CHECK(host.run("apt", {{"autoremove", true}})["changed"] == false);

  // Removing keeps the conffile; purge takes it, and a purged package is no change.
  CHECK(host.run("apt", {{"name", "provtest-a"}, {"state", "absent"}})["changed"] == true);
  CHECK(host.sh("cat /etc/provtest-a.conf") == "setting=1");
  CHECK(version_of(host, "provtest-a").find("config-files") != std::string::npos);
  CHECK(host.run("apt", {{"name", "provtest-a"}, {"state", "absent"}, {"purge", true}})["changed"] == true);
  CHECK(host.try_sh("test -e /etc/provtest-a.conf").rc != 0);
  CHECK(host.run("apt", {{"name", "provtest-a"}, {"state", "absent"}, {"purge", true}})["changed"] == false);

  // A name apt does not know fails like Ansible's.
  r = host.run("apt", {{"name", "provtest-nosuch"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "No package matching 'provtest-nosuch' is available");
  r = host.run("apt", {{"name", "provtest-zz*"}});
  CHECK(r["msg"] == "No package(s) matching 'provtest-zz*' available");

  host.sh(std::string("rm -f ") + kSources);
}

TEST_CASE("apt installs a .deb from the host and from a URL", "[apt]") {
  LocalRepo repo;
  std::string deb = repo.build(prov::test::deb("provtest-c", "2.0", "", "", "", false));
  repo.build(prov::test::deb("provtest-d", "1.0"));
  repo.index();
  repo.serve();
  ModuleHost host(hosts::kApt);
  host.sh("dpkg --purge provtest-c provtest-d >/dev/null 2>&1; true");
  std::ifstream in(deb, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  host.connection().put_file(data, "/root/provtest-c_2.0_all.deb");

  std::string before = host.upper_listing();
  Value r = host.check("apt", {{"deb", "/root/provtest-c_2.0_all.deb"}});
  CHECK(r["changed"] == true);
  CHECK(prov::test::listing_diff(before, host.upper_listing()) == "");

  r = host.run("apt", {{"deb", "/root/provtest-c_2.0_all.deb"}});
  INFO(r.dump());
  CHECK(r["changed"] == true);
  CHECK(version_of(host, "provtest-c") == "install ok installed 2.0");
  CHECK(host.run("apt", {{"deb", "/root/provtest-c_2.0_all.deb"}})["changed"] == false);

  // A URL is fetched by the host (apt's own downloader when it has neither curl nor wget).
  std::string url = prov::test::repo_url("provtest-d_1.0_all.deb");
  before = host.upper_listing();
  r = host.check("apt", {{"deb", url}});
  CHECK(r["changed"] == true);
  CHECK(prov::test::listing_diff(before, host.upper_listing()) == "");
  r = host.run("apt", {{"deb", url}});
  INFO(r.dump());
  CHECK(r["changed"] == true);
  CHECK(version_of(host, "provtest-d") == "install ok installed 1.0");
  CHECK(host.run("apt", {{"deb", url}})["changed"] == false);
  CHECK(host.sh("ls /tmp | grep -c provision-deb || true") == "0");

  r = host.run("apt", {{"deb", "/root/nosuch.deb"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Unable to install package: /root/nosuch.deb does not exist on the host");
  r = host.run("apt", {{"deb", prov::test::repo_url("nosuch.deb")}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().rfind("Failed to download " + prov::test::repo_url("nosuch.deb"), 0) == 0);
  host.sh("dpkg --purge provtest-c provtest-d >/dev/null; rm -f /root/provtest-c_2.0_all.deb");
}

TEST_CASE("apt check mode on a host whose package lists were never fetched", "[apt]") {
  ModuleHost host = ModuleHost::fresh(hosts::kAptFresh);
  std::string before = host.upper_listing();
  Value updated = host.check("apt", {{"update_cache", true}});
  CHECK(updated["changed"] == true);
  CHECK(updated["cache_updated"] == true);
  CHECK(host.plan().refreshed_indexes.count("apt") == 1);

  Value r = host.check("apt", {{"name", Value::array({"tree", "hello"})}});
  INFO(r.dump());
  CHECK(r["changed"] == true);
  CHECK(r["msg"] ==
        "check mode: the package lists on this host were never fetched, so the availability of tree, hello is "
        "unverified; a real run would install tree, hello");
  CHECK(host.plan().packages.count("tree") == 1);
  CHECK(prov::test::listing_diff(before, host.upper_listing()) == "");

  // The real run fetches the lists and installs; then the same is no change, in check mode too.
  r = host.run("apt", {{"name", "tree"}, {"update_cache", true}});
  CHECK(r["changed"] == true);
  CHECK(r["cache_updated"] == true);
  CHECK(host.sh("tree --version").find("tree v") == 0);
  CHECK(host.check("apt", {{"name", "tree"}})["changed"] == false);
  CHECK(host.run("apt", {{"name", "tree"}, {"cache_valid_time", 3600}})["changed"] == false);
}

TEST_CASE("apt waits for the dpkg lock up to lock_timeout", "[apt]") {
  LocalRepo repo;
  build_repo(repo);
  ModuleHost host(hosts::kApt);
  host.sh("dpkg --purge provtest-slow provtest-dep >/dev/null 2>&1; true");
  host.sh("echo 'deb [trusted=yes] " + prov::test::repo_url() + " ./' > " + kSources);
  REQUIRE(host.run("apt", {{"update_cache", true}})["failed"].is_null());

  // Another apt holds the lock while provtest-slow's postinst sleeps.
  host.sh(
      "nohup sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y provtest-slow' >/dev/null 2>&1 & "
      "for i in $(seq 50); do [ -f /usr/share/provtest/provtest-slow ] && break; sleep 0.1; done");
  Value r = host.run("apt", {{"name", "provtest-dep"}, {"lock_timeout", 1}});
  INFO(r.dump());
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().rfind("Failed to lock apt for exclusive operation: ", 0) == 0);
  r = host.run("apt", {{"name", "provtest-dep"}});
  CHECK(r["changed"] == true);
  CHECK(version_of(host, "provtest-dep") == "install ok installed 1.0");
  CHECK(version_of(host, "provtest-slow") == "install ok installed 1.0");
  host.sh("dpkg --purge provtest-slow provtest-dep >/dev/null; rm -f " + std::string(kSources));
}

TEST_CASE("apt arguments are checked and hostile values stay data", "[apt]") {
  const auto& spec = prov::mod::find_module("apt")->spec();
  CHECK_THROWS_WITH(prov::mod::validate_args(spec, Value{{"name", "x"}, {"state", "installed"}}),
                    "value of state must be one of: absent, build-dep, fixed, latest, present, got: installed");
  CHECK_THROWS_WITH(prov::mod::validate_args(spec, Value{{"state", "present"}}),
                    "one of the following is required: autoremove, deb, name, update_cache");
  CHECK_THROWS_WITH(prov::mod::validate_args(spec, Value{{"name", "x"}, {"deb", "/x.deb"}}),
                    "parameters are mutually exclusive: deb|name");

  ModuleHost host(hosts::kApt);
  host.sh("rm -f /tmp/pwned");
  Value r = host.run("apt", {{"name", "x; touch /tmp/pwned"}});
  CHECK(r["failed"] == true);
  r = host.run("apt", {{"name", "$(touch /tmp/pwned)"}, {"default_release", "`touch /tmp/pwned`"}});
  CHECK(r["failed"] == true);
  r = host.run("apt", {{"name", "tree"}, {"state", "absent"}, {"dpkg_options", "force-confdef'; touch /tmp/pwned; '"}});
  CHECK(host.try_sh("test -e /tmp/pwned").rc != 0);
  r = host.run("apt", {{"name", "a=b=c"}});
  CHECK(r["msg"] == "invalid package spec: a=b=c");
}
