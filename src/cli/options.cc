#include "options.h"

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "provision/core/yaml.h"
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

int parse_options(int argc, char** argv, Options& o) {
  CLI::App app{"provision: run Ansible playbooks over SSH, fast, with nothing but sshd and sh on the hosts",
               "provision"};
  app.set_version_flag("--version", "provision 0.1.0");
  std::vector<std::string> tags, skip_tags;
  app.add_option("playbook", o.playbooks, "Playbook(s) to run")->required();
  app.add_option("-i,--inventory,--inventory-file", o.inventories, "Inventory file, folder or host list (repeatable)");
  app.add_option("-l,--limit", o.limit, "Further limit the hosts with a pattern");
  app.add_option("-e,--extra-vars", o.extra_vars, "k=v, JSON/YAML, or @file (repeatable)");
  app.add_option("-t,--tags", tags, "Only run tasks tagged with these (comma list, repeatable)");
  app.add_option("--skip-tags", skip_tags, "Skip tasks tagged with these");
  app.add_option("--start-at-task", o.settings.selection.start_at_task, "Start at the task with this name");
  app.add_option("--role", o.settings.selection.role, "Run only the tasks of this role (and what they notify)");
  app.add_flag("-C,--check", o.settings.check, "Predict changes without making them");
  app.add_flag("-D,--diff", o.settings.diff, "Show the differences in changed files and templates");
  app.add_option("-f,--forks", o.forks, "Hosts worked on at once")->check(CLI::PositiveNumber);
  app.add_flag("-v,--verbose", o.settings.verbosity, "More detail (-vvvv for everything), on stderr");
  app.add_flag("--syntax-check", o.syntax_check, "Load and validate everything, then exit");
  app.add_flag("--list-hosts", o.list_hosts, "List the hosts each play targets");
  app.add_flag("--list-tasks", o.list_tasks, "List the tasks each play would run");
  app.add_flag("--list-tags", o.list_tags, "List the tags of each play");
  app.add_option("-u,--user", o.remote_user, "Connect as this user");
  app.add_option("--private-key,--key-file", o.private_key, "SSH private key file");
  app.add_option("-c,--connection", o.connection, "Connection type (ssh, local)");
  app.add_option("-T,--timeout", o.timeout, "Connection timeout in seconds");
  app.add_flag("-k,--ask-pass", o.ask_pass, "Ask for the connection password");
  app.add_flag("-K,--ask-become-pass", o.ask_become_pass, "Ask for the privilege escalation password");
  app.add_flag("-b,--become", o.become_flag, "Run operations with become");
  app.add_option("--become-user", o.become_user, "Become this user (default root)");
  app.add_option("--become-method", o.become_method, "sudo or su");
  app.add_option("--roles-path", o.roles_path, "Extra folders to find roles in (repeatable)");
  app.add_option("--output", o.output, "Output format: human or json")->check(CLI::IsMember({"human", "json"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : exec::kExitBadOptions;
  }
  o.settings.selection.tags = split_commas(tags);
  o.settings.selection.skip_tags = split_commas(skip_tags);
  return -1;
}

Value parse_extra_vars(const std::vector<std::string>& values) {
  Value merged = Value::object();
  auto merge = [&](const Value& v, const std::string& what) {
    if (!v.is_object()) throw Error("extra vars from " + what + " must be a mapping of names to values");
    for (auto it = v.begin(); it != v.end(); ++it) merged[it.key()] = it.value();
  };
  for (const auto& raw : values) {
    if (raw.empty()) continue;
    if (raw[0] == '@') {
      std::string path = raw.substr(1);
      merge(yaml::to_value(yaml::load_file(path), path), path);
    } else if (raw[0] == '{' || raw[0] == '[') {
      merge(yaml::to_value(yaml::load_string(raw, "--extra-vars"), "--extra-vars"), "-e '" + raw + "'");
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
