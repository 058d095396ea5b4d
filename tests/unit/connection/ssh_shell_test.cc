// The persistent remote shell: error messages read as from `sh -c` (dash's "eval: " is taken out), and which input it
// takes as a here-document.
#include <catch2/catch.hpp>

#include "../../../src/connection/ssh_shell.h"

using prov::conn::detail::without_eval_prefix;

TEST_CASE("without_eval_prefix takes dash's eval word out of each message line, and nothing else", "[ssh]") {
  CHECK(without_eval_prefix("/bin/sh: 3: eval: x: not found\n") == "/bin/sh: 3: x: not found\n");
  CHECK(without_eval_prefix("/bin/sh: 1: eval: a: not found\nplain line\n/bin/sh: 12: eval: b: Permission denied") ==
        "/bin/sh: 1: a: not found\nplain line\n/bin/sh: 12: b: Permission denied");
  // Only at the start of a line, after "/bin/sh: N: ", once.
  CHECK(without_eval_prefix("echo: /bin/sh: 3: eval: x\n") == "echo: /bin/sh: 3: eval: x\n");
  CHECK(without_eval_prefix("/bin/sh: eval: x\n") == "/bin/sh: eval: x\n");
  CHECK(without_eval_prefix("/bin/sh: 3: eval: eval: x\n") == "/bin/sh: 3: eval: x\n");
  CHECK(without_eval_prefix("/bin/sh: 3: evaluate: x\n") == "/bin/sh: 3: evaluate: x\n");
  CHECK(without_eval_prefix("/bin/sh: 3: eval") == "/bin/sh: 3: eval");
  CHECK(without_eval_prefix("") == "");
  CHECK(without_eval_prefix("\n\n") == "\n\n");
}

TEST_CASE("the remote shell takes input as a here-document only when it arrives byte for byte", "[ssh]") {
  using prov::conn::detail::RemoteShell;
  CHECK(RemoteShell::accepts_input("SELECT 1;\n"));
  CHECK(RemoteShell::accepts_input("a\tb\r\n'$x' `y` \\\n\n"));
  CHECK(RemoteShell::accepts_input(std::string(64 * 1024 - 1, 'x') + "\n"));
  CHECK_FALSE(RemoteShell::accepts_input(""));                  // nothing to give: /dev/null
  CHECK_FALSE(RemoteShell::accepts_input("no final newline"));  // a here-document always ends with one
  CHECK_FALSE(RemoteShell::accepts_input("caf\xc3\xa9\n"));     // bytes a shell may read its own way
  CHECK_FALSE(RemoteShell::accepts_input(std::string("a\0b\n", 4)));
  CHECK_FALSE(RemoteShell::accepts_input("\x1b[0m\n"));
  CHECK_FALSE(RemoteShell::accepts_input(std::string(64 * 1024, 'x') + "\n"));  // large: a channel streams it
}
