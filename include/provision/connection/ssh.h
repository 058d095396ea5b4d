#pragma once
// The SSH transport (libssh): one authenticated session per host, reused for every command until close().
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "provision/connection/connection.h"

namespace prov::conn {

/// How an unknown or changed host key is treated.
enum class HostKeyPolicy {
  Strict,     ///< unknown and changed keys refused (Ansible's default: host_key_checking true)
  AcceptNew,  ///< unknown keys recorded in known_hosts, changed keys refused (StrictHostKeyChecking=accept-new)
  Off,        ///< no verification at all (host_key_checking false, StrictHostKeyChecking=no)
};

/// Everything the SSH transport takes from a host's variables. Unset optionals leave the choice to
/// ~/.ssh/config (or the -F file) and then to libssh's defaults, as OpenSSH does for Ansible.
struct SshSettings {
  std::string host;                             ///< ansible_host, else inventory_hostname
  std::optional<int> port;                      ///< ansible_port, -p, -o Port
  std::optional<std::string> user;              ///< ansible_user, -l, -o User
  std::vector<std::string> identity_files;      ///< ansible_ssh_private_key_file, -i, -o IdentityFile
  std::string password;                         ///< ansible_password / ansible_ssh_pass (password authentication)
  std::optional<std::string> config_file;       ///< -F FILE: read instead of ~/.ssh/config
  std::optional<std::string> known_hosts_file;  ///< -o UserKnownHostsFile (first file); else ~/.ssh/known_hosts
  HostKeyPolicy host_key_policy = HostKeyPolicy::Strict;
  std::optional<std::string> proxy_command;  ///< -o ProxyCommand
  int connect_timeout_seconds = 10;          ///< ansible_ssh_timeout / timeout / -o ConnectTimeout
  int connect_retries = 3;                   ///< ansible_ssh_retries: extra attempts after a transient failure
  int keepalive_seconds = 30;                ///< -o ServerAliveInterval: TCP keepalive idle time on the session socket
  int keepalive_count = 3;                   ///< -o ServerAliveCountMax: probes unanswered before the link is lost
  bool persistent_shell = true;  ///< provision_ssh_persistent_shell: commands share one remote shell per user
};

/// Reads host_vars into settings; a malformed value (port "abc", -o without value) is an Error naming the
/// variable. In ansible_ssh_common_args / ansible_ssh_extra_args, -o options that only mean something to
/// OpenSSH's client (ControlMaster, ControlPersist, ...) are ignored; for the others the first value wins.
SshSettings parse_ssh_settings(const Value& host_vars);

/// Splits an args string the way a POSIX shell splits words (quotes and backslashes), for ansible_ssh_*_args.
std::vector<std::string> split_ssh_args(const std::string& args);

/// The registry's factory for "ssh". Nothing touches the network before connect().
std::unique_ptr<Connection> make_ssh_connection(const Value& host_vars);

}  // namespace prov::conn
