// The contract every transport keeps, run against each target of suite_targets(): local always, ssh when the
// sandbox is up. A difference between transports is a bug in one of them.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>

#include "provision/connection/become.h"
#include "sandbox_hosts.h"

using namespace prov;
using prov::test::run_ok;
using prov::test::suite_targets;

namespace {

// A fresh private directory on the target, removed again by the caller's cleanup command.
std::string scratch_dir(conn::Connection& c) { return run_ok(c, "mktemp -d"); }

// Options exporting D=dir, so paths reach the shell through the env quoting, not by hand.
conn::RunOptions in(const std::string& dir, const conn::Become& become = {}) {
  conn::RunOptions options;
  options.env["D"] = dir;
  options.become = become;
  return options;
}

std::string big_text(size_t size) {
  std::string text(size, 'x');
  for (size_t i = 0; i < size; i += 4099) text[i] = static_cast<char>('a' + (i / 4099) % 26);
  return text;
}

}  // namespace

TEST_CASE("exit codes and the two output streams", "[suite]") {
  for (const auto& target : suite_targets()) {
    DYNAMIC_SECTION(target.name) {
      auto c = target.make();
      c->connect();
      auto r = c->run("echo out; echo err >&2; exit 3");
      CHECK(r.rc == 3);
      CHECK(r.out == "out\n");
      CHECK(r.err == "err\n");
      CHECK_FALSE(r.timed_out);
      CHECK(c->run("true").rc == 0);
      // The persistent remote shell reports a signal's death as shells do (128+N); its $$ is the shell's own.
      CHECK(c->run("exec /bin/sh -c 'kill -TERM $$'").rc == (target.persistent_shell ? 128 + 15 : -15));
      if (!target.persistent_shell) CHECK(c->run("kill -TERM $$").rc == -15);
      CHECK(c->run("(exit 3) && echo no || echo \"rc $?\"").out == "rc 3\n");
      auto syntax = c->run("if then");
      CHECK(syntax.rc == 2);
      CHECK(syntax.err == "/bin/sh: 1: Syntax error: \"then\" unexpected\n");
      auto missing = c->run("no-such-command-here");
      CHECK(missing.rc == 127);
      CHECK(missing.err == "/bin/sh: 1: no-such-command-here: not found\n");  // POSIX sh (dash), not bash
      c->close();
    }
  }
}

TEST_CASE("large outputs on both streams at once", "[suite]") {
  for (const auto& target : suite_targets()) {
    DYNAMIC_SECTION(target.name) {
      auto c = target.make();
      auto r = c->run("head -c 10485760 /dev/zero | tr '\\000' a; head -c 1048576 /dev/zero | tr '\\000' b >&2");
      REQUIRE(r.rc == 0);
      CHECK(r.out.size() == 10485760);
      CHECK(r.out.find_first_not_of('a') == std::string::npos);
      CHECK(r.err.size() == 1048576);
      CHECK(r.err.find_first_not_of('b') == std::string::npos);
    }
  }
}

TEST_CASE("stdin reaches the command, also when it echoes more than the windows hold", "[suite]") {
  for (const auto& target : suite_targets()) {
    DYNAMIC_SECTION(target.name) {
      auto c = target.make();
      conn::RunOptions options;
      options.stdin_data = big_text(5 * 1024 * 1024);
      auto r = c->run("cat; echo done >&2", options);
      REQUIRE(r.rc == 0);
      CHECK(r.out.size() == options.stdin_data.size());
      CHECK(r.out == options.stdin_data);
      CHECK(r.err == "done\n");
      options.stdin_data = "";
      CHECK(run_ok(*c, "wc -c", options) == "0");
    }
  }
}

TEST_CASE("environment per command, quoted", "[suite]") {
  for (const auto& target : suite_targets()) {
    DYNAMIC_SECTION(target.name) {
      auto c = target.make();
      conn::RunOptions options;
      options.env = {{"GREETING", "it's $HOME `x` \"y\""}, {"EMPTY", ""}};
      CHECK(run_ok(*c, "printf '%s|%s' \"$GREETING\" \"$EMPTY\"", options) == "it's $HOME `x` \"y\"|");
      // Nothing leaks into the next command.
      CHECK(run_ok(*c, "printf '%s' \"${GREETING-unset}\"") == "unset");
      options.env = {{"BAD NAME", "x"}};
      CHECK_THROWS_WITH(c->run("true", options),
                        "invalid environment variable name 'BAD NAME': it must be a shell identifier");
    }
  }
}

TEST_CASE("a command that outlives its timeout is killed and the connection stays usable", "[suite]") {
  for (const auto& target : suite_targets()) {
    DYNAMIC_SECTION(target.name) {
      auto c = target.make();
      conn::RunOptions options;
      options.timeout_seconds = 1;
      auto start = std::chrono::steady_clock::now();
      auto r = c->run("echo started; sleep 37; echo not reached", options);
      auto took = std::chrono::steady_clock::now() - start;
      CHECK(r.timed_out);
      CHECK(r.rc == -9);
      CHECK(r.out == "started\n");
      CHECK(r.err == "provision: command timed out after 1 seconds and was killed\n");
      CHECK(took < std::chrono::seconds(3));
      CHECK(run_ok(*c, "echo still here") == "still here");
      // The command's children are gone too, not left running on the host.
      CHECK(run_ok(*c, "ps -eo args | grep -c '^sleep 37$' || true") == "0");
    }
  }
}

TEST_CASE("put_file writes large files atomically with the asked mode and fetch_file reads them", "[suite]") {
  for (const auto& target : suite_targets()) {
    DYNAMIC_SECTION(target.name) {
      auto c = target.make();
      std::string dir = scratch_dir(*c);
      std::string content = big_text(20 * 1024 * 1024);
      conn::PutOptions options;
      options.mode = "0640";
      c->put_file(content, dir + "/big file", options);
      CHECK(run_ok(*c, "stat -c '%a %s' \"$D/big file\"", in(dir)) == "640 20971520");
      CHECK(c->fetch_file(dir + "/big file") == content);

      // Replacing keeps the old mode when none is asked for; no temporary file is left behind.
      c->put_file("small\n", dir + "/big file");
      CHECK(c->fetch_file(dir + "/big file") == "small\n");
      CHECK(run_ok(*c, "stat -c %a \"$D/big file\"; ls -A \"$D\"", in(dir)) == "640\nbig file");
      // A new file without a mode gets 0666 minus the umask.
      c->put_file("", dir + "/empty");
      unsigned long umask = std::stoul(run_ok(*c, "umask"), nullptr, 8);
      char expected[8];
      std::snprintf(expected, sizeof expected, "%lo", 0666 & ~umask);
      CHECK(run_ok(*c, "stat -c '%a %s' \"$D/empty\"", in(dir)) == std::string(expected) + " 0");

      CHECK_THROWS_WITH(c->fetch_file(dir + "/missing"), "cannot read " + dir + "/missing: No such file or directory");
      // The wording differs between transports (local names the folder, ssh the file); the cause does not.
      CHECK_THROWS_WITH(c->put_file("x", dir + "/no/such/dir/f"),
                        Catch::Contains(dir + "/no/such/dir") && Catch::EndsWith(": No such file or directory"));
      run_ok(*c, "rm -rf \"$D\"", in(dir));
    }
  }
}

TEST_CASE("become without a password", "[suite]") {
  for (const auto& target : suite_targets()) {
    if (!target.can_become) continue;
    DYNAMIC_SECTION(target.name) {
      auto c = target.make();
      conn::RunOptions options;
      options.become.enabled = true;
      options.stdin_data = "to the command\n";
      options.env = {{"WHO", "me"}};
      CHECK(run_ok(*c, "id -un; echo \"$WHO\"; cat", options) == "root\nme\nto the command");
      conn::PutOptions put;
      put.become.enabled = true;
      put.mode = "0600";
      std::string dir = run_ok(*c, "mktemp -d", options);
      c->put_file("secret\n", dir + "/root-file", put);
      CHECK(run_ok(*c, "stat -c '%U %a' \"$D/root-file\"; ls -A \"$D\"", in(dir, options.become)) ==
            "root 600\nroot-file");
      CHECK(c->fetch_file(dir + "/root-file", options.become) == "secret\n");
      run_ok(*c, "rm -rf \"$D\"", in(dir, options.become));

      // A time limit reaches the escalated command's children as well.
      options.timeout_seconds = 1;
      options.stdin_data.clear();
      auto r = c->run("sleep 38", options);
      CHECK(r.timed_out);
      CHECK(r.rc == -9);
      CHECK(run_ok(*c, "ps -eo args | grep -c '^sleep 38$' || true") == "0");
    }
  }
}
