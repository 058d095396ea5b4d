#include <catch2/catch.hpp>

#include <unistd.h>

#include <thread>
#include <vector>

#include "helpers.h"

using prov::Value;
using test::mode_of;
using test::Sandbox;
using test::fs::exists;

TEST_CASE("file state=directory: apply, again, check mode, diff") {
  Sandbox s;
  const std::string p = s.path("a/b");
  std::string before = s.listing();
  Value r = s.run("file", {{"path", p}, {"state", "directory"}, {"mode", "0750"}}, true, true);
  CHECK(r["changed"] == true);
  CHECK(r["diff"]["before"] == Value{{"path", p}, {"state", "absent"}});
  CHECK(r["diff"]["after"] == Value{{"path", p}, {"state", "directory"}, {"mode", "0750"}});
  CHECK(s.listing() == before);  // check mode changed nothing

  r = s.run("file", {{"path", p}, {"state", "directory"}, {"mode", "0750"}});
  CHECK(r["changed"] == true);
  CHECK(r["state"] == "directory");
  CHECK(r["mode"] == "0750");
  CHECK(r["path"] == p);
  CHECK(r["owner"].is_string());
  CHECK(mode_of(p) == 0750);

  r = s.run("file", {{"path", p}, {"state", "directory"}, {"mode", "0750"}});
  CHECK(r["changed"] == false);
  CHECK_FALSE(r.contains("diff"));
}

TEST_CASE("file modes: octal string, YAML int, symbolic") {
  Sandbox s;
  const std::string p = s.path("f");
  std::ofstream(p) << "x";
  test::fs::permissions(p, static_cast<test::fs::perms>(0600));
  Value r = s.run("file", {{"path", p}, {"mode", 420}}, false, true);  // YAML 0644
  CHECK(r["changed"] == true);
  CHECK(r["diff"]["before"] == Value{{"path", p}, {"mode", "0600"}});
  CHECK(r["diff"]["after"] == Value{{"path", p}, {"mode", "0644"}});
  CHECK(mode_of(p) == 0644);
  CHECK(r["state"] == "file");
  r = s.run("file", {{"path", p}, {"mode", "u+x,g-r,o=w"}});
  CHECK(mode_of(p) == 0702);
  CHECK(r["mode"] == "0702");
  CHECK(s.run("file", {{"path", p}, {"mode", "u+x,g-r,o=w"}})["changed"] == false);
  s.run("file", {{"path", p}, {"mode", "a=rX"}});
  CHECK(mode_of(p) == 0555);  // X: the file already had execute bits
  s.run("file", {{"path", p}, {"mode", "0644"}});
  s.run("file", {{"path", p}, {"mode", "a+X"}});
  CHECK(mode_of(p) == 0644);
  CHECK_THROWS_WITH(s.run("file", {{"path", p}, {"mode", "rwxr-xr-x"}}),
                    "mode must be in octal or symbolic form: rwxr-xr-x");
}

TEST_CASE("file state=touch, file and absent") {
  Sandbox s;
  const std::string p = s.path("t");
  Value r = s.run("file", {{"path", p}, {"state", "file"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "file (" + p + ") is absent, cannot continue");
  r = s.run("file", {{"path", p}, {"state", "touch"}}, true);
  CHECK(r["changed"] == true);
  CHECK_FALSE(exists(p));
  r = s.run("file", {{"path", p}, {"state", "touch"}, {"mode", "0600"}});
  CHECK(r["changed"] == true);
  CHECK(exists(p));
  CHECK(mode_of(p) == 0600);
  CHECK(s.run("file", {{"path", p}, {"state", "file"}})["changed"] == false);
  r = s.run("file", {{"path", p}, {"state", "absent"}}, true, true);
  CHECK(r["changed"] == true);
  CHECK(r["diff"]["before"]["state"] == "file");
  CHECK(exists(p));
  r = s.run("file", {{"path", p}, {"state", "absent"}});
  CHECK(r == Value{{"path", p}, {"changed", true}, {"state", "absent"}});
  CHECK_FALSE(exists(p));
  CHECK(s.run("file", {{"path", p}, {"state", "absent"}})["changed"] == false);
  test::fs::create_directories(s.path("d/sub"));
  r = s.run("file", {{"path", s.path("d")}, {"state", "file"}});
  CHECK(r["msg"] == "file (" + s.path("d") + ") is directory, cannot continue");
  r = s.run("file", {{"path", s.path("d/sub")}, {"state", "directory"}});
  CHECK(r["changed"] == false);
  std::ofstream(s.path("plain")) << "";
  r = s.run("file", {{"path", s.path("plain")}, {"state", "directory"}});
  CHECK(r["msg"] == s.path("plain") + " already exists as a file");
}

TEST_CASE("file state=link and state=hard") {
  Sandbox s;
  std::ofstream(s.path("target")) << "data";
  const std::string l = s.path("l");
  Value r = s.run("file", {{"path", l}, {"src", "target"}, {"state", "link"}});
  CHECK(r["changed"] == true);
  CHECK(r["dest"] == l);
  CHECK(r["src"] == "target");
  CHECK(r["state"] == "link");
  CHECK(test::fs::read_symlink(l) == "target");
  CHECK(s.run("file", {{"path", l}, {"src", "target"}, {"state", "link"}})["changed"] == false);
  std::ofstream(s.path("other")) << "";
  r = s.run("file", {{"path", l}, {"src", s.path("other")}, {"state", "link"}}, true);
  CHECK(r["changed"] == true);
  CHECK(test::fs::read_symlink(l) == "target");
  s.run("file", {{"path", l}, {"src", s.path("other")}, {"state", "link"}});
  CHECK(test::fs::read_symlink(l) == s.path("other"));
  r = s.run("file", {{"path", s.path("l2")}, {"src", "missing"}, {"state", "link"}});
  CHECK(r["msg"] ==
        "src file does not exist, use \"force=yes\" if you really want to create the link: " + s.path("missing"));
  r = s.run("file", {{"path", s.path("target")}, {"src", "other"}, {"state", "link"}});
  CHECK(r["msg"] == "refusing to convert from file to symlink for " + s.path("target"));
  r = s.run("file", {{"path", s.path("h")}, {"src", s.path("target")}, {"state", "hard"}});
  CHECK(r["changed"] == true);
  CHECK(test::fs::hard_link_count(s.path("target")) == 2);
  CHECK(s.run("file", {{"path", s.path("h")}, {"src", s.path("target")}, {"state", "hard"}})["changed"] == false);
  r = s.run("file", {{"path", s.path("x")}, {"state", "link"}});
  CHECK(r["msg"] == "src is required for creating new symlinks");
}

TEST_CASE("file recurse brings every entry to the mode") {
  Sandbox s;
  test::fs::create_directories(s.path("r/a/b"));
  std::ofstream(s.path("r/a/f")) << "";
  test::fs::permissions(s.path("r/a/f"), static_cast<test::fs::perms>(0600));
  Value args = {{"path", s.path("r")}, {"state", "directory"}, {"mode", "0755"}, {"recurse", true}};
  CHECK(s.run("file", args, true)["changed"] == true);
  CHECK(mode_of(s.path("r/a/f")) == 0600);
  CHECK(s.run("file", args)["changed"] == true);
  CHECK(mode_of(s.path("r/a/f")) == 0755);
  CHECK(s.run("file", args)["changed"] == false);
  CHECK(s.run("file", args, true)["changed"] == false);
}

TEST_CASE("file owner and group by name and number") {
  if (::geteuid() != 0) return;
  Sandbox s;
  const std::string p = s.path("o");
  std::ofstream(p) << "";
  Value r = s.run("file", {{"path", p}, {"owner", "nobody"}, {"group", "0"}}, false, true);
  CHECK(r["changed"] == true);
  CHECK(r["owner"] == "nobody");
  CHECK(r["diff"]["before"]["owner"] == "root");
  CHECK(r["diff"]["after"]["owner"] == "nobody");
  CHECK(s.run("file", {{"path", p}, {"owner", "nobody"}, {"group", "root"}})["changed"] == false);
  CHECK_THROWS_WITH(s.run("file", {{"path", p}, {"owner", "no-such-user-xyz"}}),
                    "chown: invalid user: 'no-such-user-xyz'");
}

TEST_CASE("file names with shell syntax are only ever names") {
  Sandbox s;
  for (std::string name : {"it's", "$(touch pwned)", "a; touch pwned", "new\nline", "`touch pwned`", "-rf", "*"}) {
    const std::string p = s.path(name);
    INFO(name);
    CHECK(s.run("file", {{"path", p}, {"state", "directory"}})["changed"] == true);
    CHECK(test::fs::is_directory(p));
    CHECK(s.run("file", {{"path", p}, {"state", "directory"}})["changed"] == false);
    CHECK(s.run("file", {{"path", p}, {"state", "absent"}})["changed"] == true);
  }
  CHECK_FALSE(exists(s.path("pwned")));
  CHECK(test::fs::is_empty(s.dir));
}

TEST_CASE("file state=directory gives created parents the mode too") {
  Sandbox s;
  test::fs::permissions(s.dir, static_cast<test::fs::perms>(0755));
  Value r = s.run("file", {{"path", s.path("p/q/r")}, {"state", "directory"}, {"mode", "0750"}}, false, true);
  CHECK(r["changed"] == true);
  CHECK(mode_of(s.path("p")) == 0750);
  CHECK(mode_of(s.path("p/q")) == 0750);
  CHECK(mode_of(s.path("p/q/r")) == 0750);
  CHECK(mode_of(s.dir) == 0755);  // existing folders are left alone
  CHECK(r["diff"]["before"]["state"] == "absent");
  CHECK(r["diff"]["after"]["mode"] == "0750");
}

TEST_CASE("file state=directory: sessions creating the same parents at once all succeed") {
  Sandbox s;
  const prov::mod::Module* file = prov::mod::find_module("file");
  REQUIRE(file != nullptr);
  for (int round = 0; round < 10; ++round) {
    const std::string parent = s.path("race" + std::to_string(round) + "/shared/deeper");
    std::vector<std::string> failures(6);
    std::vector<std::thread> sessions;
    for (size_t i = 0; i < failures.size(); ++i) {
      sessions.emplace_back([&, i] {
        auto conn = prov::conn::make_local_connection();
        prov::mod::Context ctx;
        ctx.conn = conn.get();
        ctx.args = prov::mod::validate_args(
            file->spec(), {{"path", parent + "/d" + std::to_string(i)}, {"state", "directory"}, {"mode", "0750"}});
        prov::Value r = prov::mod::execute(*file, ctx);
        if (r.value("failed", false)) failures[i] = r.dump();
      });
    }
    for (auto& t : sessions) t.join();
    for (const auto& f : failures) CHECK(f == "");
    CHECK(mode_of(parent) == 0750);
  }
  // A parent that exists as a file is still an error, with mkdir's reason.
  std::ofstream(s.path("plain")) << "x";
  CHECK_THROWS_WITH(s.run("file", {{"path", s.path("plain/sub/d")}, {"state", "directory"}}),
                    Catch::Contains("plain/sub': Not a directory"));
  CHECK_THROWS_WITH(s.run("file", {{"path", s.path("plain/d")}, {"state", "directory"}, {"mode", "0700"}}),
                    Catch::Contains("plain': Not a directory"));
}

TEST_CASE("file state=absent in check mode expects what a planned package would bring", "[plan]") {
  Sandbox s;
  const prov::mod::Module* m = prov::mod::find_module("file");
  prov::mod::Plan plan;
  prov::mod::Context ctx;
  ctx.conn = s.conn.get();
  ctx.check_mode = true;
  ctx.plan = &plan;
  const std::string site = s.path("nginx/sites-enabled/default");
  ctx.args = prov::mod::validate_args(m->spec(), {{"path", site}, {"state", "absent"}});
  CHECK(prov::mod::execute(*m, ctx) ==
        Value{{"path", site}, {"changed", false}, {"state", "absent"}});  // nothing would bring it
  plan.packages.insert("nginx");
  Value r = prov::mod::execute(*m, ctx);
  CHECK(r["changed"] == true);
  CHECK(r["msg"] ==
        "check mode: " + site + " does not exist yet, but an earlier task may bring it; it would be removed");
  CHECK_FALSE(exists(s.path("nginx")));
  ctx.check_mode = false;  // a real run removes only what is there
  CHECK(prov::mod::execute(*m, ctx) == Value{{"path", site}, {"changed", false}, {"state", "absent"}});
}

TEST_CASE("file: a mode or owner out of range fails the task and changes nothing") {
  Sandbox s;
  std::string p = s.path("x");
  // The executor turns a raised prov::Error into the task's failure; either way the message must say what is wrong.
  auto failure = [&](Value args) -> std::string {
    try {
      Value r = s.run("file", std::move(args));
      return r.value("failed", false) ? r["msg"].get<std::string>() : "no failure";
    } catch (const prov::Error& e) {
      return e.message();
    }
  };
  CHECK(failure({{"path", p}, {"state", "touch"}, {"mode", "77777777777777777777"}}) ==
        "mode must be in octal or symbolic form: 77777777777777777777");
  CHECK(failure({{"path", p}, {"state", "touch"}, {"mode", Value(12345678901234LL)}}) ==
        "mode must be in octal or symbolic form: 12345678901234");
  CHECK_FALSE(exists(p));
  CHECK(failure({{"path", p}, {"state", "touch"}, {"owner", "99999999999999999999"}}).find("99999999999999999999") !=
        std::string::npos);
}
