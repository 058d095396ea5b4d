#include <catch2/catch.hpp>

#include "helpers.h"

using prov::Value;
using test::Sandbox;

TEST_CASE("stat describes a file in one probe") {
  Sandbox s;
  const std::string p = s.path("f");
  std::ofstream(p) << "hello\n";
  test::fs::permissions(p, static_cast<test::fs::perms>(0640));
  Value r = s.run("stat", {{"path", p}});
  CHECK(r["changed"] == false);
  const Value& st = r["stat"];
  CHECK(st["exists"] == true);
  CHECK(st["isreg"] == true);
  CHECK(st["isdir"] == false);
  CHECK(st["islnk"] == false);
  CHECK(st["mode"] == "0640");
  CHECK(st["size"] == 6);
  CHECK(st["checksum"] == "f572d396fae9206628714fb2ce00f72e94f2258f");
  CHECK(st["rusr"] == true);
  CHECK(st["rgrp"] == true);
  CHECK(st["roth"] == false);
  CHECK(st["pw_name"].is_string());
  CHECK(st["path"] == p);
  CHECK(st["mtime"].is_number_float());
  CHECK(s.run("stat", {{"path", p}, {"checksum_algorithm", "sha256"}})["stat"]["checksum"] ==
        "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  CHECK_FALSE(s.run("stat", {{"path", p}, {"get_checksum", false}})["stat"].contains("checksum"));
}

TEST_CASE("stat of links, folders and missing paths") {
  Sandbox s;
  test::fs::create_directories(s.path("d"));
  test::fs::create_symlink("d", s.path("l"));
  Value st = s.run("stat", {{"path", s.path("l")}})["stat"];
  CHECK(st["islnk"] == true);
  CHECK(st["lnk_target"] == "d");
  CHECK(st["lnk_source"] == s.path("d"));
  st = s.run("stat", {{"path", s.path("l")}, {"follow", true}})["stat"];
  CHECK(st["islnk"] == false);
  CHECK(st["isdir"] == true);
  CHECK(s.run("stat", {{"path", s.path("missing; $(x)")}}) == Value{{"changed", false}, {"stat", {{"exists", false}}}});
  CHECK_THROWS_WITH(s.run("stat", {{"path", "x"}, {"checksum_algorithm", "crc"}}),
                    "value of checksum_algorithm must be one of: md5, sha1, sha224, sha256, sha384, sha512, got: crc");
}

#include "../../../src/modules/mode.h"
#include "../../../src/modules/path_fact.h"

TEST_CASE("the path probe's output parses without a host") {
  std::string out =
      "symbolic link\n777\n0\n0\nroot\nroot\n4\n1700000000.250000\n1700000001.000000\n1700000002.500000\n1\n42\n"
      "2049\n0\n4096\naccess rwx\nsum 356a192b7913b04c54574d18c28d46e6395428ab  -\nreal /etc/a\nb\nlink\na\nb\n";
  prov::mod::PathInfo info = prov::mod::parse_path_probe(out, "/x");
  CHECK(info.exists);
  CHECK(info.type == "link");
  CHECK(info.mode == 0777);
  CHECK(info.mtime == 1700000000.25);
  CHECK(info.ctime == 1700000002.5);
  CHECK(info.inode == 42);
  CHECK(info.block_size == 4096);
  CHECK(info.readable);
  CHECK(info.executable);
  CHECK(info.checksum == "356a192b7913b04c54574d18c28d46e6395428ab");
  CHECK(info.is_link);
  CHECK(info.link_target == "a\nb");  // a target holding a newline survives
  CHECK_FALSE(prov::mod::parse_path_probe("absent\n", "/x").exists);
  CHECK_THROWS_WITH(prov::mod::parse_path_probe("regular file\n644\n", "/x"),
                    "cannot read the state of /x: unexpected probe output");
  CHECK(prov::mod::mode_text(0644) == "0644");
  CHECK(prov::mod::mode_text(04755) == "04755");
  CHECK(prov::mod::octal_mode(0644) == "644");
  CHECK(prov::mod::octal_mode(0755, 4) == "0755");
  CHECK(prov::mod::octal_mode(01777, 4) == "1777");
}
