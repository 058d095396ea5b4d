// How a host is reached: the connection variables of Ansible's ssh plugin, legacy names included.
#include <catch2/catch.hpp>

#include "../../../src/exec/connect.h"
#include "provision/connection/ssh.h"

using prov::Value;
using prov::exec::connection_plan;
using prov::exec::Settings;

TEST_CASE("legacy ansible_ssh_* variables reach the connection, and win as in Ansible") {
  Settings settings;
  settings.remote_user = "cli-user";
  settings.timeout = 10;
  Value inventory = {{"ansible_ssh_host", "10.1.2.3"},
                     {"ansible_ssh_user", "legacy"},
                     {"ansible_ssh_pass", "pw"},
                     {"ansible_private_key_file", "/keys/id"},
                     {"ansible_ssh_timeout", 7},
                     {"ansible_ssh_port", 2202},
                     {"ansible_ssh_retries", 0}};
  auto plan = connection_plan("web1", inventory, Value::object(), Value::object(), {}, settings);
  auto ssh = prov::conn::parse_ssh_settings(plan.vars);
  CHECK(ssh.host == "10.1.2.3");
  CHECK(ssh.user == "legacy");
  CHECK(ssh.password == "pw");
  CHECK(ssh.identity_files == std::vector<std::string>{"/keys/id"});
  CHECK(ssh.connect_timeout_seconds == 7);
  CHECK(ssh.port == 2202);
  CHECK(ssh.connect_retries == 0);

  // Both names set: the later one in the plugin's list wins (ansible_ssh_host over ansible_host, and so on).
  inventory["ansible_host"] = "10.9.9.9";
  inventory["ansible_user"] = "modern";
  inventory["ansible_ssh_private_key_file"] = "/keys/other";
  ssh = prov::conn::parse_ssh_settings(
      connection_plan("web1", inventory, Value::object(), Value::object(), {}, settings).vars);
  CHECK(ssh.host == "10.1.2.3");
  CHECK(ssh.user == "legacy");
  CHECK(ssh.identity_files == std::vector<std::string>{"/keys/other"});

  // None set: the host's name, the command line's user and timeout.
  ssh = prov::conn::parse_ssh_settings(
      connection_plan("web2", Value::object(), Value::object(), Value::object(), {}, settings).vars);
  CHECK(ssh.host == "web2");
  CHECK(ssh.user == "cli-user");
  CHECK(ssh.connect_timeout_seconds == 10);
  CHECK(ssh.identity_files.empty());
}

TEST_CASE("ssh_args come first on the command line and win; common and extra args come after the variables") {
  Settings settings;
  settings.ssh_args = "-C -o ControlMaster=auto -o Port=2200 -o ConnectTimeout=3";
  settings.ssh_common_args = "-p 2300 -o User=common";
  Value inventory = {{"ansible_port", 2202}, {"ansible_ssh_timeout", 7}};
  auto ssh = prov::conn::parse_ssh_settings(
      connection_plan("web1", inventory, Value::object(), Value::object(), {}, settings).vars);
  CHECK(ssh.port == 2200);
  CHECK(ssh.connect_timeout_seconds == 3);
  CHECK(ssh.user == "common");

  // A host's own variables beat the configuration's and the command line's args.
  inventory["ansible_ssh_args"] = "-o ControlPersist=60s";
  inventory["ansible_ssh_common_args"] = "-o ProxyCommand='ssh -W %h:%p bastion'";
  ssh = prov::conn::parse_ssh_settings(
      connection_plan("web1", inventory, Value::object(), Value::object(), {}, settings).vars);
  CHECK(ssh.port == 2202);
  CHECK(ssh.connect_timeout_seconds == 7);
  CHECK_FALSE(ssh.user.has_value());
  CHECK(ssh.proxy_command == "ssh -W %h:%p bastion");

  // StrictHostKeyChecking in ssh_args beats host_key_checking = false, which beats the common args.
  settings.host_key_checking = false;
  settings.ssh_args = "-o StrictHostKeyChecking=yes";
  inventory.erase("ansible_ssh_args");
  ssh = prov::conn::parse_ssh_settings(
      connection_plan("web1", inventory, Value::object(), Value::object(), {}, settings).vars);
  CHECK(ssh.host_key_policy == prov::conn::HostKeyPolicy::Strict);
  settings.ssh_args.clear();
  settings.ssh_common_args = "-o StrictHostKeyChecking=yes";
  inventory.erase("ansible_ssh_common_args");
  ssh = prov::conn::parse_ssh_settings(
      connection_plan("web1", inventory, Value::object(), Value::object(), {}, settings).vars);
  CHECK(ssh.host_key_policy == prov::conn::HostKeyPolicy::Off);
}

TEST_CASE("a connection variable beats the keyword, which beats the command line") {
  Settings settings;
  settings.remote_user = "cli-user";
  settings.connection = "local";
  prov::exec::ConnectionKeywords keywords{Value("ssh"), Value("{{ keyword_user }}"), Value(2200)};
  Value play_vars = {{"keyword_user", "deploy"}};
  auto plan = connection_plan("web1", Value::object(), play_vars, Value::object(), keywords, settings);
  CHECK(plan.kind == "ssh");
  CHECK(plan.vars["ansible_user"] == "deploy");
  CHECK(plan.vars["ansible_port"] == 2200);

  Value inventory = {{"ansible_connection", "local"}, {"ansible_user", "inv"}, {"ansible_port", 22}};
  plan = connection_plan("web1", inventory, play_vars, Value::object(), keywords, settings);
  CHECK(plan.kind == "local");
  CHECK(plan.vars["ansible_user"] == "inv");
  CHECK(plan.vars["ansible_port"] == 22);

  // No keyword: the command line's -c and -u.
  plan = connection_plan("web1", Value::object(), Value::object(), Value::object(), {}, settings);
  CHECK(plan.kind == "local");
  CHECK(plan.vars["ansible_user"] == "cli-user");
}
