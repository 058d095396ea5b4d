// The loader over a fixture tree that uses every construct once (tests/fixtures/playbook/full).
#include <catch2/catch.hpp>

#include "provision/playbook/model.h"

using namespace prov;
using namespace prov::pb;

namespace {

const std::string kFull = std::string(PROVISION_SOURCE_DIR) + "/tests/fixtures/playbook/full/";

Playbook load_full() {
  LoadOptions options;
  options.roles_path = {kFull + "extra_roles"};
  return load_playbook(kFull + "site.yml", options);
}

const Task& task_named(const std::vector<Task>& tasks, const std::string& name) {
  for (const Task& t : tasks) {
    if (t.name == name) return t;
  }
  FAIL("no task named " << name);
  throw 0;
}

}  // namespace

TEST_CASE("play keywords", "[loader]") {
  Playbook book = load_full();
  REQUIRE(book.plays.size() == 3);
  const Play& play = book.plays[0];
  CHECK(book.path == kFull + "site.yml");
  CHECK(book.dir + "/" == kFull);
  CHECK(play.name == "web servers");
  CHECK(play.hosts == "web,db");
  CHECK(play.loc.line == 1);
  CHECK(play.loc.column == 3);
  CHECK(play.kw.become == true);
  CHECK(play.gather_facts == false);
  CHECK(play.serial == "30%");
  CHECK(play.strategy == "free");
  CHECK(play.max_fail_percentage == 20);
  CHECK(play.kw.any_errors_fatal == true);
  CHECK(play.kw.environment == Value{{"LANG", "C"}});
  CHECK(play.kw.vars == Value{{"port", 8080}, {"mode", 0644}});
  CHECK(play.kw.tags == std::vector<std::string>{"play", "3"});
  CHECK(play.kw.other == Value{{"remote_user", "deploy"}});
  CHECK(play.pre_tasks.size() == 1);
  CHECK(play.post_tasks.size() == 1);
}

TEST_CASE("vars_files: plain, first found, templated", "[loader]") {
  Playbook book = load_full();
  const Play& play = book.plays[0];
  REQUIRE(play.vars_files.size() == 3);
  CHECK(play.vars_files[0] == kFull + "vars/common.yml");
  CHECK(play.vars_files[1] == kFull + "vars/default.yml");
  CHECK(play.vars_files[2] == "vars/{{ os }}.yml");
  CHECK(play.vars_files_values == Value::array({Value{{"common_var", true}}, Value{{"default_var", 1}}, nullptr}));
  REQUIRE(play.vars_files_candidates.size() == 3);
  CHECK(play.vars_files_candidates[1] ==
        std::vector<std::string>{kFull + "vars/missing.yml", kFull + "vars/default.yml"});
  CHECK(play.vars_files_candidates[2] == std::vector<std::string>{"vars/{{ os }}.yml"});
}

TEST_CASE("roles: names, parameters, keywords, dependencies, shared objects", "[loader][roles]") {
  Playbook book = load_full();
  const Play& play = book.plays[0];
  REQUIRE(play.roles.size() == 2);
  const RoleRef& common = play.roles[0];
  CHECK(common.name == "common");
  REQUIRE(common.role);
  CHECK(common.role->path == kFull + "roles/common");
  CHECK(common.role->tasks.size() == 1);  // tasks/main.yaml
  CHECK(common.role->defaults == Value::object());

  const RoleRef& web = play.roles[1];
  CHECK(web.name == "web");
  CHECK(web.params == Value{{"http_port", 8080}});
  CHECK(web.kw.vars == Value{{"listen", 80}});
  CHECK(web.kw.when == std::vector<std::string>{"web_enabled"});
  CHECK(web.kw.tags == std::vector<std::string>{"web"});
  CHECK(web.kw.become == false);
  const Role& role = *web.role;
  CHECK(role.name == "web");
  CHECK(role.defaults == Value{{"web_port", 80}});
  CHECK(role.vars == Value{{"web_user", "www"}});
  CHECK(role.allow_duplicates);
  REQUIRE(role.tasks.size() == 1);
  CHECK(role.tasks[0].role == web.role.get());
  CHECK(role.tasks[0].action->name == "template");
  REQUIRE(role.handlers.size() == 1);
  CHECK(role.handlers[0].is_handler);
  CHECK(role.handlers[0].name == "reload web");
  REQUIRE(role.dependencies.size() == 1);
  CHECK(role.dependencies[0].name == "common");
  CHECK(role.dependencies[0].params == Value{{"common_param", 5}});
  // The same role loaded twice is one object.
  CHECK(role.dependencies[0].role == common.role);
}

TEST_CASE("module resolution and arguments", "[loader][tasks]") {
  Playbook book = load_full();
  const Play& play = book.plays[0];
  const Task& hello = play.pre_tasks[0];
  CHECK(hello.action->name == "debug");
  CHECK(hello.args == Value{{"msg", "hello world"}});
  CHECK(hello.file == kFull + "site.yml");
  CHECK(hello.loc.line == 30);
  CHECK(hello.loc.column == 7);

  const Task& nginx = task_named(play.tasks, "install nginx");
  CHECK(nginx.action->name == "apt");
  CHECK(nginx.args == Value{{"name", "nginx"}, {"state", "present"}});
  CHECK(nginx.notify == std::vector<std::string>{"restart nginx"});
  CHECK(nginx.kw.tags == std::vector<std::string>{"pkg", "web"});

  const Task& copy = task_named(play.tasks, "copy with args");
  CHECK(copy.args == Value{{"dest", "/etc/a.conf"}, {"src", "a.conf"}});
  CHECK(copy.arg_locs.at("src").line == 39);
  CHECK(copy.arg_locs.at("src").column == 9);

  const Task& cmd = task_named(play.tasks, "run a command");
  CHECK(cmd.action->name == "command");
  CHECK(cmd.args == Value{{"chdir", "/tmp"}, {"creates", "/tmp/x"}, {"_raw_params", "ls -l"}});
  CHECK(cmd.register_var == "listing");
  CHECK(cmd.changed_when == std::vector<std::string>{"False"});
  CHECK(cmd.failed_when == std::vector<std::string>{"listing.rc != 0", "'error' in listing.stdout"});

  const Task& ufw = play.tasks[3];
  CHECK(ufw.action->name == "ufw");
  CHECK(ufw.name.empty());
  CHECK(ufw.args == Value{{"rule", "allow"}, {"port", "22"}});

  const Task& db = task_named(play.tasks, "db");
  CHECK(db.action->name == "postgresql_db");
  CHECK(db.kw.delegate_to == "db1");
  CHECK(db.kw.run_once == true);

  const Task& action = play.tasks[5];
  CHECK(action.action->name == "file");
  CHECK(action.args == Value{{"path", "/tmp/x"}, {"state", "touch"}});

  const Task& local = play.tasks[6];
  CHECK(local.action->name == "shell");
  CHECK(local.args == Value{{"cmd", "echo hi"}});
  CHECK(local.kw.delegate_to == "localhost");
}

TEST_CASE("loops and retries", "[loader][tasks]") {
  Playbook book = load_full();
  const Play& play = book.plays[0];
  const Task& loop = task_named(play.tasks, "loop it");
  CHECK(loop.loop_kind == "loop");
  CHECK(loop.loop == "{{ things }}");
  CHECK(loop.loop_control == Value{{"loop_var", "thing"}, {"label", "{{ thing.name }}"}});
  CHECK(loop.args == Value{{"var", "item"}});

  const Task& items = task_named(play.tasks, "items");
  CHECK(items.loop_kind == "items");
  CHECK(items.loop == Value::array({1, 2}));
  CHECK(items.args == Value{{"msg", "{{ item }}"}});
  CHECK(task_named(play.tasks, "dicts").loop_kind == "dict");

  const Task& retry = task_named(play.tasks, "retry");
  CHECK(retry.until == std::vector<std::string>{"result is succeeded"});
  CHECK(retry.retries == 5);
  CHECK(retry.delay == 2);
  CHECK(retry.kw.ignore_errors == true);
  CHECK(retry.kw.no_log == true);
  CHECK(retry.kw.environment == "{{ proxy_env }}");
  CHECK(retry.kw.check_mode == false);
  CHECK(retry.kw.diff == false);
  CHECK(retry.kw.become_user == "root");
  CHECK(retry.kw.other == Value{{"async", 45}, {"poll", 0}});
  CHECK(retry.args == Value{{"_raw_params", "curl -s http://localhost"}});
}

TEST_CASE("blocks", "[loader][blocks]") {
  Playbook book = load_full();
  const Play& play = book.plays[0];
  const Task& block = task_named(play.tasks, "guarded");
  CHECK(block.action->name == "block");
  CHECK(block.kw.when == std::vector<std::string>{"guard | bool"});
  CHECK(block.kw.tags == std::vector<std::string>{"blocky"});
  CHECK(block.kw.become == true);
  REQUIRE(block.block.size() == 1);
  CHECK(block.block[0].kw.when == std::vector<std::string>{"a", "b"});
  REQUIRE(block.rescue.size() == 1);
  CHECK(block.rescue[0].args == Value{{"msg", "rescued"}});
  REQUIRE(block.always.size() == 1);
  CHECK(block.always[0].action->name == "meta");
  CHECK(block.always[0].args == Value{{"_raw_params", "flush_handlers"}});
}

TEST_CASE("imports are expanded, static includes preloaded", "[loader][includes]") {
  Playbook book = load_full();
  const Play& play = book.plays[0];
  const Task& import = play.tasks[12];
  CHECK(import.action->name == "block");
  CHECK(import.import_kind == "import_tasks");
  CHECK(import.kw.tags == std::vector<std::string>{"setup"});
  REQUIRE(import.block.size() == 2);
  CHECK(import.block[0].name == "setup one");
  CHECK(import.block[0].file == kFull + "tasks/setup.yml");
  // Nested imports resolve beside the importing file.
  CHECK(import.block[1].import_kind == "import_tasks");
  REQUIRE(import.block[1].block.size() == 1);
  CHECK(import.block[1].block[0].file == kFull + "tasks/nested.yml");

  const Task& include = task_named(play.tasks, "include loop");
  CHECK(include.action->name == "include_tasks");
  CHECK(include.loop == Value::array({"a", "b"}));
  REQUIRE(include.included.size() == 2);
  CHECK(include.included[0].name == "looped {{ item }}");
  // A file including itself is left for run time rather than loaded forever.
  CHECK(include.included[1].action->name == "include_tasks");
  CHECK(include.included[1].included.empty());

  const Task& templated = play.tasks[14];
  CHECK(templated.action->name == "include_tasks");
  CHECK(templated.args == Value{{"file", "{{ os }}.yml"}});
  CHECK(templated.included.empty());

  const Task& include_role = play.tasks[15];
  CHECK(include_role.action->name == "include_role");
  REQUIRE(include_role.included_role);
  CHECK(include_role.included_role->path == kFull + "extra_roles/db");
  CHECK(include_role.included_role->tasks.size() == 1);

  const Task& import_role = play.tasks[16];
  CHECK(import_role.action->name == "block");
  CHECK(import_role.import_kind == "import_role");
  REQUIRE(import_role.included_role);
  CHECK(import_role.included_role->name == "common");
  REQUIRE(import_role.block.size() == 1);
  const Task& extra = import_role.block[0];
  CHECK(extra.name == "extra task");
  CHECK(extra.role == import_role.included_role.get());
  // Inside a role, includes resolve in the role's tasks/ folder.
  REQUIRE(extra.included.size() == 1);
  CHECK(extra.included[0].file == kFull + "roles/common/tasks/more.yml");

  CHECK(play.tasks[17].action->name == "include_vars");
  CHECK(play.tasks[17].args == Value{{"_raw_params", "vars/common.yml"}});
  CHECK(play.tasks[18].action->name == "set_fact");
  CHECK(play.tasks[18].args == Value{{"anything", 1}, {"goes", 2}});
  CHECK(play.tasks[19].args == Value{{"_raw_params", "end_play"}});
}

TEST_CASE("handlers", "[loader]") {
  Playbook book = load_full();
  const Play& play = book.plays[0];
  REQUIRE(play.handlers.size() == 1);
  CHECK(play.handlers[0].is_handler);
  CHECK(play.handlers[0].listen == std::vector<std::string>{"web restarts"});
  CHECK_FALSE(play.tasks[0].is_handler);
}

TEST_CASE("import_playbook", "[loader]") {
  Playbook book = load_full();
  const Play& other = book.plays[1];
  CHECK(other.hosts == "all");
  CHECK(other.file == kFull + "other.yml");
  // The import's vars override the play's own, its tags are added.
  CHECK(other.kw.vars == Value{{"from_import", 1}, {"own", 2}});
  CHECK(other.kw.tags == std::vector<std::string>{"imported"});
  const Play& deep = book.plays[2];
  CHECK(deep.name == "deep");
  // Roles of an imported playbook are found beside it.
  REQUIRE(deep.roles.size() == 2);
  CHECK(deep.roles[0].role->path == kFull + "sub/roles/subrole");
  CHECK(deep.playbook_dir + "/" == kFull + "sub/");
}

TEST_CASE("roles by path find their dependencies beside them", "[loader][roles]") {
  // No roles_path: dbdep is found only because it sits beside db.
  Playbook book = load_playbook(kFull + "sub/deep.yml");
  const RoleRef& db = book.plays[0].roles[1];
  CHECK(db.name == "../extra_roles/db");
  CHECK(db.role->name == "db");
  REQUIRE(db.role->dependencies.size() == 1);
  CHECK(db.role->dependencies[0].role->path == kFull + "extra_roles/dbdep");
}

TEST_CASE("import_role expands dependencies first, as blocks with their parameters", "[loader][roles]") {
  Playbook book = load_playbook(kFull + "import_deps.yml");
  const Play& play = book.plays[0];
  REQUIRE(play.tasks.size() == 1);
  const Task& import = play.tasks[0];
  CHECK(import.import_kind == "import_role");
  CHECK(import.args == Value{{"name", "web"}});
  CHECK(import.kw.vars == Value{{"x", 1}});
  REQUIRE(import.block.size() == 2);
  const Task& dep = import.block[0];
  CHECK(dep.action->name == "block");
  CHECK(dep.import_kind == "import_role");
  CHECK(dep.included_role->name == "common");
  CHECK(dep.kw.vars == Value{{"common_param", 5}});
  REQUIRE(dep.block.size() == 1);
  CHECK(dep.block[0].name == "common task");
  CHECK(import.block[1].name == "web task");
  CHECK(import.block[1].role == import.included_role.get());
  // Tasks inside a block of handlers are handlers.
  REQUIRE(play.handlers.size() == 1);
  CHECK(play.handlers[0].block[0].is_handler);
}

TEST_CASE("run-time loaders", "[loader]") {
  std::vector<Task> tasks = load_task_file(kFull + "tasks/setup.yml", nullptr);
  REQUIRE(tasks.size() == 2);
  CHECK(tasks[1].block.size() == 1);

  auto role = load_role("web", kFull, {});
  REQUIRE(role);
  CHECK(role->tasks.size() == 1);
  auto extra = load_role("common", kFull, {}, "extra");
  CHECK(extra->tasks[0].name == "extra task");
  CHECK_THROWS_WITH(load_role("common", kFull, {}, "main", "nothing"),
                    "'nothing' not found in role 'common' (searched " + kFull +
                        "roles/common/vars/nothing.yml, .yaml and without extension)");

  // A run-time task file can include roles from the playbook's roles path.
  LoadOptions options;
  options.roles_path = {kFull + "extra_roles"};
  std::vector<Task> handlers = load_task_file(kFull + "tasks/nested.yml", nullptr, kFull, options, true);
  REQUIRE(handlers.size() == 1);
  CHECK(handlers[0].is_handler);
}

TEST_CASE("the deprecated include is static where it can be, its other arguments variables", "[loader][includes]") {
  Playbook book = load_playbook(kFull + "legacy_include.yml");
  const Task& include = book.plays[0].tasks[0];
  CHECK(include.import_kind == "import_tasks");  // a block holding the file's tasks, as import_tasks
  REQUIRE(include.block.size() == 1);
  CHECK(include.block[0].name == "nested");
  CHECK(include.kw.vars == Value{{"v", "own"}, {"a", "1"}});
  CHECK(include.kw.include_params == Value{{"v", "own"}});  // its vars: Ansible's include parameters
  const Task& looped = book.plays[0].tasks[1];
  CHECK(looped.action->name == "include");  // a loop makes it dynamic: include_tasks at run time
  REQUIRE(looped.included.size() == 1);
  CHECK(looped.kw.vars == Value{{"b", "{{ item }}"}});
  CHECK(looped.kw.include_params.empty());
}

TEST_CASE("merge keys in tasks: merged first, explicit keys win, locations kept", "[loader]") {
  try {
    load_playbook(kFull + "merge_keys.yml");
    FAIL("no error");
  } catch (const Error& e) {
    // The error in the second task proves the first one loaded; its location is the key as written.
    CHECK(std::string(e.what()) ==
          kFull + "merge_keys.yml:14:7: unknown key 'mdoe' in task 'merged again' (did you mean 'mode'?)");
  }
}

TEST_CASE("merge keys leave the anchored mapping untouched", "[loader]") {
  Playbook book = load_playbook(kFull + "merge_ok.yml");
  const Play& play = book.plays[0];
  REQUIRE(play.tasks.size() == 2);
  CHECK(play.tasks[0].kw.become == true);
  CHECK(play.tasks[0].kw.tags == std::vector<std::string>{"own"});
  CHECK(play.tasks[0].loc.line == 7);
  CHECK(play.tasks[1].kw.tags == std::vector<std::string>{"merged"});
  CHECK(play.kw.vars == Value{{"base", {{"become", true}, {"tags", {"merged"}}}}});
}

TEST_CASE("arguments from a variable", "[loader][tasks]") {
  Playbook book = load_playbook(kFull + "variable_args.yml");
  const Play& play = book.plays[0];
  CHECK(play.tasks[0].args == Value{{"_variable_params", "{{ file_args }}"}});
  CHECK(play.tasks[1].args == Value{{"_variable_params", "{{ more }}"}, {"dest", "/x"}});
  // The action's own arguments override `args:`.
  CHECK(play.tasks[2].action->name == "copy");
  CHECK(play.tasks[2].args == Value{{"dest", "/from-action"}, {"src", "a"}});
}

TEST_CASE("a module of Ansible's that provision lacks loads with a warning naming it and its place") {
  const std::string dir = std::string(PROVISION_SOURCE_DIR) + "/tests/fixtures/playbook/other_systems/";
  std::vector<std::string> warnings;
  pb::LoadOptions options;
  options.warn = [&](const std::string& w) { warnings.push_back(w); };
  pb::Playbook book = pb::load_playbook(dir + "site.yml", options);
  REQUIRE(warnings.size() == 3);
  CHECK(warnings[0] == dir +
                           "tasks/setup-RedHat.yml:2:3: the module 'ansible.builtin.yum' of Ansible is not "
                           "supported by provision: task 'Ensure nginx is installed.' fails on any host where it runs");
  CHECK(warnings[1].rfind(dir + "tasks/setup-RedHat.yml:5:3: the module 'community.general.zypper'", 0) == 0);
  CHECK(warnings[2].rfind(dir + "site.yml:7:7: the module 'pacman'", 0) == 0);
  const auto& tasks = book.plays.at(0).tasks;
  REQUIRE(tasks.size() == 3);
  CHECK(tasks[1].action->name == "package");
  CHECK(tasks[1].action->kind == mod::ActionKind::Module);
  CHECK(tasks[2].action->kind == mod::ActionKind::NotInProvision);
  CHECK(tasks[2].args["name"] == "nginx");
}

TEST_CASE("a module named by a template is found per host, its arguments checked then", "[loader][tasks]") {
  Playbook book = load_playbook(kFull + "templated_action.yml");
  const auto& tasks = book.plays.at(0).tasks;
  REQUIRE(tasks.size() == 3);
  // The first word is the module, a template in it kept whole (Ansible's split_args).
  CHECK(tasks[0].action->kind == mod::ActionKind::Templated);
  CHECK(tasks[0].action_as_written == "{{ module }}");
  CHECK(tasks[0].args == Value{{"msg", "{{ text }}"}, {"other", "x"}});
  CHECK(tasks[0].action_collections == std::vector<std::string>{"community.general"});
  CHECK(tasks[2].kw.delegate_to == "localhost");

  CHECK(templated_module(tasks[1], "file").name == "file");
  CHECK(templated_module(tasks[1], "ansible.builtin.file").name == "file");
  CHECK(templated_module(tasks[2], "ufw").name == "ufw");  // community.general.ufw, through the play's collections
  CHECK(templated_module(tasks[2], "yum").kind == mod::ActionKind::NotInProvision);
  CHECK_THROWS_WITH(templated_module(tasks[0], "debug"),
                    Catch::EndsWith(":4:7: unknown argument 'other' for module 'debug'"));
  CHECK_THROWS_WITH(templated_module(tasks[1], "copyy"),
                    Catch::EndsWith("The module copyy was not found in configured module paths"));
  CHECK_THROWS_WITH(templated_module(tasks[1], "include_tasks"),
                    Catch::EndsWith("'include_tasks' is not a module: '{{ module }}' may only name a module"));
}

TEST_CASE("meta actions: one table for the loader's check and the executor's words", "[loader]") {
  const MetaSpec* flush = find_meta("flush_handlers");
  REQUIRE(flush != nullptr);
  CHECK(flush->action == MetaAction::FlushHandlers);
  CHECK_FALSE(flush->once);
  CHECK(flush->done_message("h1") == "triggered running handlers for h1");
  CHECK(flush->skip_reason("h1") == "flush_handlers conditional evaluated to False, not running handlers for h1");
  const MetaSpec* noop = find_meta("noop");
  REQUIRE(noop != nullptr);
  CHECK_FALSE(noop->takes_condition);
  CHECK(noop->done_message("h1") == "noop");
  CHECK(noop->skip_reason("h1") == "noop conditional evaluated to False");
  CHECK(find_meta("end_play")->once);
  CHECK(find_meta("end_host")->skip_reason("web") ==
        "end_host conditional evaluated to False, continuing execution for web");
  CHECK(find_meta("flush") == nullptr);
  CHECK(meta_names().size() == 10);
}
