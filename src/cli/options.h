#pragma once
// Command-line options, as ansible-playbook spells them, plus provision's own (--role, --output).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "provision/exec/executor.h"

namespace prov::cli {

struct Options {
  std::vector<std::string> playbooks;
  std::vector<std::string> inventories;
  std::vector<std::string> extra_vars;  ///< raw -e values, in order
  std::vector<std::string> roles_path;
  std::string output;  ///< --output; "" when not given (the configuration's stdout_callback decides)
  bool syntax_check = false;
  bool list_hosts = false;
  bool list_tasks = false;
  bool list_tags = false;
  bool ask_pass = false;
  bool ask_become_pass = false;
  bool become_flag = false;
  std::string become_user, become_method, remote_user, private_key, connection, limit;
  std::string ssh_common_args, ssh_extra_args;
  int forks = 0;    ///< 0: from config
  int timeout = 0;  ///< 0: from config
  exec::Settings settings;  ///< check, diff, verbosity, selection
};

/// Parses argv as ansible-playbook does. Returns -1 to go on, or an exit code: 0 after --help/--version (printed on
/// stdout), kExitUsage when the command line cannot be read (the usage and the error on stderr), kExitBadOptions for
/// an option of ansible-playbook that provision does not support.
int parse_options(int argc, char** argv, Options& options);

/// Turns the -e values into one object (k=v, @file.yml/json, inline JSON/YAML); later ones win.
/// Throws prov::Error for a missing file or bad syntax; `warn` is told of keys given twice in a file.
Value parse_extra_vars(const std::vector<std::string>& values,
                       const std::function<void(const std::string&)>& warn = {});

/// Reads a secret from the terminal without echo (-k, -K).
std::string prompt_secret(const std::string& prompt);

}  // namespace prov::cli
