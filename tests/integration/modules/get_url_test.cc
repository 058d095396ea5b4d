// get_url on a real host: the host downloads with its own wget or curl (and fails clearly with neither), the
// checksum is verified before the file lands, and a file already there is left alone.
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

TEST_CASE("get_url downloads on the host with wget or curl, verifies checksums, and is idempotent", "[get_url]") {
  LocalRepo repo;
  repo.put("files/hello.txt", "hello provision\n");
  repo.serve();
  std::string sha256 = [&] {
    std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(("sha256sum " + repo.dir() + "/flat/files/hello.txt").c_str(), "r"),
                                            ::pclose);
    char buf[128] = {};
    std::string out = std::fgets(buf, sizeof buf, p.get()) != nullptr ? buf : "";
    return out.substr(0, 64);
  }();
  ModuleHost host = ModuleHost::fresh(hosts::kAptFresh);
  const std::string url = prov::test::repo_url("files/hello.txt");

  // A bare host has neither tool.
  Value r = host.run("get_url", {{"url", url}, {"dest", "/srv/hello.txt"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] ==
        "neither curl nor wget is installed on the host: install one of them (apt: name=curl) before downloading");

  REQUIRE(host.run("apt", {{"name", "wget"}, {"update_cache", true}})["changed"] == true);
  host.sh("mkdir -p /srv");

  std::string before = host.upper_listing();
  Value args = {{"url", url}, {"dest", "/srv/hello.txt"}, {"checksum", "sha256:" + sha256}, {"mode", "0640"}};
  r = host.check("get_url", args);
  CHECK(r["changed"] == true);
  CHECK(prov::test::listing_diff(before, host.upper_listing()) == "");
  CHECK(host.plan().predicted("/srv/hello.txt"));

  r = host.run("get_url", args);
  INFO(r.dump());
  CHECK(r["changed"] == true);
  CHECK(r["dest"] == "/srv/hello.txt");
  CHECK(r["checksum_src"] == "c9a607205fd826400e10634af0dbc97914081ce4");
  CHECK(r["status_code"] == 200);
  CHECK(r["mode"] == "0640");
  CHECK(host.sh("cat /srv/hello.txt") == "hello provision");
  CHECK(host.sh("stat -c %a /srv/hello.txt") == "640");
  CHECK(host.sh("ls -a /srv") == ".\n..\nhello.txt");  // no temporary file left

  r = host.run("get_url", args);
  CHECK(r["changed"] == false);
  CHECK(r["msg"] == "file already exists");
  // force=no without checksum: an existing dest is enough.
  CHECK(host.run("get_url", {{"url", url}, {"dest", "/srv/hello.txt"}})["changed"] == false);
  // force=yes downloads again but the same content is no change.
  CHECK(host.run("get_url", {{"url", url}, {"dest", "/srv/hello.txt"}, {"force", true}})["changed"] == false);

  // A different content on the server replaces dest with force (the mode stays).
  repo.put("files/hello.txt", "hello again\n");
  r = host.run("get_url", {{"url", url}, {"dest", "/srv/hello.txt"}, {"force", true}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("cat /srv/hello.txt") == "hello again");
  CHECK(host.sh("stat -c %a /srv/hello.txt") == "640");

  // A wrong checksum fails and leaves dest alone; so does a 404.
  r = host.run("get_url", {{"url", url}, {"dest", "/srv/other.txt"}, {"checksum", "sha256:" + sha256}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().find("did not match " + sha256) != std::string::npos);
  CHECK(host.try_sh("test -e /srv/other.txt").rc != 0);
  r = host.run("get_url", {{"url", prov::test::repo_url("files/nosuch")}, {"dest", "/srv/nosuch"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Request failed");
  CHECK(r["status_code"] == 404);
  CHECK(host.sh("ls -a /srv") == ".\n..\nhello.txt");

  // A folder as dest gets the URL's file name; with curl installed, curl is used.
  REQUIRE(host.run("apt", {{"name", "curl"}})["changed"] == true);
  r = host.run("get_url", {{"url", url}, {"dest", "/srv/"}, {"force", true}, {"headers", {{"X-Test", "1"}}}});
  CHECK(r["changed"] == false);
  CHECK(r["dest"] == "/srv/hello.txt");
  r = host.run("get_url", {{"url", url + "?x=1"}, {"dest", "/srv/copy.txt"}, {"owner", "nobody"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("stat -c '%U %a' /srv/copy.txt") == "nobody 644");

  r = host.run("get_url", {{"url", url}, {"dest", "/nosuchdir/x"}});
  CHECK(r["msg"] == "Destination /nosuchdir does not exist");
  r = host.run("get_url", {{"url", url}, {"dest", "/srv/x"}, {"checksum", "abc"}});
  CHECK(r["msg"] == "The checksum parameter has to be in format <algorithm>:<checksum>");
  CHECK_THROWS_WITH(prov::mod::validate_args(prov::mod::find_module("get_url")->spec(), Value{{"url", "x"}}),
                    "missing required arguments: dest");

  // Hostile values are data.
  host.sh("rm -f /tmp/pwned");
  r = host.run("get_url", {{"url", url + "; touch /tmp/pwned"}, {"dest", "/srv/$(touch /tmp/pwned)"}});
  r = host.run("get_url",
               {{"url", url}, {"dest", "/srv/`touch /tmp/pwned`"}, {"headers", {{"X", "$(touch /tmp/pwned)"}}}});
  CHECK(host.try_sh("test -e /tmp/pwned").rc != 0);
}
