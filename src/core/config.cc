// Reading ansible.cfg and provision.cfg (Python configparser's INI dialect) and the ANSIBLE_* overrides.
#include "provision/core/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>

#include "provision/core/error.h"
#include "provision/core/text.h"
#include "provision/core/value.h"

extern char** environ;

namespace prov {

namespace fs = std::filesystem;

namespace {

using Env = std::map<std::string, std::string>;

std::string env_value(const Env& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? std::string() : it->second;
}

/// One setting as read: its text and where it came from (a file line, or an environment variable).
struct Setting {
  std::string value;
  SourceLoc loc;       // known for file values
  std::string origin;  // the environment variable name for env values
  std::string base;    // folder relative paths are resolved against
};

/// ~ and $VAR / ${VAR} expansion, then relative paths joined to `base`, as Ansible's resolve_path does.
std::string resolve_path(const std::string& text, const std::string& base, const Env& env) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    std::size_t start = i + 1;
    bool braced = text[start] == '{';
    if (braced) ++start;
    std::size_t end = start;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
    if (end == start || (braced && (end >= text.size() || text[end] != '}'))) {
      out += text[i];  // not a variable reference: keep the '$' as Python's expandvars does
      continue;
    }
    std::string name = text.substr(start, end - start);
    if (env.count(name)) {
      out += env.at(name);
    } else {
      out += text.substr(i, (braced ? end + 1 : end) - i);
    }
    i = braced ? end : end - 1;
  }
  if (out == "~" || out.rfind("~/", 0) == 0) out = env_value(env, "HOME") + out.substr(1);
  fs::path p(out);
  if (p.is_relative() && !base.empty()) p = fs::path(base) / p;
  return p.lexically_normal().string();
}

/// Python configparser's dialect as Ansible uses it: [sections], "key = value" or "key: value", keys
/// case-insensitive, '#' and ';' comment lines, " ;" inline comments, indented continuation lines.
std::map<std::string, Setting> read_ini(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("cannot read configuration file {}", path));
  std::map<std::string, Setting> out;
  std::string section;
  std::string last_key;
  int lineno = 0;
  std::string base = fs::path(path).parent_path().string();
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string text = trim(line);
    if (text.empty()) {
      last_key.clear();
      continue;
    }
    if (text[0] == '#' || text[0] == ';') continue;
    if ((line[0] == ' ' || line[0] == '\t') && !last_key.empty()) {
      out[last_key].value += "\n" + text;  // continuation of the previous value
      continue;
    }
    if (text[0] == '[') {
      auto close = text.find(']');
      if (close == std::string::npos || close == 1) {
        throw Error(fmt::format("invalid section header '{}'", text), SourceLoc{path, lineno, 1},
                    "a section header is a name in brackets, such as [defaults]");
      }
      section = text.substr(1, close - 1);
      last_key.clear();
      continue;
    }
    auto delimiter = text.find_first_of("=:");
    if (delimiter == std::string::npos || delimiter == 0) {
      throw Error(fmt::format("expected 'key = value', got '{}'", text), SourceLoc{path, lineno, 1});
    }
    if (section.empty()) {
      throw Error(fmt::format("setting '{}' appears before any [section] header", trim(text.substr(0, delimiter))),
                  SourceLoc{path, lineno, 1});
    }
    std::string key = lower(trim(text.substr(0, delimiter)));
    std::string value = text.substr(delimiter + 1);
    for (std::size_t i = 1; i < value.size(); ++i) {
      if (value[i] == ';' && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        value.erase(i);
        break;
      }
    }
    std::string full = section + "." + key;
    if (out.count(full)) {
      throw Error(
          fmt::format("option '{}' in section [{}] is already set on line {}", key, section, out[full].loc.line),
          SourceLoc{path, lineno, 1});
    }
    out[full] = Setting{trim(value), SourceLoc{path, lineno, 0}, "", base};
    last_key = full;
  }
  return out;
}

std::string first_existing(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates) {
    std::error_code ec;
    if (!c.empty() && fs::is_regular_file(c, ec)) return c;
  }
  return {};
}

std::string find_config(const Env& env, const std::string& cwd, const std::string& env_name,
                        const std::string& file_name, const std::string& home_name, const std::string& system_path) {
  std::vector<std::string> candidates;
  if (env.count(env_name) && !env.at(env_name).empty()) {
    std::string from_env = resolve_path(env.at(env_name), cwd, env);
    if (fs::is_directory(from_env)) from_env = (fs::path(from_env) / file_name).string();
    candidates.push_back(from_env);
  }
  // Like Ansible, a config file in a world-writable working directory is ignored: anyone could have put it there.
  std::error_code ec;
  auto cwd_perms = fs::status(cwd, ec).permissions();
  if (ec || (cwd_perms & fs::perms::others_write) == fs::perms::none) {
    candidates.push_back((fs::path(cwd) / file_name).string());
  }
  if (!env_value(env, "HOME").empty()) candidates.push_back((fs::path(env.at("HOME")) / home_name).string());
  if (!system_path.empty()) candidates.push_back(system_path);
  return first_existing(candidates);
}

[[noreturn]] void bad_value(const Setting& s, const std::string& name, const std::string& expected) {
  std::string where = s.origin.empty() ? name : s.origin;
  throw Error(fmt::format("invalid value '{}' for {}: expected {}", s.value, where, expected), s.loc);
}

int to_int(const Setting& s, const std::string& name, int minimum) {
  std::string text = trim(s.value);
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size()) bad_value(s, name, "an integer");
  if (v < minimum) bad_value(s, name, fmt::format("an integer of at least {}", minimum));
  return v;
}

/// A setting read as Ansible's boolean(); anything else is an error naming the setting.
bool to_bool(const Setting& s, const std::string& name) {
  if (std::optional<bool> b = ansible_bool(Value(trim(s.value)))) return *b;
  bad_value(s, name, "a boolean (true/false, yes/no, on/off, 1/0)");
}

std::vector<std::string> to_paths(const Setting& s, char separator, const Env& env) {
  std::vector<std::string> out;
  std::size_t start = 0;
  const std::string& text = s.value;
  while (start <= text.size()) {
    auto end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    std::string item = trim(text.substr(start, end - start));
    if (!item.empty()) out.push_back(resolve_path(item, s.base, env));
    start = end + 1;
  }
  return out;
}

/// How one setting reaches its field: the file key ("section.key") and the environment variable.
struct Field {
  std::string key;
  std::string env;
  std::function<void(Config&, const Setting&, const Env&)> apply;
};

const std::vector<Field>& fields() {
  static const std::vector<Field> table{
      {"defaults.inventory", "ANSIBLE_INVENTORY",
       [](Config& c, const Setting& s, const Env& e) { c.inventory = to_paths(s, ',', e); }},
      {"defaults.roles_path", "ANSIBLE_ROLES_PATH",
       [](Config& c, const Setting& s, const Env& e) { c.roles_path = to_paths(s, ':', e); }},
      {"defaults.forks", "ANSIBLE_FORKS",
       [](Config& c, const Setting& s, const Env&) { c.forks = to_int(s, "forks", 1); }},
      {"defaults.remote_user", "ANSIBLE_REMOTE_USER",
       [](Config& c, const Setting& s, const Env&) { c.remote_user = s.value; }},
      {"defaults.private_key_file", "ANSIBLE_PRIVATE_KEY_FILE",
       [](Config& c, const Setting& s, const Env& e) {
         c.private_key_file = s.value.empty() ? "" : resolve_path(s.value, s.base, e);
       }},
      {"defaults.host_key_checking", "ANSIBLE_HOST_KEY_CHECKING",
       [](Config& c, const Setting& s, const Env&) { c.host_key_checking = to_bool(s, "host_key_checking"); }},
      {"defaults.timeout", "ANSIBLE_TIMEOUT",
       [](Config& c, const Setting& s, const Env&) { c.timeout = to_int(s, "timeout", 0); }},
      {"privilege_escalation.become", "ANSIBLE_BECOME",
       [](Config& c, const Setting& s, const Env&) { c.become = to_bool(s, "become"); }},
      {"privilege_escalation.become_user", "ANSIBLE_BECOME_USER",
       [](Config& c, const Setting& s, const Env&) { c.become_user = s.value; }},
      {"privilege_escalation.become_method", "ANSIBLE_BECOME_METHOD",
       [](Config& c, const Setting& s, const Env&) { c.become_method = s.value; }},
      {"privilege_escalation.become_ask_pass", "ANSIBLE_BECOME_ASK_PASS",
       [](Config& c, const Setting& s, const Env&) { c.become_ask_pass = to_bool(s, "become_ask_pass"); }},
  };
  return table;
}

void apply_file(Config& config, const std::string& path, const Env& env) {
  auto settings = read_ini(path);
  for (const auto& field : fields()) {
    if (auto it = settings.find(field.key); it != settings.end()) field.apply(config, it->second, env);
  }
  for (const auto& [key, setting] : settings) config.raw[key] = setting.value;
}

}  // namespace

Config load_config(const Env& env, const std::string& cwd) {
  Config config;
  std::string home = env_value(env, "HOME");
  config.roles_path = {(fs::path(home) / ".ansible/roles").string(), "/usr/share/ansible/roles", "/etc/ansible/roles"};

  config.ansible_config_file =
      find_config(env, cwd, "ANSIBLE_CONFIG", "ansible.cfg", ".ansible.cfg", "/etc/ansible/ansible.cfg");
  if (!config.ansible_config_file.empty()) apply_file(config, config.ansible_config_file, env);
  config.provision_config_file = find_config(env, cwd, "PROVISION_CONFIG", "provision.cfg", ".provision.cfg", "");
  if (!config.provision_config_file.empty()) apply_file(config, config.provision_config_file, env);

  for (const auto& field : fields()) {
    if (auto it = env.find(field.env); it != env.end())
      field.apply(config, Setting{it->second, {}, field.env, cwd}, env);
  }
  return config;
}

Config load_config(const Env& env) { return load_config(env, fs::current_path().string()); }

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string text(*entry);
    auto eq = text.find('=');
    if (eq != std::string::npos) env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return env;
}

}  // namespace prov
