// Roles in the task graph: every listing of a role is kept with its instance key, handlers are listed as Ansible
// lists them, and each instance starts out allowing duplicates or not.
#include <catch2/catch.hpp>

#include "../inventory/temp_dir.h"
#include "provision/graph/graph.h"

using namespace prov;
using graph::Node;

namespace {

class Compiled {
 public:
  Compiled() {
    dir_.write("roles/r/tasks/main.yml", "- command: echo r\n");
    dir_.write("roles/r/handlers/main.yml", "- name: h\n  command: echo h\n");
    dir_.write("roles/d/tasks/main.yml", "- command: echo d\n");
    dir_.write("roles/d/meta/main.yml", "allow_duplicates: true\n");
    dir_.write("roles/p/tasks/main.yml", "- command: echo p\n");
    dir_.write("roles/p/meta/main.yml", "dependencies:\n  - r\n");
  }

  graph::PlayGraph play(const std::string& sections) {
    book_ = pb::load_playbook(dir_.write("site.yml", "- hosts: all\n" + sections));
    return graph::compile(book_.plays[0], graph::Selection{});
  }

 private:
  inv::testing::TempDir dir_;
  pb::Playbook book_;
};

void collect_roles(const std::vector<Node>& nodes, std::vector<const Node*>& out) {
  for (const auto& node : nodes) {
    if (node.kind == Node::Kind::Role) out.push_back(&node);
    collect_roles(node.block, out);
  }
}

std::vector<const Node*> roles_of(const graph::PlayGraph& graph) {
  std::vector<const Node*> out;
  for (const auto& section : graph.sections) collect_roles(section.nodes, out);
  return out;
}

}  // namespace

TEST_CASE("every listing of a role is kept; equal listings are one instance") {
  Compiled compiled;
  graph::PlayGraph graph = compiled.play("  roles:\n    - r\n    - r\n    - {role: r, x: 1}\n    - p\n    - d\n");
  std::vector<const Node*> roles = roles_of(graph);
  REQUIRE(roles.size() == 6);  // r, r, r with x, r as p's dependency, p, d
  CHECK(roles[0]->role_key == roles[1]->role_key);
  CHECK(roles[0]->role_key != roles[2]->role_key);
  CHECK(roles[3]->role->name == "r");
  CHECK(roles[3]->role_key == roles[0]->role_key);
  CHECK(roles[3]->block.size() == 1);
  CHECK(graph.allow_duplicates.at(roles[0]->role_key) == false);
  CHECK(graph.allow_duplicates.at(roles[5]->role_key) == true);
  // The play's roles for everyone's variables are its roles: entries; p's dependency is reached through p.
  REQUIRE(graph.named_roles.size() == 5);
  CHECK(graph.named_roles[3].role->name == "p");
  CHECK(graph.named_roles[3].ref == &graph.play->roles[3]);
  CHECK(roles[3]->dependents.size() == 1);
  CHECK(roles[3]->dependents[0].role->name == "p");
}

TEST_CASE("handlers: each roles: entry lists its role's, dependencies first, then the play's") {
  Compiled compiled;
  graph::PlayGraph graph = compiled.play(
      "  roles:\n    - r\n    - r\n    - {role: r, x: 1}\n    - p\n"
      "  handlers:\n    - name: h\n      command: echo play\n");
  REQUIRE(graph.handlers.size() == 5);
  CHECK(graph.handlers[0].role_key == graph.handlers[1].role_key);
  CHECK(graph.handlers[0].role_key != graph.handlers[2].role_key);
  CHECK(graph.handlers[3].role_key == graph.handlers[0].role_key);  // p's dependency r
  CHECK(graph.handlers[2].role_ref->params == Value{{"x", 1}});
  CHECK(graph.handlers[4].role_key.empty());
  CHECK(graph.handlers[4].task->args == Value{{"_raw_params", "echo play"}});
}

TEST_CASE("import_role: its own instance, and the last import read decides about duplicates") {
  Compiled compiled;
  // Ansible reads post_tasks before tasks: the import in tasks is the last one read.
  graph::PlayGraph graph = compiled.play(
      "  roles:\n    - r\n"
      "  tasks:\n    - import_role: {name: r, allow_duplicates: false}\n    - import_role: {name: d}\n"
      "    - import_role: {name: d, allow_duplicates: false}\n    - import_role: {name: r}\n      vars: {v: 1}\n"
      "  post_tasks:\n    - import_role: {name: r}\n");
  std::vector<const Node*> roles = roles_of(graph);
  REQUIRE(roles.size() == 6);
  CHECK(roles[0]->role_key != roles[1]->role_key);  // never shared with roles:
  CHECK(roles[1]->role_key == roles[5]->role_key);
  CHECK(roles[1]->role_key != roles[4]->role_key);  // vars make another instance
  CHECK(roles[2]->role_key == roles[3]->role_key);
  CHECK(graph.allow_duplicates.at(roles[1]->role_key) == false);
  CHECK(graph.allow_duplicates.at(roles[2]->role_key) == false);  // replaces the role's own allow_duplicates
  CHECK(graph.allow_duplicates.at(roles[4]->role_key) == true);   // imports allow duplicates unless told
  // imported roles' handlers follow the play's, in reading order (post_tasks before tasks)
  REQUIRE(graph.handlers.size() == 4);
  CHECK(graph.handlers[0].role_ref != nullptr);
  CHECK(graph.handlers[1].role_import == &graph.play->post_tasks[0]);
  CHECK(graph.handlers[2].role_import == &graph.play->tasks[0]);
  CHECK(graph.handlers[3].role_import == &graph.play->tasks[3]);
}
