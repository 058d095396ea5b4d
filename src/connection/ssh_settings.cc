// Host variables -> SshSettings. Kept apart from the libssh code so it can be tested without a network.
#include <cctype>

#include "provision/connection/ssh.h"
#include "provision/core/text.h"

namespace prov::conn {

namespace {

const Value* find_var(const Value& vars, std::initializer_list<const char*> names) {
  if (!vars.is_object()) return nullptr;
  for (const char* name : names) {
    auto it = vars.find(name);
    if (it != vars.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::string as_text(const Value& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

int parse_int(const std::string& text, const std::string& what) {
  size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || n < 0) throw Error("invalid " + what + " '" + text + "': expected a number");
  return n;
}

int int_var(const Value& v, const std::string& name) {
  if (v.is_number_integer()) return v.get<int>();
  return parse_int(as_text(v), name);
}

// A connection variable read as Ansible's boolean(); anything else is an error naming the variable.
bool bool_var(const Value& v, const std::string& name) {
  if (std::optional<bool> b = ansible_bool(v)) return *b;
  throw Error("invalid value '" + as_text(v) + "' for " + name + ": expected a boolean");
}

HostKeyPolicy policy_from(const std::string& value) {
  std::string v = lower(value);
  if (v == "yes" || v == "ask" || v == "true") return HostKeyPolicy::Strict;
  if (v == "accept-new") return HostKeyPolicy::AcceptNew;
  if (v == "no" || v == "off" || v == "false") return HostKeyPolicy::Off;
  throw Error("invalid StrictHostKeyChecking value '" + value + "'" +
              did_you_mean(value, {"yes", "no", "accept-new", "ask", "off"}));
}

// Applies one `-o Key=Value` (or `Key Value`) option. First value wins, as in OpenSSH.
void apply_option(SshSettings& s, const std::string& option, bool& strict_seen) {
  size_t sep = option.find_first_of("= ");
  if (sep == std::string::npos) throw Error("invalid ssh option '-o " + option + "': expected Key=Value");
  std::string key = lower(option.substr(0, sep));
  std::string value = option.substr(option.find_first_not_of("= ", sep));
  if (key == "userknownhostsfile") {
    if (!s.known_hosts_file) s.known_hosts_file = value.substr(0, value.find(' '));
  } else if (key == "stricthostkeychecking") {
    if (!strict_seen) s.host_key_policy = policy_from(value);
    strict_seen = true;
  } else if (key == "port") {
    if (!s.port) s.port = parse_int(value, "ssh port");
  } else if (key == "user") {
    if (!s.user) s.user = value;
  } else if (key == "identityfile") {
    s.identity_files.push_back(value);
  } else if (key == "connecttimeout") {
    s.connect_timeout_seconds = parse_int(value, "ConnectTimeout");
  } else if (key == "serveraliveinterval") {
    s.keepalive_seconds = parse_int(value, "ServerAliveInterval");
  } else if (key == "serveralivecountmax") {
    s.keepalive_count = parse_int(value, "ServerAliveCountMax");
  } else if (key == "proxycommand") {
    if (!s.proxy_command && lower(value) != "none") s.proxy_command = value;
  }
  // Other options (ControlMaster, ControlPersist, ...) belong to OpenSSH's client and mean nothing here.
}

void apply_args(SshSettings& s, const std::string& args, const std::string& var, bool& strict_seen) {
  std::vector<std::string> words = split_ssh_args(args);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    auto value = [&](size_t prefix) -> std::string {
      if (w.size() > prefix) return w.substr(prefix);
      if (i + 1 >= words.size()) throw Error("invalid " + var + ": '" + w + "' needs a value");
      return words[++i];
    };
    if (w.rfind("-o", 0) == 0) {
      apply_option(s, value(2), strict_seen);
    } else if (w.rfind("-F", 0) == 0) {
      s.config_file = value(2);
    } else if (w.rfind("-i", 0) == 0) {
      s.identity_files.push_back(value(2));
    } else if (w.rfind("-p", 0) == 0) {
      std::string port = value(2);
      if (!s.port) s.port = parse_int(port, "ssh port");
    } else if (w.rfind("-l", 0) == 0) {
      std::string user = value(2);
      if (!s.user) s.user = user;
    }
    // Flags without values (-C, -q, -4, ...) are OpenSSH client behaviour; nothing to do.
  }
}

}  // namespace

std::vector<std::string> split_ssh_args(const std::string& args) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < args.size(); ++i) {
    char c = args[i];
    if (c == '\'') {
      size_t end = args.find('\'', i + 1);
      if (end == std::string::npos) throw Error("unterminated quote in ssh arguments: " + args);
      word += args.substr(i + 1, end - i - 1);
      in_word = true;
      i = end;
    } else if (c == '"') {
      in_word = true;
      for (++i; i < args.size() && args[i] != '"'; ++i) {
        if (args[i] == '\\' && i + 1 < args.size() && std::string_view("\"\\$`").find(args[i + 1]) != std::string::npos)
          ++i;
        word += args[i];
      }
      if (i >= args.size()) throw Error("unterminated quote in ssh arguments: " + args);
    } else if (c == '\\' && i + 1 < args.size()) {
      word += args[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

SshSettings parse_ssh_settings(const Value& vars) {
  SshSettings s;
  // Where Ansible's ssh plugin reads a setting from several variables, the later one in its list wins
  // (ansible_ssh_host over ansible_host): find_var takes the first name it finds, so they are listed winner first.
  if (const Value* v = find_var(vars, {"ansible_ssh_host", "ansible_host", "inventory_hostname"})) s.host = as_text(*v);
  if (s.host.empty()) throw Error("ssh connection needs ansible_host or inventory_hostname");
  // ssh_args come first on Ansible's ssh command line and OpenSSH keeps the first value of an option, so what they
  // set (a port, a user, a time limit, host key checking) beats the variables; the common and extra args come last.
  bool strict_seen = false;
  const int default_timeout = s.connect_timeout_seconds;
  if (const Value* v = find_var(vars, {"ansible_ssh_args"})) apply_args(s, as_text(*v), "ssh_args", strict_seen);
  const bool timeout_from_args = s.connect_timeout_seconds != default_timeout;
  if (const Value* v = find_var(vars, {"ansible_ssh_port", "ansible_port"}); v && !s.port) {
    s.port = int_var(*v, "ansible_port");
  }
  if (const Value* v = find_var(vars, {"ansible_ssh_user", "ansible_user"}); v && !s.user) s.user = as_text(*v);
  if (const Value* v = find_var(vars, {"ansible_ssh_private_key_file", "ansible_private_key_file"})) {
    s.identity_files.push_back(as_text(*v));
  }
  if (const Value* v = find_var(vars, {"ansible_ssh_password", "ansible_ssh_pass", "ansible_password"})) {
    s.password = as_text(*v);
  }
  if (const Value* v = find_var(vars, {"ansible_ssh_timeout", "ansible_timeout", "timeout"}); v && !timeout_from_args) {
    s.connect_timeout_seconds = int_var(*v, "ansible_ssh_timeout");
  }
  if (const Value* v = find_var(vars, {"ansible_ssh_retries"})) s.connect_retries = int_var(*v, "ansible_ssh_retries");
  if (const Value* v = find_var(vars, {"provision_ssh_persistent_shell"})) {
    s.persistent_shell = bool_var(*v, "provision_ssh_persistent_shell");
  }

  // Ansible puts StrictHostKeyChecking=no after ssh_args but before the common and extra args when checking is off,
  // and ssh keeps the first value it sees: so host_key_checking=false wins over anything in those.
  if (const Value* v =
          find_var(vars, {"ansible_host_key_checking", "ansible_ssh_host_key_checking", "host_key_checking"})) {
    if (!bool_var(*v, "ansible_host_key_checking") && !strict_seen) {
      s.host_key_policy = HostKeyPolicy::Off;
      strict_seen = true;
    }
  }
  for (const char* name : {"ansible_ssh_common_args", "ansible_ssh_extra_args"}) {
    if (const Value* v = find_var(vars, {name})) apply_args(s, as_text(*v), name, strict_seen);
  }
  return s;
}

}  // namespace prov::conn
