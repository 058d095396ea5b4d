#pragma once
// Settings operators keep in ansible.cfg, read from where Ansible reads them, then overridden by provision.cfg
// and by ANSIBLE_* environment variables.
//
// Order, lowest to highest: built-in defaults < the first ansible.cfg found (ANSIBLE_CONFIG, ./ansible.cfg,
// ~/.ansible.cfg, /etc/ansible/ansible.cfg) < the first provision.cfg found (PROVISION_CONFIG, ./provision.cfg,
// ~/.provision.cfg) < environment variables (ANSIBLE_FORKS, ...). As in Ansible, ./ansible.cfg (and
// ./provision.cfg) is ignored when the working directory is world-writable.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace prov {

struct Config {
  /// [defaults] inventory / ANSIBLE_INVENTORY: comma-separated sources, made absolute.
  std::vector<std::string> inventory{"/etc/ansible/hosts"};
  /// [defaults] roles_path / ANSIBLE_ROLES_PATH: colon-separated folders, made absolute.
  std::vector<std::string> roles_path;  // defaults to ~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles
  int forks = 5;
  std::string remote_user;  ///< "" when unset: the connection decides (current user)
  std::string private_key_file;
  bool host_key_checking = true;
  int timeout = 10;  ///< connection timeout in seconds
  // [privilege_escalation]
  bool become = false;
  std::string become_user = "root";
  std::string become_method = "sudo";
  std::string become_exe;
  std::string become_flags;
  bool become_ask_pass = false;
  bool force_handlers = false;           ///< [defaults] force_handlers
  bool error_on_missing_handler = true;  ///< [defaults] error_on_missing_handler
  // [ssh_connection]
  std::string ssh_args;  ///< Ansible's default (ControlMaster, ControlPersist) means nothing to libssh
  std::string ssh_common_args;
  std::string ssh_extra_args;

  /// [defaults] collections_path(s) / ANSIBLE_COLLECTIONS_PATH(S): colon-separated folders, made absolute;
  /// default ~/.ansible/collections:/usr/share/ansible/collections.
  std::vector<std::string> collections_path;
  // What the run prints (Ansible's callback settings).
  std::string stdout_callback = "default";     ///< default, minimal, yaml or json (ansible.builtin./community.general.)
  std::vector<std::string> callbacks_enabled;  ///< profile_tasks, timer (short names, collection prefix removed)
  bool display_skipped_hosts = true;
  bool display_ok_hosts = true;
  bool force_color = false;
  bool nocolor = false;  ///< nocolor, ANSIBLE_NOCOLOR or NO_COLOR
  bool retry_files_enabled = false;
  std::string retry_files_save_path;  ///< "" for the playbook's folder

  std::string ansible_config_file;    ///< the ansible.cfg that was read, "" for none
  std::string provision_config_file;  ///< the provision.cfg that was read, "" for none
  /// Every "section.key" read from the files (keys lower-cased), for settings without a typed field.
  std::map<std::string, std::string> raw;
  /// One message per setting that was read but is not honoured (unknown, misspelt, or something provision does not
  /// do), starting with where it was set: "file:line: " or "NAME: " for an environment variable.
  std::vector<std::string> warnings;
};

/// What provision does with one of ansible-core 2.14's settings (src/core/ansible_settings.txt).
enum class SettingUse { Honoured, Harmless, Warned };

/// The use of the setting read from `ini_key` ("section.key") or, when that is empty, from the environment variable
/// `env_name`; nullopt when ansible-core 2.14 has no such setting.
std::optional<SettingUse> setting_use(const std::string& ini_key, const std::string& env_name);

/// Reads the configuration. `env` is the process environment (HOME, ANSIBLE_*, PROVISION_CONFIG); `cwd` is where
/// ./ansible.cfg and ./provision.cfg are looked for and what relative paths from the environment are relative
/// to (relative paths in a file are relative to that file's folder). Throws prov::Error with file:line for a
/// malformed file or a bad value.
Config load_config(const std::map<std::string, std::string>& env, const std::string& cwd);

/// As above with the current working directory.
Config load_config(const std::map<std::string, std::string>& env);

/// The process environment as a map, for load_config.
std::map<std::string, std::string> process_environment();

}  // namespace prov
