#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "provision/core/error.h"
#include "provision/core/value.h"

TEST_CASE("did you mean finds close names and only close ones") {
  std::vector<std::string> keys{"mode", "owner", "group", "path", "state"};
  CHECK(prov::did_you_mean("mdoe", keys) == " (did you mean 'mode'?)");
  CHECK(prov::did_you_mean("onwer", keys) == " (did you mean 'owner'?)");
  CHECK(prov::did_you_mean("xyzzy", keys).empty());
}

TEST_CASE("describe shows the line with a caret") {
  std::string path = "/tmp/prov_error_test.yml";
  std::ofstream(path) << "- hosts: all\n  taks:\n";
  prov::Error e("unknown key 'taks'", prov::SourceLoc{path, 2, 3}, "expected one of: tasks");
  CHECK(e.describe() == path + ":2:3: unknown key 'taks'\n    2 |   taks:\n      |   ^\nexpected one of: tasks");
  std::remove(path.c_str());
}

TEST_CASE("truthiness follows Python") {
  CHECK_FALSE(prov::truthy(prov::Value()));
  CHECK_FALSE(prov::truthy(prov::Value("")));
  CHECK_FALSE(prov::truthy(prov::Value::array()));
  CHECK_FALSE(prov::truthy(prov::Value(0)));
  CHECK(prov::truthy(prov::Value("no")));
  CHECK(prov::truthy(prov::Value(2.5)));
}
