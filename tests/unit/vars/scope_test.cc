#include <catch2/catch.hpp>

#include "provision/vars/scope.h"

using prov::Value;
using prov::vars::Level;
using prov::vars::Scope;

TEST_CASE("higher levels win whatever the order they were added in") {
  Value defaults = {{"a", "defaults"}, {"b", "defaults"}, {"c", "defaults"}, {"d", "defaults"}};
  Value inventory = {{"b", "inventory"}, {"c", "inventory"}, {"d", "inventory"}};
  Value play = {{"c", "play"}, {"d", "play"}};
  Value extra = {{"d", "extra"}};
  Scope scope;
  scope.add(Level::ExtraVars, &extra);
  scope.add(Level::PlayVars, &play);
  scope.add(Level::RoleDefaults, &defaults);
  scope.add(Level::InventoryHost, &inventory);
  CHECK(*scope.lookup("a") == "defaults");
  CHECK(*scope.lookup("b") == "inventory");
  CHECK(*scope.lookup("c") == "play");
  CHECK(*scope.lookup("d") == "extra");
  CHECK(scope.lookup("missing") == nullptr);
}

TEST_CASE("Ansible's order: facts < play vars < vars_files < role vars < block < task < set_fact < extra") {
  std::vector<std::pair<Level, Value>> levels = {
      {Level::Facts, {{"x", "facts"}}},         {Level::PlayVars, {{"x", "play"}}},
      {Level::VarsFiles, {{"x", "vars_files"}}}, {Level::RoleVars, {{"x", "role"}}},
      {Level::BlockVars, {{"x", "block"}}},      {Level::TaskVars, {{"x", "task"}}},
      {Level::HostFacts, {{"x", "set_fact"}}},   {Level::ExtraVars, {{"x", "extra"}}},
  };
  // Adding the levels one by one, from the lowest, each new one must take over.
  Scope scope;
  for (const auto& [level, values] : levels) {
    scope.add(level, &values);
    CHECK(*scope.lookup("x") == values["x"]);
  }
}

TEST_CASE("the same level: the later addition wins; values replace, never merge") {
  Value first = {{"d", {{"k1", 1}}}};
  Value second = {{"d", {{"k2", 2}}}};
  Scope scope;
  scope.add(Level::BlockVars, &first);
  scope.add(Level::BlockVars, &second);
  CHECK(*scope.lookup("d") == Value{{"k2", 2}});
  CHECK(scope.flatten()["d"] == Value{{"k2", 2}});
}

TEST_CASE("lazy variables are computed once, on first use") {
  int calls = 0;
  Scope scope;
  scope.add_lazy(Level::Magic, "hostvars", [&] {
    ++calls;
    return Value{{"h1", 1}};
  });
  CHECK(calls == 0);
  CHECK((*scope.lookup("hostvars"))["h1"] == 1);
  CHECK((*scope.lookup("hostvars"))["h1"] == 1);
  CHECK(calls == 1);
}
