#include <catch2/catch.hpp>

#include "provision/output/diff.h"

TEST_CASE("a unified diff with headers like Ansible's --diff") {
  std::string d = prov::out::unified_diff("a\nb\nc\n", "a\nB\nc\n", "before: /etc/x", "after: /etc/x");
  CHECK(d == "--- before: /etc/x\n+++ after: /etc/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
  CHECK(prov::out::unified_diff("same\n", "same\n", "before", "after").empty());
}

TEST_CASE("non-text sides of a diff are shown as indented JSON") {
  prov::Value diff = {{"before", {{"state", "absent"}}}, {"after", {{"state", "directory"}}}, {"before_header", "/d"}};
  std::string d = prov::out::render_diff(diff);
  CHECK(d.find("--- before: /d\n+++ after\n") == 0);
  CHECK(d.find("-    \"state\": \"absent\"\n+    \"state\": \"directory\"\n") != std::string::npos);
}

TEST_CASE("a prepared diff is shown as it is, ending with a newline") {
  CHECK(prov::out::render_diff({{"prepared", ">> Newly checked out abc"}}) == ">> Newly checked out abc\n");
  CHECK(prov::out::render_diff({{"prepared", "-a\n+b\n"}}) == "-a\n+b\n");
}
