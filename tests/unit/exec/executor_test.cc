// The executor run end to end on fake hosts (fake_run.h).
#include <catch2/catch.hpp>

#include "fake_run.h"

using namespace prov::exec::testing;

TEST_CASE("linear: each task runs on every host before the next task starts") {
  Run run(3);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo one\n    - command: echo two\n") == 0);
  const std::vector<std::string>& hosts_order = run.net.order;
  // every "echo one" comes before any "echo two"
  std::size_t last_one = 0, first_two_cmd = hosts_order.size();
  for (std::size_t i = 0; i < hosts_order.size(); ++i) {
    if (hosts_order[i].find("echo one") != std::string::npos) last_one = i;
    if (hosts_order[i].find("echo two") != std::string::npos) first_two_cmd = std::min(first_two_cmd, i);
  }
  CHECK(last_one < first_two_cmd);
  CHECK(run.recap("h3") == "ok=2 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
}

TEST_CASE("free: with one fork each host runs the whole section before the next host") {
  Run run(2);
  run.settings.forks = 1;
  REQUIRE(run.play("- hosts: web\n  gather_facts: false\n  strategy: free\n  tasks:\n"
                   "    - command: echo one\n    - command: echo two\n") == 0);
  REQUIRE(run.net.order.size() == 4);
  CHECK(run.net.order[0].rfind("h1: ", 0) == 0);
  CHECK(run.net.order[1].rfind("h1: ", 0) == 0);
  CHECK(run.net.order[2].rfind("h2: ", 0) == 0);
  // the second task's banner repeats only when another task's banner came between
  CHECK(run.sink.count("task command") == 4);
}

TEST_CASE("a loop reports each item and sums them up") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) +
                   "  tasks:\n    - command: echo {{ item }}\n      loop: [a, b, c]\n      register: r\n"
                   "    - assert:\n        that: r.results | length == 3 and r.changed\n") == 0);
  CHECK(run.sink.count("h1 changed item") == 3);
  CHECK(run.sent("h1").size() == 3);
  CHECK(run.recap("h1") == "ok=2 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
}

TEST_CASE("until retries a task until its condition holds") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo flaky-3\n      register: r\n"
                                        "      until: r.rc == 0\n      retries: 5\n      delay: 0\n"
                                        "    - assert:\n        that: r.attempts == 3\n") == 0);
  CHECK(run.sink.count("h1 retry 4") == 1);
  CHECK(run.sink.count("h1 retry 3") == 1);
  CHECK(run.sent("h1").size() == 3);
}

TEST_CASE("until gives up after its retries and fails the task") {
  Run run(1);
  CHECK(run.play(std::string(kHead) + "  tasks:\n    - command: echo fail\n      register: r\n"
                                      "      until: r.rc == 0\n      retries: 2\n      delay: 0\n") == 2);
  CHECK(run.sent("h1").size() == 2);
  CHECK(run.recap("h1") == "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0");
}

TEST_CASE("handlers run once at the end of the play, only on hosts that notified them") {
  Run run(2);
  REQUIRE(run.play(
              std::string(kHead) +
              "  tasks:\n    - command: echo a\n      notify: restart\n      changed_when: inventory_hostname == 'h1'\n"
              "    - command: echo b\n      notify: restart\n"
              "  handlers:\n    - name: restart\n      command: echo restarting\n") == 0);
  CHECK(run.sink.count("handler restart") == 1);
  CHECK(run.net.runs["h1: echo restarting"] == 1);
  CHECK(run.net.runs["h2: echo restarting"] == 1);  // h2 notified through the second task
  CHECK(run.sink.index("handler restart") > run.sink.index("task command"));
}

TEST_CASE("a handler not notified does not run; listen topics notify it") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) +
                   "  tasks:\n    - command: echo a\n      notify: web changed\n"
                   "  handlers:\n    - name: never\n      command: echo never\n"
                   "    - name: reload\n      command: echo reload\n      listen: web changed\n") == 0);
  CHECK(run.net.runs["h1: echo never"] == 0);
  CHECK(run.net.runs["h1: echo reload"] == 1);
}

TEST_CASE("meta: flush_handlers runs notified handlers where it stands") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo a\n      notify: h\n    - meta: flush_handlers\n"
                                        "    - command: echo after\n"
                                        "  handlers:\n    - name: h\n      command: echo handled\n") == 0);
  auto& order = run.net.order;
  auto handled = std::find(order.begin(), order.end(), "h1: echo handled");
  auto after = std::find(order.begin(), order.end(), "h1: echo after");
  REQUIRE(handled != order.end());
  REQUIRE(after != order.end());
  CHECK(handled < after);
  CHECK(run.net.runs["h1: echo handled"] == 1);
}

TEST_CASE("block and rescue: a failure in the block runs the rescue and counts as rescued") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - block:\n        - command: echo fail\n"
                                        "        - command: echo skipped-by-failure\n"
                                        "      rescue:\n        - command: echo rescuing\n"
                                        "      always:\n        - command: echo always\n"
                                        "    - command: echo next\n") == 0);
  CHECK(run.net.runs["h1: echo skipped-by-failure"] == 0);
  CHECK(run.net.runs["h1: echo rescuing"] == 1);
  CHECK(run.net.runs["h1: echo always"] == 1);
  CHECK(run.net.runs["h1: echo next"] == 1);
  CHECK(run.recap("h1") == "ok=3 changed=3 unreachable=0 failed=0 skipped=0 rescued=1 ignored=0");
}

TEST_CASE("always runs after an unrescued failure, and the host stays failed") {
  Run run(1);
  CHECK(run.play(std::string(kHead) + "  tasks:\n    - block:\n        - command: echo fail\n"
                                      "      always:\n        - command: echo cleanup\n"
                                      "    - command: echo next\n") == 2);
  CHECK(run.net.runs["h1: echo cleanup"] == 1);
  CHECK(run.net.runs["h1: echo next"] == 0);
}

TEST_CASE("ignore_errors counts the failure as ignored and goes on") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo fail\n      ignore_errors: true\n"
                                        "    - command: echo next\n") == 0);
  CHECK(run.sink.count("h1 failed ignored") == 1);
  CHECK(run.recap("h1") == "ok=2 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=1");
}

TEST_CASE("a failed host leaves the play; the others go on") {
  Run run(2);
  CHECK(run.play(std::string(kHead) + "  tasks:\n    - command: echo x\n      failed_when: inventory_hostname == 'h1'\n"
                                      "    - command: echo next\n") == 2);
  CHECK(run.net.runs["h1: echo next"] == 0);
  CHECK(run.net.runs["h2: echo next"] == 1);
}

TEST_CASE("any_errors_fatal ends the play for every host") {
  Run run(3);
  CHECK(run.play("- hosts: web\n  gather_facts: false\n  any_errors_fatal: true\n  tasks:\n"
                 "    - command: echo x\n      failed_when: inventory_hostname == 'h2'\n"
                 "    - command: echo next\n") == 2);
  for (const char* h : {"h1", "h2", "h3"}) CHECK(run.net.runs[std::string(h) + ": echo next"] == 0);
}

TEST_CASE("max_fail_percentage ends the play once more hosts failed than allowed") {
  Run run(3);
  CHECK(run.play("- hosts: web\n  gather_facts: false\n  max_fail_percentage: 30\n  tasks:\n"
                 "    - command: echo x\n      failed_when: inventory_hostname == 'h1'\n"
                 "    - command: echo next\n") == 2);
  CHECK(run.net.runs["h2: echo next"] == 0);
  CHECK(run.net.runs["h3: echo next"] == 0);
}

TEST_CASE("max_fail_percentage lets the play go on within the limit") {
  Run run(3);
  CHECK(run.play("- hosts: web\n  gather_facts: false\n  max_fail_percentage: 50\n  tasks:\n"
                 "    - command: echo x\n      failed_when: inventory_hostname == 'h1'\n"
                 "    - command: echo next\n") == 2);
  CHECK(run.net.runs["h2: echo next"] == 1);
  CHECK(run.net.runs["h3: echo next"] == 1);
}

TEST_CASE("serial runs the whole play on one batch before the next") {
  Run run(3);
  REQUIRE(run.play("- hosts: web\n  gather_facts: false\n  serial: 2\n  tasks:\n"
                   "    - command: echo one\n    - command: echo two\n") == 0);
  auto& order = run.net.order;
  auto h2_two = std::find(order.begin(), order.end(), "h2: echo two");
  auto h3_one = std::find(order.begin(), order.end(), "h3: echo one");
  REQUIRE(h2_two != order.end());
  REQUIRE(h3_one != order.end());
  CHECK(h2_two < h3_one);
  CHECK(run.sink.count("play web") == 2);
}

TEST_CASE("run_once runs on the first host and gives every host the registered result") {
  Run run(3);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo out-hello\n      run_once: true\n"
                                        "      register: r\n"
                                        "    - assert:\n        that: r.stdout == 'hello'\n") == 0);
  CHECK(run.net.runs["h1: echo out-hello"] == 1);
  CHECK(run.net.runs["h2: echo out-hello"] == 0);
  CHECK(run.recap("h3") == "ok=1 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
}

TEST_CASE("check mode sends no command a command task would run") {
  Run run(1);
  run.settings.check = true;
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo change-things\n") == 0);
  CHECK(run.net.runs["h1: echo change-things"] == 0);
  CHECK(run.sink.count("h1 skipped") == 1);
}

TEST_CASE("--tags runs only the tagged tasks and the ones tagged always") {
  Run run(1);
  run.settings.selection.tags = {"web"};
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo tagged\n      tags: web\n"
                                        "    - command: echo untagged\n"
                                        "    - command: echo always\n      tags: always\n") == 0);
  CHECK(run.net.runs["h1: echo tagged"] == 1);
  CHECK(run.net.runs["h1: echo untagged"] == 0);
  CHECK(run.net.runs["h1: echo always"] == 1);
}

TEST_CASE("changed_when and failed_when decide from the registered result") {
  Run run(1);
  CHECK(run.play(std::string(kHead) + "  tasks:\n    - command: echo out-ok\n      register: r\n"
                                      "      changed_when: false\n"
                                      "    - command: echo out-bad\n      register: s\n"
                                      "      failed_when: s.stdout == 'bad'\n") == 2);
  CHECK(run.recap("h1") == "ok=1 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0");
}

TEST_CASE("when reads a registered result; a false condition skips the task") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo out-yes\n      register: r\n"
                                        "    - command: echo ran\n      when: r.stdout == 'yes'\n"
                                        "    - command: echo not-run\n      when: r.stdout == 'no'\n") == 0);
  CHECK(run.net.runs["h1: echo ran"] == 1);
  CHECK(run.net.runs["h1: echo not-run"] == 0);
  CHECK(run.recap("h1") == "ok=2 changed=2 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0");
}

TEST_CASE("an unreachable host is counted and left out; the others go on; exit code 4") {
  Run run(2);
  run.net.unreachable = {"h2"};
  CHECK(run.play(std::string(kHead) + "  tasks:\n    - command: echo one\n    - command: echo two\n") == 4);
  CHECK(run.net.runs["h1: echo two"] == 1);
  CHECK(run.recap("h2") == "ok=0 changed=0 unreachable=1 failed=0 skipped=0 rescued=0 ignored=0");
}

TEST_CASE("set_fact runs on the controller and its facts are seen by later tasks") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - set_fact:\n        greeting: out-hi\n"
                                        "    - command: echo {{ greeting }}\n") == 0);
  CHECK(run.net.runs["h1: echo out-hi"] == 1);
  CHECK(run.sent("h1").size() == 1);  // set_fact sent nothing to the host
}

TEST_CASE("delegate_to localhost asks for a local connection") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo here\n      delegate_to: localhost\n") == 0);
  CHECK(std::count(run.net.kinds.begin(), run.net.kinds.end(), "local") == 1);
  CHECK(run.net.runs["local: echo here"] == 1);
  CHECK(run.net.runs["h1: echo here"] == 0);
}

TEST_CASE("no_log hides a result from the sink") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - command: echo out-secret\n      no_log: true\n") == 0);
  REQUIRE(run.sink.results.size() == 1);
  CHECK(run.sink.results[0].result.dump().find("secret") == std::string::npos);
  CHECK(run.sink.results[0].result.contains("censored"));
}

TEST_CASE("meta: end_host ends one host's play") {
  Run run(2);
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - meta: end_host\n      when: inventory_hostname == 'h1'\n"
                                        "    - command: echo next\n") == 0);
  CHECK(run.net.runs["h1: echo next"] == 0);
  CHECK(run.net.runs["h2: echo next"] == 1);
}

TEST_CASE("include_tasks runs a file per host and item, announced once per file") {
  Run run(2);
  run.write("inc.yml", "- command: echo included {{ item }}\n");
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - include_tasks: inc.yml\n      loop: [1, 2]\n") == 0);
  CHECK(run.sink.count("included inc.yml for 2") == 2);
  CHECK(run.net.runs["h1: echo included 1"] == 1);
  CHECK(run.net.runs["h2: echo included 2"] == 1);
}

TEST_CASE("include_vars reads through Settings::read_file, per host, and its variables reach later tasks") {
  Run run(2);
  std::vector<std::string> asked;
  std::mutex asked_mutex;
  run.settings.read_file = [&](const std::string& path) -> std::optional<std::string> {
    std::lock_guard lock(asked_mutex);
    asked.push_back(path);
    if (fs::path(path).filename() != "web.yml" || path.find("/vars/") != std::string::npos) return std::nullopt;
    return std::string("port: 8080\n");
  };
  REQUIRE(run.play(std::string(kHead) + "  tasks:\n    - include_vars: web.yml\n    - command: echo {{ port }}\n") ==
          0);
  CHECK(run.net.runs["h1: echo 8080"] == 1);
  CHECK(run.net.runs["h2: echo 8080"] == 1);
  CHECK_FALSE(fs::exists(run.dir / "web.yml"));                                             // the fake is all there is
  CHECK(std::count(asked.begin(), asked.end(), (run.dir / "vars/web.yml").string()) == 2);  // tried first, per host
}

TEST_CASE("include_vars names every place it looked when no file is found") {
  Run run(1);
  run.settings.read_file = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  CHECK(run.play(std::string(kHead) + "  tasks:\n    - include_vars: missing.yml\n") == 2);
  CHECK(run.recap("h1") == "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0");
  REQUIRE(run.sink.results.size() == 1);
  const std::string dir = run.dir.string();
  CHECK(run.sink.results[0].result["msg"] == "Could not find or access 'missing.yml'. Searched in: " + dir +
                                                 "/vars/missing.yml, " + dir + "/missing.yml, " + dir +
                                                 "/vars/missing.yml, " + dir + "/missing.yml");
}
