// parse_kv against what Ansible 2.14's parse_kv returns for the same strings.
#include <catch2/catch.hpp>

#include "provision/playbook/model.h"

using prov::Value;
using prov::pb::parse_kv;

TEST_CASE("k=v pairs with quotes", "[kv]") {
  CHECK(parse_kv("a=b c=\"foo bar\"", false) == Value{{"a", "b"}, {"c", "foo bar"}});
  CHECK(parse_kv("k='v w'", false) == Value{{"k", "v w"}});
  CHECK(parse_kv("msg=\"a  b\"", false) == Value{{"msg", "a  b"}});
}

TEST_CASE("Jinja2 blocks keep their spaces", "[kv]") {
  CHECK(parse_kv("msg={{ a | default('x y') }} b=2", false) ==
        Value{{"msg", "{{ a | default('x y') }}"}, {"b", "2"}});
}

TEST_CASE("escapes are decoded, escaped '=' is not a separator", "[kv]") {
  CHECK(parse_kv("msg=a\\nb", false) == Value{{"msg", "a\nb"}});
  CHECK(parse_kv("msg=\\u00e9", false) == Value{{"msg", "\xc3\xa9"}});
  CHECK(parse_kv("a\\=b", false) == Value{{"_raw_params", "a=b"}});
  CHECK(parse_kv("x = y", false) == Value{{"_raw_params", "x = y"}});
}

TEST_CASE("command lines keep words and only take command options", "[kv]") {
  CHECK(parse_kv("echo \"a b\" chdir=/tmp x=1", true) == Value{{"chdir", "/tmp"}, {"_raw_params", "echo \"a b\" x=1"}});
  CHECK(parse_kv("echo a\necho b", true) == Value{{"_raw_params", "echo a\necho b"}});
  CHECK(parse_kv("ls -l   /tmp", true) == Value{{"_raw_params", "ls -l   /tmp"}});
  CHECK(parse_kv("cmd=\"a=b\" creates=/x", true) == Value{{"creates", "/x"}, {"_raw_params", "cmd=\"a=b\""}});
}

TEST_CASE("unbalanced quotes and blocks are errors", "[kv]") {
  prov::SourceLoc at{"t.yml", 3, 14};
  CHECK_THROWS_WITH(parse_kv("msg=\"hi", false, at), "t.yml:3:14: unbalanced quotes or Jinja2 block in arguments: msg=\"hi");
  CHECK_THROWS_WITH(parse_kv("msg={{ x", false, at), "t.yml:3:14: unbalanced quotes or Jinja2 block in arguments: msg={{ x");
}
