#include "provision/core/value.h"

#include <catch2/catch.hpp>

#include "provision/core/utf8.h"

using namespace prov;

TEST_CASE("as_whole_number takes integer keywords as Python's int() does", "[value]") {
  CHECK(as_whole_number(Value(5)) == 5);
  CHECK(as_whole_number(Value(2.9)) == 2);
  CHECK(as_whole_number(Value(true)) == 1);
  CHECK(as_whole_number(Value("12")) == 12);
  CHECK_FALSE(as_whole_number(Value("abc")));
  CHECK_FALSE(as_whole_number(Value(1e30)));
  CHECK_FALSE(as_whole_number(Value(18446744073709551615ULL)));
  CHECK_FALSE(as_whole_number(Value::array({1})));
  CHECK_FALSE(as_whole_number(Value()));
}

TEST_CASE("a host's bytes become well-formed UTF-8, each bad byte one U+FFFD", "[value]") {
  CHECK(is_valid_utf8("héllo ✓"));
  CHECK_FALSE(is_valid_utf8("a\xff" "b"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(is_valid_utf8("\xe2\x9c"));          // cut short
  CHECK(to_valid_utf8("a\xff" "b") == "a\xef\xbf\xbd" "b");
  CHECK(to_valid_utf8("\xe2\x9c") == "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(to_valid_utf8("ok ✓") == "ok ✓");
  Value result = {{"stdout", "bad \xfe byte"}, {"lines", {"\xff"}}, {"k\xff", 1}};
  make_valid_utf8(result);
  CHECK(result["stdout"] == "bad \xef\xbf\xbd byte");
  CHECK(result["lines"][0] == "\xef\xbf\xbd");
  CHECK(result.contains("k\xef\xbf\xbd"));
  CHECK_NOTHROW(result.dump());
}

TEST_CASE("mark_unsafe marks every string once", "[value]") {
  Value v = mark_unsafe(Value{{"a", "x"}, {"b", {"y", 1}}});
  CHECK(v["a"] == std::string(kUnsafeMark) + "x");
  CHECK(v["b"][0] == std::string(kUnsafeMark) + "y");
  CHECK(v["b"][1] == 1);
  CHECK(mark_unsafe(v) == v);
}
