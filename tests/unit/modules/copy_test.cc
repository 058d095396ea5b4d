#include <catch2/catch.hpp>

#include "helpers.h"

using prov::Value;
using test::fs::exists;
using test::mode_of;
using test::read_file;
using test::Sandbox;

TEST_CASE("copy content: apply, again, check mode, diff") {
  Sandbox s;
  const std::string d = s.path("out.txt");
  std::string before = s.listing();
  Value r = s.run("copy", {{"content", "hello\n"}, {"dest", d}}, true, true);
  CHECK(r["changed"] == true);
  CHECK(r["diff"] == Value{{"before", ""}, {"after", "hello\n"}, {"before_header", d},
                           {"after_header", "dynamically generated"}});
  CHECK(s.listing() == before);

  r = s.run("copy", {{"content", "hello\n"}, {"dest", d}, {"mode", "0640"}});
  CHECK(r["changed"] == true);
  CHECK(r["dest"] == d);
  CHECK(r["checksum"] == "f572d396fae9206628714fb2ce00f72e94f2258f");  // sha1 of "hello\n"
  CHECK(r["md5sum"] == "b1946ac92492d2347c6235b4d2611184");
  CHECK(r["mode"] == "0640");
  CHECK(r["size"] == 6);
  CHECK(r["state"] == "file");
  CHECK(read_file(d) == "hello\n");
  CHECK(mode_of(d) == 0640);

  r = s.run("copy", {{"content", "hello\n"}, {"dest", d}, {"mode", "0640"}});
  CHECK(r["changed"] == false);

  r = s.run("copy", {{"content", "hello\n"}, {"dest", d}, {"mode", "0600"}}, false, true);
  CHECK(r["changed"] == true);
  CHECK(r["diff"]["before"] == Value{{"path", d}, {"mode", "0640"}});
  CHECK(mode_of(d) == 0600);

  r = s.run("copy", {{"content", "bye\n"}, {"dest", d}}, false, true);
  CHECK(r["changed"] == true);
  CHECK(r["diff"]["before"] == "hello\n");
  CHECK(r["diff"]["after"] == "bye\n");
  CHECK(mode_of(d) == 0600);  // an existing file keeps its mode
  CHECK(read_file(d) == "bye\n");
}

TEST_CASE("copy src from the search paths, into a folder, with backup and force=no") {
  Sandbox s;
  test::fs::create_directories(s.path("files"));
  test::fs::create_directories(s.path("dest"));
  std::ofstream(s.path("files/app.conf")) << "v1\n";
  s.search_paths = {s.path("role/files"), s.path("files")};
  Value r = s.run("copy", {{"src", "app.conf"}, {"dest", s.path("dest") + "/"}});
  CHECK(r["changed"] == true);
  CHECK(r["dest"] == s.path("dest/app.conf"));
  CHECK(r["src"] == s.path("files/app.conf"));
  CHECK(read_file(s.path("dest/app.conf")) == "v1\n");
  // An existing folder as dest (without the slash) gets the basename too.
  CHECK(s.run("copy", {{"src", "app.conf"}, {"dest", s.path("dest")}})["changed"] == false);

  std::ofstream(s.path("files/app.conf")) << "v2\n";
  r = s.run("copy", {{"src", "app.conf"}, {"dest", s.path("dest/app.conf")}, {"backup", true}});
  CHECK(r["changed"] == true);
  std::string backup = r["backup_file"];
  CHECK(backup.rfind(s.path("dest/app.conf") + ".", 0) == 0);
  CHECK(backup.back() == '~');
  CHECK(read_file(backup) == "v1\n");
  CHECK(read_file(s.path("dest/app.conf")) == "v2\n");

  r = s.run("copy", {{"content", "other"}, {"dest", s.path("dest/app.conf")}, {"force", false}});
  CHECK(r["changed"] == false);
  CHECK(read_file(s.path("dest/app.conf")) == "v2\n");
}

TEST_CASE("copy failures read like Ansible's") {
  Sandbox s;
  s.search_paths = {s.path("files")};
  Value r = s.run("copy", {{"src", "nope.txt"}, {"dest", s.path("x")}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Could not find or access 'nope.txt'\nSearched in:\n\t" + s.path("files") +
                        "/nope.txt on the Ansible Controller.\nIf you are using a module and expect the file to "
                        "exist on the remote, see the remote_src option");
  r = s.run("copy", {{"content", "x"}, {"dest", s.path("no/such/f")}});
  CHECK(r["msg"] == "Destination directory " + s.path("no/such") + " does not exist");
  r = s.run("copy", {{"dest", s.path("x")}});
  CHECK(r["msg"] == "src (or content) is required");
  r = s.run("copy", {{"content", "x"}, {"dest", s.path("dir") + "/"}});
  CHECK(r["msg"] == "can not use content with a dir as dest");
}

TEST_CASE("copy validate keeps dest when the check fails") {
  Sandbox s;
  const std::string d = s.path("v");
  std::ofstream(d) << "good";
  CHECK(s.run("copy", {{"content", "bad"}, {"dest", d}, {"validate", "grep -q good %s"}}) ==
        Value{{"failed", true}, {"msg", "failed to validate"}, {"changed", false}, {"exit_status", 1},
              {"stdout", ""}, {"stderr", ""}});
  CHECK(read_file(d) == "good");
  CHECK(s.run("copy", {{"content", "good2"}, {"dest", d}, {"validate", "grep -q good %s"}})["changed"] == true);
  CHECK(read_file(d) == "good2");
  int entries = 0;
  for ([[maybe_unused]] auto& e : test::fs::directory_iterator(s.dir)) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("copy writes hostile names and binary content literally") {
  Sandbox s;
  const std::string d = s.path("it's $(touch pwned); `x`\n.txt");
  std::string binary("a\0b\xff", 4);
  Value r = s.run("copy", {{"content", binary}, {"dest", d}}, false, true);
  CHECK(r["changed"] == true);
  CHECK(read_file(d) == binary);
  CHECK(s.run("copy", {{"content", binary}, {"dest", d}})["changed"] == false);
  CHECK_FALSE(exists(s.path("pwned")));
}

TEST_CASE("copy content given as a mapping is written as Python's json.dumps, other values as str()") {
  Sandbox s;
  s.run("copy", {{"content", Value{{"a", 1}, {"\u00e9", Value::array({1.5, nullptr})}}}, {"dest", s.path("j")}});
  CHECK(read_file(s.path("j")) == "{\"a\": 1, \"\\u00e9\": [1.5, null]}");
  s.run("copy", {{"content", true}, {"dest", s.path("b")}});
  CHECK(read_file(s.path("b")) == "True");
}

TEST_CASE("copy a controller folder recursively") {
  Sandbox s;
  test::fs::create_directories(s.path("files/conf.d/sub"));
  std::ofstream(s.path("files/conf.d/a.conf")) << "a";
  std::ofstream(s.path("files/conf.d/sub/b.conf")) << "b";
  test::fs::create_directories(s.path("etc"));
  s.search_paths = {s.path("files")};
  Value args = {{"src", "conf.d"}, {"dest", s.path("etc")}, {"directory_mode", "0750"}};
  std::string before = s.listing();
  CHECK(s.run("copy", args, true)["changed"] == true);
  CHECK(s.listing() == before);
  Value r = s.run("copy", args);
  CHECK(r["changed"] == true);
  CHECK(read_file(s.path("etc/conf.d/a.conf")) == "a");
  CHECK(read_file(s.path("etc/conf.d/sub/b.conf")) == "b");
  CHECK(mode_of(s.path("etc/conf.d/sub")) == 0750);
  CHECK(s.run("copy", args)["changed"] == false);
  // With a trailing slash the folder's contents go straight into dest.
  s.run("copy", {{"src", "conf.d/"}, {"dest", s.path("flat")}});
  CHECK(read_file(s.path("flat/sub/b.conf")) == "b");
}
