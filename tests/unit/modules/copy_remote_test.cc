// copy remote_src: the source is read from the host before the step, which then writes as for a controller file.
#include <catch2/catch.hpp>

#include "helpers.h"

using prov::Value;
using test::read_file;
using test::Sandbox;

TEST_CASE("copy remote_src: check mode, write, rerun, into a new folder") {
  Sandbox s;
  const std::string src = s.path("src.conf");
  std::ofstream(src) << "a=1\n";
  const std::string dest = s.path("dest.conf");
  Value args = {{"src", src}, {"dest", dest}, {"remote_src", true}, {"mode", "0600"}};

  Value r = s.run("copy", args, true, true);
  CHECK(r["changed"] == true);
  CHECK(r["src"] == src);
  CHECK(r["diff"][0]["after"] == "a=1\n");
  CHECK_FALSE(test::fs::exists(dest));

  r = s.run("copy", args);
  CHECK(r["changed"] == true);
  CHECK(read_file(dest) == "a=1\n");
  CHECK(test::mode_of(dest) == 0600);
  CHECK(r["checksum"] == "9dc9cfd3b38b77561ec22b49a723432e26181003");
  CHECK(s.run("copy", args)["changed"] == false);

  const std::string folder = s.path("new") + "/";
  r = s.run("copy", {{"src", src}, {"dest", folder}, {"remote_src", true}}, true);
  CHECK(r["changed"] == true);
  CHECK_FALSE(test::fs::exists(folder));
  r = s.run("copy", {{"src", src}, {"dest", folder}, {"remote_src", true}});
  CHECK(r["dest"] == folder + "src.conf");
  CHECK(read_file(folder + "src.conf") == "a=1\n");
}
