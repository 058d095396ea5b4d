// Check mode that follows the plan: on a fresh host, tasks that depend on what earlier tasks would create report
// the change instead of failing, and the host is left untouched.
#include <catch2/catch.hpp>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::test::ModuleHost;

TEST_CASE("check mode predicts files in folders an earlier task would create", "[plan]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kPlan);
  std::string before = host.upper_listing();

  CHECK(host.check("file", {{"path", "/home/app/webapp/config"}, {"state", "directory"}})["changed"] == true);
  Value copied = host.check("copy", {{"dest", "/home/app/webapp/config/env"}, {"content", "A=1\n"}, {"mode", "0600"}});
  INFO(copied.dump());
  CHECK(copied["changed"] == true);
  CHECK_FALSE(copied.contains("failed"));
  Value attrs = host.check("file", {{"path", "/home/app/webapp/config/env"}, {"state", "file"}, {"mode", "0640"}});
  INFO(attrs.dump());
  CHECK(attrs["changed"] == true);
  CHECK_FALSE(attrs.contains("failed"));
  Value link = host.check("file", {{"src", "/home/app/webapp/config/env"}, {"dest", "/home/app/.env"},
                                   {"state", "link"}});
  INFO(link.dump());
  CHECK(link["changed"] == true);
  CHECK_FALSE(link.contains("failed"));

  // Nothing predicted /srv: the same failure a real run would give.
  Value elsewhere = host.check("copy", {{"dest", "/srv/nothing/env"}, {"content", "x"}});
  CHECK(elsewhere["failed"] == true);
  CHECK(elsewhere["msg"] == "Destination directory /srv/nothing does not exist");

  CHECK(host.upper_listing() == before);
  CHECK(host.try_sh("test -e /home/app").rc != 0);
}
