#include <catch2/catch.hpp>

#include "provision/core/utf8.h"
#include "provision/core/yaml.h"

using prov::Value;
using prov::yaml::load_string;
using prov::yaml::to_value;

static Value parse(const std::string& text) { return to_value(load_string(text, "t.yml"), "t.yml"); }

TEST_CASE("plain scalars resolve as YAML 1.1") {
  Value v = parse("a: yes\nb: off\nc: 0644\nd: 0x1F\ne: 1.5\nf: ~\ng: 12\nh: hello\ni: 09\nj: 1:30\nk: -.inf\nl: 1e5\nm: True\n");
  CHECK(v["a"] == true);
  CHECK(v["b"] == false);
  CHECK(v["c"] == 420);
  CHECK(v["d"] == 31);
  CHECK(v["e"] == 1.5);
  CHECK(v["f"].is_null());
  CHECK(v["g"] == 12);
  CHECK(v["h"] == "hello");
  CHECK(v["i"] == "09");
  CHECK(v["j"] == 90);
  CHECK(v["k"].get<double>() < 0);
  CHECK(v["l"] == "1e5");
  CHECK(v["m"] == true);
}

TEST_CASE("quoted and tagged scalars stay strings") {
  Value v = parse("a: 'yes'\nb: \"0644\"\nc: !!str 12\nd: !!int '7'\n");
  CHECK(v["a"] == "yes");
  CHECK(v["b"] == "0644");
  CHECK(v["c"] == "12");
  CHECK(v["d"] == 7);
}

TEST_CASE("a quoted scalar over several lines keeps a line break per empty line at its end, as PyYAML") {
  // Values from PyYAML (Ansible's reader) for the same text.
  Value v = parse(
      "a: 'text\n  '\n"
      "b: \"text\n\n\n\n  \"\n"
      "c: 'one\n\n\n  two'\n"
      "d: 'x\n\n   \n\t\n\n  '\n"
      "e: 'it''s\n\n\n  '\n"
      "f: &f \"a\\\"b\n\n\n  \"\n"
      "g: *f\n"
      "h: ['l\n\n\n  ']\n"
      "i: \"a \\\"b\\\"\n\n\n  \"\n"
      "j: \"x\\n\\n\n\n\n  \"\n"
      "k: '\n\n\n  '\n");
  CHECK(v["a"] == "text ");
  CHECK(v["b"] == "text\n\n\n");
  CHECK(v["c"] == "one\n\ntwo");
  CHECK(v["d"] == "x\n\n\n\n");
  CHECK(v["e"] == "it's\n\n");
  CHECK(v["f"] == "a\"b\n\n");
  CHECK(v["g"] == "a\"b\n\n");  // an alias of it is the same scalar, mended once
  CHECK(v["h"] == Value::array({"l\n\n"}));
  CHECK(v["i"] == "a \"b\"\n\n");  // yaml-cpp gets it right after an escape: nothing added
  CHECK(v["j"] == "x\n\n\n\n");
  CHECK(v["k"] == "\n\n");
}

TEST_CASE("merge keys and anchors") {
  Value v = parse("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nmany:\n  <<: [*b, {z: 4}]\n");
  CHECK(v["other"] == Value::parse(R"({"x":1,"y":3})"));
  CHECK(v["many"]["z"] == 4);
  CHECK(v["many"]["x"] == 1);
}

TEST_CASE("syntax errors carry file, line and column") {
  try {
    load_string("a: 1\nb: [1, 2\n", "bad.yml");
    FAIL("expected an error");
  } catch (const prov::Error& e) {
    CHECK(e.loc().file == "bad.yml");
    CHECK(e.loc().line >= 2);
    CHECK(std::string(e.what()).rfind("bad.yml:", 0) == 0);
  }
}

// Found by fuzz_playbook: a complex key holding bytes that are not UTF-8 escaped the loader as a JSON type_error.
TEST_CASE("a file that is not UTF-8 is refused where its first bad byte is") {
  try {
    load_string("a: 1\n? [x\xff]\n: 2\n", "bad.yml");
    FAIL("expected an error");
  } catch (const prov::Error& e) {
    CHECK(e.loc().line == 2);
    CHECK(e.loc().column == 5);
    CHECK(e.message() == "invalid UTF-8 byte 0xFF: this file must be UTF-8 text");
  }
  CHECK(prov::invalid_utf8_at("ok \xc3\xa9 \xed\xa0\x80") == 6);  // a surrogate
  CHECK(prov::invalid_utf8_at("h\xc3\xa9llo") == std::string::npos);
}

// Found by fuzz_module_args on the fixed build: yaml-cpp gives these escapes as one byte each, which is not UTF-8,
// and a sexagesimal integer past 2^63 was converted from a double (undefined behaviour).
TEST_CASE("escapes below U+0100 become UTF-8, and a sexagesimal integer past 64 bits stays text") {
  CHECK(parse("a: \"x\\xA0y\\N\\_\\xE9\"")["a"] == "x\u00a0y\u0085\u00a0\u00e9");
  const std::string big = "1:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00";
  CHECK(parse("n: " + big)["n"] == big);
  CHECK(parse("n: 1:30")["n"] == 90);
}

TEST_CASE("a very long plain scalar is text, not a stack overflow") {
  std::string digits(50000, '7');
  Value v = parse("n: " + digits + "\n");
  CHECK(v["n"] == digits);
  CHECK(parse("n: 99999999999999999999\n")["n"] == "99999999999999999999");
}

TEST_CASE("a document whose aliases expand without bound is refused") {
  std::string bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
  std::string prev = "a";
  for (char level = 'b'; level <= 'i'; ++level) {
    const std::string name(1, level);
    bomb += name + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", " : "") + "*" + prev;
    bomb += "]\n";
    prev = name;
  }
  CHECK_THROWS_WITH(parse(bomb), Catch::Contains("expands to more than 5000000 values"));
  CHECK(parse("a: &a [1, 2]\nb: [*a, *a]\n")["b"][1][1] == 2);
}

namespace {

std::string load_error(const std::string& text) {
  try {
    load_string(text, "t.yml");
  } catch (const prov::Error& e) {
    return e.hint().empty() ? std::string(e.what()) : std::string(e.what()) + "\n" + e.hint();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a key given twice keeps its first place and its last value, with a warning where the repeat is") {
  std::vector<std::string> warnings;
  auto warn = [&](const std::string& w) { warnings.push_back(w); };
  YAML::Node root = load_string("a: 1\nb: 2\na: 3\nyes: x\ntrue: y\nnested:\n  - {k: 1, k: 2}\n", "t.yml", warn);
  REQUIRE(warnings.size() == 3);
  CHECK(warnings[0] ==
        "t.yml:3:1: key 'a' is given twice in this mapping (first at line 1, column 1): using the last "
        "defined value only");
  // Python's dict keys: yes and true are the same key, True.
  CHECK(warnings[1] ==
        "t.yml:5:1: key 'true' is given twice in this mapping (first at line 4, column 1): using the "
        "last defined value only");
  CHECK(warnings[2].rfind("t.yml:7:12: key 'k' is given twice in this mapping (first at line 7, column 6)", 0) == 0);
  // Readers that walk the mapping themselves see each key once, where it first appeared, with its last value.
  std::vector<std::string> keys;
  for (const auto& entry : root) keys.push_back(entry.first.Scalar());
  CHECK(keys == std::vector<std::string>{"a", "b", "yes", "nested"});
  CHECK(root["a"].Scalar() == "3");
  CHECK(root["a"].Mark().line == 2);  // the value's own place, for errors about it
  CHECK(to_value(root, "t.yml") == Value::parse(R"({"a":3,"b":2,"True":"y","nested":[{"k":2}]})"));
}

TEST_CASE("a mapping aliased many times is checked once and keeps the last value everywhere") {
  std::vector<std::string> warnings;
  YAML::Node root = load_string("m: &m {a: 1, a: 2}\nn: [*m, *m]\nmerged:\n  <<: *m\n  b: 3\n", "t.yml",
                                [&](const std::string& w) { warnings.push_back(w); });
  CHECK(warnings.size() == 1);
  CHECK(to_value(root, "t.yml") == Value::parse(R"({"m":{"a":2},"n":[{"a":2},{"a":2}],"merged":{"a":2,"b":3}})"));
}

TEST_CASE("an unquoted template that starts a value is a located error saying to quote it") {
  CHECK(load_error("- name: x\n  debug:\n    msg: {{ foo }}\n") ==
        "t.yml:3:10: the value {{ foo }} starts with '{{' and is not quoted: YAML reads it as a mapping\n"
        "write \"{{ foo }}\": always quote template expression brackets when they start a value");
  CHECK_THAT(load_error("with_items:\n  - {{ item }}\n"), Catch::StartsWith("t.yml:2:5: the value {{ item }} starts"));
  CHECK_THAT(load_error("? [a, b]\n: 1\n"),
             Catch::StartsWith("t.yml:1:3: a list cannot be a key: keys are strings, numbers or booleans"));
  // A syntax error on a line with such a value gets the same hint.
  CHECK_THAT(load_error("msg: {{ foo }} bar\n"),
             Catch::EndsWith("always quote template expression brackets when they start a value"));
}

TEST_CASE("a tab in the indentation is named where it is") {
  CHECK(load_error("- hosts: all\n  tasks:\n\t- debug: msg=hi\n") ==
        "t.yml:3:1: a tab character in the indentation: YAML indents with spaces only\n"
        "replace the tab with spaces");
  CHECK_THAT(load_error("a:\n  b: 1\n  \tc: 2\n"), Catch::StartsWith("t.yml:3:3: a tab character in the indentation"));
  CHECK_THAT(load_error("a:\n  b:\n\t  c: 1\n"), Catch::StartsWith("t.yml:3:1: a tab character in the indentation"));
  // A tab that separates a key from its value is not indentation.
  CHECK(to_value(load_string("a:\t1\n", "t.yml"), "t.yml") == Value::parse(R"({"a":1})"));
}
