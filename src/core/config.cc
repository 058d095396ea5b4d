// Reading ansible.cfg and provision.cfg (Python configparser's INI dialect) and the ANSIBLE_* overrides.
#include "provision/core/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "provision/core/error.h"
#include "provision/core/text.h"
#include "provision/core/value.h"
#include "settings_table.h"

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
  std::string out = expand_user_vars(text, [&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
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

std::vector<std::string> to_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = trim(text.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

/// A callback's short name: Ansible accepts "yaml", "community.general.yaml" and "ansible.builtin.default".
std::string callback_name(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

/// How one setting reaches its field: the file keys ("section.key") and the environment variables it is read
/// from, as ansible-config lists them (a later variable of the list wins, as in Ansible).
struct Field {
  std::vector<std::string> keys;
  std::vector<std::string> envs;
  std::function<void(Config&, const Setting&, const Env&)> apply;
};

void set_stdout_callback(Config& c, const Setting& s) {
  static const std::vector<std::string> known{"default", "minimal", "yaml", "json"};
  std::string name = callback_name(trim(s.value));
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    std::string where = s.origin.empty() ? "stdout_callback" : s.origin;
    throw Error(
        fmt::format("invalid callback for stdout specified: '{}' in {}{}", s.value, where, did_you_mean(name, known)),
        s.loc, "provision's stdout callbacks are default, minimal, yaml and json");
  }
  c.stdout_callback = name;
}

const std::vector<Field>& fields() {
  static const std::vector<Field> table{
      {{"defaults.inventory"},
       {"ANSIBLE_INVENTORY"},
       [](Config& c, const Setting& s, const Env& e) { c.inventory = to_paths(s, ',', e); }},
      {{"defaults.roles_path"},
       {"ANSIBLE_ROLES_PATH"},
       [](Config& c, const Setting& s, const Env& e) { c.roles_path = to_paths(s, ':', e); }},
      {{"defaults.collections_paths", "defaults.collections_path"},
       {"ANSIBLE_COLLECTIONS_PATHS", "ANSIBLE_COLLECTIONS_PATH"},
       [](Config& c, const Setting& s, const Env& e) { c.collections_path = to_paths(s, ':', e); }},
      {{"defaults.forks"},
       {"ANSIBLE_FORKS"},
       [](Config& c, const Setting& s, const Env&) { c.forks = to_int(s, "forks", 1); }},
      {{"defaults.remote_user"},
       {"ANSIBLE_REMOTE_USER"},
       [](Config& c, const Setting& s, const Env&) { c.remote_user = s.value; }},
      {{"defaults.private_key_file"},
       {"ANSIBLE_PRIVATE_KEY_FILE"},
       [](Config& c, const Setting& s, const Env& e) {
         c.private_key_file = s.value.empty() ? "" : resolve_path(s.value, s.base, e);
       }},
      {{"defaults.host_key_checking", "ssh_connection.host_key_checking", "paramiko_connection.host_key_checking"},
       {"ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_SSH_HOST_KEY_CHECKING", "ANSIBLE_PARAMIKO_HOST_KEY_CHECKING"},
       [](Config& c, const Setting& s, const Env&) { c.host_key_checking = to_bool(s, "host_key_checking"); }},
      {{"defaults.timeout", "ssh_connection.timeout"},
       {"ANSIBLE_TIMEOUT", "ANSIBLE_SSH_TIMEOUT"},
       [](Config& c, const Setting& s, const Env&) { c.timeout = to_int(s, "timeout", 0); }},
      {{"privilege_escalation.become"},
       {"ANSIBLE_BECOME"},
       [](Config& c, const Setting& s, const Env&) { c.become = to_bool(s, "become"); }},
      {{"privilege_escalation.become_user"},
       {"ANSIBLE_BECOME_USER"},
       [](Config& c, const Setting& s, const Env&) { c.become_user = s.value; }},
      {{"privilege_escalation.become_method"},
       {"ANSIBLE_BECOME_METHOD"},
       [](Config& c, const Setting& s, const Env&) { c.become_method = s.value; }},
      {{"privilege_escalation.become_exe"},
       {"ANSIBLE_BECOME_EXE"},
       [](Config& c, const Setting& s, const Env&) { c.become_exe = s.value; }},
      {{"privilege_escalation.become_flags"},
       {"ANSIBLE_BECOME_FLAGS"},
       [](Config& c, const Setting& s, const Env&) { c.become_flags = s.value; }},
      {{"ssh_connection.ssh_args"},
       {"ANSIBLE_SSH_ARGS"},
       [](Config& c, const Setting& s, const Env&) { c.ssh_args = s.value; }},
      {{"ssh_connection.ssh_common_args"},
       {"ANSIBLE_SSH_COMMON_ARGS"},
       [](Config& c, const Setting& s, const Env&) { c.ssh_common_args = s.value; }},
      {{"ssh_connection.ssh_extra_args"},
       {"ANSIBLE_SSH_EXTRA_ARGS"},
       [](Config& c, const Setting& s, const Env&) { c.ssh_extra_args = s.value; }},
      {{"privilege_escalation.become_ask_pass"},
       {"ANSIBLE_BECOME_ASK_PASS"},
       [](Config& c, const Setting& s, const Env&) { c.become_ask_pass = to_bool(s, "become_ask_pass"); }},
      {{"defaults.stdout_callback"},
       {"ANSIBLE_STDOUT_CALLBACK"},
       [](Config& c, const Setting& s, const Env&) { set_stdout_callback(c, s); }},
      {{"defaults.callback_whitelist", "defaults.callbacks_enabled"},
       {"ANSIBLE_CALLBACK_WHITELIST", "ANSIBLE_CALLBACKS_ENABLED"},
       [](Config& c, const Setting& s, const Env&) {
         c.callbacks_enabled.clear();
         for (const auto& name : to_list(s.value)) c.callbacks_enabled.push_back(callback_name(name));
       }},
      {{"defaults.display_skipped_hosts"},
       {"ANSIBLE_DISPLAY_SKIPPED_HOSTS"},
       [](Config& c, const Setting& s, const Env&) { c.display_skipped_hosts = to_bool(s, "display_skipped_hosts"); }},
      {{"defaults.display_ok_hosts"},
       {"ANSIBLE_DISPLAY_OK_HOSTS"},
       [](Config& c, const Setting& s, const Env&) { c.display_ok_hosts = to_bool(s, "display_ok_hosts"); }},
      {{"defaults.force_color"},
       {"ANSIBLE_FORCE_COLOR"},
       [](Config& c, const Setting& s, const Env&) { c.force_color = to_bool(s, "force_color"); }},
      {{"defaults.nocolor"},
       {"ANSIBLE_NOCOLOR", "NO_COLOR"},
       [](Config& c, const Setting& s, const Env&) {
         // NO_COLOR's own convention: any value but an empty one turns colour off.
         if (s.origin == "NO_COLOR") {
           c.nocolor = !s.value.empty() && ansible_bool(Value(trim(s.value))) != std::optional<bool>(false);
         } else {
           c.nocolor = to_bool(s, "nocolor");
         }
       }},
      {{"defaults.force_handlers"},
       {"ANSIBLE_FORCE_HANDLERS"},
       [](Config& c, const Setting& s, const Env&) { c.force_handlers = to_bool(s, "force_handlers"); }},
      {{"defaults.error_on_missing_handler"},
       {"ANSIBLE_ERROR_ON_MISSING_HANDLER"},
       [](Config& c, const Setting& s, const Env&) {
         c.error_on_missing_handler = to_bool(s, "error_on_missing_handler");
       }},
      {{"defaults.retry_files_enabled"},
       {"ANSIBLE_RETRY_FILES_ENABLED"},
       [](Config& c, const Setting& s, const Env&) { c.retry_files_enabled = to_bool(s, "retry_files_enabled"); }},
      {{"defaults.retry_files_save_path"},
       {"ANSIBLE_RETRY_FILES_SAVE_PATH"},
       [](Config& c, const Setting& s, const Env& e) {
         c.retry_files_save_path = s.value.empty() ? "" : resolve_path(s.value, s.base, e);
       }},
  };
  return table;
}

bool read_by_a_field(const std::string& key, bool is_env) {
  for (const auto& field : fields()) {
    const auto& names = is_env ? field.envs : field.keys;
    if (std::find(names.begin(), names.end(), key) != names.end()) return true;
  }
  return false;
}

/// The warning for a setting provision does not honour, or "" for one it honours or that changes nothing.
std::string setting_warning(const std::string& key, bool is_env) {
  if (read_by_a_field(key, is_env)) return {};
  std::optional<SettingUse> use = is_env ? setting_use("", key) : setting_use(key, "");
  // Honoured settings that no field of Config holds are read where they are used (the fact settings).
  if (use == SettingUse::Harmless || use == SettingUse::Honoured) return {};
  if (use) return "not supported by provision, ignored";
  const SettingsTable& table = settings_table();
  std::vector<std::string> candidates;
  if (is_env) {
    for (const auto& entry : table.env) candidates.push_back(entry.first);
    return "unknown setting, ignored" + did_you_mean(key, candidates);
  }
  std::string section = key.substr(0, key.find('.'));
  if (!table.sections.count(section)) {
    candidates.assign(table.sections.begin(), table.sections.end());
    return fmt::format("unknown section [{}], ignored{}", section, did_you_mean(section, candidates));
  }
  for (const auto& entry : table.ini) {
    if (entry.first.rfind(section + ".", 0) == 0) candidates.push_back(entry.first.substr(section.size() + 1));
  }
  return "unknown setting, ignored" + did_you_mean(key.substr(section.size() + 1), candidates);
}

void apply_file(Config& config, const std::string& path, const Env& env) {
  auto settings = read_ini(path);
  for (const auto& field : fields()) {
    for (const auto& key : field.keys) {
      if (auto it = settings.find(key); it != settings.end()) field.apply(config, it->second, env);
    }
  }
  // In the file's order, so that warnings read top to bottom.
  std::vector<std::pair<std::string, const Setting*>> in_order;
  for (const auto& [key, setting] : settings) {
    config.raw[key] = setting.value;
    in_order.emplace_back(key, &setting);
  }
  std::sort(in_order.begin(), in_order.end(),
            [](const auto& a, const auto& b) { return a.second->loc.line < b.second->loc.line; });
  std::set<std::string> sections_warned;
  for (const auto& [key, setting] : in_order) {
    std::string warning = setting_warning(key, false);
    if (warning.empty()) continue;
    std::string section = key.substr(0, key.find('.'));
    if (warning.rfind("unknown section", 0) == 0 && !sections_warned.insert(section).second) continue;
    std::string name = key.substr(section.size() + 1);
    config.warnings.push_back(warning.rfind("unknown section", 0) == 0
                                  ? fmt::format("{}:{}: {}", path, setting->loc.line, warning)
                                  : fmt::format("{}:{}: [{}] {}: {}", path, setting->loc.line, section, name, warning));
  }
}

}  // namespace

Config load_config(const Env& env, const std::string& cwd) {
  Config config;
  std::string home = env_value(env, "HOME");
  config.roles_path = {(fs::path(home) / ".ansible/roles").string(), "/usr/share/ansible/roles", "/etc/ansible/roles"};
  config.collections_path = {(fs::path(home) / ".ansible/collections").string(), "/usr/share/ansible/collections"};

  config.ansible_config_file =
      find_config(env, cwd, "ANSIBLE_CONFIG", "ansible.cfg", ".ansible.cfg", "/etc/ansible/ansible.cfg");
  if (!config.ansible_config_file.empty()) apply_file(config, config.ansible_config_file, env);
  config.provision_config_file = find_config(env, cwd, "PROVISION_CONFIG", "provision.cfg", ".provision.cfg", "");
  if (!config.provision_config_file.empty()) apply_file(config, config.provision_config_file, env);

  for (const auto& field : fields()) {
    for (const auto& name : field.envs) {
      if (auto it = env.find(name); it != env.end()) field.apply(config, Setting{it->second, {}, name, cwd}, env);
    }
  }
  // Ansible reads only the variables it knows; one it does not (a typo) is silently nothing. provision names it.
  for (const auto& [name, value] : env) {
    bool ansible = name.rfind("ANSIBLE_", 0) == 0 && name != "ANSIBLE_CONFIG";
    if (!ansible && !setting_use("", name)) continue;
    std::string warning = setting_warning(name, true);
    if (!warning.empty()) config.warnings.push_back(fmt::format("{}: {}", name, warning));
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
