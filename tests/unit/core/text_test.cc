#include "provision/core/text.h"

#include <catch2/catch.hpp>

using namespace prov;

TEST_CASE("split_lines drops the newline, a carriage return before it and no final empty line", "[text]") {
  CHECK(split_lines("") == std::vector<std::string>{});
  CHECK(split_lines("a\nb") == std::vector<std::string>{"a", "b"});
  CHECK(split_lines("a\r\nb\n") == std::vector<std::string>{"a", "b"});
  CHECK(split_lines("\n\nc\n") == std::vector<std::string>{"", "", "c"});
}

TEST_CASE("trim and rtrim remove blanks, or the characters named", "[text]") {
  CHECK(trim("  a b \t\r\n") == "a b");
  CHECK(trim(" \t\n") == "");
  CHECK(trim("") == "");
  CHECK(trim("\"on\"", "\"'") == "on");
  CHECK(trim("x\v", " \t\r\n") == "x\v");
  CHECK(rtrim("  a b \n") == "  a b");
  CHECK(rtrim("\n\n") == "");
  CHECK(rtrim("a--", "-") == "a");
}

TEST_CASE("lower and upper map ASCII letters only", "[text]") {
  CHECK(lower("Yes-NO_1") == "yes-no_1");
  CHECK(upper("createDB") == "CREATEDB");
  CHECK(lower("\xc3\x89t\xc3\xa9") == "\xc3\x89t\xc3\xa9");  // UTF-8 bytes are left alone
}

TEST_CASE("parse_int reads whole numbers as Python's int() does and refuses the rest", "[text]") {
  CHECK(parse_int("42") == 42);
  CHECK(parse_int(" -7 \n") == -7);
  CHECK(parse_int("+3") == 3);
  CHECK(parse_int("755", 8) == 0755);
  CHECK(parse_int("ff", 16) == 255);
  CHECK_FALSE(parse_int(""));
  CHECK_FALSE(parse_int("abc"));
  CHECK_FALSE(parse_int("1.5"));
  CHECK_FALSE(parse_int("++1"));
  CHECK_FALSE(parse_int("99999999999999999999"));
  CHECK_FALSE(parse_int("8", 8));
}

TEST_CASE("split cuts at each separator as Python's str.split(sep)", "[text]") {
  CHECK(prov::split("a:b::c", ':') == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(prov::split("", ':') == std::vector<std::string>{""});
  CHECK(prov::split("abc", ':') == std::vector<std::string>{"abc"});
}

TEST_CASE("expand_user_vars expands as os.path.expanduser(os.path.expandvars(...))", "[text]") {
  auto vars = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME") return std::string("/home/op");
    if (name == "DIR") return std::string("/srv");
    if (name == "a b") return std::string("spaced");
    return std::nullopt;
  };
  CHECK(prov::expand_user_vars("$DIR/x", vars) == "/srv/x");
  CHECK(prov::expand_user_vars("${DIR}x", vars) == "/srvx");
  CHECK(prov::expand_user_vars("$DIRx/$UNSET/${UNSET}", vars) == "$DIRx/$UNSET/${UNSET}");
  CHECK(prov::expand_user_vars("${a b} ${} $ $/", vars) == "spaced ${} $ $/");
  CHECK(prov::expand_user_vars("~/cache", vars) == "/home/op/cache");
  CHECK(prov::expand_user_vars("~", vars) == "/home/op");
  CHECK(prov::expand_user_vars("~other/x", vars) == "~other/x");
  CHECK(prov::expand_user_vars("$HOME/a~", vars) == "/home/op/a~");
}
