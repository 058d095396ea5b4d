#include "provision/inventory/syntax.h"

#include <catch2/catch.hpp>

#include "provision/core/error.h"

using namespace prov;
using namespace prov::inv;

using Names = std::vector<std::string>;

TEST_CASE("parse_address splits hosts from ports") {
  auto a = parse_address("web1.example.com:2222", true);
  REQUIRE(a);
  CHECK(a->host == "web1.example.com");
  CHECK(a->port == 2222);
  a = parse_address("10.0.0.5", false);
  REQUIRE(a);
  CHECK(a->host == "10.0.0.5");
  CHECK_FALSE(a->port);
  a = parse_address("[::1]:22", false);
  REQUIRE(a);
  CHECK(a->host == "::1");
  CHECK(a->port == 22);
  a = parse_address("fe80::1", false);
  REQUIRE(a);
  CHECK(a->host == "fe80::1");
  CHECK_FALSE(a->port);
  a = parse_address("web[01:10].example.com:22", true);
  REQUIRE(a);
  CHECK(a->host == "web[01:10].example.com");
  CHECK(a->port == 22);
}

TEST_CASE("parse_address rejects what is not a host") {
  CHECK_FALSE(parse_address("web*", true));
  CHECK_FALSE(parse_address("web:db", true));
  CHECK_FALSE(parse_address("~web\\d+", true));
  CHECK_FALSE(parse_address("web-", true));
  CHECK_FALSE(parse_address("web[1:3]", false));  // ranges only where allowed
  CHECK(parse_address("web_1", true));
}

TEST_CASE("host ranges expand as Ansible's") {
  CHECK(expand_host_range("web[01:03].ex.com") == Names{"web01.ex.com", "web02.ex.com", "web03.ex.com"});
  CHECK(expand_host_range("db-[a:c]") == Names{"db-a", "db-b", "db-c"});
  CHECK(expand_host_range("s[1:10:3]") == Names{"s1", "s4", "s7", "s10"});
  CHECK(expand_host_range("h[:2]") == Names{"h0", "h1", "h2"});
  CHECK(expand_host_range("r[1:2]c[a:b]") == Names{"r1ca", "r1cb", "r2ca", "r2cb"});
  CHECK(expand_host_range("x[9:10]") == Names{"x9", "x10"});
  CHECK(expand_host_range("x[3:1]").empty());
  CHECK(has_host_range("web[1:2]"));
  CHECK_FALSE(has_host_range("web1"));
}

// Found by fuzz_literal: ranges of billions of names, or several ranges multiplying, exhausted memory.
TEST_CASE("a host range past a million names is an error rather than exhausted memory") {
  CHECK(expand_host_range("h[1:1000000]").size() == 1000000);
  CHECK_THROWS_WITH(expand_host_range("h[1:4000000000]"), "host range expands to more than 1000000 names");
  CHECK_THROWS_WITH(expand_host_range("h[:999][:999][:9]"), "host range expands to more than 1000000 names");
  CHECK_THROWS_WITH(expand_host_range("h[0:999999999999:1]"), "host range expands to more than 1000000 names");
  // Found by the second run: every combination was walked although the last range, empty, made no name at all.
  CHECK_THROWS_WITH(expand_host_range("h[:999][:999][:9][9:1]"), "host range expands to more than 1000000 names");
}

TEST_CASE("bad host ranges say what is wrong") {
  auto message = [](const char* pattern) {
    try {
      expand_host_range(pattern);
    } catch (const Error& e) {
      return e.message();
    }
    return std::string("no error");
  };
  CHECK(message("w[1:]") == "host range must specify end value");
  CHECK(message("w[1]") == "host range must be begin:end or begin:end:step");
  CHECK(message("w[01:100]") == "host range must specify equal-length begin and end formats");
  CHECK(message("w[c:a]") == "host range must have begin <= end");
  CHECK(message("w[1:x]") == "host range end 'x' is not a number or a single letter");
  CHECK(message("w[1:4:0]") == "host range step must be a positive number");
}

TEST_CASE("split_words follows shlex with comments") {
  auto words = split_words(R"(web1 a=1 s="hello world" q='x y' e=f\ g)");
  REQUIRE(words.size() == 5);
  CHECK(words[0].text == "web1");
  CHECK(words[0].column == 1);
  CHECK(words[1].column == 6);
  CHECK(words[2].text == "s=hello world");
  CHECK(words[3].text == "q=x y");
  CHECK(words[4].text == "e=f g");
  // '#' outside quotes ends the line, even inside a word; inside quotes it is text.
  words = split_words("h a=b#c d=e");
  REQUIRE(words.size() == 2);
  CHECK(words[1].text == "a=b");
  words = split_words("h p='03#x' # note");
  REQUIRE(words.size() == 2);
  CHECK(words[1].text == "p=03#x");
  words = split_words(R"(h d="a \"q\" \\ \n")");
  CHECK(words[1].text == R"(d=a "q" \ \n)");
  CHECK_THROWS_WITH(split_words("h a='open"), "No closing quotation");
}

TEST_CASE("INI values are read as Python literals") {
  CHECK(parse_ini_value("22") == Value(22));
  CHECK(parse_ini_value("-3") == Value(-3));
  CHECK(parse_ini_value("1.5") == Value(1.5));
  CHECK(parse_ini_value("0x1F") == Value(31));
  CHECK(parse_ini_value("1_000") == Value(1000));
  CHECK(parse_ini_value("True") == Value(true));
  CHECK(parse_ini_value("False") == Value(false));
  CHECK(parse_ini_value("None") == Value(nullptr));
  CHECK(parse_ini_value("'quoted'") == Value("quoted"));
  CHECK(parse_ini_value("'a' \"b\"") == Value("ab"));
  CHECK(parse_ini_value("'tab\\there'") == Value("tab\there"));
  CHECK(parse_ini_value("[1, 'two', [3]]") == Value::parse(R"([1, "two", [3]])"));
  CHECK(parse_ini_value("(1, 2)") == Value::parse("[1, 2]"));
  CHECK(parse_ini_value("(5)") == Value(5));
  CHECK(parse_ini_value("{'a': 1, 'b': [True]}") == Value::parse(R"({"a": 1, "b": [true]})"));
  CHECK(parse_ini_value("1 # comment") == Value(1));
}

TEST_CASE("INI values that are not Python literals stay strings") {
  CHECK(parse_ini_value("yes") == Value("yes"));
  CHECK(parse_ini_value("true") == Value("true"));
  CHECK(parse_ini_value("0644") == Value("0644"));
  CHECK(parse_ini_value("hello world") == Value("hello world"));
  CHECK(parse_ini_value("{a:1}") == Value("{a:1}"));
  CHECK(parse_ini_value("foo # comment") == Value("foo # comment"));
  CHECK(parse_ini_value("1 + 2") == Value("1 + 2"));
  CHECK(parse_ini_value("[1,") == Value("[1,"));
  CHECK(parse_ini_value("") == Value(""));
  CHECK(parse_ini_value("10.0.0.1") == Value("10.0.0.1"));
}

TEST_CASE("an INI value nested deeper than Python's tokenizer allows stays a string") {
  std::string deep(100000, '[');
  CHECK(parse_ini_value(deep) == Value(deep));
  std::string ok = std::string(50, '[') + std::string(50, ']');
  CHECK(parse_ini_value(ok).is_array());
  std::string minus(100000, '-');
  CHECK(parse_ini_value(minus + "1") == Value(minus + "1"));
}
