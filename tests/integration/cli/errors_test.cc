// Bad input: every error names the file, line and column, says what is expected, and nothing runs.
#include <catch2/catch.hpp>

#include "harness.h"

TEST_CASE("a misspelled task keyword is located and nothing runs") {
  Scratch s;
  s.write("hosts", "localhost ansible_connection=local\n");
  std::string site = s.write("site.yml", R"(- hosts: localhost
  gather_facts: false
  tasks:
    - copy: dest={{ playbook_dir }}/first content=x
    - name: bad
      debug: msg=x
      whn: true
)");
  RunResult r = s.provision("site.yml -i hosts");
  CHECK(r.rc == 3);
  CHECK(r.err.find(site + ":7:7:") != std::string::npos);
  CHECK(r.err.find("'whn'") != std::string::npos);
  CHECK(r.err.find("did you mean 'when'?") != std::string::npos);
  CHECK_FALSE(s.exists("first"));
}

TEST_CASE("an unknown module gets a suggestion") {
  Scratch s;
  std::string site = s.write("site.yml", "- hosts: localhost\n  tasks:\n    - copyy: dest=/tmp/x content=y\n");
  RunResult r = s.provision("site.yml -i localhost,");
  CHECK(r.rc == 3);
  CHECK(r.err.find(site + ":3:7:") != std::string::npos);
  CHECK(r.err.find("did you mean 'copy'?") != std::string::npos);
}

TEST_CASE("a YAML syntax error is located") {
  Scratch s;
  std::string site = s.write("site.yml", "- hosts: localhost\n  tasks:\n    - debug: {msg: [1, 2}\n");
  RunResult r = s.provision("site.yml -i localhost,");
  CHECK(r.rc == 3);
  CHECK(r.err.find(site + ":3:") != std::string::npos);
}

TEST_CASE("a missing role names the paths searched") {
  Scratch s;
  s.write("site.yml", "- hosts: localhost\n  roles: [nosuchrole]\n");
  RunResult r = s.provision("site.yml -i localhost,");
  CHECK(r.rc == 3);
  CHECK(r.err.find("nosuchrole") != std::string::npos);
  CHECK(r.err.find(s.path() + "/roles/nosuchrole") != std::string::npos);
}

TEST_CASE("an undefined variable names the variable, the task and its place") {
  Scratch s;
  s.write("hosts", "localhost ansible_connection=local\n");
  std::string site = s.write("site.yml", R"(- hosts: localhost
  gather_facts: false
  tasks:
    - name: use it
      debug: msg="{{ nosuchvar }}"
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 2);
  CHECK(r.out.find("nosuchvar") != std::string::npos);
  CHECK(r.out.find("use it") != std::string::npos);
  CHECK(r.out.find(site + ":4") != std::string::npos);
}

TEST_CASE("bad options exit with code 5") {
  Scratch s;
  RunResult r = s.provision("--no-such-option site.yml");
  CHECK(r.rc == 5);
}

TEST_CASE("syntax check loads everything and touches nothing") {
  Scratch s;
  s.write("site.yml", "- hosts: localhost\n  tasks:\n    - copy: dest={{ playbook_dir }}/x content=y\n");
  RunResult r = s.provision("site.yml -i localhost, --syntax-check");
  CHECK(r.rc == 0);
  CHECK(r.out.find("playbook: site.yml") != std::string::npos);
  CHECK_FALSE(s.exists("x"));
}
