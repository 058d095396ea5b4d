// End-to-end runs of the binary with the local connection.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "harness.h"

static const char* kInventory = "localhost ansible_connection=local\n";

TEST_CASE("a playbook converges, then reruns with no change") {
  Scratch s;
  s.write("hosts", kInventory);
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  vars:
    base: "{{ playbook_dir }}/out"
  tasks:
    - name: make a folder
      file: path={{ base }}/a state=directory mode=0750
    - name: write a file
      copy:
        dest: "{{ base }}/a/hello.txt"
        content: "hello {{ inventory_hostname }}\n"
      notify: note it
    - name: skipped on purpose
      command: /bin/false
      when: base is not defined
  handlers:
    - name: note it
      copy: dest={{ base }}/handler-ran content=yes
)");
  RunResult first = s.provision("site.yml -i hosts");
  INFO(first.out << first.err);
  CHECK(first.rc == 0);
  CHECK(recap(first.out) == "ok=3 changed=3 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0");
  CHECK(s.read("out/a/hello.txt") == "hello localhost\n");
  CHECK(s.exists("out/handler-ran"));
  CHECK(first.out.find("RUNNING HANDLER [note it]") != std::string::npos);

  RunResult second = s.provision("site.yml -i hosts");
  INFO(second.out << second.err);
  CHECK(second.rc == 0);
  CHECK(recap(second.out) == "ok=2 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0");
  CHECK(second.out.find("RUNNING HANDLER") == std::string::npos);
}

TEST_CASE("check mode predicts and changes nothing") {
  Scratch s;
  s.write("hosts", kInventory);
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - file: path={{ playbook_dir }}/new state=directory
    - copy: dest={{ playbook_dir }}/file content=x
)");
  RunResult r = s.provision("site.yml -i hosts --check");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(recap(r.out) == "ok=2 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
  CHECK_FALSE(s.exists("new"));
  CHECK_FALSE(s.exists("file"));
}

TEST_CASE("check mode follows the plan: files in folders that earlier tasks would create") {
  Scratch s;
  s.write("hosts", kInventory);
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - file: path={{ playbook_dir }}/app/config state=directory mode=0750
    - copy: dest={{ playbook_dir }}/app/config/env content=x mode=0600
    - file: path={{ playbook_dir }}/app/config/env state=file mode=0640
    - file: src={{ playbook_dir }}/app/config/env dest={{ playbook_dir }}/link state=link
    - template: src=t.j2 dest={{ playbook_dir }}/app/config/t.conf
    - template: src=t.j2 dest={{ playbook_dir }}/app/config/sub/t.conf
)");
  s.write("t.j2", "x\n");
  RunResult r = s.provision("site.yml -i hosts --check");
  INFO(r.out << r.err);
  // A folder that would be made is empty: nothing predicts app/config/sub, so that task alone fails, as it would
  // without --check (a clone or a package would bring what is below them; see the plan's unit tests).
  CHECK(r.rc == 2);
  CHECK(recap(r.out) == "ok=5 changed=5 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0");
  CHECK(r.out.find("Destination directory " + s.path() + "/app/config/sub does not exist") != std::string::npos);
  CHECK_FALSE(s.exists("app"));
  CHECK_FALSE(s.exists("link"));
}

TEST_CASE("a failed task fails the host with exit code 2; rescue and ignore_errors are counted") {
  Scratch s;
  s.write("hosts", kInventory);
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - command: /bin/false
      ignore_errors: true
    - block:
        - command: /bin/false
      rescue:
        - debug: msg="rescued {{ ansible_failed_task.name | default('x') }}"
    - name: this one fails
      command: /bin/false
    - name: never reached
      debug: msg=no
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 2);
  CHECK(recap(r.out) == "ok=2 changed=1 unreachable=0 failed=1 skipped=0 rescued=1 ignored=1");
  CHECK(r.out.find("...ignoring") != std::string::npos);
  CHECK(r.out.find("never reached") == std::string::npos);
}

TEST_CASE("loops, register and conditions") {
  Scratch s;
  s.write("hosts", kInventory);
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - command: echo {{ item }}
      loop: [a, b, c]
      register: echoed
      changed_when: false
    - debug:
        msg: "{{ echoed.results | map(attribute='stdout') | join(',') }}"
    - debug: msg="{{ item.key }}={{ item.value }}"
      with_dict: {x: 1}
      loop_control:
        label: "{{ item.key }}"
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(r.out.find("ok: [localhost] => (item=a)") != std::string::npos);
  CHECK(r.out.find("\"msg\": \"a,b,c\"") != std::string::npos);
  CHECK(r.out.find("ok: [localhost] => (item=x) => {\n    \"msg\": \"x=1\"\n}") != std::string::npos);
}

// The lines are ansible-playbook 2.14's for the same playbook at -v.
TEST_CASE("at -v, include_vars shows the files it read and set_fact its facts, as Ansible does") {
  Scratch s;
  s.write("hosts", kInventory);
  s.write("v.yml", "a: 1\n");
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - include_vars: v.yml
    - set_fact: b=2
)");
  RunResult r = s.provision("-v site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(r.out.find("ok: [localhost] => {\"ansible_facts\": {\"a\": 1}, \"ansible_included_var_files\": [\"" + s.path() +
                   "/v.yml\"], \"changed\": false}") != std::string::npos);
  CHECK(r.out.find("ok: [localhost] => {\"ansible_facts\": {\"b\": \"2\"}, \"changed\": false}") != std::string::npos);
}

TEST_CASE("tags select tasks; always and never are honoured") {
  Scratch s;
  s.write("hosts", kInventory);
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - {debug: {msg: one}, tags: [one]}
    - {debug: {msg: two}, tags: [two]}
    - {debug: {msg: always}, tags: [always]}
    - {debug: {msg: hidden}, tags: [never, debugonly]}
)");
  RunResult r = s.provision("site.yml -i hosts --tags two");
  INFO(r.out << r.err);
  CHECK(recap(r.out) == "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
  CHECK(r.out.find("\"msg\": \"two\"") != std::string::npos);
  CHECK(r.out.find("\"msg\": \"one\"") == std::string::npos);
  RunResult all = s.provision("site.yml -i hosts");
  CHECK(recap(all.out) == "ok=3 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
  RunResult listed = s.provision("site.yml -i hosts --list-tags");
  CHECK(listed.out.find("TASK TAGS: [always, one, two]") != std::string::npos);
}

TEST_CASE("json output is one document with stats") {
  Scratch s;
  s.write("hosts", kInventory);
  s.write("site.yml", "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n");
  RunResult r = s.provision("site.yml -i hosts --output json");
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["stats"]["localhost"]["ok"] == 1);
  CHECK(doc["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"] == "hi");
}

TEST_CASE("roles with defaults, vars, dependencies and handlers") {
  Scratch s;
  s.write("hosts", kInventory);
  s.write("roles/common/defaults/main.yml", "greeting: hello\nwho: nobody\n");
  s.write("roles/common/tasks/main.yml", "- copy: dest={{ playbook_dir }}/common content='{{ greeting }} {{ who }}'\n");
  s.write("roles/web/meta/main.yml", "dependencies:\n  - common\n");
  s.write("roles/web/vars/main.yml", "who: web\n");
  s.write("roles/web/tasks/main.yml", "- name: web file\n  copy: dest={{ playbook_dir }}/web content={{ who }}\n  notify: restart web\n");
  s.write("roles/web/handlers/main.yml", "- name: restart web\n  copy: dest={{ playbook_dir }}/restarted content=1\n");
  s.write("site.yml", "- hosts: localhost\n  gather_facts: false\n  roles: [web, common]\n");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(s.read("web") == "web");
  CHECK(s.read("common") == "hello web");
  CHECK(s.exists("restarted"));
  CHECK(r.out.find("TASK [web : web file]") != std::string::npos);
  CHECK(recap(r.out) == "ok=3 changed=3 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
  RunResult only = s.provision("site.yml -i hosts --role web --list-tasks");
  CHECK(only.out.find("web : web file") != std::string::npos);
  CHECK(only.out.find("common : copy") == std::string::npos);
}

TEST_CASE("connection variables may come from -e and play vars") {
  Scratch s;
  s.write("site.yml", "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy: dest={{ playbook_dir }}/x content=y\n");
  RunResult r = s.provision("site.yml -i localhost, -e ansible_connection=local");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(s.read("x") == "y");
  s.write("play.yml",
          "- hosts: localhost\n  gather_facts: false\n  vars: {ansible_connection: local}\n  tasks:\n"
          "    - copy: dest={{ playbook_dir }}/z content=w\n");
  RunResult p = s.provision("play.yml -i localhost,");
  INFO(p.out << p.err);
  CHECK(p.rc == 0);
  CHECK(s.read("z") == "w");
}

TEST_CASE("start-at-task skips what comes before it, then runs later plays whole") {
  Scratch s;
  s.write("hosts", "localhost ansible_connection=local\n");
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - {name: first, debug: {msg: one}}
- hosts: localhost
  gather_facts: false
  tasks:
    - {name: second, debug: {msg: two}}
    - {name: third, debug: {msg: three}}
- hosts: localhost
  gather_facts: false
  tasks:
    - {name: fourth, debug: {msg: four}}
)");
  RunResult r = s.provision("site.yml -i hosts --start-at-task third");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(r.out.find("TASK [first]") == std::string::npos);
  CHECK(r.out.find("TASK [second]") == std::string::npos);
  CHECK(r.out.find("TASK [third]") != std::string::npos);
  CHECK(r.out.find("TASK [fourth]") != std::string::npos);
}
