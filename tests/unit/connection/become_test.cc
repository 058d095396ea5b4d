#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "provision/connection/become.h"
#include "provision/connection/local.h"

namespace fs = std::filesystem;
using namespace prov::conn;

namespace {
// A stand-in for sudo that behaves like the real one on the points provision depends on: -n refuses to ask,
// otherwise the -p prompt goes to stderr, one line is read from stdin per attempt, "Sorry, try again." on a
// wrong password, three attempts.
const char* kFakeSudo = R"(#!/bin/sh
prompt='Password:'; nonint=0
while [ $# -gt 0 ]; do
  case "$1" in
    -p) prompt="$2"; shift 2 ;;
    -u) shift 2 ;;
    -n) nonint=1; shift ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
if [ $nonint = 1 ]; then echo 'sudo: a password is required' >&2; exit 1; fi
tries=0
while [ $tries -lt 3 ]; do
  printf '%s' "$prompt" >&2
  IFS= read -r line || { echo 'sudo: no password was provided' >&2; exit 1; }
  if [ "$line" = secret ]; then exec "$@"; fi
  echo 'Sorry, try again.' >&2
  tries=$((tries+1))
done
echo 'sudo: 3 incorrect password attempts' >&2; exit 1
)";

struct FakeSudo {
  fs::path dir;
  std::string old_path;
  FakeSudo() {
    std::string tmpl = (fs::temp_directory_path() / "prov-sudo-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    std::ofstream(dir / "sudo") << kFakeSudo;
    fs::permissions(dir / "sudo", static_cast<fs::perms>(0755));
    old_path = std::getenv("PATH");
    ::setenv("PATH", (dir.string() + ":" + old_path).c_str(), 1);
  }
  ~FakeSudo() {
    ::setenv("PATH", old_path.c_str(), 1);
    fs::remove_all(dir);
  }
};

Become sudo(const std::string& password) {
  Become b;
  b.enabled = true;
  b.user = "root";
  b.password = password;
  return b;
}
}  // namespace

TEST_CASE("wrap_become builds sudo and su commands") {
  Become b = sudo("");
  CHECK(wrap_become_with_key("echo hi", b, "K") ==
        "sudo -H -S -n -u root -- /bin/sh -c 'echo BECOME-SUCCESS-K; echo hi'");
  b.password = "pw";
  b.user = "o'brien";
  CHECK(wrap_become_with_key("id", b, "K") ==
        "sudo -H -S -p '[provision-sudo-password-K]: ' -u 'o'\"'\"'brien' -- /bin/sh -c 'echo BECOME-SUCCESS-K; id'");
  b.flags = "-H -S -n -E";
  CHECK(wrap_become_with_key("id", b, "K").rfind("sudo -H -S -E -p ", 0) == 0);
  Become s;
  s.enabled = true;
  s.method = "su";
  s.user = "nobody";
  CHECK(wrap_become_with_key("id", s, "K") == "su -s /bin/sh nobody -c 'echo BECOME-SUCCESS-K; id'");
  // become_exe and become_flags reach the host as quoted words, never as shell syntax.
  s.exe = "/usr/bin/su";
  s.flags = "-l  $(reboot)";
  CHECK(wrap_become_with_key("id", s, "K") ==
        "/usr/bin/su -l '$(reboot)' -s /bin/sh nobody -c 'echo BECOME-SUCCESS-K; id'");
  Become e = sudo("");
  e.exe = "/opt/sudo bin/sudo";
  e.flags = "-H";
  CHECK(wrap_become_with_key("id", e, "K") ==
        "'/opt/sudo bin/sudo' -H -u root -- /bin/sh -c 'echo BECOME-SUCCESS-K; id'");
  CHECK(wrap_become("id", Become{}) == "id");
  s.method = "sdo";
  CHECK_THROWS_WITH(wrap_become("id", s),
                    "unsupported become method 'sdo': provision supports sudo and su (did you mean 'sudo'?)");
}

TEST_CASE("sudo with the right password runs the command with its own stdin") {
  FakeSudo fake;
  auto c = make_local_connection();
  RunOptions o;
  o.become = sudo("secret");
  o.stdin_data = "data\n";
  auto r = c->run("cat; echo done >&2", o);
  CHECK(r.rc == 0);
  CHECK(r.out == "data\n");  // no marker, and the password never reached the command
  CHECK(r.err == "done\n");  // the prompt is gone
}

TEST_CASE("sudo with a wrong password fails at once instead of hanging") {
  FakeSudo fake;
  auto c = make_local_connection();
  RunOptions o;
  o.become = sudo("wrong");
  o.stdin_data = "secret\n";  // must never be offered to sudo as a second attempt
  auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(c->run("echo ran", o), "Incorrect sudo password");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("sudo without a password reports that one is required") {
  FakeSudo fake;
  auto c = make_local_connection();
  RunOptions o;
  o.become = sudo("");
  CHECK_THROWS_AS(c->run("echo ran", o), BecomeError);
  CHECK_THROWS_WITH(c->run("echo ran", o), "Missing sudo password");
}

TEST_CASE("su from root to another user runs as that user and writes files owned by it") {
  if (::geteuid() != 0) return;  // only root can su without a password
  auto c = make_local_connection();
  Become b;
  b.enabled = true;
  b.method = "su";
  b.user = "nobody";
  RunOptions o;
  o.become = b;
  o.stdin_data = "in";
  o.env = {{"X", "a b"}};
  auto r = c->run("id -un; cat; printf '%s' \"$X\"", o);
  CHECK(r.rc == 0);
  CHECK(r.out == "nobody\nina b");

  std::string tmpl = (fs::temp_directory_path() / "prov-su-XXXXXX").string();
  fs::path dir = ::mkdtemp(tmpl.data());
  fs::permissions(dir, static_cast<fs::perms>(0777));
  PutOptions p;
  p.become = b;
  p.mode = "0600";
  std::string path = (dir / "it's $(x)").string();
  c->put_file("secret content", path, p);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(c->run("stat -c %U " + shell_quote(path)).out == "nobody\n");
  CHECK(c->fetch_file(path, b) == "secret content");
  CHECK_THROWS_WITH(c->fetch_file((dir / "missing").string(), b),
                    "cannot read " + (dir / "missing").string() + ": cat: " + (dir / "missing").string() +
                        ": No such file or directory");
  int entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);
  fs::remove_all(dir);
}

TEST_CASE("become to an unknown user is a clear failure") {
  if (::geteuid() != 0) return;
  auto c = make_local_connection();
  RunOptions o;
  o.become.enabled = true;
  o.become.method = "su";
  o.become.user = "no-such-user-xyz";
  CHECK_THROWS_WITH(c->run("id", o),
                    "privilege escalation (su to no-such-user-xyz) failed: su: user no-such-user-xyz does not exist "
                    "or the user entry does not contain all the required fields");
}

TEST_CASE("the become watcher answers only the marker and prompt that carry its own key") {
  prov::conn::Become b;
  b.enabled = true;
  b.password = "secret";
  prov::conn::BecomeWatcher watcher(b, "KEY");
  std::string out = "BECOME-SUCCESS-OTHER\n", err = "[provision-sudo-password-OTHER]: ";
  CHECK(watcher.update(out, err) == prov::conn::BecomeWatcher::State::Waiting);
  CHECK_FALSE(watcher.take_password());  // a look-alike prompt gets no password
  err += "[provision-sudo-password-KEY]: ";
  CHECK(watcher.update(out, err) == prov::conn::BecomeWatcher::State::Waiting);
  CHECK(watcher.take_password());
  out += "BECOME-SUCCESS-KEY\nreal output\n";
  CHECK(watcher.update(out, err) == prov::conn::BecomeWatcher::State::Ready);
  CHECK(out == "real output\n");
}

TEST_CASE("each prepared command carries a fresh key in its marker and prompt") {
  prov::conn::RunOptions options;
  options.become.enabled = true;
  options.become.password = "secret";
  auto first = prov::conn::prepare_command("id", options), second = prov::conn::prepare_command("id", options);
  CHECK(first.key.size() == 24);
  CHECK(first.key != second.key);
  CHECK(first.command.find("BECOME-SUCCESS-" + first.key) != std::string::npos);
  CHECK(first.command.find("[provision-sudo-password-" + first.key + "]: ") != std::string::npos);
}
