#include <stdio.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "../../../src/modules/sections.h"

using prov::mod::read_sections;

TEST_CASE("a read's output splits into its marked sections, in order") {
  auto s = read_sections("noise\n@@head 1 2\nbody one\nbody two\n@@ring /etc/a b\nAAA\n@@ring /etc/c\n@@end\n");
  REQUIRE(s.size() == 4);
  CHECK(s[0].name == "head");
  CHECK(s[0].head == "1 2");
  CHECK(s[0].body == "body one\nbody two\n");
  CHECK(s[1].name == "ring");
  CHECK(s[1].head == "/etc/a b");
  CHECK(s[1].body == "AAA\n");
  CHECK(s[2].head == "/etc/c");
  CHECK(s[2].body.empty());
  CHECK(s[3].name == "end");
  CHECK(prov::mod::find_section(s, "ring") == &s[1]);
  CHECK(prov::mod::find_section(s, "missing") == nullptr);
}

TEST_CASE("a last line without its newline still belongs to its section") {
  auto s = read_sections("@@a\nx\ny");
  REQUIRE(s.size() == 1);
  CHECK(s[0].body == "x\ny\n");
  CHECK(read_sections("").empty());
  CHECK(read_sections("@@").at(0).name.empty());
}

namespace {
std::string shell_output(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  for (int c; (c = std::fgetc(p)) != EOF;) out.push_back(static_cast<char>(c));
  ::pclose(p);
  return out;
}
}  // namespace

TEST_CASE("a marker is printed by the shell exactly, whatever its head holds") {
  std::string script = prov::mod::section_marker("end") + "; " +
                       prov::mod::section_marker("file", "/etc/it's a $HOME `x`") + "; echo body";
  auto s = read_sections(shell_output(script));
  REQUIRE(s.size() == 2);
  CHECK(s[0].name == "end");
  CHECK(s[1].head == "/etc/it's a $HOME `x`");
  CHECK(s[1].body == "body\n");
}
