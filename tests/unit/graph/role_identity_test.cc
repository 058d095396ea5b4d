#include <catch2/catch.hpp>

#include "provision/graph/role_identity.h"

using prov::Value;
using prov::graph::hashed_params;
using prov::graph::role_key;
using prov::graph::RoleUse;

static bool same(const char* a, const char* b) {
  return hashed_params(Value::parse(a)) == hashed_params(Value::parse(b));
}

static RoleUse use(const char* name, const char* path) {
  RoleUse out;
  out.name = name;
  out.path = path;
  return out;
}

TEST_CASE("hashed parameters compare scalars as Python does") {
  CHECK(same("1", "true"));
  CHECK(same("1", "1.0"));
  CHECK(same("0", "false"));
  CHECK(same("1.5", "1.5"));
  CHECK_FALSE(same("1", "\"1\""));
  CHECK_FALSE(same("null", "\"\""));
  CHECK_FALSE(same("null", "0"));
  CHECK_FALSE(same("1.5", "1"));
}

TEST_CASE("hashed parameters treat mappings and lists as sets") {
  CHECK(same(R"({"a": 1, "b": 2})", R"({"b": 2, "a": 1})"));
  CHECK(same("[1, 2]", "[2, 1, 1]"));
  CHECK(same("[[1, 2]]", "[[2, 1]]"));
  CHECK(same(R"({"x": [1, 2]})", R"({"x": [2, 1]})"));
  CHECK_FALSE(same(R"({"a": 1})", R"({"a": 2})"));
  CHECK_FALSE(same(R"({"a": 1})", R"({"b": 1})"));
  CHECK_FALSE(same("[1, 2]", "[1, 3]"));
  CHECK_FALSE(same(R"({"a": 1})", R"(["a", 1])"));
}

TEST_CASE("a scalar is a one-item set, but only where Ansible had to hash item by item") {
  CHECK(same("\"a\"", "[\"a\"]"));
  // A mapping of scalars keeps its values as they are; one holding a list hashes every value.
  CHECK_FALSE(same(R"({"p": "a"})", R"({"p": ["a"]})"));
  CHECK(same(R"({"p": "a", "q": [1]})", R"({"p": ["a"], "q": [1]})"));
  CHECK(same("[1, [2]]", "[[1], [2]]"));
  CHECK_FALSE(same("[1, 2]", "[[1], [2]]"));
}

TEST_CASE("text with separators in it cannot pass for other items") {
  CHECK_FALSE(same(R"(["a,b"])", R"(["a", "b"])"));
  CHECK_FALSE(same(R"({"a": "1),(b"})", R"({"a": "1", "b": "1"})"));
}

TEST_CASE("role keys: parameters, vars, conditions, tags and entry points make another instance") {
  RoleUse plain = use("web", "/p/roles/web");
  CHECK(role_key(plain) == role_key(use("web", "/p/roles/web")));
  CHECK(role_key(plain) != role_key(use("roles/web", "/p/roles/web")));
  CHECK(role_key(plain) != role_key(use("web", "/q/roles/web")));

  RoleUse with_param = plain;
  with_param.params = {{"port", 80}};
  CHECK(role_key(plain) != role_key(with_param));
  RoleUse with_vars = plain;
  with_vars.vars = {{"port", 80}};
  CHECK(role_key(with_param) != role_key(with_vars));
  RoleUse empty_vars = plain;
  empty_vars.vars = Value::object();
  CHECK(role_key(plain) == role_key(empty_vars));

  RoleUse tagged = plain;
  tagged.tags = {"a", "b"};
  RoleUse tagged_again = plain;
  tagged_again.tags = {"b", "a"};
  CHECK(role_key(plain) != role_key(tagged));
  CHECK(role_key(tagged) == role_key(tagged_again));
  RoleUse conditional = plain;
  conditional.when = {"x"};
  CHECK(role_key(plain) != role_key(conditional));

  RoleUse imported = plain;
  imported.from_include = true;
  CHECK(role_key(plain) != role_key(imported));
  RoleUse other_entry = imported;
  other_entry.from_files = {{"tasks", "other"}};
  CHECK(role_key(imported) != role_key(other_entry));
}
