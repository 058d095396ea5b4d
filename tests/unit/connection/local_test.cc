#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "provision/connection/local.h"
#include "provision/connection/registry.h"

namespace fs = std::filesystem;
using namespace prov::conn;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "prov-local-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("local run returns rc, stdout and stderr") {
  auto c = make_local_connection();
  auto r = c->run("echo out; echo err >&2; exit 3");
  CHECK(r.rc == 3);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("local run reports a signal as rc -N") {
  auto c = make_local_connection();
  CHECK(c->run("kill -TERM $$").rc == -15);
}

TEST_CASE("local run feeds stdin and exports env per command") {
  auto c = make_local_connection();
  RunOptions o;
  o.stdin_data = "line1\nline2";
  o.env = {{"GREETING", "hello 'world' $(x)"}};
  auto r = c->run("cat; printf '|%s' \"$GREETING\"", o);
  CHECK(r.out == "line1\nline2|hello 'world' $(x)");
  CHECK(c->run("printf '%s' \"${GREETING-unset}\"").out == "unset");
  o.env = {{"BAD NAME", "x"}};
  CHECK_THROWS_WITH(c->run("true", o), "invalid environment variable name 'BAD NAME': it must be a shell identifier");
}

TEST_CASE("local run handles large output on both streams and large input without deadlock") {
  auto c = make_local_connection();
  RunOptions o;
  o.stdin_data = std::string(3 * 1024 * 1024, 'x');
  auto r = c->run("head -c 4000000 /dev/zero | tr '\\0' a >&2; cat; head -c 5000000 /dev/zero | tr '\\0' b", o);
  CHECK(r.rc == 0);
  CHECK(r.err.size() == 4000000);
  CHECK(r.out.size() == 3 * 1024 * 1024 + 5000000);
}

TEST_CASE("local run timeout kills the whole process group") {
  auto c = make_local_connection();
  RunOptions o;
  o.timeout_seconds = 1;
  auto start = std::chrono::steady_clock::now();
  auto r = c->run("sleep 30 & sleep 30", o);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.timed_out);
  CHECK(r.rc == -9);
  CHECK(r.err == "provision: command timed out after 1 seconds and was killed\n");
  CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("put_file writes atomically with mode and keeps an old file's mode") {
  TempDir t;
  auto c = make_local_connection();
  std::string path = (t.path / "f'; touch pwned").string();
  PutOptions o;
  o.mode = "0640";
  c->put_file(std::string("bin\0ary", 7), path, o);
  CHECK(read_all(path) == std::string("bin\0ary", 7));
  CHECK((fs::status(path).permissions() & fs::perms::all) == static_cast<fs::perms>(0640));
  c->put_file("second", path);
  CHECK(read_all(path) == "second");
  CHECK((fs::status(path).permissions() & fs::perms::all) == static_cast<fs::perms>(0640));
  CHECK(c->fetch_file(path) == "second");
  int entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(t.path)) ++entries;
  CHECK(entries == 1);  // no temporary file left behind
  CHECK_THROWS_WITH(c->fetch_file((t.path / "missing").string()),
                    "cannot read " + (t.path / "missing").string() + ": No such file or directory");
  CHECK_THROWS(c->put_file("x", (t.path / "no/such/dir/f").string()));
}

TEST_CASE("registry makes local connections and suggests names") {
  auto c = make_connection("local");
  CHECK(c->kind() == "local");
  CHECK(find_connection("ssh2") == nullptr);
  CHECK_THROWS_WITH(make_connection("lcoal"), "unknown connection type 'lcoal' (did you mean 'local'?)");
  CHECK(connection_names() == std::vector<std::string>{"local", "ssh"});
}
