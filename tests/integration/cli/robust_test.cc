// Hostile and mistyped values: each is a located load error or a failed task on its host, never a crash, and
// host output is data that never runs on the controller.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness.h"

static const char* kTwoHosts = "[group]\nh1 ansible_connection=local\nh2 ansible_connection=local\n";

TEST_CASE("values with a type that are wrong at run time fail the task on that host only") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: group
  gather_facts: false
  tasks:
    - command: "true"
      register: r
      until: r.rc == 1
      retries: "{{ 'abc' if inventory_hostname == 'h1' else 1 }}"
      delay: "{{ 'x' if inventory_hostname == 'h1' else 0 }}"
      ignore_errors: "{{ inventory_hostname == 'h2' }}"
    - debug: msg="{{ item }}"
      with_sequence: end=99999999999999999999
      when: inventory_hostname == 'h2'
      ignore_errors: true
    - debug: msg="{{ item }}"
      with_sequence: end=2 format=%s%s
      when: inventory_hostname == 'h2'
      ignore_errors: true
    - copy: dest={{ playbook_dir }}/{{ inventory_hostname }}.done content=done
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 2);
  CHECK(r.out.find("the field 'retries' has an invalid value (abc), and could not be converted to an int") !=
        std::string::npos);
  CHECK(r.out.find("end=99999999999999999999 is out of range") != std::string::npos);
  CHECK(r.out.find("bad formatting string: %s%s") != std::string::npos);
  CHECK(recap(r.out, "h1") == "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0");
  CHECK(recap(r.out, "h2") == "ok=4 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=3");
  CHECK_FALSE(s.exists("h1.done"));
  CHECK(s.read("h2.done") == "done");
}

TEST_CASE("output that is not UTF-8 is shown with replacement characters and the JSON document stays whole") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: group
  gather_facts: false
  tasks:
    - shell: printf 'caf\351 \377\n'
      register: out
    - copy: dest={{ playbook_dir }}/{{ inventory_hostname }}.txt content="{{ out.stdout }}"
)");
  RunResult human = s.provision("site.yml -i hosts");
  INFO(human.out << human.err);
  CHECK(human.rc == 0);
  CHECK(s.read("h1.txt") == "caf\xef\xbf\xbd \xef\xbf\xbd");
  RunResult json = s.provision("site.yml -i hosts --output json");
  INFO(json.out << json.err);
  CHECK(json.rc == 0);
  nlohmann::json doc;
  REQUIRE_NOTHROW(doc = nlohmann::json::parse(json.out));
  CHECK(doc.dump().find("caf\xef\xbf\xbd") != std::string::npos);
}

TEST_CASE("a bad serial read at run time is an error, not a crash") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: group
  gather_facts: false
  serial: "{{ batch }}"
  tasks:
    - debug: msg=hi
)");
  RunResult r = s.provision("site.yml -i hosts -e batch=abc");
  INFO(r.out << r.err);
  CHECK(r.rc == 1);
  CHECK((r.out + r.err).find("serial must be a number of hosts or a percentage such as \"30%\", got 'abc'") !=
        std::string::npos);
  RunResult ok = s.provision("site.yml -i hosts -e batch=50%");
  CHECK(ok.rc == 0);
}

TEST_CASE("registered output stays data through run_once, include loops and hostvars") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  // If any of these rendered the output, the pipe lookup would create `pwned` in the scratch folder.
  s.write("payload", "{{ lookup('pipe', 'touch pwned') }}\n");
  s.write("each.yml", R"(
- copy: dest={{ playbook_dir }}/{{ inventory_hostname }}-each.txt content="{{ line }}"
)");
  s.write("site.yml", R"(
- hosts: group
  gather_facts: false
  tasks:
    - command: cat {{ playbook_dir }}/payload
      register: once
      run_once: true
    - copy: dest={{ playbook_dir }}/{{ inventory_hostname }}-once.txt content="{{ once.stdout }}"
    - include_tasks: each.yml
      loop: "{{ once.stdout_lines }}"
      loop_control: {loop_var: line}
    - copy: dest={{ playbook_dir }}/{{ inventory_hostname }}-hostvars.txt content="{{ hostvars['h1'].once.stdout }}"
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK_FALSE(s.exists("pwned"));
  const std::string payload = "{{ lookup('pipe', 'touch pwned') }}";
  CHECK(s.read("h2-once.txt") == payload);
  CHECK(s.read("h2-each.txt") == payload);
  CHECK(s.read("h2-hostvars.txt") == payload);
}

TEST_CASE("the timeout keyword ends a command that never returns and fails the task as Ansible does") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: h1
  gather_facts: false
  tasks:
    - shell: sleep 37.25; touch {{ playbook_dir }}/late
      timeout: 1
      ignore_errors: true
    - block:
        - command: sleep 37.5
      timeout: "{{ 1 }}"
      ignore_errors: true
    - command: "true"
      timeout: 5
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(r.out.find("The shell action failed to execute in the expected time frame (1) and was terminated") !=
        std::string::npos);
  CHECK(r.out.find("The command action failed to execute in the expected time frame (1) and was terminated") !=
        std::string::npos);
  CHECK(recap(r.out, "h1") == "ok=3 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=2");
  // The commands were killed, not left running.
  RunResult ps = s.provision_shell("pgrep -f 'sleep 37\\.' || echo none");
  CHECK(ps.out == "none\n");
  CHECK_FALSE(s.exists("late"));
}

TEST_CASE("SIGINT and SIGTERM end the command in flight, print the recap and exit 99") {
  for (const char* signal : {"INT", "TERM"}) {
    Scratch s;
    s.write("hosts", kTwoHosts);
    s.write("site.yml", R"(
- hosts: group
  gather_facts: false
  tasks:
    - shell: sleep 41.25; touch {{ playbook_dir }}/late-{{ inventory_hostname }}
    - copy: dest={{ playbook_dir }}/never content=x
)");
    RunResult r = s.provision_shell(std::string(PROVISION_BINARY) + " site.yml -i hosts & pid=$!; sleep 2; kill -" +
                                    signal + " $pid; wait $pid; echo \"rc=$?\"; pgrep -f 'sleep 41\\.' || echo none");
    INFO(signal << "\n" << r.out << r.err);
    CHECK(r.out.find("rc=99") != std::string::npos);
    CHECK(r.out.find("PLAY RECAP") != std::string::npos);
    CHECK(r.out.find("none\n") != std::string::npos);
    CHECK_FALSE(s.exists("never"));
    CHECK_FALSE(s.exists("late-h1"));
  }
}

TEST_CASE("a lookup in a task's arguments runs once, not again for the probes sent ahead") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: h1
  gather_facts: false
  tasks:
    - file: path={{ playbook_dir }}/first state=touch
    - file:
        path: "{{ lookup('pipe', 'echo run >> ' ~ playbook_dir ~ '/counter; echo ' ~ playbook_dir ~ '/second') }}"
        state: touch
      when: lookup('pipe', 'echo when >> ' ~ playbook_dir ~ '/counter') is defined
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(s.exists("second"));
  CHECK(s.read("counter") == "when\nrun\n");
}
