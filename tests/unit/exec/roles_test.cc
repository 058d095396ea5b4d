// Role deduplication per host, end to end on fake hosts (fake_run.h): a role instance that has run on a host is
// skipped there when it comes again, whatever the other hosts did.
#include <catch2/catch.hpp>

#include "fake_run.h"

using namespace prov::exec::testing;

namespace {

// A role `r` and a role `setter` that sets go=true on the hosts it runs on.
void write_roles(Run& run) {
  run.write("roles/r/tasks/main.yml", "- command: echo r-ran\n");
  run.write("roles/setter/tasks/main.yml", "- set_fact:\n    go: true\n");
}

}  // namespace

TEST_CASE("a role skipped by its condition on a host has not run there") {
  Run run(2);
  write_roles(run);
  const std::string maybe = "    - role: r\n      when: inventory_hostname == 'h1' or (go | default(false))\n";
  REQUIRE(run.play(std::string(kHead) + "  roles:\n" + maybe + "    - setter\n" + maybe + maybe) == 0);
  CHECK(run.net.runs["h1: echo r-ran"] == 1);  // ran first, skipped after
  CHECK(run.net.runs["h2: echo r-ran"] == 1);  // skipped first, ran second, skipped third
  // h1 sees the second and third listing skipped silently, h2 the first one by its condition (ok: the set_fact)
  CHECK(run.recap("h1") == "ok=2 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
  CHECK(run.recap("h2") == "ok=2 changed=1 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0");
}

TEST_CASE("a role whose task failed, ignored, has run") {
  Run run(1);
  run.write("roles/f/tasks/main.yml", "- command: echo fail\n  ignore_errors: true\n");
  REQUIRE(run.play(std::string(kHead) + "  roles:\n    - f\n    - f\n") == 0);
  CHECK(run.net.runs["h1: echo fail"] == 1);
}

TEST_CASE("a host that failed in a role has not completed it; the others have") {
  Run run(2);
  run.write("roles/f/tasks/main.yml",
            "- command: echo f-{{ inventory_hostname }}\n- command: echo fail\n  when: inventory_hostname == 'h1'\n");
  CHECK(run.play(std::string(kHead) + "  roles:\n    - f\n    - f\n") == 2);
  CHECK(run.net.runs["h1: echo f-h1"] == 1);
  CHECK(run.net.runs["h2: echo f-h2"] == 1);
}

TEST_CASE("deduplication is per host under the free strategy and across serial batches") {
  for (const char* how : {"  strategy: free\n", "  serial: 1\n"}) {
    Run run(2);
    write_roles(run);
    REQUIRE(run.play(std::string(kHead) + how + "  roles:\n    - r\n    - r\n    - role: r\n      x: 1\n") == 0);
    CHECK(run.net.runs["h1: echo r-ran"] == 2);
    CHECK(run.net.runs["h2: echo r-ran"] == 2);
  }
}

TEST_CASE("include_role without duplicates skips on the hosts where the instance ran") {
  Run run(2);
  write_roles(run);
  REQUIRE(run.play(std::string(kHead) +
                   "  tasks:\n    - include_role: {name: r}\n      when: inventory_hostname == 'h1'\n"
                   "    - include_role: {name: r, allow_duplicates: false}\n") == 0);
  CHECK(run.net.runs["h1: echo r-ran"] == 1);
  CHECK(run.net.runs["h2: echo r-ran"] == 1);
}

TEST_CASE("a role listed with other parameters brings its own handlers; the last read takes the name") {
  Run run(1);
  run.write("roles/n/tasks/main.yml", "- command: echo n-{{ p }}\n  notify: restart\n");
  run.write("roles/n/handlers/main.yml", "- name: restart\n  command: echo restart-{{ p }}\n");
  REQUIRE(run.play(std::string(kHead) + "  roles:\n    - {role: n, p: 1}\n    - {role: n, p: 2}\n") == 0);
  CHECK(run.net.runs["h1: echo n-1"] == 1);
  CHECK(run.net.runs["h1: echo n-2"] == 1);
  CHECK(run.net.runs["h1: echo restart-1"] == 0);
  CHECK(run.net.runs["h1: echo restart-2"] == 1);
  CHECK(run.sink.count("handler n : restart") == 1);
}

TEST_CASE("a role's handler sees the parameters and conditions of the listing that named the role") {
  Run run(1);
  run.write("roles/n/tasks/main.yml", "- command: echo n\n  notify: restart\n- set_fact:\n    stop: true\n");
  run.write("roles/n/handlers/main.yml", "- name: restart\n  command: echo restart-{{ p }}\n");
  REQUIRE(run.play(std::string(kHead) + "  roles:\n    - {role: n, p: 7, when: not (stop | default(false))}\n") == 0);
  CHECK(run.net.runs["h1: echo restart-7"] == 0);  // the role's condition no longer holds when handlers run
  CHECK(run.recap("h1") == "ok=2 changed=1 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0");
}
