#include <catch2/catch.hpp>

#include "helpers.h"

using prov::Value;
using test::Sandbox;

TEST_CASE("command runs words without a shell and reports Ansible's keys") {
  Sandbox s;
  Value r = s.run("command", {{"_raw_params", "echo 'hello world'  again"}});
  CHECK(r["changed"] == true);
  CHECK(r["rc"] == 0);
  CHECK(r["stdout"] == "hello world again");
  CHECK(r["stderr"] == "");
  CHECK(r["stdout_lines"] == Value::array({"hello world again"}));
  CHECK(r["cmd"] == Value::array({"echo", "hello world", "again"}));
  CHECK(r["msg"] == "");
  CHECK(r["start"].is_string());
  CHECK(r["delta"].get<std::string>().rfind("0:00:0", 0) == 0);
  CHECK_FALSE(r.contains("failed"));
}

TEST_CASE("command never lets shell syntax run") {
  Sandbox s;
  Value r = s.run("command", {{"_raw_params", "echo $(touch pwned) `touch pwned` ; touch pwned && *"},
                              {"chdir", s.dir.string()}});
  CHECK(r["stdout"] == "$(touch pwned) `touch pwned` ; touch pwned && *");
  r = s.run("command", {{"argv", Value::array({"printf", "%s|", "a'b", "$(id)", "x\ny", ""})},
                        {"chdir", s.dir.string()}});
  CHECK(r["stdout"] == "a'b|$(id)|x\ny||");
  CHECK_FALSE(test::fs::exists(s.path("pwned")));
}

TEST_CASE("command expands environment variables as Ansible's run_command does") {
  Sandbox s;
  CHECK(s.run("command", {{"_raw_params", "echo $HOME ${HOME}x"}})["stdout"] ==
        std::string(getenv("HOME")) + " " + getenv("HOME") + "x");
}

TEST_CASE("a non-zero rc fails with Ansible's message") {
  Sandbox s;
  Value r = s.run("shell", {{"_raw_params", "echo out; echo err >&2; exit 4"}});
  CHECK(r["failed"] == true);
  CHECK(r["rc"] == 4);
  CHECK(r["msg"] == "non-zero return code");
  CHECK(r["stdout"] == "out");
  CHECK(r["stderr_lines"] == Value::array({"err"}));
  CHECK(r["cmd"] == "echo out; echo err >&2; exit 4");
}

TEST_CASE("shell uses the shell, executable, stdin and strip_empty_ends") {
  Sandbox s;
  CHECK(s.run("shell", {{"_raw_params", "printf 'a\\nb\\n' | wc -l"}})["stdout"] == "2");
  CHECK(s.run("shell", {{"cmd", "echo $0"}, {"executable", "/bin/bash"}})["stdout"] == "/bin/bash");
  Value r = s.run("shell", {{"cmd", "cat; echo"}, {"stdin", "in"}, {"strip_empty_ends", false}});
  CHECK(r["stdout"] == "in\n\n");
  r = s.run("command", {{"cmd", "cat"}, {"stdin", "in"}, {"stdin_add_newline", false}, {"strip_empty_ends", false}});
  CHECK(r["stdout"] == "in");
}

TEST_CASE("command with chdir, and a missing chdir fails clearly") {
  Sandbox s;
  CHECK(s.run("command", {{"cmd", "pwd"}, {"chdir", s.dir.string()}})["stdout"] == s.dir.string());
  Value r = s.run("command", {{"cmd", "pwd"}, {"chdir", s.path("nope")}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().rfind("Unable to change directory before execution: ", 0) == 0);
}

TEST_CASE("creates and removes decide whether the command runs, globs included") {
  Sandbox s;
  std::ofstream(s.path("made.txt")) << "x";
  Value r = s.run("command", {{"cmd", "touch ran"}, {"chdir", s.dir.string()}, {"creates", s.path("*.txt")}});
  CHECK(r["changed"] == false);
  CHECK(r["rc"] == 0);
  CHECK(r["msg"] == "Did not run command since '" + s.path("*.txt") + "' exists");
  CHECK(r["stdout"] == "skipped, since " + s.path("*.txt") + " exists");
  r = s.run("command", {{"cmd", "touch ran"}, {"chdir", s.dir.string()}, {"removes", "nothing*"}});
  CHECK(r["msg"] == "Did not run command since 'nothing*' does not exist");
  CHECK_FALSE(test::fs::exists(s.path("ran")));
  r = s.run("command", {{"cmd", "touch ran"}, {"chdir", s.dir.string()}, {"creates", "ran"}});
  CHECK(r["changed"] == true);
  CHECK(test::fs::exists(s.path("ran")));
  // A file name with quotes and $() in the creates pattern is literal.
  r = s.run("command", {{"cmd", "true"}, {"chdir", s.dir.string()}, {"creates", "it's $(touch pwned)"}});
  CHECK(r["changed"] == true);
  CHECK_FALSE(test::fs::exists(s.path("pwned")));
}

TEST_CASE("command in check mode is skipped unless creates/removes decide") {
  Sandbox s;
  Value r = s.run("command", {{"cmd", "touch ran"}, {"chdir", s.dir.string()}}, true);
  CHECK(r["skipped"] == true);
  CHECK(r["changed"] == false);
  CHECK(r["msg"] == "Command would have run if not in check mode");
  r = s.run("command", {{"cmd", "touch ran"}, {"chdir", s.dir.string()}, {"creates", "ran"}}, true);
  CHECK(r["changed"] == true);
  CHECK_FALSE(r.contains("skipped"));
  std::ofstream(s.path("ran")) << "";
  r = s.run("command", {{"cmd", "touch ran"}, {"chdir", s.dir.string()}, {"creates", "ran"}}, true);
  CHECK(r["msg"] == "Would not run command since 'ran' exists");
}

TEST_CASE("command argument errors") {
  Sandbox s;
  Value r = s.run("command", {{"_raw_params", "  "}});
  CHECK(r["failed"] == true);
  CHECK(r["rc"] == 256);
  CHECK(r["msg"] == "no command given");
  r = s.run("command", {{"_raw_params", "ls"}, {"argv", Value::array({"ls"})}});
  CHECK(r["msg"] == "only command or argv can be given, not both");
  CHECK_THROWS_WITH(s.run("command", {{"_raw_params", "echo 'unclosed"}}), "No closing quotation");
  CHECK_THROWS_WITH(s.run("command", {{"cmd", "ls"}, {"chdri", "/"}}),
                    Catch::Contains("Unsupported parameters for (command) module: chdri.") &&
                        Catch::Contains("(did you mean 'chdir'?)"));
}

TEST_CASE("raw runs the string as is and fails on non-zero rc") {
  Sandbox s;
  Value r = s.run("raw", {{"_raw_params", "echo a; echo b"}});
  CHECK(r["changed"] == true);
  CHECK(r["stdout"] == "a\nb\n");
  CHECK(r["stdout_lines"] == Value::array({"a", "b"}));
  r = s.run("raw", {{"_raw_params", "exit 2"}});
  CHECK(r["failed"] == true);
  CHECK(r["rc"] == 2);
  CHECK(r["msg"] == "non-zero return code");
}

TEST_CASE("a real run reports none of check mode's words") {
  Sandbox s;
  Value r = s.run("command", {{"cmd", "touch ran"}, {"chdir", s.dir.string()}, {"removes", "nothing*"}}, true);
  CHECK(r["msg"] == "Would not run command since 'nothing*' does not exist");
  CHECK(r["changed"] == false);
  r = s.run("shell", {{"cmd", "echo hi"}, {"creates", s.path("none")}});
  CHECK_FALSE(r.contains("skipped"));
  CHECK(r["msg"] == "");
  CHECK(r["stdout"] == "hi");
  r = s.run("shell", {{"cmd", "echo hi"}});
  CHECK_FALSE(r.contains("skipped"));
  CHECK(r["changed"] == true);
  std::ofstream(s.path("made")) << "";
  r = s.run("command", {{"cmd", "touch ran"}, {"creates", s.path("made")}});
  CHECK(r.dump() == Value{{"changed", false},
                          {"stdout", "skipped, since " + s.path("made") + " exists"},
                          {"stderr", ""},
                          {"rc", 0},
                          {"cmd", Value::array({"touch", "ran"})},
                          {"start", nullptr},
                          {"end", nullptr},
                          {"delta", nullptr},
                          {"msg", "Did not run command since '" + s.path("made") + "' exists"},
                          {"stdout_lines", Value::array({"skipped, since " + s.path("made") + " exists"})},
                          {"stderr_lines", Value::array()}}
                        .dump());
}

TEST_CASE("ping runs a command on the host and answers with its data, in check mode too") {
  Sandbox s;
  CHECK(s.run("ping", Value::object()) == Value{{"changed", false}, {"ping", "pong"}});
  CHECK(s.run("ansible.builtin.ping", {{"data", "hi"}}, true) == Value{{"changed", false}, {"ping", "hi"}});
  Value crashed = s.run("ping", {{"data", "crash"}});
  CHECK(crashed["failed"] == true);
  CHECK(crashed["msg"] == "boom");
}
