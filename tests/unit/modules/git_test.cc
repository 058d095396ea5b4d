// The pure parts of the git module: the probe's output and what a version means on the remote.
#include <catch2/catch.hpp>
#include <deque>

#include "../../../src/modules/git.h"
#include "helpers.h"
#include "scripted_host.h"

namespace git = prov::mod::git;
using prov::Value;

namespace {

const char* kProbe =
    "@dest\n"
    "@repo\n"
    "@head 1111111111111111111111111111111111111111\n"
    "@branch \n"
    "@headbranch main\n"
    "@url file:///srv/src/repo\n"
    "@mods\n"
    "@lsrc 0\n"
    "@ls 2222222222222222222222222222222222222222\tHEAD\n"
    "@ls 2222222222222222222222222222222222222222\trefs/heads/main\n"
    "@ls 3333333333333333333333333333333333333333\trefs/heads/dev\n"
    "@ls 4444444444444444444444444444444444444444\trefs/tags/v1\n"
    "@ls 5555555555555555555555555555555555555555\trefs/tags/v1^{}\n"
    "@ls 6666666666666666666666666666666666666666\trefs/tags/light\n";

using test::ScriptedHost;

using test::answer;

prov::mod::Context git_context(ScriptedHost& host, const Value& args, bool check, bool diff) {
  return test::context_for("git", host, args, {check, diff, nullptr});
}

}  // namespace

TEST_CASE("git probe output is parsed", "[git]") {
  git::Probe p = git::parse_probe(kProbe);
  CHECK(p.git_found);
  CHECK(p.dest_exists);
  CHECK(p.is_repo);
  CHECK(p.head == "1111111111111111111111111111111111111111");
  CHECK(p.branch.empty());
  CHECK(p.head_branch == "main");
  CHECK(p.url == "file:///srv/src/repo");
  CHECK(p.local_mods);
  CHECK_FALSE(p.has_submodules);
  CHECK(p.ls_remote_ran);
  CHECK(p.ls_remote_rc == 0);
  CHECK(p.refs.size() == 6);
  CHECK(p.ls_remote_err.empty());

  git::Probe missing = git::parse_probe("@nogit /usr/bin:/bin\n");
  CHECK_FALSE(missing.git_found);
  CHECK(missing.path_env == "/usr/bin:/bin");

  git::Probe failed = git::parse_probe(
      "@lsrc 128\n@ls fatal: '/srv/nope' does not appear to be a git repository\n@ls fatal: Could not read from "
      "remote repository.\n");
  CHECK_FALSE(failed.is_repo);
  CHECK(failed.ls_remote_rc == 128);
  CHECK(failed.refs.empty());
  CHECK(failed.ls_remote_err ==
        "fatal: '/srv/nope' does not appear to be a git repository\nfatal: Could not read from remote repository.");
}

TEST_CASE("git versions: HEAD, branch, annotated and light tags, sha", "[git]") {
  git::Probe p = git::parse_probe(kProbe);
  CHECK(git::version_kind(p, "HEAD") == "HEAD");
  CHECK(git::version_kind(p, "dev") == "branch");
  CHECK(git::version_kind(p, "v1") == "tag");
  CHECK(git::version_kind(p, "abc1234") == "sha");
  CHECK(git::remote_sha(p, "HEAD", true) == "2222222222222222222222222222222222222222");
  CHECK(git::remote_sha(p, "HEAD", false) == "2222222222222222222222222222222222222222");  // refs/heads/main
  CHECK(git::remote_sha(p, "dev", false) == "3333333333333333333333333333333333333333");
  CHECK(git::remote_sha(p, "v1", false) == "5555555555555555555555555555555555555555");  // peeled
  CHECK(git::remote_sha(p, "light", false) == "6666666666666666666666666666666666666666");
  CHECK(git::remote_sha(p, "abc1234", false) == "abc1234");
  p.head_branch = "gone";
  CHECK(git::remote_sha(p, "HEAD", false).empty());
}

TEST_CASE("git remote urls compare as Ansible's set_remote_url does", "[git]") {
  CHECK(git::same_url("file:///srv/src/repo", "/srv/src/repo"));
  CHECK(git::same_url("git://h/r.git/", "git://h/r.git"));
  CHECK_FALSE(git::same_url("git://h/r.git", "git://h/r"));
  CHECK_FALSE(git::same_url("file:///srv/a", "file:///srv/b"));
}

TEST_CASE("git argument errors", "[git]") {
  test::Sandbox s;
  REQUIRE_THROWS_WITH(s.run("git", {{"dest", s.path("x")}}), "missing required arguments: repo");
  REQUIRE_THROWS_WITH(s.run("git", {{"repo", "/r"}, {"dest", "/d"}, {"bare", true}, {"separate_git_dir", "/s"}}),
                      "parameters are mutually exclusive: separate_git_dir|bare");
  Value r = s.run("git", {{"repo", "/r"}, {"clone", true}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "the destination directory must be specified unless clone=no");
  r = s.run("git", {{"repo", "/r"}, {"dest", s.path("x")}, {"umask", 18}});
  CHECK(r["msg"] == "umask must be defined as a quoted octal integer");
  r = s.run("git", {{"repo", "/r"}, {"dest", s.path("x")}, {"umask", "0x22"}});
  CHECK(r["msg"] == "umask must be an octal integer");
}

TEST_CASE("git in check mode trusts a plan that installs git", "[git]") {
  test::Sandbox s;
  const prov::mod::Module* git_module = prov::mod::find_module("ansible.builtin.git");
  REQUIRE(git_module != nullptr);
  prov::mod::Plan plan;
  prov::mod::Context ctx;
  ctx.conn = s.conn.get();
  ctx.args = prov::mod::validate_args(
      git_module->spec(), {{"repo", "/srv/r"}, {"dest", s.path("app")}, {"executable", "/nonexistent/git"}});
  ctx.check_mode = true;
  ctx.plan = &plan;
  Value r = prov::mod::execute(*git_module, ctx);
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().rfind("Failed to find required executable \"/nonexistent/git\" in paths: ", 0) ==
        0);
  plan.packages.insert("git");
  r = prov::mod::execute(*git_module, ctx);
  CHECK(r["changed"] == true);
  CHECK(r["before"].is_null());
  CHECK(plan.trees.count(s.path("app")) == 1);
}

TEST_CASE("git: a checkout at the remote's sha is one read; check mode with --diff reads the diff", "[git]") {
  const std::string at_main =
      "@dest\n@repo\n@head 2222222222222222222222222222222222222222\n@branch main\n@headbranch main\n"
      "@url file:///srv/src/repo\n@lsrc 0\n@ls 2222222222222222222222222222222222222222\tHEAD\n"
      "@ls 2222222222222222222222222222222222222222\trefs/heads/main\n";
  const Value args = {{"repo", "/srv/src/repo"}, {"dest", "/srv/app"}};
  const prov::mod::Module* m = prov::mod::find_module("git");
  ScriptedHost host;
  host.answers = {answer(at_main)};
  prov::mod::Context ctx = git_context(host, args, false, true);
  Value r = prov::mod::execute(*m, ctx);
  CHECK(r == Value{{"changed", false},
                   {"before", "2222222222222222222222222222222222222222"},
                   {"remote_url_changed", false},
                   {"after", "2222222222222222222222222222222222222222"}});
  REQUIRE(host.commands.size() == 1);
  CHECK(host.commands[0] == prov::mod::first_query(*m, ctx)->command);
  CHECK(host.commands[0].find("export GIT_OPTIONAL_LOCKS=0; ") != std::string::npos);

  std::string behind = at_main;
  behind.replace(behind.find("@head 2222"), 10, "@head 1111");
  host = {};
  host.answers = {answer(behind), answer("diff --git a/x b/x\n")};
  ctx = git_context(host, args, true, true);
  r = prov::mod::execute(*m, ctx);
  CHECK(r["changed"] == true);
  CHECK(r["after"] == "2222222222222222222222222222222222222222");
  CHECK(r["diff"] == Value{{"prepared", "diff --git a/x b/x\n"}});
  REQUIRE(host.commands.size() == 2);
  CHECK(host.commands[1].find(" diff 1111") != std::string::npos);

  host = {};
  host.answers = {answer(behind)};
  ctx = git_context(host, args, true, false);
  CHECK(prov::mod::execute(*m, ctx)["changed"] == true);
  CHECK(host.commands.size() == 1);  // no diff read without --diff
}
