// The command that finishes an SFTP upload, run with the local transport: no sandbox needed.
#include <catch2/catch.hpp>

#include "../../../src/connection/ssh_files.h"
#include "provision/connection/local.h"
#include "provision/connection/scripts.h"

using namespace prov;

namespace {
std::string run_ok(conn::Connection& c, const std::string& command) {
  auto r = c.run(command, {});
  INFO(command << "\n" << r.err);
  REQUIRE(r.rc == 0);
  return r.out;
}
}  // namespace

TEST_CASE("finishing an upload checks the checksum before anything else", "[upload-script]") {
  auto c = conn::make_local_connection();
  std::string dir = run_ok(*c, "mktemp -d");
  dir.pop_back();
  const std::string tmp = dir + "/.provision-tmp-1";
  const std::string dest = dir + "/it's here";
  conn::PutOptions options;
  options.mode = "0604";

  SECTION("matching content is installed with its mode") {
    run_ok(*c, "printf 'hello' > '" + tmp + "'");
    auto r = c->run(conn::detail::finish_upload_script(tmp, dest, "hello", options), {});
    CHECK(r.rc == 0);
    CHECK(r.err.empty());
    CHECK(run_ok(*c, "cd '" + dir + "' && ls -A && stat -c %a \"it's here\" && cat \"it's here\"") ==
          "it's here\n604\nhello");
  }
  SECTION("a truncated upload is refused and removed, the old file untouched") {
    run_ok(*c, "printf 'old' > \"$(printf '%s' '" + dir + "')/it's here\"; printf 'hel' > '" + tmp + "'");
    auto r = c->run(conn::detail::finish_upload_script(tmp, dest, "hello", options), {});
    CHECK(r.rc == 1);
    CHECK(r.err == "the file on the host differs from the one sent (3 of 5 bytes arrived)\n");
    CHECK(run_ok(*c, "cd '" + dir + "' && ls -A && cat \"it's here\"") == "it's here\nold");
  }
  SECTION("an upload of the right size but other bytes is refused by its checksum") {
    run_ok(*c, "printf 'hellO' > '" + tmp + "'");
    auto r = c->run(conn::detail::finish_upload_script(tmp, dest, "hello", options), {});
    CHECK(r.rc == 1);
    CHECK(r.err == "checksum mismatch: the file on the host differs from the one sent\n");
    CHECK(run_ok(*c, "ls -A '" + dir + "'").empty());
  }
  SECTION("an existing file keeps its owner and group unless they are given") {
    run_ok(*c, "printf 'old' > \"$(printf '%s' '" + dir + "')/it's here\"; chown nobody:nogroup \"$(printf '%s' '" +
                   dir + "')/it's here\"; printf 'hello' > '" + tmp + "'");
    auto r = c->run(conn::detail::finish_upload_script(tmp, dest, "hello", options), {});
    CHECK(r.rc == 0);
    CHECK(run_ok(*c, "cd '" + dir + "' && stat -c '%U:%G %a' \"it's here\" && cat \"it's here\"") ==
          "nobody:nogroup 604\nhello");
    options.group = "root";
    run_ok(*c, "printf 'again' > '" + tmp + "'");
    r = c->run(conn::detail::finish_upload_script(tmp, dest, "again", options), {});
    CHECK(r.rc == 0);
    CHECK(run_ok(*c, "cd '" + dir + "' && stat -c '%U:%G' \"it's here\"") == "nobody:root\n");
  }
  SECTION("input cut short never replaces the file and leaves no temporary file") {
    run_ok(*c, "printf 'old' > \"$(printf '%s' '" + dir + "')/it's here\"");
    conn::RunOptions short_input;
    short_input.stdin_data = "hel";
    auto r = c->run(conn::put_file_script(dest, "hello", options), short_input);
    CHECK(r.rc == 1);
    CHECK(r.err == "the file on the host differs from the one sent (3 of 5 bytes arrived)\n");
    CHECK(run_ok(*c, "cd '" + dir + "' && ls -A && cat \"it's here\"") == "it's here\nold");
    conn::RunOptions full_input;
    full_input.stdin_data = "hello";
    r = c->run(conn::put_file_script(dest, "hello", options), full_input);
    CHECK(r.rc == 0);
    CHECK(run_ok(*c, "cd '" + dir + "' && ls -A && cat \"it's here\"") == "it's here\nhello");
  }
  SECTION("a failing chown removes the temporary file") {
    run_ok(*c, "printf 'hello' > '" + tmp + "'");
    options.owner = "no-such-user-here";
    auto r = c->run(conn::detail::finish_upload_script(tmp, dest, "hello", options), {});
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::StartsWith("chown: invalid user: ") && Catch::Contains("no-such-user-here"));
    CHECK(run_ok(*c, "ls -A '" + dir + "'").empty());
  }
  run_ok(*c, "rm -rf '" + dir + "'");
}
