// Load-time problems behave as under ansible-playbook 2.14: what is refused, what only warns, and where.
#include <catch2/catch.hpp>

#include "harness.h"

TEST_CASE("a key given twice warns where the repeat is and the last value is used, in playbooks and vars files") {
  Scratch s;
  std::string site = s.write("site.yml", R"(- hosts: localhost
  gather_facts: false
  vars_files: [vars.yml]
  tasks:
    - name: first name
      debug: msg="{{ a }}"
      name: last name
)");
  std::string vars = s.write("vars.yml", "a: 1\na: 2\n");
  RunResult r = s.provision("site.yml -i localhost, -c local");
  CHECK(r.rc == 0);
  CHECK(r.err.find("[WARNING]: " + site +
                   ":7:7: key 'name' is given twice in this mapping (first at line 5, column 7): using the last "
                   "defined value only\n") != std::string::npos);
  CHECK(r.err.find("[WARNING]: " + vars + ":2:1: key 'a' is given twice") != std::string::npos);
  CHECK(r.out.find("TASK [last name]") != std::string::npos);
  CHECK(r.out.find("\"msg\": 2\n") != std::string::npos);
}

TEST_CASE("an unquoted template that starts a value is a load error that says to quote it") {
  Scratch s;
  std::string site = s.write("site.yml", R"(- hosts: localhost
  gather_facts: false
  tasks:
    - copy: dest={{ playbook_dir }}/first content=x
    - debug:
        msg: {{ foo }}
)");
  RunResult r = s.provision("site.yml -i localhost, -c local");
  CHECK(r.rc == 3);
  CHECK(r.err.find("ERROR! " + site +
                   ":6:14: the value {{ foo }} starts with '{{' and is not quoted: YAML reads it as a mapping\n") !=
        std::string::npos);
  CHECK(r.err.find("write \"{{ foo }}\": always quote template expression brackets when they start a value") !=
        std::string::npos);
  CHECK_FALSE(s.exists("first"));
}

TEST_CASE("a tab in the indentation is a load error at the tab") {
  Scratch s;
  std::string site = s.write("site.yml", "- hosts: localhost\n  tasks:\n\t- debug: msg=hi\n");
  RunResult r = s.provision("site.yml -i localhost, -c local");
  CHECK(r.rc == 3);
  CHECK(r.err.find("ERROR! " + site + ":3:1: a tab character in the indentation: YAML indents with spaces only\n") !=
        std::string::npos);
  CHECK(r.err.find("replace the tab with spaces") != std::string::npos);
}
