// Host variables -> SshSettings, without a network. (Belongs in tests/unit/connection once test_connection links
// libssh; it lives here until then.)
#include <catch2/catch.hpp>

#include "provision/connection/ssh.h"

using namespace prov;
using conn::HostKeyPolicy;
using conn::parse_ssh_settings;

namespace {
Value vars(std::initializer_list<std::pair<const char*, Value>> items) {
  Value v = Value::object();
  for (const auto& [k, x] : items) v[k] = x;
  return v;
}
}  // namespace

TEST_CASE("ssh settings: defaults leave choices to ssh config", "[settings]") {
  auto s = parse_ssh_settings(vars({{"inventory_hostname", "web1"}}));
  CHECK(s.host == "web1");
  CHECK_FALSE(s.port);
  CHECK_FALSE(s.user);
  CHECK(s.identity_files.empty());
  CHECK_FALSE(s.known_hosts_file);
  CHECK(s.host_key_policy == HostKeyPolicy::Strict);
  CHECK(s.connect_timeout_seconds == 10);
  CHECK_THROWS_WITH(parse_ssh_settings(Value::object()), "ssh connection needs ansible_host or inventory_hostname");
}

TEST_CASE("ssh settings: host variables", "[settings]") {
  auto s = parse_ssh_settings(vars({{"inventory_hostname", "web1"},
                                    {"ansible_host", "10.0.0.5"},
                                    {"ansible_port", "2222"},
                                    {"ansible_user", "deploy"},
                                    {"ansible_ssh_private_key_file", "~/.ssh/deploy"},
                                    {"ansible_ssh_pass", "pw"},
                                    {"timeout", 3}}));
  CHECK(s.host == "10.0.0.5");
  CHECK(s.port == 2222);
  CHECK(s.user == "deploy");
  CHECK(s.identity_files == std::vector<std::string>{"~/.ssh/deploy"});
  CHECK(s.password == "pw");
  CHECK(s.connect_timeout_seconds == 3);
  CHECK_THROWS_WITH(parse_ssh_settings(vars({{"ansible_host", "h"}, {"ansible_port", "ssh"}})),
                    "invalid ansible_port 'ssh': expected a number");
}

TEST_CASE("ssh settings: common and extra args", "[settings]") {
  auto s = parse_ssh_settings(vars(
      {{"ansible_host", "h"},
       {"ansible_ssh_common_args",
        "-o UserKnownHostsFile=\"/tmp/first /tmp/second\" -oStrictHostKeyChecking=accept-new -F cfg"},
       {"ansible_ssh_extra_args", "-o StrictHostKeyChecking=no -p 2200 -l admin -i key -C -o ControlMaster=auto"}}));
  CHECK(s.known_hosts_file == "/tmp/first");             // ssh takes a list of files; we use the first
  CHECK(s.host_key_policy == HostKeyPolicy::AcceptNew);  // first value wins, as in ssh
  CHECK(s.config_file == "cfg");
  CHECK(s.port == 2200);
  CHECK(s.user == "admin");
  CHECK(s.identity_files == std::vector<std::string>{"key"});
  CHECK_THROWS_WITH(parse_ssh_settings(vars({{"ansible_host", "h"}, {"ansible_ssh_common_args", "-o"}})),
                    "invalid ansible_ssh_common_args: '-o' needs a value");
  CHECK_THROWS_WITH(parse_ssh_settings(vars(
                        {{"ansible_host", "h"}, {"ansible_ssh_common_args", "-o StrictHostKeyChecking=acept-new"}})),
                    "invalid StrictHostKeyChecking value 'acept-new' (did you mean 'accept-new'?)");
}

TEST_CASE("ssh settings: keepalive, which also bounds how long sent data may go unacknowledged", "[settings]") {
  auto defaults = parse_ssh_settings(vars({{"ansible_host", "h"}}));
  CHECK(defaults.keepalive_seconds == 30);
  CHECK(defaults.keepalive_count == 3);
  auto s = parse_ssh_settings(
      vars({{"ansible_host", "h"}, {"ansible_ssh_extra_args", "-o ServerAliveInterval=2 -o ServerAliveCountMax=5"}}));
  CHECK(s.keepalive_seconds == 2);
  CHECK(s.keepalive_count == 5);
  CHECK_THROWS_WITH(
      parse_ssh_settings(vars({{"ansible_host", "h"}, {"ansible_ssh_extra_args", "-o ServerAliveCountMax=x"}})),
      "invalid ServerAliveCountMax 'x': expected a number");
}

TEST_CASE("ssh settings: host_key_checking false wins over the args", "[settings]") {
  auto s = parse_ssh_settings(vars({{"ansible_host", "h"},
                                    {"ansible_host_key_checking", "False"},
                                    {"ansible_ssh_common_args", "-o StrictHostKeyChecking=yes"}}));
  CHECK(s.host_key_policy == HostKeyPolicy::Off);
  s = parse_ssh_settings(vars({{"ansible_host", "h"}, {"ansible_host_key_checking", true}}));
  CHECK(s.host_key_policy == HostKeyPolicy::Strict);
  CHECK_THROWS_WITH(parse_ssh_settings(vars({{"ansible_host", "h"}, {"ansible_host_key_checking", "maybe"}})),
                    "invalid value 'maybe' for ansible_host_key_checking: expected a boolean");
}

TEST_CASE("ssh settings: argument splitting follows the shell", "[settings]") {
  CHECK(conn::split_ssh_args("") == std::vector<std::string>{});
  CHECK(conn::split_ssh_args(" -o  'A=b c'  x\\ y \"q\\\"z\" ") ==
        std::vector<std::string>{"-o", "A=b c", "x y", "q\"z"});
  CHECK_THROWS_WITH(conn::split_ssh_args("-o 'open"), "unterminated quote in ssh arguments: -o 'open");
}
