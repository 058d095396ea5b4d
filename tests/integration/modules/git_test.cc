// git on a real host: repositories made on the host (file paths) and one served by `git daemon` from this machine.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::test::ModuleHost;
using prov::test::ModuleRun;

namespace {

constexpr int kDaemonPort = 8111;

// git on the host, installed once (the first test starts from a fresh host).
void ensure_git(ModuleHost& host) {
  if (host.try_sh("command -v git").rc == 0) return;
  host.sh("apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null");
}

// A source repository on the host: main with two commits, an annotated tag v1 on the first, a light tag light on
// the second, a branch dev with one more commit.
void make_source(ModuleHost& host, const std::string& dir) {
  host.sh(
      "rm -rf " + dir + " && mkdir -p " + dir + " && cd " + dir +
      " && git init -q -b main . && git config user.email t@t && git config user.name t"
      " && echo one > a.txt && git add a.txt && git commit -qm one && git tag -a v1 -m v1"
      " && echo two > a.txt && git commit -qam two && git tag light"
      " && git checkout -qb dev && echo dev > d.txt && git add d.txt && git commit -qm dev && git checkout -q main");
}

std::string rev(ModuleHost& host, const std::string& dir, const std::string& ref) {
  return host.sh("git -C " + dir + " rev-parse " + ref);
}

// `git daemon` on this machine, ended by its pid whatever happens in the test.
class Daemon {
 public:
  explicit Daemon(const std::string& base) {
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      std::string base_arg = "--base-path=" + base;
      std::string port = "--port=" + std::to_string(kDaemonPort);
      ::execlp("git", "git", "daemon", "--listen=10.213.0.1", port.c_str(), base_arg.c_str(), "--export-all",
               "--reuseaddr", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::usleep(500000);
  }
  ~Daemon() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

 private:
  pid_t pid_ = -1;
};

int local(const std::string& command) { return std::system(command.c_str()); }

}  // namespace

TEST_CASE("git clone, rerun, upstream commit, check and diff mode", "[git]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kGit);
  ensure_git(host);
  make_source(host, "/srv/src/repo");
  const std::string main_sha = rev(host, "/srv/src/repo", "main");
  Value args = {{"repo", "/srv/src/repo"}, {"dest", "/srv/app"}};

  // Check mode asks the remote and writes nothing.
  std::string before = host.upper_listing();
  ModuleRun check;
  check.check = true;
  check.diff = true;
  Value r = host.run("git", args, check);
  CHECK(r["changed"] == true);
  CHECK(r["before"].is_null());
  CHECK(r["after"] == main_sha);
  CHECK(r["diff"]["prepared"] == ">> Newly checked out " + main_sha);
  CHECK(host.upper_listing() == before);
  CHECK(host.try_sh("test -e /srv/app").rc != 0);

  r = host.run("git", args);
  CHECK(r["changed"] == true);
  CHECK(r["before"].is_null());
  CHECK(r["after"] == main_sha);
  CHECK(rev(host, "/srv/app", "HEAD") == main_sha);
  CHECK(host.sh("cat /srv/app/a.txt") == "two");
  CHECK(host.sh("git -C /srv/app symbolic-ref --short HEAD") == "main");
  CHECK(host.sh("git -C /srv/app config remote.origin.url") == "file:///srv/src/repo");

  r = host.run("git", args);
  CHECK(r["changed"] == false);
  CHECK(r["before"] == main_sha);
  CHECK(r["after"] == main_sha);
  CHECK(r["remote_url_changed"] == false);

  // A new commit upstream: check mode predicts it without fetching, the real run brings it with a diff.
  host.sh("cd /srv/src/repo && echo three > a.txt && git commit -qam three");
  const std::string new_sha = rev(host, "/srv/src/repo", "main");
  before = host.upper_listing();
  r = host.check("git", args);
  CHECK(r["changed"] == true);
  CHECK(r["before"] == main_sha);
  CHECK(r["after"] == new_sha);
  CHECK(host.upper_listing() == before);

  ModuleRun diff;
  diff.diff = true;
  r = host.run("git", args, diff);
  CHECK(r["changed"] == true);
  CHECK(r["before"] == main_sha);
  CHECK(r["after"] == new_sha);
  CHECK(r["diff"]["prepared"].get<std::string>().find("-two\n+three\n") != std::string::npos);
  CHECK(host.sh("cat /srv/app/a.txt") == "three");
  CHECK(host.run("git", args)["changed"] == false);
}

TEST_CASE("git versions: tag, light tag, sha, branch, depth 1, update=no, clone=no", "[git]") {
  ModuleHost host(prov::test::hosts::kGit);
  ensure_git(host);
  make_source(host, "/srv/src/versions");
  host.sh("rm -rf /srv/v");
  const std::string repo = "/srv/src/versions";
  const std::string v1 = rev(host, repo, "v1^{commit}");

  Value r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/tag"}, {"version", "v1"}});
  CHECK(r["changed"] == true);
  CHECK(r["after"] == v1);
  CHECK(host.sh("cat /srv/v/tag/a.txt") == "one");
  CHECK(host.run("git", {{"repo", repo}, {"dest", "/srv/v/tag"}, {"version", "v1"}})["changed"] == false);
  // Moving the same checkout to the light tag and to a branch.
  r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/tag"}, {"version", "light"}});
  CHECK(r["changed"] == true);
  CHECK(r["before"] == v1);
  CHECK(r["after"] == rev(host, repo, "light"));
  r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/tag"}, {"version", "dev"}});
  CHECK(r["changed"] == true);
  CHECK(r["after"] == rev(host, repo, "dev"));
  CHECK(host.sh("git -C /srv/v/tag symbolic-ref --short HEAD") == "dev");
  CHECK(host.run("git", {{"repo", repo}, {"dest", "/srv/v/tag"}, {"version", "dev"}})["changed"] == false);

  // A sha, full and abbreviated.
  r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/sha"}, {"version", v1}});
  CHECK(r["changed"] == true);
  CHECK(r["after"] == v1);
  CHECK(host.try_sh("git -C /srv/v/sha symbolic-ref -q HEAD").rc != 0);  // detached
  CHECK(host.run("git", {{"repo", repo}, {"dest", "/srv/v/sha"}, {"version", v1}})["changed"] == false);
  CHECK(host.run("git", {{"repo", repo}, {"dest", "/srv/v/sha"}, {"version", v1.substr(0, 10)}})["changed"] == false);

  // depth 1: one commit in the history.
  r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/shallow"}, {"depth", 1}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("git -C /srv/v/shallow rev-list --count HEAD") == "1");
  CHECK(host.sh("test -f /srv/v/shallow/.git/shallow && echo yes") == "yes");
  CHECK(host.run("git", {{"repo", repo}, {"dest", "/srv/v/shallow"}, {"depth", 1}})["changed"] == false);
  r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/shallow"}, {"depth", 1}, {"version", "dev"}});
  CHECK(r["changed"] == true);
  CHECK(r["after"] == rev(host, repo, "dev"));
  CHECK(host.sh("git -C /srv/v/shallow symbolic-ref --short HEAD") == "dev");

  // update=no leaves an existing checkout where it is; clone=no only asks the remote.
  host.sh("cd " + repo + " && git commit -q --allow-empty -m four");
  r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/sha"}, {"update", false}});
  CHECK(r["changed"] == false);
  CHECK(r["before"] == v1);
  CHECK(r["after"] == v1);
  r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/none"}, {"clone", false}});
  CHECK(r["changed"] == true);
  CHECK(r["after"] == rev(host, repo, "main"));
  CHECK(host.try_sh("test -e /srv/v/none").rc != 0);

  // A version the remote does not have.
  r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/bad"}, {"version", "nosuchbranch"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Failed to checkout nosuchbranch");

  // A repository without a commit at dest: the probe's one-program question about HEAD fails there, so it must
  // report no commit (before is empty), and HEAD is fetched into it.
  host.sh("git init -q -b main /srv/v/unborn && git -C /srv/v/unborn remote add origin " + repo);
  r = host.run("git", {{"repo", repo}, {"dest", "/srv/v/unborn"}});  // HEAD: the branch checked out, main
  CHECK(r["changed"] == true);
  CHECK(r["before"] == "");
  CHECK(r["after"] == rev(host, repo, "main"));
  CHECK(host.sh("git -C /srv/v/unborn symbolic-ref --short HEAD") == "main");
  CHECK(host.run("git", {{"repo", repo}, {"dest", "/srv/v/unborn"}})["changed"] == false);
}

TEST_CASE("git refuses a dirty checkout unless force", "[git]") {
  ModuleHost host(prov::test::hosts::kGit);
  ensure_git(host);
  make_source(host, "/srv/src/dirty");
  host.sh("rm -rf /srv/dirty");
  Value args = {{"repo", "/srv/src/dirty"}, {"dest", "/srv/dirty"}};
  REQUIRE(host.run("git", args)["changed"] == true);
  const std::string head = rev(host, "/srv/dirty", "HEAD");

  // Untracked files do not count.
  host.sh("echo new > /srv/dirty/untracked.txt");
  CHECK(host.run("git", args)["changed"] == false);

  host.sh("echo local > /srv/dirty/a.txt");
  Value r = host.run("git", args);
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Local modifications exist in the destination: /srv/dirty (force=no).");
  CHECK(r["before"] == head);
  CHECK(host.sh("cat /srv/dirty/a.txt") == "local");
  r = host.check("git", args);
  CHECK(r["failed"] == true);

  Value forced = args;
  forced["force"] = true;
  std::string before = host.upper_listing();
  r = host.check("git", forced);
  CHECK(r["changed"] == true);
  CHECK(host.upper_listing() == before);
  r = host.run("git", forced);
  CHECK(r["changed"] == true);
  CHECK(r["msg"] == "Local modifications exist in the destination: /srv/dirty");
  CHECK(r["before"] == head);
  CHECK(r["after"] == head);
  CHECK(host.sh("cat /srv/dirty/a.txt") == "two");
  CHECK(host.run("git", forced)["changed"] == false);
}

TEST_CASE("git over git:// from this machine, a remote that changes", "[git]") {
  ModuleHost host(prov::test::hosts::kGit);
  ensure_git(host);
  // The served repository lives on this machine, in a folder the test removes.
  char tmpl[] = "/tmp/prov-git-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string base = tmpl;
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{base};
  const std::string work = base + "/work";
  REQUIRE(local("git init -q -b main " + work + " && cd " + work +
                " && git -c user.email=t@t -c user.name=t commit -q --allow-empty -m one && git clone -q --bare " +
                work + " " + base + "/served.git && git remote add served " + base + "/served.git") == 0);
  Daemon daemon(base);
  const std::string url = "git://10.213.0.1:" + std::to_string(kDaemonPort) + "/served.git";
  host.sh("rm -rf /srv/served");
  Value args = {{"repo", url}, {"dest", "/srv/served"}};

  Value r = host.run("git", args);
  CHECK(r["changed"] == true);
  const std::string first = host.sh("git -C /srv/served rev-parse HEAD");
  CHECK(r["after"] == first);
  CHECK(host.run("git", args)["changed"] == false);

  REQUIRE(local("cd " + work +
                " && git -c user.email=t@t -c user.name=t commit -q --allow-empty -m two && git push -q "
                "served main") == 0);
  r = host.check("git", args);
  CHECK(r["changed"] == true);
  CHECK(r["after"] != first);
  r = host.run("git", args);
  CHECK(r["changed"] == true);
  CHECK(r["before"] == first);
  CHECK(r["after"] != first);
  CHECK(r["remote_url_changed"] == false);

  // The same history from another url: only the remote's url changes, and that is a change.
  host.sh("rm -rf /srv/mirror && git clone -q --mirror " + url + " /srv/mirror");
  Value moved = {{"repo", "/srv/mirror"}, {"dest", "/srv/served"}};
  r = host.run("git", moved);
  CHECK(r["changed"] == true);
  CHECK(r["remote_url_changed"] == true);
  CHECK(r["before"] == r["after"]);
  CHECK(host.sh("git -C /srv/served config remote.origin.url") == "file:///srv/mirror");
  CHECK(host.run("git", moved)["changed"] == false);

  // An unreachable remote fails with git's message.
  r = host.check("git", {{"repo", "git://10.213.0.1:8112/none.git"}, {"dest", "/srv/none"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().find("fatal:") != std::string::npos);
}

TEST_CASE("git with hostile values runs no shell", "[git]") {
  ModuleHost host(prov::test::hosts::kGit);
  ensure_git(host);
  make_source(host, "/srv/src/hostile");
  host.sh("rm -rf /tmp/pwned* /srv/h");
  const std::string dest = "/srv/h/x; touch /tmp/pwned1 `touch /tmp/pwned2` $(touch /tmp/pwned3)\n'\"";
  Value r = host.run("git", {{"repo", "/srv/src/hostile"}, {"dest", dest}});
  CHECK(r["changed"] == true);
  CHECK(host.run("git", {{"repo", "/srv/src/hostile"}, {"dest", dest}})["changed"] == false);
  r = host.run("git", {{"repo", "/srv/none; touch /tmp/pwned4 $(touch /tmp/pwned5)"}, {"dest", "/srv/h/y"}});
  CHECK(r["failed"] == true);
  r = host.run("git", {{"repo", "/srv/src/hostile"}, {"dest", "/srv/h/z"}, {"version", "main; touch /tmp/pwned6"}});
  CHECK(r["failed"] == true);
  r = host.run("git", {{"repo", "/srv/src/hostile"},
                       {"dest", "/srv/h/w"},
                       {"ssh_opts", "-o X=$(touch /tmp/pwned7)"},
                       {"key_file", "/k; touch /tmp/pwned8"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("ls /tmp | grep -c pwned || true") == "0");
  CHECK(host.try_sh("test -e /srv/h/x").rc != 0);
}

TEST_CASE("git as the become user; a bare clone", "[git]") {
  ModuleHost host(prov::test::hosts::kGit);
  ensure_git(host);
  make_source(host, "/srv/src/shared");
  // git refuses to read a repository another user owns ("dubious ownership"), so deploy gets its own source.
  make_source(host, "/srv/src/deploys");
  host.sh("rm -rf /home/deploy/app /srv/bare.git && chown -R deploy: /srv/src/deploys");
  ModuleRun as_deploy;
  as_deploy.become.enabled = true;
  as_deploy.become.user = "deploy";
  Value args = {{"repo", "/srv/src/deploys"}, {"dest", "/home/deploy/app"}};
  Value r = host.run("git", args, as_deploy);
  INFO(r.dump());
  CHECK(r["changed"] == true);
  CHECK(host.sh("stat -c %U /home/deploy/app/a.txt /home/deploy/app/.git/HEAD") == "deploy\ndeploy");
  CHECK(host.run("git", args, as_deploy)["changed"] == false);

  Value bare = {{"repo", "/srv/src/shared"}, {"dest", "/srv/bare.git"}, {"bare", true}};
  r = host.run("git", bare);
  CHECK(r["changed"] == true);
  CHECK(r["after"] == rev(host, "/srv/src/shared", "main"));
  CHECK(host.sh("git -C /srv/bare.git rev-parse --is-bare-repository") == "true");
  CHECK(host.run("git", bare)["changed"] == false);
  host.sh("cd /srv/src/shared && git commit -q --allow-empty -m more");
  r = host.run("git", bare);
  CHECK(r["changed"] == true);
  CHECK(r["after"] == rev(host, "/srv/src/shared", "main"));
}
