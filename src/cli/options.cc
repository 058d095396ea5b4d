#include "options.h"

#include "arguments.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "provision/core/yaml.h"
#include "provision/output/events.h"
#include "provision/playbook/model.h"

namespace prov::cli {

namespace {

std::vector<std::string> split_commas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t start = 0;
    while (start <= v.size()) {
      std::size_t comma = v.find(',', start);
      std::string part = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace

namespace {

// What --help and --version print: argparse ends the parse at once, whatever follows.
struct Finished {
  std::string text;
};

// argparse's int type: the whole word a decimal number, or an error naming the option ("-f/--forks").
int whole_number(const std::string& option, const std::string& value) {
  try {
    size_t used = 0;
    int n = std::stoi(value, &used);
    if (used == value.size()) return n;
  } catch (const std::exception&) {}
  throw UsageError("argument " + option + ": invalid int value: '" + value + "'");
}

// ansible-playbook's options that provision does not have yet: named as such, not as unknown words.
struct Unsupported {
  std::vector<std::string> names;
  std::string metavar;
};
const std::vector<Unsupported> kUnsupported = {
    {{"--sftp-extra-args"}, "SFTP_EXTRA_ARGS"},
    {{"--scp-extra-args"}, "SCP_EXTRA_ARGS"},
    {{"--connection-password-file", "--conn-pass-file"}, "CONNECTION_PASSWORD_FILE"},
    {{"--become-password-file", "--become-pass-file"}, "BECOME_PASSWORD_FILE"},
    {{"--vault-id"}, "VAULT_IDS"},
    {{"--ask-vault-password", "--ask-vault-pass"}, ""},
    {{"--vault-password-file", "--vault-pass-file"}, "VAULT_PASSWORD_FILES"},
    {{"-M", "--module-path"}, "MODULE_PATH"},
};

}  // namespace

int parse_options(int argc, char** argv, Options& o) {
  ArgumentParser parser("provision",
                        "Runs Ansible playbooks over SSH, executing the defined tasks on the targeted hosts, with "
                        "nothing but sshd and a POSIX shell on them.",
                        "playbook", "Playbook(s), run in order as one run");
  std::vector<std::string> tags, skip_tags;
  bool forks_given = false;
  auto value = [&](std::vector<std::string> names, std::string metavar, std::string help, auto&& take) {
    parser.add({std::move(names), std::move(metavar), std::move(help), std::forward<decltype(take)>(take)});
  };
  auto flag = [&](std::vector<std::string> names, std::string help, bool& target) {
    parser.add({std::move(names), "", std::move(help), [&target](const std::string&) { target = true; }});
  };
  auto text = [&](std::vector<std::string> names, std::string metavar, std::string help, std::string& target) {
    value(std::move(names), std::move(metavar), std::move(help), [&target](const std::string& v) { target = v; });
  };
  auto list = [&](std::vector<std::string> names, std::string metavar, std::string help,
                  std::vector<std::string>& target) {
    value(std::move(names), std::move(metavar), std::move(help),
          [&target](const std::string& v) { target.push_back(v); });
  };
  parser.add({{"-h", "--help"}, "", "show this help message and exit", [&](const std::string&) {
                throw Finished{parser.help()};
              }});
  parser.add({{"--version"}, "", "show the version and exit", [](const std::string&) {
                throw Finished{"provision 0.1.0\n"};
              }});
  parser.add({{"-v", "--verbose"}, "", "more detail on stderr, repeatable up to -vvvv", [&](const std::string&) {
                ++o.settings.verbosity;
              }});
  list({"-i", "--inventory", "--inventory-file"}, "INVENTORY",
       "inventory file, folder or comma separated host list (repeatable)", o.inventories);
  text({"-l", "--limit"}, "SUBSET", "further limit selected hosts to an additional pattern", o.limit);
  list({"-e", "--extra-vars"}, "EXTRA_VARS",
       "set additional variables as key=value or YAML/JSON, if filename "
       "prepend with @ (repeatable)",
       o.extra_vars);
  list({"-t", "--tags"}, "TAGS", "only run plays and tasks tagged with these values", tags);
  list({"--skip-tags"}, "SKIP_TAGS", "only run plays and tasks whose tags do not match these values", skip_tags);
  text({"--start-at-task"}, "START_AT_TASK", "start the playbook at the task matching this name",
       o.settings.selection.start_at_task);
  text({"--role"}, "ROLE", "run only the tasks of this role and what they notify (provision's own)",
       o.settings.selection.role);
  flag({"-C", "--check"}, "don't make any changes; predict the changes that would be made", o.settings.check);
  flag({"-D", "--diff"}, "show the differences in changed files and templates", o.settings.diff);
  value({"-f", "--forks"}, "FORKS", "hosts worked on at once (default=5)", [&](const std::string& v) {
    o.forks = whole_number("-f/--forks", v);
    forks_given = true;
  });
  flag({"--flush-cache"}, "clear the fact cache for every host in inventory", o.settings.facts.flush);
  flag({"--force-handlers"}, "run handlers even if a task fails", o.settings.force_handlers);
  flag({"--step"}, "one-step-at-a-time: confirm each task before running", o.settings.step);
  flag({"--syntax-check"}, "perform a syntax check on the playbook, but do not execute it", o.syntax_check);
  flag({"--list-hosts"}, "outputs a list of matching hosts; does not execute anything else", o.list_hosts);
  flag({"--list-tasks"}, "list all tasks that would be executed", o.list_tasks);
  flag({"--list-tags"}, "list all available tags", o.list_tags);
  text({"-u", "--user"}, "REMOTE_USER", "connect as this user", o.remote_user);
  text({"--private-key", "--key-file"}, "PRIVATE_KEY_FILE", "use this file to authenticate the connection",
       o.private_key);
  text({"--ssh-common-args"}, "SSH_COMMON_ARGS", "arguments for the ssh connection (-o, -F, -i, -p, -l are read)",
       o.ssh_common_args);
  text({"--ssh-extra-args"}, "SSH_EXTRA_ARGS", "more arguments for ssh, after the common ones", o.ssh_extra_args);
  text({"-c", "--connection"}, "CONNECTION", "connection type to use: ssh (default) or local", o.connection);
  value({"-T", "--timeout"}, "TIMEOUT", "override the connection timeout in seconds (default=10)",
        [&](const std::string& v) { o.timeout = whole_number("-T/--timeout", v); });
  flag({"-k", "--ask-pass"}, "ask for connection password", o.ask_pass);
  flag({"-K", "--ask-become-pass"}, "ask for privilege escalation password", o.ask_become_pass);
  flag({"-b", "--become"}, "run operations with become (does not imply password prompting)", o.become_flag);
  text({"--become-user"}, "BECOME_USER", "run operations as this user (default=root)", o.become_user);
  text({"--become-method"}, "BECOME_METHOD", "privilege escalation method to use: sudo (default) or su",
       o.become_method);
  list({"--roles-path"}, "ROLES_PATH", "a folder to find roles in, before the configured ones (repeatable)",
       o.roles_path);
  value({"--output"}, "OUTPUT",
        "output format: human (default: the configuration's stdout_callback), json, minimal "
        "or yaml",
        [&](const std::string& v) {
          std::vector<std::string> names = out::sink_names();
          if (std::find(names.begin(), names.end(), v) == names.end()) {
            std::string choices;
            for (const auto& name : names) choices += (choices.empty() ? "'" : ", '") + name + "'";
            throw UsageError("argument --output: invalid choice: '" + v + "' (choose from " + choices + ")");
          }
          o.output = v;
        });
  std::string refused;
  for (const auto& option : kUnsupported) {
    value(option.names, option.metavar, "not supported by provision yet",
          [&refused, name = option.names.back()](const std::string&) {
            if (refused.empty()) refused = name;
          });
  }

  try {
    o.playbooks = parser.parse(std::vector<std::string>(argv + 1, argv + argc));
    if (forks_given && o.forks < 1) throw UsageError("The number of processes (--forks) must be >= 1", false);
  } catch (const Finished& done) {
    std::cout << done.text;
    return 0;
  } catch (const UsageError& e) {
    std::cerr << parser.error_text(e);
    return exec::kExitUsage;
  }
  if (!refused.empty()) {
    std::cerr << "ERROR! the option " << refused << " of ansible-playbook is not supported by provision" << std::endl;
    return exec::kExitBadOptions;
  }
  o.settings.selection.tags = split_commas(tags);
  o.settings.selection.skip_tags = split_commas(skip_tags);
  return -1;
}

Value parse_extra_vars(const std::vector<std::string>& values, const std::function<void(const std::string&)>& warn) {
  Value merged = Value::object();
  auto merge = [&](const Value& v, const std::string& what) {
    if (!v.is_object()) throw Error("extra vars from " + what + " must be a mapping of names to values");
    for (auto it = v.begin(); it != v.end(); ++it) merged[it.key()] = it.value();
  };
  for (const auto& raw : values) {
    if (raw.empty()) continue;
    if (raw[0] == '@') {
      std::string path = raw.substr(1);
      merge(yaml::to_value(yaml::load_file(path, warn), path), path);
    } else if (raw[0] == '{' || raw[0] == '[') {
      merge(yaml::to_value(yaml::load_string(raw, "--extra-vars", warn), "--extra-vars"), "-e '" + raw + "'");
    } else {
      merge(pb::parse_kv(raw, false), "-e '" + raw + "'");
    }
  }
  return merged;
}

std::string prompt_secret(const std::string& prompt) {
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) throw Error("cannot prompt for a password: no terminal (use a variable or ansible_password)");
  if (write(fd, prompt.data(), prompt.size()) < 0) {
    close(fd);
    throw Error("cannot write the password prompt");
  }
  termios old{};
  tcgetattr(fd, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(fd, TCSAFLUSH, &quiet);
  std::string secret;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') secret += c;
  tcsetattr(fd, TCSAFLUSH, &old);
  if (write(fd, "\n", 1) < 0) {
  }
  close(fd);
  return secret;
}

}  // namespace prov::cli
