// The password lookup's file on the controller: where a relative path goes, what is stored, and one password for
// every thread asking for the same file at once.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "helpers.h"

using tmpl_test::E;
using tmpl_test::R;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("prov-pw-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string read(const std::string& name) const {
    std::ifstream in(path / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path path;
};

}  // namespace

TEST_CASE("password lookup: a relative path is under playbook_dir, stored 0600 in a 0700 folder") {
  TempDir dir;
  std::string vars = "{\"playbook_dir\": \"" + dir.path.string() + "\"}";
  std::string made = R("{{ lookup('password', 'credentials/web1/db length=24') }}", vars);
  CHECK(made.size() == 24);
  CHECK(dir.read("credentials/web1/db") == made + "\n");
  CHECK((fs::status(dir.path / "credentials/web1/db").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK((fs::status(dir.path / "credentials/web1").permissions() & fs::perms::all) == fs::perms::owner_all);
  // Read back: the length asked for no longer matters, and no lock file is left.
  CHECK(R("{{ lookup('password', 'credentials/web1/db length=5') }}", vars) == made);
  for (const auto& entry : fs::directory_iterator(dir.path / "credentials/web1")) {
    CHECK(entry.path().filename() == "db");
  }
}

TEST_CASE("password lookup: a seed gives Python's random.Random choices; errors name the parameter") {
  // random.Random('web1') choosing 12 times from ascii_letters + digits + '.,:-_', as Ansible 2.14 does.
  std::string seeded = R("{{ lookup('password', '/dev/null seed=web1 length=12') }}");
  CHECK(seeded == "PHReYru8meWg");
  CHECK(seeded == R("{{ lookup('password', '/dev/null', seed='web1', length=12) }}"));
  CHECK(R("{{ lookup('password', '/dev/null chars=digits length=40') is match('^[0-9]{40}$') }}") == "True");
  CHECK(E("{{ lookup('password', '/dev/null size=3') }}") ==
        "Unrecognized parameter(s) given to password lookup: size");
  CHECK(E("{{ lookup('password', '/dev/null length=x') }}") == "invalid literal for int() with base 10: 'x'");
  CHECK(E("{{ lookup('password', '/dev/null chars=\"\\'\"') }}") == "Cannot choose from an empty sequence");
}

TEST_CASE("password lookup: hosts asking for the same file at once all get the one password stored") {
  TempDir dir;
  std::string vars = "{\"playbook_dir\": \"" + dir.path.string() + "\"}";
  std::vector<std::string> seen(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = R("{{ lookup('password', 'shared') }}", vars); });
  }
  for (auto& t : threads) t.join();
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 1);
  CHECK(dir.read("shared") == seen[0] + "\n");
}
