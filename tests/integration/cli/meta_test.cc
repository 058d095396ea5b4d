// meta tasks at -vv: what each says it did or why it did nothing, and the skipped result of a false condition,
// byte-equal to ansible-playbook 2.14's lines for the same playbook.
#include <catch2/catch.hpp>

#include <sstream>

#include "harness.h"

namespace {

// The banners, the META lines and the skipped results of a run, in order.
std::string meta_lines(const std::string& output) {
  std::istringstream in(output);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind("META:", 0) == 0 || line.rfind("skipping:", 0) == 0 || line.rfind("TASK [", 0) == 0 ||
        line.rfind("RUNNING HANDLER [", 0) == 0) {
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace

TEST_CASE("meta tasks at -vv say what they did, as Ansible does") {
  Scratch s;
  s.write("hosts", "h1 ansible_connection=local\nh2 ansible_connection=local\n");
  s.write("site.yml", R"(
- hosts: all
  gather_facts: false
  handlers:
    - name: note
      debug: msg=handler
  tasks:
    - command: "true"
      notify: note
    - meta: flush_handlers
    - meta: noop
    - meta: clear_facts
    - meta: clear_host_errors
      when: inventory_hostname == 'h2'
    - meta: refresh_inventory
    - meta: end_batch
      when: false
    - meta: end_host
      when: inventory_hostname == 'h2'
    - meta: end_play
)");
  RunResult r = s.provision("site.yml -i hosts -vv");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  // ansible-playbook 2.14's lines for this playbook.
  const std::string stars = " " + std::string(80 - 12, '*') + "\n";
  const std::string meta = "TASK [meta]" + stars;
  CHECK(meta_lines(r.out) ==
        "TASK [command] " + std::string(80 - 15, '*') + "\n" + meta + "META: triggered running handlers for h1\n" +
            meta + "META: triggered running handlers for h2\n" + "RUNNING HANDLER [note] " + std::string(80 - 23, '*') +
            "\n" + meta + "META: noop\n" + meta + "META: noop\n" + meta + "META: facts cleared\n" + meta +
            "META: clear_host_errors conditional evaluated to False, not clearing host error state for h1\n"
            "skipping: [h1] => {\"msg\": \"clear_host_errors\", \"skip_reason\": \"clear_host_errors conditional "
            "evaluated to False, not clearing host error state for h1\"}\n" +
            meta + "META: inventory successfully refreshed\n" + meta +
            "META: end_batch conditional evaluated to False, continuing current batch\n"
            "skipping: [h1] => {\"msg\": \"end_batch\", \"skip_reason\": \"end_batch conditional evaluated to False, "
            "continuing current batch\"}\n" +
            meta + "META: end_host conditional evaluated to False, continuing execution for h1\n" +
            "skipping: [h1] => {\"msg\": \"end_host conditional evaluated to false, continuing execution for h1\", "
            "\"skip_reason\": \"end_host conditional evaluated to False, continuing execution for h1\"}\n" +
            meta + "META: ending play for h2\n" + meta + "META: ending play\n");
}

TEST_CASE("noop, refresh_inventory and reset_connection take no condition: a warning, and they run") {
  Scratch s;
  s.write("site.yml", R"(
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - meta: noop
      when: false
)");
  RunResult r = s.provision("site.yml -vv");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(unwrapped_warnings(r.err).find("[WARNING]: noop task does not support when conditional") != std::string::npos);
  CHECK(r.out.find("META: noop\n") != std::string::npos);
}
