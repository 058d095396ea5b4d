#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "provision/connection/connection.h"
#include "provision/connection/local.h"

namespace fs = std::filesystem;
using prov::conn::shell_quote;

TEST_CASE("shell_quote leaves safe words alone and single-quotes the rest") {
  CHECK(shell_quote("abc-1.2/x_y@host:%+,") == "abc-1.2/x_y@host:%+,");
  CHECK(shell_quote("X=1") == "'X=1'");
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\"'\"'s'");
  CHECK(shell_quote("$(id)") == "'$(id)'");
  CHECK(shell_quote("-rf") == "-rf");
}

TEST_CASE("shell_quote refuses a NUL byte, which would cut the word short") {
  CHECK_THROWS_WITH(shell_quote(std::string("a\0b", 3)), "a value with a NUL byte cannot be passed to a shell");
}

TEST_CASE("a quoted word that looks like an assignment runs as a command") {
  auto conn = prov::conn::make_local_connection();
  conn->connect();
  // Unquoted, `X=1 ...` would set X and run nothing: here the word must be the command that is not found.
  auto r = conn->run(shell_quote("PROVISION_QUOTE_TEST=1") + " 2>&1; echo \"rc=$?\"");
  CHECK(r.out.find("rc=127") != std::string::npos);
}

TEST_CASE("shell_quote survives hostile values in a real /bin/sh") {
  fs::path dir = fs::temp_directory_path() / ("prov-quote-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.txt") << "x";
  auto conn = prov::conn::make_local_connection();
  conn->connect();
  const std::vector<std::string> hostile = {
      "it's", "\"double\"", "$(touch pwned)", "`touch pwned`", "a\nb\n", "x; touch pwned", "true && touch pwned",
      "*", "*.txt", "?", "[a]*", "", "-n", "--help", "héllo wörld ✓", "'", "''", "\\", "a\\'b", "$HOME", "${IFS}",
      "!", "~", "#comment", "a|touch pwned", "> pwned", "\t tab", "{a,b}", "%s %d"};
  for (const auto& value : hostile) {
    // printf's argument is the quoted value; the format is fixed, so the output must equal the value exactly.
    auto r = conn->run("cd " + shell_quote(dir.string()) + " && printf '%s' " + shell_quote(value));
    INFO("value: " << value);
    CHECK(r.rc == 0);
    CHECK(r.out == value);
  }
  CHECK_FALSE(fs::exists(dir / "pwned"));
  CHECK_FALSE(fs::exists("pwned"));
  fs::remove_all(dir);
}
