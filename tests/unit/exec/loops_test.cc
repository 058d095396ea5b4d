#include <catch2/catch.hpp>

#include "../../../src/exec/loops.h"
#include "provision/core/error.h"

using prov::Value;
using prov::exec::loop_items;

TEST_CASE("with_items flattens one level, with_list does not, with_flattened flattens all") {
  Value v = Value::parse(R"([1, [2, [3]], 4])");
  CHECK(Value(loop_items("items", v)) == Value::parse(R"([1, 2, [3], 4])"));
  CHECK(Value(loop_items("list", v)) == v);
  CHECK(Value(loop_items("flattened", v)) == Value::parse(R"([1, 2, 3, 4])"));
}

TEST_CASE("with_dict, with_indexed_items, with_nested, with_together, with_subelements") {
  CHECK(Value(loop_items("dict", Value::parse(R"({"a": 1})"))) == Value::parse(R"([{"key": "a", "value": 1}])"));
  CHECK(Value(loop_items("indexed_items", Value::parse(R"(["x", "y"])"))) == Value::parse(R"([[0, "x"], [1, "y"]])"));
  CHECK(Value(loop_items("nested", Value::parse(R"([[1, 2], ["a"]])"))) == Value::parse(R"([[1, "a"], [2, "a"]])"));
  CHECK(Value(loop_items("together", Value::parse(R"([[1, 2], ["a"]])"))) ==
        Value::parse(R"([[1, "a"], [2, null]])"));
  Value users = Value::parse(R"([[{"name": "u", "keys": ["k1", "k2"]}], "keys"])");
  CHECK(Value(loop_items("subelements", users)).size() == 2);
  CHECK(loop_items("subelements", users)[1][1] == "k2");
}

TEST_CASE("with_sequence follows start, end, stride and format") {
  CHECK(Value(loop_items("sequence", Value("start=1 end=3"))) == Value::parse(R"(["1", "2", "3"])"));
  CHECK(Value(loop_items("sequence", Value("start=0 end=4 stride=2 format=h%02d"))) ==
        Value::parse(R"(["h00", "h02", "h04"])"));
  CHECK(Value(loop_items("sequence", Value("count=2"))) == Value::parse(R"(["1", "2"])"));
  // The shortcut form, [start-]end[/stride][:format].
  CHECK(Value(loop_items("sequence", Value("0-8/4:h%02d"))) == Value::parse(R"(["h00", "h04", "h08"])"));
  CHECK(Value(loop_items("sequence", Value("3"))) == Value::parse(R"(["1", "2", "3"])"));
  CHECK(Value(loop_items("sequence", Value("5-6"))) == Value::parse(R"(["5", "6"])"));
}

TEST_CASE("loop needs a list; unknown lookups are errors naming them") {
  CHECK_THROWS_WITH(loop_items("loop", Value("a string")),
                    Catch::Contains("Invalid data passed to 'loop', it requires a list"));
  CHECK_THROWS_WITH(loop_items("url", Value()), Catch::Contains("'with_url' is not supported"));
}

TEST_CASE("with_sequence refuses numbers, formats and lengths it cannot honour") {
  auto message = [](const std::string& spec) {
    try {
      loop_items("sequence", Value(spec));
    } catch (const prov::Error& e) {
      return e.message();
    }
    return std::string("no error");
  };
  // Ansible's messages, and provision's own limits past them.
  CHECK(message("end=99999999999999999999") ==
        "end=99999999999999999999 is out of range: with_sequence takes whole numbers up to 1000000000000");
  CHECK(message("end=10000000000000") ==
        "end=10000000000000 is out of range: with_sequence takes whole numbers up to 1000000000000");
  CHECK(message("start=x end=3") == "can't parse start=x as integer");
  CHECK(message("start=09 end=10") == "can't parse start=09 as integer");
  CHECK(message("start=0x end=3") == "can't parse start=0x as integer");
  CHECK(message("start=1__0 end=3") == "can't parse start=1__0 as integer");
  CHECK(message("end=3 format=%s%s") == "bad formatting string: %s%s");
  CHECK(message("end=3 format=none") == "bad formatting string: none");
  CHECK(message("end=3 format=%n") == "problem formatting 1 with '%n'");
  CHECK(message("end=3 junk=1") == "unrecognized arguments to with_sequence: ['junk']");
  CHECK(message("start=3 end=1") == "to count backwards make stride negative");
  CHECK(message("end=100000000") == "with_sequence would make 100000000 items; at most 1000000 are allowed");
  CHECK(message("count=1000000000000 stride=1000000000000") ==
        "with_sequence would make 1000000000000 items; at most 1000000 are allowed");
  CHECK(Value(loop_items("sequence", Value("start=0x0a end=0x0c format=%x"))) == Value::parse(R"(["a", "b", "c"])"));
  CHECK(Value(loop_items("sequence", Value("start=5 end=1 stride=-2"))) == Value::parse(R"(["5", "3", "1"])"));
  CHECK(Value(loop_items("sequence", Value("count=0"))).empty());
  CHECK(Value(loop_items("sequence", Value("start=1_000 end=0b1111101001 format=%05d"))) ==
        Value::parse(R"(["01000", "01001"])"));
  // Ansible counts a negative stride so: end = start + count * stride - 1, then down to end.
  CHECK(Value(loop_items("sequence", Value("count=3 start=2 stride=-1"))) ==
        Value::parse(R"(["2", "1", "0", "-1", "-2"])"));
  CHECK(Value(loop_items("sequence", Value::parse(R"(["1-2", "start=7 end=7"])"))) ==
        Value::parse(R"(["1", "2", "7"])"));
}

TEST_CASE("the loops provision makes itself; every other with_ lookup runs through the template engine") {
  using prov::exec::builtin_loop;
  for (const char* kind : {"loop", "items", "list", "flattened", "dict", "indexed_items", "nested", "cartesian",
                           "together", "subelements", "sequence"}) {
    CHECK(builtin_loop(kind));
  }
  for (const char* kind : {"first_found", "fileglob", "file", "lines", "env", "pipe", "template", "varnames",
                           "inventory_hostnames", "random_choice"}) {
    CHECK_FALSE(builtin_loop(kind));
  }
}
