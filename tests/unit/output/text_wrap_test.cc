// Python's textwrap.wrap as Ansible uses it for warnings; expected lines taken from Python 3.11 on this machine.
#include <catch2/catch.hpp>

#include "provision/output/text_wrap.h"

using prov::out::warning_text;
using prov::out::wrap_text;

TEST_CASE("wrap_text fills lines between words and drops the spaces at their ends", "[output][wrap]") {
  CHECK(wrap_text("[WARNING]: The requested handler 'missing' was not found in either the main handlers list nor in "
                  "the listening handlers list",
                  79) ==
        "[WARNING]: The requested handler 'missing' was not found in either the main\n"
        "handlers list nor in the listening handlers list");
  CHECK(wrap_text("short", 79) == "short");
  CHECK(wrap_text("", 79).empty());
  CHECK(wrap_text("a  b", 3) == "a\nb");
}

TEST_CASE("wrap_text turns line breaks and tabs into spaces", "[output][wrap]") {
  CHECK(wrap_text("one\ntwo\tthree", 79) == "one two     three");
  CHECK(wrap_text("x.\n\ty", 79) == "x.         y");
}

TEST_CASE("wrap_text breaks after hyphens inside words and cuts words longer than a line", "[output][wrap]") {
  CHECK(wrap_text("aaaa bbbb-cccc", 10) == "aaaa bbbb-\ncccc");
  CHECK(wrap_text("aaaa 12-34", 8) == "aaaa\n12-34");
  CHECK(wrap_text("abcdefghijklmnop", 5) == "abcde\nfghij\nklmno\np");
  CHECK(wrap_text("ab /usr/share/long-folder-name/x", 12) == "ab /usr/shar\ne/long-\nfolder-\nname/x");
}

TEST_CASE("wrap_text counts characters, not bytes", "[output][wrap]") {
  CHECK(wrap_text("ñññ ñññ", 7) == "ñññ ñññ");
  CHECK(wrap_text("ñññ ñññ", 6) == "ñññ\nñññ");
}

TEST_CASE("warning_text is Ansible's warning line", "[output][wrap]") { CHECK(warning_text("x") == "[WARNING]: x"); }
