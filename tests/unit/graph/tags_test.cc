#include <catch2/catch.hpp>

#include "provision/graph/graph.h"

using prov::graph::selected_by_tags;
using prov::graph::Selection;

static Selection tags(std::vector<std::string> want, std::vector<std::string> skip = {}) {
  Selection s;
  s.tags = std::move(want);
  s.skip_tags = std::move(skip);
  return s;
}

TEST_CASE("no selection runs everything but never-tagged tasks") {
  CHECK(selected_by_tags({}, tags({})));
  CHECK(selected_by_tags({"web"}, tags({})));
  CHECK_FALSE(selected_by_tags({"never", "debug"}, tags({})));
}

TEST_CASE("--tags selects by tag; always runs unless skipped; never runs only when asked") {
  CHECK(selected_by_tags({"web"}, tags({"web"})));
  CHECK_FALSE(selected_by_tags({"db"}, tags({"web"})));
  CHECK(selected_by_tags({"always"}, tags({"web"})));
  CHECK_FALSE(selected_by_tags({"always"}, tags({"web"}, {"always"})));
  CHECK(selected_by_tags({"never", "debug"}, tags({"debug"})));
}

TEST_CASE("tagged, untagged and --skip-tags") {
  CHECK(selected_by_tags({"x"}, tags({"tagged"})));
  CHECK_FALSE(selected_by_tags({}, tags({"tagged"})));
  CHECK(selected_by_tags({}, tags({"untagged"})));
  CHECK_FALSE(selected_by_tags({"x"}, tags({"untagged"})));
  CHECK_FALSE(selected_by_tags({"web"}, tags({}, {"web"})));
  CHECK(selected_by_tags({"db"}, tags({"all"}, {"web"})));
}
