// TEMPORARY test-only stand-in for the module registry (src/modules/registry.cc), which is being written in
// parallel. The definitions are weak: once the real registry is linked in, its definitions win.
// Delete this file when the modules component provides find_module, module_names and is_executor_keyword_action.
#include <memory>
#include <string>
#include <vector>

#include "provision/modules/module.h"

namespace prov::mod {
namespace {

class StubModule : public Module {
 public:
  explicit StubModule(ModuleSpec spec) : spec_(std::move(spec)) {}
  const ModuleSpec& spec() const override { return spec_; }
  Result run(Context&) const override { return Value::object(); }

 private:
  ModuleSpec spec_;
};

ArgSpec arg(std::string name, std::vector<std::string> aliases = {}) {
  ArgSpec a;
  a.name = std::move(name);
  a.aliases = std::move(aliases);
  return a;
}

ModuleSpec spec(std::string name, std::vector<ArgSpec> args, bool free_form = false, std::string collection = "") {
  ModuleSpec s;
  s.name = name;
  if (collection.empty()) {
    s.other_names = {"ansible.builtin." + name, "ansible.legacy." + name};
  } else {
    s.other_names = {collection + "." + name};
  }
  s.args = std::move(args);
  s.free_form = free_form;
  return s;
}

const std::vector<std::unique_ptr<Module>>& table() {
  static const std::vector<std::unique_ptr<Module>> modules = [] {
    std::vector<ModuleSpec> specs = {
        spec("command", {arg("cmd"), arg("argv"), arg("chdir"), arg("creates"), arg("removes"), arg("stdin")}, true),
        spec("shell", {arg("cmd"), arg("chdir"), arg("creates"), arg("removes"), arg("executable"), arg("stdin")},
             true),
        spec("raw", {arg("executable")}, true),
        spec("copy", {arg("src"), arg("dest"), arg("content"), arg("mode"), arg("owner"), arg("group"),
                      arg("backup"), arg("force")}),
        spec("file", {arg("path", {"dest", "name"}), arg("state"), arg("mode"), arg("owner"), arg("group"),
                      arg("src"), arg("recurse")}),
        spec("template", {arg("src"), arg("dest"), arg("mode"), arg("owner"), arg("group")}),
        spec("apt", {arg("name", {"pkg", "package"}), arg("state"), arg("update_cache"), arg("cache_valid_time")}),
        spec("service", {arg("name"), arg("state"), arg("enabled")}),
        spec("debug", {arg("msg"), arg("var"), arg("verbosity")}),
        spec("set_fact", {arg("cacheable")}),
        spec("ufw", {arg("rule"), arg("port"), arg("proto"), arg("state")}, false, "community.general"),
        spec("postgresql_db", {arg("name"), arg("state"), arg("owner")}, false, "community.postgresql"),
    };
    std::vector<std::unique_ptr<Module>> out;
    for (auto& s : specs) out.push_back(std::make_unique<StubModule>(std::move(s)));
    return out;
  }();
  return modules;
}

}  // namespace

__attribute__((weak)) const Module* find_module(std::string_view name) {
  for (const auto& m : table()) {
    if (m->spec().name == name) return m.get();
    for (const auto& other : m->spec().other_names) {
      if (other == name) return m.get();
    }
  }
  return nullptr;
}

__attribute__((weak)) std::vector<std::string> module_names() {
  std::vector<std::string> names;
  for (const auto& m : table()) names.push_back(m->spec().name);
  return names;
}

__attribute__((weak)) bool is_executor_keyword_action(std::string_view name) {
  static const std::vector<std::string> names = {"block",        "include_tasks", "import_tasks", "include_role",
                                                 "import_role",  "meta",          "include_vars", "import_playbook",
                                                 "add_host",     "group_by"};
  for (const auto& n : names) {
    if (name == n || name == "ansible.builtin." + n || name == "ansible.legacy." + n) return true;
  }
  return false;
}

}  // namespace prov::mod
