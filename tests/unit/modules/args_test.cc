#include <catch2/catch.hpp>

#include <algorithm>

#include "provision/modules/action.h"
#include "provision/modules/module.h"

using namespace prov;
using namespace prov::mod;

namespace {
const ModuleSpec& spec_of(const char* name) {
  const Module* m = find_module(name);
  REQUIRE(m != nullptr);
  return m->spec();
}
}  // namespace

TEST_CASE("validate_args rejects unknown keys with the supported list and a suggestion") {
  CHECK_THROWS_WITH(validate_args(spec_of("file"), Value{{"path", "/x"}, {"mdoe", "0644"}}),
                    "Unsupported parameters for (file) module: mdoe. Supported parameters include: follow, force, "
                    "group, mode, owner, path, recurse, src, state (dest, name). (did you mean 'mode'?)");
  CHECK_THROWS_AS(validate_args(spec_of("file"), Value{{"path", "/x"}, {"zzz", 1}}), ArgError);
}

TEST_CASE("validate_args reports missing required arguments, bad choices and mutually exclusive ones") {
  CHECK_THROWS_WITH(validate_args(spec_of("file"), Value{{"state", "directory"}}), "missing required arguments: path");
  CHECK_THROWS_WITH(validate_args(spec_of("file"), Value{{"path", "/x"}, {"state", "foo"}}),
                    "value of state must be one of: absent, directory, file, hard, link, touch, got: foo");
  CHECK_THROWS_WITH(validate_args(spec_of("copy"), Value{{"dest", "/x"}, {"src", "a"}, {"content", "b"}}),
                    "parameters are mutually exclusive: content|src");
  CHECK_THROWS_WITH(validate_args(spec_of("debug"), Value{{"msg", "a"}, {"var", "b"}}),
                    "parameters are mutually exclusive: msg|var");
  CHECK_THROWS_WITH(validate_args(spec_of("assert"), Value::object()), "missing required arguments: that");
}

TEST_CASE("validate_args converts types as Ansible does") {
  Value v =
      validate_args(spec_of("file"), Value{{"dest", "/x"}, {"recurse", "yes"}, {"force", "off"}, {"mode", "0644"}});
  CHECK(v["path"] == "/x");
  CHECK(v["recurse"] == true);
  CHECK(v["force"] == false);
  CHECK(v["mode"] == "0644");   // kept raw
  CHECK(v["follow"] == true);   // default
  CHECK(v["state"].is_null());  // unset, no default
  CHECK(validate_args(spec_of("file"), Value{{"path", "/x"}, {"mode", 420}})["mode"] == 420);
  CHECK(validate_args(spec_of("file"), Value{{"path", "/x"}, {"recurse", 1}})["recurse"] == true);
  CHECK(validate_args(spec_of("file"), Value{{"path", "/x"}, {"recurse", "True"}})["recurse"] == true);
  CHECK(validate_args(spec_of("wait_for"), Value{{"port", "5"}})["port"] == 5);
  CHECK(validate_args(spec_of("command"), Value{{"argv", "a,b"}})["argv"] == Value::array({"a", "b"}));
  CHECK(validate_args(spec_of("command"), Value{{"argv", 7}})["argv"] == Value::array({"7"}));
  CHECK(validate_args(spec_of("command"), Value{{"argv", Value::array({"ls", 1})}})["argv"] ==
        Value::array({"ls", "1"}));
  CHECK(validate_args(spec_of("command"), Value{{"cmd", "ls"}})["_raw_params"] == "ls");
  CHECK(validate_args(spec_of("command"), Value{{"_raw_params", "ls -l"}})["_raw_params"] == "ls -l");
  CHECK(validate_args(spec_of("pause"), Value{{"seconds", "1.5"}})["seconds"] == 1.5);
  CHECK(validate_args(spec_of("copy"), Value{{"dest", 5}, {"content", "x"}})["dest"] == "5");
}

TEST_CASE("validate_args explains failed conversions") {
  CHECK_THROWS_WITH(validate_args(spec_of("file"), Value{{"path", "/x"}, {"recurse", "maybe"}}),
                    "argument 'recurse' is of type <class 'str'> and we were unable to convert to bool: The value "
                    "'maybe' is not a valid boolean.  Valid booleans include: 'y', 'yes', 'on', '1', 'true', 't', "
                    "'n', 'no', 'off', '0', 'false', 'f'");
  CHECK_THROWS_WITH(validate_args(spec_of("wait_for"), Value{{"port", "eighty"}}),
                    "argument 'port' is of type <class 'str'> and we were unable to convert to int: <class 'str'> "
                    "cannot be converted to an int");
  CHECK_THROWS_WITH(validate_args(spec_of("command"), Value{{"argv", Value{{"a", 1}}}}),
                    "argument 'argv' is of type <class 'dict'> and we were unable to convert to list: <class "
                    "'dict'> cannot be converted to a list");
  CHECK_THROWS_WITH(validate_args(spec_of("file"), Value::array({1})),
                    "arguments of module file must be a mapping, got <class 'list'>");
}

TEST_CASE("set_fact takes any names") {
  Value v = validate_args(spec_of("set_fact"), Value{{"a", 1}, {"cacheable", "yes"}});
  CHECK(v["a"] == 1);
  CHECK(v["cacheable"] == true);
}

TEST_CASE("the registry finds short, builtin, legacy names") {
  CHECK(find_module("file") != nullptr);
  CHECK(find_module("ansible.builtin.file") == find_module("file"));
  CHECK(find_module("ansible.legacy.copy") == find_module("copy"));
  CHECK(find_module("ansible.builtin.nope") == nullptr);
  CHECK(find_module("community.general.file") == nullptr);
  auto names = module_names();
  // Every module is listed once (modules are added side by side, so this checks membership, not the order).
  for (const char* expected : {"command",
                               "shell",
                               "raw",
                               "file",
                               "copy",
                               "stat",
                               "debug",
                               "set_fact",
                               "assert",
                               "fail",
                               "pause",
                               "wait_for",
                               "template",
                               "user",
                               "group",
                               "service",
                               "systemd",
                               "postgresql_db",
                               "postgresql_user",
                               "lineinfile",
                               "blockinfile",
                               "logrotate",
                               "ufw",
                               "git",
                               "pip",
                               "apt",
                               "apt_repository",
                               "apt_key",
                               "get_url"}) {
    CHECK(std::count(names.begin(), names.end(), expected) == 1);
  }
  for (const auto& name : names) CHECK(find_module(name)->spec().name == name);
  CHECK(find_module("include_tasks") == nullptr);
  CHECK(find_module("debug")->spec().runs_on_controller);
  CHECK_FALSE(find_module("wait_for")->spec().runs_on_controller);
  CHECK_FALSE(find_module("raw")->spec().check_mode_support);
}

TEST_CASE("the action table resolves every name once, with its kind and flags") {
  using prov::mod::ActionKind;
  using prov::mod::find_action;
  REQUIRE(find_action("include_tasks") != nullptr);
  CHECK(find_action("include_tasks")->kind == ActionKind::IncludeTasks);
  CHECK(find_action("ansible.builtin.include_tasks") == find_action("include_tasks"));
  // The name before Ansible 2.4: include_tasks, static where it can be (kOldInclude).
  REQUIRE(find_action("include") != nullptr);
  CHECK(find_action("include")->kind == ActionKind::IncludeTasks);
  CHECK((find_action("ansible.builtin.include")->flags & prov::mod::kOldInclude) != 0);
  CHECK((find_action("include_tasks")->flags & prov::mod::kOldInclude) == 0);
  CHECK(find_action("ansible.legacy.import_role")->kind == ActionKind::ImportRole);
  CHECK(find_action("meta")->kind == ActionKind::Meta);
  CHECK(find_action("ansible.builtin.include_vars")->kind == ActionKind::IncludeVars);
  CHECK(find_action("block")->kind == ActionKind::Block);
  CHECK(find_action("ansible.builtin.block") == nullptr);  // a keyword, not an action with a collection
  CHECK(find_action("nope") == nullptr);
  const auto* copy = find_action("ansible.builtin.copy");
  REQUIRE(copy != nullptr);
  CHECK(copy->kind == ActionKind::Module);
  CHECK(copy->module == find_module("copy"));
  CHECK(copy->name == "copy");
  CHECK(find_action("community.general.ufw")->module == find_module("ufw"));
  CHECK(find_action("ansible.builtin.systemd_service")->name == "systemd");
  // Parsing and display flags come from the table (and free_form specs), not from comparing names.
  CHECK(find_action("shell")->has(prov::mod::kCommandLine));
  CHECK(find_action("shell")->has(prov::mod::kRawParams));
  CHECK_FALSE(find_action("copy")->has(prov::mod::kRawParams));
  CHECK(find_action("include_role")->has(prov::mod::kRawParams));
  CHECK(find_action("debug")->has(prov::mod::kShowsResult));
  CHECK(find_action("set_fact")->has(prov::mod::kSetsFacts));
  CHECK(find_action("set_fact")->free_keys());
  CHECK_FALSE(find_action("file")->free_keys());
  CHECK(find_action("template")->has(prov::mod::kTemplateSource));
  auto names = prov::mod::action_names();
  for (const char* expected : {"block", "include_tasks", "import_tasks", "include_role", "import_role", "meta",
                               "include_vars", "import_playbook", "copy"}) {
    CHECK(std::count(names.begin(), names.end(), expected) == 1);
  }
}

TEST_CASE("the check-mode plan knows what may exist", "[plan]") {
  prov::mod::Plan plan;
  plan.add_path("/home/app/webapp/config/");
  CHECK(plan.predicted("/home/app/webapp/config"));
  CHECK(plan.predicted("/home/app/webapp/config/"));
  CHECK_FALSE(plan.predicted("/home/app/webapp/config/env"));  // a new folder is empty
  CHECK(plan.predicted("/home/app"));                          // mkdir -p makes the folders above
  CHECK(plan.predicted("/"));
  CHECK_FALSE(plan.predicted("/home/other"));
  CHECK_FALSE(plan.predicted("/home/app/webapp/conf"));  // a prefix that is not a folder above
  CHECK_FALSE(plan.predicted(""));
  plan.add_tree("/home/app/webapp");  // a clone brings what is inside
  CHECK(plan.predicted("/home/app/webapp/config/env"));
  CHECK(plan.predicted("/home/app/webapp/manage.py"));
  CHECK(plan.predicted("/home/app/webapp"));
  CHECK_FALSE(plan.predicted("/home/app/other"));
  CHECK_FALSE(plan.predicted("/home/app/webapp2/x"));
  plan.add_path("relative/dir");
  CHECK(plan.predicted("relative"));
  CHECK_FALSE(plan.predicted("relative/dir/x"));
  CHECK_FALSE(plan.predicted("relative/other"));
  prov::mod::Plan removed;
  removed.add_tree("/home/app/webapp");
  plan.forget(removed);
  CHECK_FALSE(plan.predicted("/home/app/webapp/manage.py"));
}

TEST_CASE("the check-mode plan expects a package's own folders", "[plan]") {
  prov::mod::Plan plan;
  CHECK_FALSE(plan.predicted("/etc/elasticsearch/elasticsearch.yml"));
  plan.packages = {"elasticsearch", "postgresql-15", "curl"};
  CHECK(plan.predicted("/etc/elasticsearch/elasticsearch.yml"));
  CHECK(plan.predicted("/etc/elasticsearch/jvm.options.d/heap.options"));
  CHECK(plan.predicted("/etc/postgresql/15/main/pg_hba.conf"));  // the family of a versioned package
  CHECK(plan.predicted("/usr/share/elasticsearch"));
  CHECK_FALSE(plan.predicted("/etc/elastic/x"));            // a prefix of a name is not the name
  CHECK_FALSE(plan.predicted("/etc/postgresql-common/x"));  // nor is a longer name
  CHECK_FALSE(plan.predicted("/etc/nginx/nginx.conf"));
}
