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

TEST_CASE("a command line that cannot be read exits 2 with the usage and argparse's message, as ansible-playbook") {
  Scratch s;
  s.write("site.yml",
          "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy: dest={{ playbook_dir }}/x content=y\n");
  RunResult r = s.provision("site.yml --no-such-option -i localhost, -c local");
  CHECK(r.rc == 2);
  CHECK(r.err.rfind("usage: provision [-h]", 0) == 0);
  CHECK(r.err.find("provision: error: unrecognized arguments: --no-such-option\n") != std::string::npos);
  CHECK(r.out.empty());
  r = s.provision("site.yml -i localhost, -c local -f 0");
  CHECK(r.rc == 2);
  CHECK(r.err.find("provision: error: The number of processes (--forks) must be >= 1\n") != std::string::npos);
  CHECK(r.err.find("positional arguments") == std::string::npos);  // argparse's own errors only add the help
  r = s.provision("-i localhost, -c local");
  CHECK(r.rc == 2);
  CHECK(r.err.find("error: the following arguments are required: playbook\n") != std::string::npos);
  CHECK(r.err.find("positional arguments") != std::string::npos);
  CHECK_FALSE(s.exists("x"));
}

TEST_CASE("an option of ansible-playbook that provision lacks is named and exits 5, running nothing") {
  Scratch s;
  s.write("site.yml",
          "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy: dest={{ playbook_dir }}/x content=y\n");
  RunResult r = s.provision("site.yml -i localhost, -c local -M ./library");
  CHECK(r.rc == 5);
  CHECK(r.err.find("ERROR! the option --module-path of ansible-playbook is not supported by provision") !=
        std::string::npos);
  r = s.provision("--vault-id dev@prompt site.yml -i localhost, -c local");
  CHECK(r.rc == 5);
  CHECK(r.err.find("--vault-id") != std::string::npos);
  CHECK_FALSE(s.exists("x"));
}

TEST_CASE("--help prints the usage and every option on stdout and exits 0, whatever follows") {
  Scratch s;
  RunResult r = s.provision("--help --no-such-option");
  CHECK(r.rc == 0);
  CHECK(r.out.rfind("usage: provision [-h]", 0) == 0);
  CHECK(r.out.find("-e EXTRA_VARS, --extra-vars EXTRA_VARS") != std::string::npos);
  CHECK(r.out.find("--roles-path ROLES_PATH") != std::string::npos);
  r = s.provision("--version");
  CHECK(r.rc == 0);
  CHECK(r.out == "provision 0.1.0\n");
}

TEST_CASE("--roles-path takes one folder wherever it stands, the playbook before or after it") {
  Scratch s;
  s.write("elsewhere/extra/tasks/main.yml", "- copy: dest={{ playbook_dir }}/from-role content=y\n");
  s.write("site.yml", "- hosts: localhost\n  gather_facts: false\n  roles: [extra]\n");
  RunResult r = s.provision("--roles-path elsewhere site.yml -i localhost, -c local");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(s.exists("from-role"));
  r = s.provision("site.yml --roles-path=elsewhere -i localhost, -c local");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
}

TEST_CASE("several playbooks: each listed under its own name, plays numbered from 1") {
  Scratch s;
  s.write("a.yml", "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=a\n");
  s.write("b.yml", "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=b\n");
  RunResult r = s.provision("a.yml b.yml -i localhost, --list-tasks");
  CHECK(r.rc == 0);
  CHECK(r.out.find("\nplaybook: a.yml\n\n  play #1 (localhost)") != std::string::npos);
  CHECK(r.out.find("\nplaybook: b.yml\n\n  play #1 (localhost)") != std::string::npos);
  r = s.provision("a.yml b.yml -i localhost, --syntax-check");
  CHECK(r.out == "\nplaybook: a.yml\n\nplaybook: b.yml\n");
}

TEST_CASE("syntax check loads everything and touches nothing") {
  Scratch s;
  s.write("site.yml", "- hosts: localhost\n  tasks:\n    - copy: dest={{ playbook_dir }}/x content=y\n");
  RunResult r = s.provision("site.yml -i localhost, --syntax-check");
  CHECK(r.rc == 0);
  CHECK(r.out.find("playbook: site.yml") != std::string::npos);
  CHECK_FALSE(s.exists("x"));
}
