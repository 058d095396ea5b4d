// Probes sent ahead of time: several commands in one round trip, split back exactly, and answered once each.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../../../src/exec/prefetch.h"
#include "../../../src/exec/traced_connection.h"
#include "../../../src/modules/path_fact.h"
#include "provision/connection/local.h"
#include "provision/modules/module.h"

using prov::conn::CommandResult;
using prov::conn::RunOptions;
using prov::exec::BatchCommand;
using prov::exec::ProbeCache;
using prov::exec::run_together;

namespace {

// Counts the commands that reach the host.
class Counting : public prov::conn::Connection {
 public:
  Counting() : inner_(prov::conn::make_local_connection()) { inner_->connect(); }
  void connect() override {}
  CommandResult run(const std::string& command, const RunOptions& options) override {
    ++runs;
    return inner_->run(command, options);
  }
  void put_file(const std::string& content, const std::string& path, const prov::conn::PutOptions& options) override {
    inner_->put_file(content, path, options);
  }
  std::string fetch_file(const std::string& path, const prov::conn::Become& become) override {
    return inner_->fetch_file(path, become);
  }
  void close() override {}
  std::string kind() const override { return "counting"; }
  int runs = 0;

 private:
  std::unique_ptr<prov::conn::Connection> inner_;
};

}  // namespace

TEST_CASE("run_together splits output, errors and status exactly", "[prefetch]") {
  auto local = prov::conn::make_local_connection();
  local->connect();
  std::vector<BatchCommand> commands = {
      "echo one; echo err >&2",
      "printf 'no newline'",
      "exit 3",
      "printf 'two\\nlines\\n'; printf 'e1\\ne2' >&2; exit 1",
      "",
      "x=$(cat); printf '<%s>' \"$x\"",  // stdin is empty, not the batch's
      "echo \"'quoted' \\$HOME\"",
      "cd /; umask 077; echo $(pwd)",
      "pwd",  // the cd above stayed in its own subshell
  };
  std::vector<CommandResult> r = run_together(*local, commands, {});
  REQUIRE(r.size() == commands.size());
  CHECK(r[0].out == "one\n");
  CHECK(r[0].err == "err\n");
  CHECK(r[0].rc == 0);
  CHECK(r[1].out == "no newline");
  CHECK(r[1].err.empty());
  CHECK(r[2].rc == 3);
  CHECK(r[2].out.empty());
  CHECK(r[3].out == "two\nlines\n");
  CHECK(r[3].err == "e1\ne2");
  CHECK(r[3].rc == 1);
  CHECK(r[4].out.empty());
  CHECK(r[4].rc == 0);
  CHECK(r[5].out == "<>");
  CHECK(r[6].out == "'quoted' $HOME\n");
  CHECK(r[7].out == "/\n");
  CHECK(r[8].out == local->run("pwd", {}).out);

  // Each answer is the one the command gives alone.
  for (size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].text.find("cat") != std::string::npos) continue;  // alone, it would read the run's stdin
    CommandResult alone = local->run(commands[i].text, {});
    INFO(commands[i].text);
    CHECK(alone.out == r[i].out);
    CHECK(alone.err == r[i].err);
    CHECK(alone.rc == r[i].rc);
  }

  // A shell that ends half-way leaves output that cannot be split: an error, never a wrong answer.
  CHECK_THROWS_WITH(run_together(*local, {"true", "kill -9 $$", "true"}, {}), Catch::Contains("did not all finish"));
}

TEST_CASE("commands that share a subshell run in one, split as exactly as the others", "[prefetch]") {
  auto local = prov::conn::make_local_connection();
  local->connect();
  std::vector<BatchCommand> commands = {
      {"v=1; echo $v", true},
      {"echo ${v:-unset}; echo e >&2; false", true},  // the same subshell: it sees v
      {"echo ${v:-unset}", false},                    // a subshell of its own, from the batch's shell
      {"x=$(cat); printf '<%s>' \"$x\"; v=2", true},  // a new group: stdin is empty there too
      {"echo ${v:-unset}", true},
  };
  std::vector<CommandResult> r = run_together(*local, commands, {});
  REQUIRE(r.size() == commands.size());
  CHECK(r[0].out == "1\n");
  CHECK(r[1].out == "1\n");
  CHECK(r[1].err == "e\n");
  CHECK(r[1].rc == 1);
  CHECK(r[2].out == "unset\n");
  CHECK(r[3].out == "<>");
  CHECK(r[4].out == "2\n");
  // One that exits ends its group: the rest cannot be told apart, so nothing is answered.
  CHECK_THROWS_WITH(run_together(*local, {{"exit 0", true}, {"true", true}}, {}),
                    Catch::Contains("did not all finish"));
}

TEST_CASE("probe cache: answers for the same command and options; anything else empties it", "[prefetch]") {
  ProbeCache cache;
  RunOptions root;
  root.become.enabled = true;
  root.become.user = "root";
  root.become.method = "sudo";
  CommandResult a;
  a.out = "A";
  cache.store("probe a", root, a);
  cache.store("probe b", root, CommandResult{});

  CHECK_FALSE(cache.take("probe a", RunOptions{}).has_value());  // other options: another command
  CHECK(cache.empty());                                          // ... which may have changed things

  cache.store("probe a", root, a);
  cache.store("probe b", root, CommandResult{});
  REQUIRE(cache.take("probe a", root).has_value());
  REQUIRE(cache.take("probe b", root).has_value());
  CHECK(cache.take("probe a", root)->out == "A");  // asked again while only they are asked: the same answer
  CHECK_FALSE(cache.take("probe c", root).has_value());
  CHECK(cache.empty());  // another command emptied it

  RunOptions with_env = root;
  with_env.env["X"] = "1";
  cache.store("probe a", with_env, a);
  CHECK_FALSE(cache.take("probe a", root).has_value());

  RunOptions with_input = root;
  with_input.stdin_data = "secret";
  cache.store("probe a", with_input, a);  // never stored: it reads its input
  CHECK(cache.empty());
}

TEST_CASE("a traced connection answers probes sent ahead without asking the host again", "[prefetch]") {
  auto counting = std::make_unique<Counting>();
  Counting& host = *counting;
  prov::exec::TracedConnection conn("h", std::move(counting));
  conn.prefetch({"echo a", "echo b", "echo c"}, {});
  CHECK(host.runs == 1);
  CHECK(conn.run("echo a", {}).out == "a\n");
  CHECK(conn.run("echo b", {}).out == "b\n");
  CHECK(conn.run("echo a", {}).out == "a\n");
  CHECK(host.runs == 1);
  CHECK(conn.run("echo other", {}).out == "other\n");  // not sent ahead: asked, and the rest dropped
  CHECK(host.runs == 2);
  CHECK(conn.run("echo c", {}).out == "c\n");
  CHECK(host.runs == 3);

  conn.prefetch({"echo a", "echo b"}, {});
  const std::string file = "/tmp/provision-prefetch-test-" + std::to_string(::getpid());
  conn.put_file("x", file, {});  // an upload may change what they read
  std::remove(file.c_str());
  CHECK(conn.run("echo a", {}).out == "a\n");
  CHECK(host.runs == 5);
}

TEST_CASE("file probes sent together share one stat and answer exactly as alone", "[prefetch]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("provision-prelude-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sub dir");
  std::ofstream(dir / "file") << "content\n";
  std::ofstream(dir / "empty");
  std::ofstream(dir / "odd 'name' $x *") << "odd\n";
  fs::create_symlink(dir / "file", dir / "link");
  fs::create_symlink(dir / "sub dir", dir / "dirlink");
  fs::create_symlink(dir / "missing", dir / "broken");
  fs::permissions(dir / "empty", fs::perms::owner_read);
  // Only readlink and sha1sum remain in PATH below: a probe that reached the real stat would fail.
  const fs::path bin = dir / "bin";
  fs::create_directories(bin);
  fs::create_symlink("/usr/bin/readlink", bin / "readlink");
  fs::create_symlink("/usr/bin/sha1sum", bin / "sha1sum");

  const prov::mod::Module* file = prov::mod::find_module("file");
  REQUIRE(file != nullptr);
  auto local = prov::conn::make_local_connection();
  local->connect();
  for (bool follow : {true, false}) {
    std::vector<BatchCommand> commands;
    std::vector<std::string> paths;
    prov::mod::ProbePrelude make_prelude = nullptr;
    for (const char* name :
         {"file", "empty", "sub dir", "odd 'name' $x *", "link", "dirlink", "broken", "missing", "file"}) {
      prov::mod::Context ctx;
      ctx.args = prov::mod::validate_args(file->spec(), {{"path", (dir / name).string()}, {"follow", follow}});
      std::optional<prov::mod::Probe> probe = prov::mod::first_query(*file, ctx);
      REQUIRE(probe.has_value());
      CHECK(probe->shares_subshell);
      commands.emplace_back(probe->command, probe->shares_subshell);
      paths.push_back(probe->shared);
      make_prelude = probe->prelude;
    }
    // With a checksum (template, copy), and one in a subshell of its own amid them.
    commands.emplace_back(prov::mod::path_probe((dir / "file").string(), follow, "sha1").command, true);
    paths.push_back((dir / "file").string());
    commands.insert(commands.begin() + 3, BatchCommand{"echo between", false});
    REQUIRE(make_prelude != nullptr);
    std::string prelude = make_prelude(paths);
    REQUIRE_FALSE(prelude.empty());
    std::vector<CommandResult> together =
        run_together(*local, commands, {}, prelude + "\nPATH=" + prov::conn::shell_quote(bin.string()));
    for (size_t i = 0; i < commands.size(); ++i) {
      CommandResult alone = local->run(commands[i].text, {});
      INFO("follow " << follow << ": " << commands[i].text);
      // Reading a link (readlink) moves its access time: the ninth line may differ between any two probes.
      auto without_atime = [](const std::string& out) {
        size_t start = 0;
        for (int line = 0; line < 8 && start != std::string::npos; ++line) start = out.find('\n', start) + 1;
        if (start == 0 || start >= out.size()) return out;
        return out.substr(0, start) + out.substr(out.find('\n', start));
      };
      CHECK(without_atime(together[i].out) == without_atime(alone.out));
      CHECK(together[i].err == alone.err);
      CHECK(together[i].rc == alone.rc);
    }
    CHECK(together[0].out.rfind("regular file\n", 0) == 0);
    CHECK(together[3].out == "between\n");
    CHECK(together[8].out == "absent\n");
    CHECK(together.back().out.find("\nsum ") != std::string::npos);
  }

  // A probe whose stat fails reports status 1 and leaves the probes after it in its subshell to answer.
  std::vector<BatchCommand> failing = {
      {prov::mod::path_probe_command((dir / "file").string(), true, ""), true},
      {prov::mod::path_probe_command((dir / "missing").string(), true, ""), true},
  };
  std::vector<CommandResult> r = run_together(*local, failing, {}, "PATH=" + prov::conn::shell_quote(bin.string()));
  CHECK(r[0].rc == 1);
  CHECK(r[0].out.empty());
  CHECK(r[1].rc == 0);
  CHECK(r[1].out == "absent\n");
  fs::remove_all(dir);
}
