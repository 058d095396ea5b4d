// The harness itself: a check-mode run leaves the host's writable layer as it was, a real run does not.
#include <catch2/catch.hpp>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::test::ModuleHost;

TEST_CASE("upper listing sees writes and only writes", "[plan]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kPlan);
  Value args = {{"path", "/srv/harness/a"}, {"state", "directory"}, {"mode", "0750"}};
  std::string before = host.upper_listing();
  REQUIRE_FALSE(before.empty());

  Value predicted = host.check("file", args);
  CHECK(predicted["changed"] == true);
  CHECK(host.upper_listing() == before);
  CHECK(host.try_sh("test -e /srv/harness").rc != 0);

  Value applied = host.run("file", args);
  CHECK(applied["changed"] == true);
  CHECK(host.upper_listing() != before);
  CHECK(host.sh("stat -c %a /srv/harness/a") == "750");

  Value again = host.run("file", args);
  CHECK(again["changed"] == false);
}
