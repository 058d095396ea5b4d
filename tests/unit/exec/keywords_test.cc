// Play and task keywords the executor acts on (fake_run.h): force_handlers, order, throttle, module_defaults,
// vars_prompt, async.
#include <catch2/catch.hpp>

#include "fake_run.h"

using namespace prov::exec::testing;

namespace {

// The hosts in the order their first command reached the network.
std::vector<std::string> first_seen(const std::vector<std::string>& order) {
  std::vector<std::string> hosts;
  for (const auto& line : order) {
    std::string host = line.substr(0, line.find(':'));
    if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) hosts.push_back(host);
  }
  return hosts;
}

}  // namespace

TEST_CASE("force_handlers runs a failed host's handlers; --force-handlers when the play does not say") {
  const std::string play =
      "  tasks:\n    - command: echo change\n      notify: note\n"
      "    - command: echo fail\n      when: inventory_hostname == 'h1'\n"
      "  handlers:\n    - name: note\n      command: echo handled\n";
  auto handled = [](Run& run, const std::string& host) {
    const auto& sent = run.sent(host);
    return std::any_of(sent.begin(), sent.end(), [](const std::string& c) { return c.find("handled") != c.npos; });
  };
  {
    Run run(2);
    CHECK(run.play(std::string(kHead) + play) == 2);
    CHECK_FALSE(handled(run, "h1"));
    CHECK(handled(run, "h2"));
  }
  {
    Run run(2);
    CHECK(run.play(std::string(kHead) + "  force_handlers: true\n" + play) == 2);
    CHECK(handled(run, "h1"));
  }
  {
    Run run(2);
    run.settings.force_handlers = true;
    CHECK(run.play(std::string(kHead) + play) == 2);
    CHECK(handled(run, "h1"));
  }
  {
    Run run(2);
    run.settings.force_handlers = true;
    CHECK(run.play(std::string(kHead) + "  force_handlers: false\n" + play) == 2);
    CHECK_FALSE(handled(run, "h1"));
  }
}

TEST_CASE("order sorts, reverses or shuffles the play's hosts") {
  auto hosts_in = [](const std::string& order) {
    Run run(3);
    run.settings.forks = 1;
    REQUIRE(run.play(std::string(kHead) + "  order: " + order + "\n  tasks:\n    - command: echo one\n") == 0);
    return first_seen(run.net.order);
  };
  CHECK(hosts_in("inventory") == std::vector<std::string>{"h1", "h2", "h3"});
  CHECK(hosts_in("reverse_inventory") == std::vector<std::string>{"h3", "h2", "h1"});
  CHECK(hosts_in("reverse_sorted") == std::vector<std::string>{"h3", "h2", "h1"});
  std::vector<std::string> shuffled = hosts_in("shuffle");
  std::sort(shuffled.begin(), shuffled.end());
  CHECK(shuffled == std::vector<std::string>{"h1", "h2", "h3"});
}

TEST_CASE("throttle is templated and must be a whole number") {
  Run run(2);
  CHECK(run.play(std::string(kHead) + "  tasks:\n    - command: echo one\n      throttle: \"{{ 1 }}\"\n") == 0);
  CHECK(run.sent("h2").size() == 1);
  Run bad(2);
  CHECK(bad.play(std::string(kHead) + "  tasks:\n    - command: echo one\n      throttle: many\n") == 1);
  CHECK(bad.sink.lines.back().find("the field 'throttle' has an invalid value (many)") != std::string::npos);
}

TEST_CASE("module_defaults: the module's entry, replaced by an inner level, under the task's arguments") {
  // `creates` on a path the fake host has skips the command after one probe naming the path.
  Run run(1);
  REQUIRE(run.play(std::string(kHead) +
                   "  module_defaults:\n    command: {creates: /play}\n  tasks:\n"
                   "    - command: echo one\n"
                   "    - command: echo two\n      args: {creates: /task}\n"
                   "    - command: echo three\n      module_defaults:\n        ansible.builtin.command: {}\n") == 0);
  std::string sent;
  for (const auto& command : run.sent("h1")) sent += command + "\n";
  INFO(sent);
  CHECK(sent.find("/play") != std::string::npos);
  CHECK(sent.find("/task") != std::string::npos);
  CHECK(sent.find("echo one") == std::string::npos);
  CHECK(sent.find("echo two") == std::string::npos);
  CHECK(sent.find("echo three") != std::string::npos);
}

TEST_CASE("vars_prompt asks through Settings::prompt, confirms, and skips what -e gives") {
  Run run(1);
  std::vector<std::string> asked;
  std::vector<std::string> answers = {"alice", "pw", "typo", "pw", "pw", ""};
  run.settings.prompt = [&](const std::string& message, bool) -> std::optional<std::string> {
    asked.push_back(message);
    std::string next = answers.front();
    answers.erase(answers.begin());
    return next;
  };
  run.settings.extra_vars = {{"given", "extra"}};
  REQUIRE(run.play(std::string(kHead) + "  vars_prompt:\n    - {name: who, private: false}\n"
                                        "    - {name: pw, prompt: Secret, confirm: true}\n"
                                        "    - {name: color, prompt: Color, default: blue}\n    - {name: given}\n"
                                        "  tasks:\n    - command: echo {{ who }}-{{ pw }}-{{ color }}-{{ given }}\n") ==
          0);
  CHECK(asked == std::vector<std::string>{
                     "input for who: ", "Secret: ", "confirm Secret: ",
                     "***** VALUES ENTERED DO NOT MATCH ****\nSecret: ", "confirm Secret: ", "Color [blue]: "});
  REQUIRE(run.sent("h1").size() == 1);
  CHECK(run.sent("h1")[0].find("alice-pw-blue-extra") != std::string::npos);
}

TEST_CASE("async: refused for copy and in check mode, poll 0 runs the job on its own and leaves its result") {
  Run run(1);
  REQUIRE(run.play(std::string(kHead) +
                   "  tasks:\n    - copy: {content: x, dest: /x}\n      async: 5\n      ignore_errors: true\n"
                   "    - command: echo one\n      async: 5\n      check_mode: true\n      ignore_errors: true\n"
                   "    - command: echo started\n      async: 5\n      poll: 0\n      register: job\n"
                   "    - assert:\n        that: job.started == 1 and job.finished == 0 and job.ansible_job_id\n") ==
          0);
  CHECK(run.recap("h1") == "ok=4 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=2");
  // The job's file says it started, the job runs the command (the run waits for it) and then leaves its result.
  const auto& sent = run.sent("h1");
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].find("/.ansible_async/") != std::string::npos);
  CHECK(sent[1].find("echo started") != std::string::npos);
  CHECK(sent[2].find("/.ansible_async/") != std::string::npos);
}
