// libFuzzer target for the playbook loader: each input is a playbook file, loaded with everything it imports
// (YAML 1.1 scalars, anchors and merge keys, plays, blocks, tasks, free-form arguments, module argument checks,
// roles, import_tasks). A prov::Error (located, with a message) is the expected outcome of a bad playbook; any other
// exception, a crash, a hang or a sanitizer report is a finding.
// Built only with -DPROVISION_FUZZ=ON (clang); run it with bench/fuzz.sh playbook.
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "provision/playbook/model.h"

namespace {

std::string g_playbook;

/// A role and a task file beside the playbook, so that inputs naming them reach the role and import loaders.
void write_neighbours() {
  using prov::fuzz::write_file;
  write_file("roles/web/tasks/main.yml", "- name: install\n  apt: name=nginx state=present\n  notify: reload\n");
  write_file("roles/web/handlers/main.yml", "- name: reload\n  service: name=nginx state=reloaded\n");
  write_file("roles/web/defaults/main.yml", "port: 80\nusers: [a, b]\n");
  write_file("roles/web/vars/main.yml", "root: /srv\n");
  write_file("roles/web/meta/main.yml", "dependencies:\n  - role: base\n    when: true\n");
  write_file("roles/base/tasks/main.yml", "- debug: msg=base\n");
  write_file("tasks.yml", "- command: echo {{ item }}\n  loop: [1, 2]\n  register: r\n");
  write_file("other.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  write_neighbours();
  g_playbook = prov::fuzz::write_file("play.yml", "");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  prov::fuzz::write_file("play.yml", std::string_view(reinterpret_cast<const char*>(data), size));
  prov::fuzz::expect_only("load_playbook", [] { prov::pb::load_playbook(g_playbook); });
  return 0;
}
