// Every load error names file:line:col, what was expected and, for near misses, what was meant.
#include <catch2/catch.hpp>

#include "provision/playbook/model.h"

using namespace prov;

namespace {

const std::string E = std::string(PROVISION_SOURCE_DIR) + "/tests/fixtures/playbook/errors/";

Error load_error(const std::string& name) {
  try {
    pb::load_playbook(E + name);
  } catch (const Error& e) {
    return e;
  }
  FAIL("no error loading " << name);
  throw 0;
}

std::string message(const std::string& name) { return load_error(name).what(); }

}  // namespace

TEST_CASE("unknown keys and arguments", "[errors]") {
  CHECK(message("unknown_task_key.yml") ==
        E + "unknown_task_key.yml:5:7: unknown key 'mdoe' in task 'install nginx' (did you mean 'mode'?)");
  CHECK(message("unknown_arg.yml") ==
        E + "unknown_arg.yml:6:9: unknown argument 'mdoe' for module 'file' in task 'install nginx' (did you mean 'mode'?)");
  CHECK(message("unknown_arg_kv.yml") ==
        E + "unknown_arg_kv.yml:3:13: unknown argument 'dset' for module 'copy' in task 'copy' (did you mean 'dest'?)");
  CHECK(message("misspelled_module.yml") ==
        E + "misspelled_module.yml:4:7: unknown key 'aptt' in task 'get it' (did you mean 'apt'?)");
  // A misspelt module of Ansible's that provision does not run is still a misspelling, told as such.
  CHECK(message("misspelled_ansible_module.yml") ==
        E + "misspelled_ansible_module.yml:4:7: unknown key 'yumm' in task 'on another system' (did you mean 'yum'?)");
  CHECK(message("misspelled_fqcn.yml") ==
        E + "misspelled_fqcn.yml:4:7: unknown key 'ansible.builtin.dnff' in task 'on another system' "
            "(did you mean 'ansible.builtin.dnf'?)");
  CHECK(message("bad_with.yml") ==
        E + "bad_with.yml:4:7: unknown loop 'with_itmes' in task 'debug' (did you mean 'with_items'?)");
  CHECK(message("block_key.yml") == E + "block_key.yml:6:7: unknown key 'rescu' in block 'b' (did you mean 'rescue'?)");
  CHECK(message("loop_control.yml") ==
        E + "loop_control.yml:6:9: unknown key 'lopp_var' in loop_control of task 'debug' (did you mean 'loop_var'?)");
  CHECK(message("include_role_bad_arg.yml") ==
        E + "include_role_bad_arg.yml:5:9: unknown argument 'tasks_form' for 'include_role' in task 'include_role' "
            "(did you mean 'tasks_from'?)");
  CHECK(message("local_action_unknown.yml") ==
        E + "local_action_unknown.yml:3:21: unknown module 'shel' in task (did you mean 'shell'?)");
  Error listen = load_error("listen_in_task.yml");
  CHECK(std::string(listen.what()) == E + "listen_in_task.yml:4:7: unknown key 'listen' in task 'debug'");
  CHECK(listen.hint() == "'listen' is only valid in handlers");
}

TEST_CASE("module statements", "[errors]") {
  CHECK(message("conflicting.yml") == E + "conflicting.yml:5:7: conflicting action statements in task 'two': file, copy");
  Error none = load_error("no_module.yml");
  CHECK(std::string(none.what()) == E + "no_module.yml:3:7: no module or action in task 'only a name'");
  CHECK(none.hint() == "a task needs one key naming a module, such as 'command' or 'ansible.builtin.copy'");
  CHECK(message("extra_words.yml") ==
        E + "extra_words.yml:3:7: extra words 'there' for module 'debug' in task 'debug': only command, shell, raw "
            "and script take words that are not key=value");
  CHECK(message("unbalanced.yml") == E + "unbalanced.yml:3:14: unbalanced quotes or Jinja2 block in arguments: msg=\"hi");
  CHECK(message("module_args_list.yml") ==
        E + "module_args_list.yml:3:13: arguments of 'copy' must be a mapping or a 'key=value' string, got a list");
  CHECK(message("two_loops.yml") == E + "two_loops.yml:5:7: more than one loop in task 'debug': 'with_items' and 'loop'");
  CHECK(message("when_mapping.yml") ==
        E + "when_mapping.yml:4:13: 'when' must be a condition or a list of conditions, got a mapping");
  CHECK(message("bad_meta.yml") ==
        E + "bad_meta.yml:3:13: unknown meta action 'flush_handler' in task 'meta' (did you mean 'flush_handlers'?)");
  CHECK(message("flush_handler.yml") == E + "flush_handler.yml:7:13: flush_handlers cannot be used as a handler");
  CHECK(message("role_handler.yml") ==
        E + "role_handler.yml:7:7: Using 'ansible.builtin.include_role' as a handler is not supported.");
}

TEST_CASE("file shapes", "[errors]") {
  CHECK(message("tasks_mapping.yml") == E + "tasks_mapping.yml:3:5: 'tasks' must be a list of tasks, got a mapping");
  CHECK(message("import_mapping.yml") == E + "mapping_tasks.yml:1:1: expected a list of tasks, got a mapping");
  CHECK(message("playbook_mapping.yml") == E + "playbook_mapping.yml:1:1: expected a list of plays, got a mapping");
  CHECK(message("task_string.yml") == E + "task_string.yml:3:7: expected a task (a mapping), got a string");
}

TEST_CASE("plays", "[errors]") {
  CHECK(message("play_unknown_key.yml") ==
        E + "play_unknown_key.yml:3:3: unknown key 'taks' in play 'web' (did you mean 'tasks'?)");
  Error task = load_error("play_is_task.yml");
  CHECK(std::string(task.what()) == E + "play_is_task.yml:2:3: unknown key 'debug' in play 'a task, not a play'");
  CHECK(task.hint() == "this looks like a task: a playbook is a list of plays with 'hosts' and 'tasks'");
  CHECK(message("no_hosts.yml") == E + "no_hosts.yml:1:3: play 'nowhere' has no 'hosts'");
  CHECK(message("bad_strategy.yml") ==
        E + "bad_strategy.yml:2:13: unknown strategy 'fre' in play (did you mean 'free'?)");
  CHECK(message("bad_order.yml") ==
        E + "bad_order.yml:2:10: invalid 'order' 'sortd' for the hosts of play (did you mean 'sorted'?)");
  CHECK(message("module_defaults_action.yml") == E + "module_defaults_action.yml:3:5: could not resolve the action "
                                                     "'fiel' in module_defaults (did you mean 'file'?)");
  CHECK(message("module_defaults_group.yml") == E + "module_defaults_group.yml:3:5: could not resolve the "
                                                    "module_defaults group 'group/awz' (did you mean 'aws'?)");
  CHECK(message("vars_prompt_key.yml") ==
        E + "vars_prompt_key.yml:4:7: unknown key 'defualt' in vars_prompt (did you mean 'default'?)");
  CHECK(message("vars_prompt_name.yml") == E + "vars_prompt_name.yml:3:7: a vars_prompt entry has no 'name'");
  CHECK(message("collections_name.yml") ==
        E + "collections_name.yml:2:17: 'community' is not a collection name in 'collections'");
  // A module only a collection has is found by its short name only through `collections`.
  CHECK(message("collection_only_module.yml") ==
        E + "collection_only_module.yml:3:7: unknown key 'cargo' in task (did you mean 'args'?)");
  CHECK(message("env_bool.yml") == E + "env_bool.yml:2:16: 'environment' must be a mapping, got 'yes'");
  CHECK(message("play_when.yml") == E + "play_when.yml:2:3: unknown key 'when' in play");
  CHECK(message("missing_vars_file.yml") ==
        E + "missing_vars_file.yml:3:7: vars file not found (searched: " + E + "a.yml, " + E + "b.yml)");
  CHECK(message("import_playbook_key.yml") ==
        E + "import_playbook_key.yml:2:3: unknown key 'vras' in import_playbook (did you mean 'vars'?)");
  CHECK(message("import_playbook_missing.yml") ==
        E + "import_playbook_missing.yml:1:20: playbook 'gone.yml' not found (searched: " + E + "gone.yml)");
}

TEST_CASE("roles and imports", "[errors]") {
  CHECK(message("missing_role.yml") ==
        E + "missing_role.yml:3:13: role 'nope' not found (searched: " + E + "roles/nope, " + E + "nope)");
  CHECK(message("role_cycle.yml") == E + "roles/ring_b/meta/main.yml:2:5: role dependency cycle: ring_a -> ring_b -> ring_a");
  CHECK(message("import_cycle.yml") == E + "cycle_b.yml:2:3: import_tasks cycle: " + E + "cycle_a.yml -> " + E +
                                           "cycle_b.yml -> " + E + "cycle_a.yml");
  CHECK(message("import_role_loop.yml") == E + "import_role_loop.yml:3:7: 'import_role' cannot loop in task 'import_role'");
  CHECK(message("missing_task_file.yml") ==
        E + "missing_task_file.yml:3:7: task file 'nothere.yml' not found (searched: " + E + "nothere.yml)");
  CHECK(message("include_role_no_name.yml") ==
        E + "include_role_no_name.yml:3:7: 'include_role' needs 'name' in task 'include_role'");
  CHECK(message("role_tasks_from.yml") ==
        E + "role_tasks_from.yml:4:9: 'absent' not found in role 'ring_leaf' (searched " + E +
            "roles/ring_leaf/tasks/absent.yml, .yaml and without extension)");
}

TEST_CASE("roles_path is searched and listed", "[errors]") {
  pb::LoadOptions options;
  options.roles_path = {"/nonexistent/roles"};
  try {
    pb::load_playbook(E + "missing_role.yml", options);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == E + "missing_role.yml:3:13: role 'nope' not found (searched: " + E +
                                       "roles/nope, /nonexistent/roles/nope, " + E + "nope)");
  }
}

TEST_CASE("integer keywords are checked at load", "[errors]") {
  CHECK(message("bad_retries.yml") == E + "bad_retries.yml:5:16: 'retries' must be a whole number, got 'abc'");
  CHECK(message("bad_delay.yml") == E + "bad_delay.yml:5:14: 'delay' must be a whole number, got a list");
  CHECK(message("bad_serial.yml") ==
        E + "bad_serial.yml:2:15: 'serial' must be a number of hosts or a percentage such as \"30%\", got 'abc'");
}
