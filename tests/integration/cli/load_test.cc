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
  CHECK(unwrapped_warnings(r.err).find(
            "[WARNING]: " + site +
            ":7:7: key 'name' is given twice in this mapping (first at line 5, column 7): using the last "
            "defined value only\n") != std::string::npos);
  CHECK(unwrapped_warnings(r.err).find("[WARNING]: " + vars + ":2:1: key 'a' is given twice") != std::string::npos);
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

TEST_CASE("a --limit that leaves no host of the inventory is an error before anything loads or runs") {
  Scratch s;
  s.write("hosts", "web1 ansible_connection=local\n");
  s.write("site.yml", R"(- hosts: all
  gather_facts: false
  tasks:
    - copy: dest={{ playbook_dir }}/ran content=x
)");
  RunResult r = s.provision("site.yml -i hosts --limit nomatch");
  CHECK(r.rc == 1);
  CHECK(r.err ==
        "[WARNING]: Could not match supplied host pattern, ignoring: nomatch\n"
        "ERROR! Specified inventory, host pattern and/or --limit leaves us with no hosts to target.\n"
        "--limit 'nomatch' matches none of the inventory's hosts\n");
  CHECK(r.out.empty());
  CHECK_FALSE(s.exists("ran"));
  // The limit is checked before the playbook is read, as ansible-playbook does.
  s.write("broken.yml", "- hosts: all\n  tasks: [\n");
  CHECK(s.provision("broken.yml -i hosts --limit nomatch").rc == 1);
  CHECK(s.provision("site.yml -i hosts --limit nomatch --syntax-check").rc == 1);
  // The implicit localhost is not one of the inventory's hosts.
  CHECK(s.provision("site.yml -i hosts --limit localhost").rc == 1);
  // A limit that leaves some host warns once about the rest, however many plays there are.
  s.write("two.yml", "- hosts: all\n  gather_facts: false\n  tasks: []\n- hosts: web1\n  gather_facts: false\n");
  r = s.provision("two.yml -i hosts --limit web1,nomatch");
  CHECK(r.rc == 0);
  CHECK(r.err == "[WARNING]: Could not match supplied host pattern, ignoring: nomatch\n");
}

TEST_CASE("a play whose hosts match nothing is skipped, and the next play runs") {
  Scratch s;
  s.write("site.yml", R"(- hosts: nothere
  gather_facts: false
  tasks:
    - copy: dest={{ playbook_dir }}/skipped content=x
- hosts: localhost
  gather_facts: false
  tasks:
    - copy: dest={{ playbook_dir }}/ran content=x
)");
  RunResult r = s.provision("site.yml -i localhost, -c local --limit localhost");
  CHECK(r.rc == 0);
  CHECK(r.err == "[WARNING]: Could not match supplied host pattern, ignoring: nothere\n");
  CHECK(r.out.find("PLAY [nothere] *****") != std::string::npos);
  CHECK(r.out.find("skipping: no hosts matched") != std::string::npos);
  CHECK_FALSE(s.exists("skipped"));
  CHECK(s.exists("ran"));
}

TEST_CASE("a --start-at-task that names no task runs nothing, says so after the recap and exits 0, as Ansible") {
  Scratch s;
  s.write("site.yml", R"(- hosts: localhost
  tasks:
    - name: first
      copy: dest={{ playbook_dir }}/ran content=x
- hosts: localhost
  gather_facts: false
  tasks:
    - name: second
      copy: dest={{ playbook_dir }}/ran2 content=x
)");
  RunResult r = s.provision("site.yml -i localhost, -c local --start-at-task nosuch");
  CHECK(r.rc == 0);
  CHECK(r.err == "ERROR! No matching task \"nosuch\" found. Note: --start-at-task can only follow static includes.\n");
  // Not even facts are gathered; with no task run on it, the host is not in the recap.
  CHECK(r.out.find("TASK [") == std::string::npos);
  CHECK(r.out.find("PLAY RECAP") != std::string::npos);
  CHECK(recap(r.out).empty());
  CHECK_FALSE(s.exists("ran"));
  CHECK_FALSE(s.exists("ran2"));
  r = s.provision("site.yml -i localhost, -c local --start-at-task second");
  CHECK(r.rc == 0);
  CHECK(r.err.empty());
  CHECK(recap(r.out) == "ok=1 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
}

TEST_CASE("a Jinja syntax error in a task fails it there, the place in the expression given in words") {
  Scratch s;
  std::string site = s.write("site.yml", R"(- hosts: localhost
  gather_facts: false
  vars:
    foo: 1
  tasks:
    - name: x
      debug: msg="{{ foo bar }}"
)");
  RunResult r = s.provision("site.yml -i localhost, -c local");
  CHECK(r.rc == 2);  // a failed task, as in Ansible, which also finds the error only when the task runs
  CHECK(r.out.find("\"msg\": \"template error while templating string: expected token 'end of print statement', got "
                   "'bar' at line 1, column 8 of the expression: {{ foo bar }} (in task 'x' at " +
                   site + ":6:7)\"") != std::string::npos);
  CHECK(r.out.find(":6:7:1:8") == std::string::npos);
  s.write("play.yml", "- hosts: \"{{ foo bar }}\"\n  tasks: []\n");
  r = s.provision("play.yml -i localhost, -c local");
  CHECK(r.rc == 1);
  CHECK(r.err.find("ERROR! " + s.path() +
                   "/play.yml:1:3: template error while templating string: expected token 'end of print statement', "
                   "got 'bar' at line 1, column 8 of the expression: {{ foo bar }}") != std::string::npos);
}
