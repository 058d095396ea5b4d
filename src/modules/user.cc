// user: an account's presence and attributes with useradd, usermod and userdel; its home folder and ssh key.
// One probe (accounts.h) reads the account, the group database, the shadow verdict and the key; commands run
// only for what differs. The password hash never leaves the controller except on stdin.
#include <algorithm>

#include "accounts.h"
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

// The password without its lock marks, as it is compared.
std::string unlocked(std::string hash) {
  while (!hash.empty() && hash[0] == '!') hash.erase(0, 1);
  return hash;
}

Result failure(const std::string& name, const conn::CommandResult& done) {
  std::string msg = done.err.empty() ? done.out : done.err;
  return Value{{"failed", true}, {"name", name}, {"msg", msg}, {"rc", done.rc}, {"changed", false}};
}

// Makes a missing home as Ansible does: a copy of the skeleton, mode from login.defs (HOME_MODE, else from
// UMASK), owned by the user throughout.
std::string make_home_script(const std::string& home, const std::string& skeleton, long long uid, long long gid) {
  return "h=" + shell_quote(home) + "; sk=" + shell_quote(skeleton.empty() ? "/etc/skel" : skeleton) +
         "\n"
         "mkdir -p -- \"$(dirname -- \"$h\")\" || exit 1\n"
         "if [ -d \"$sk\" ]; then cp -RPp -- \"$sk\" \"$h\"; else mkdir -- \"$h\"; fi || exit 1\n"
         "hm=$(sed -n 's/^HOME_MODE[[:space:]]*\\([0-7][0-7]*\\)[[:space:]]*$/\\1/p' /etc/login.defs 2>/dev/null | "
         "tail -n1)\n"
         "um=$(sed -n 's/^UMASK[[:space:]]*\\([0-7][0-7]*\\)[[:space:]]*$/\\1/p' /etc/login.defs 2>/dev/null | "
         "tail -n1)\n"
         "if [ -n \"$hm\" ]; then m=$hm; else m=$(printf '%o' $((0777 & ~0${um:-22}))); fi\n"
         "chmod \"$m\" \"$h\" && chown -R " +
         std::to_string(uid) + ":" + std::to_string(gid) + " -- \"$h\"\n";
}

class UserModule : public Module {
 public:
  UserModule() {
    using util::arg;
    spec_.name = "user";
    spec_.args = {
        arg("name").required().aliases({"user"}),
        arg("state").choices({"absent", "present"}).default_value("present"),
        arg("uid", ArgType::Int),
        arg("non_unique", ArgType::Bool).default_value(false),
        arg("group"),
        arg("groups", ArgType::List).elements(ArgType::Str),
        arg("append", ArgType::Bool).default_value(false),
        arg("comment"),
        arg("home", ArgType::Path),
        arg("shell"),
        arg("password").no_log(),
        arg("update_password").choices({"always", "on_create"}).default_value("always"),
        arg("password_lock", ArgType::Bool),
        arg("create_home", ArgType::Bool).default_value(true).aliases({"createhome"}),
        arg("skeleton"),
        arg("move_home", ArgType::Bool).default_value(false),
        arg("system", ArgType::Bool).default_value(false),
        arg("force", ArgType::Bool).default_value(false),
        arg("remove", ArgType::Bool).default_value(false),
        arg("local", ArgType::Bool),
        arg("generate_ssh_key", ArgType::Bool),
        arg("ssh_key_bits", ArgType::Int).default_value(0),
        arg("ssh_key_type").default_value("rsa"),
        arg("ssh_key_file", ArgType::Path),
        arg("ssh_key_comment"),
    };
  }
  const ModuleSpec& spec() const override { return spec_; }

  // The account probe reads; a password to compare travels on stdin, so not then.
  std::optional<Probe> first_probe(const Context& ctx) const override {
    const Value& args = ctx.args;
    if (util::flag(args, "local")) return std::nullopt;
    UserProbeRequest request;
    if (util::str(args, "state") == "absent") {
      request.name = util::str(args, "name");
    } else {
      request = probe_request(args);
    }
    if (request.compare_password) return std::nullopt;
    return shell_read(user_probe_command(request));
  }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string name = util::str(args, "name");
    if (util::flag(args, "local"))
      return util::failed("local: true is not supported; accounts are managed with useradd");
    const bool has_password = !args["password"].is_null();
    const std::string password = util::str(args, "password");
    // chpasswd reads "name:hash" lines on stdin: a colon or newline would end the hash early.
    if (password.find_first_of(":\n\r") != std::string::npos) {
      return util::failed(
          "password must be a crypt hash (see the password_hash filter); it may not contain ':' or a "
          "line break");
    }

    if (util::str(args, "state") == "absent") return absent(ctx, name);

    UserProbeRequest request = probe_request(args);
    UserProbe probe = run_probe(ctx, request, password);

    Result r = {{"name", name}, {"state", "present"}};
    bool changed = false;
    conn::CommandResult done;
    if (!probe.user) {
      if (ctx.check_mode) {
        predict_creation(ctx, probe, name);
        return Value{{"changed", true}};
      }
      Value refused = create(ctx, probe, name, done);
      if (!refused.is_null()) return refused;
      r["system"] = util::flag(args, "system");
      r["create_home"] = util::flag(args, "create_home");
      changed = true;
    } else {
      Value refused = modify(ctx, probe, name, changed, done);
      if (!refused.is_null()) return refused;
      r["append"] = util::flag(args, "append");
      r["move_home"] = util::flag(args, "move_home");
    }
    if (has_password) r["password"] = "NOT_LOGGING_PASSWORD";
    r["changed"] = changed;
    if (!done.out.empty()) r["stdout"] = done.out;
    if (!done.err.empty()) r["stderr"] = done.err;
    if (changed && !ctx.check_mode) probe = run_probe(ctx, request, password);
    if (!probe.user) return util::failed("failed to look up user name: " + name);
    const PasswdEntry& info = *probe.user;
    r["uid"] = info.uid;
    r["group"] = info.gid;
    r["comment"] = info.gecos;
    r["home"] = info.home;
    r["shell"] = info.shell;
    if (!args["groups"].is_null()) r["groups"] = join(wanted_groups_raw(args), ",");

    // A missing home is made whenever create_home is set, also for an account that already existed.
    if (!probe.home_exists && util::flag(args, "create_home")) {
      r["changed"] = true;
      if (!ctx.check_mode) {
        std::string home = request.home.empty() ? info.home : request.home;
        conn::CommandResult made =
            util::run(ctx, make_home_script(home, util::str(args, "skeleton"), info.uid, info.gid));
        if (made.rc != 0) return failure(name, made);
        probe.home_exists = true;
      } else if (ctx.plan != nullptr) {
        ctx.plan->paths.insert(request.home.empty() ? info.home : request.home);
      }
    }
    if (util::flag(args, "generate_ssh_key")) {
      Value refused = ssh_key(ctx, probe, request, r);
      if (!refused.is_null()) return refused;
    }
    return r;
  }

 private:
  static std::string key_file(const Value& args) {
    std::string file = util::str(args, "ssh_key_file");
    return file.empty() ? ".ssh/id_" + util::str(args, "ssh_key_type") : file;
  }

  static std::vector<std::string> wanted_groups_raw(const Value& args) {
    std::vector<std::string> out;
    for (const auto& g : args["groups"]) out.push_back(to_plain_string(g));
    return out;
  }

  // The names in groups=, trimmed, without empties and duplicates, in the order given.
  static std::vector<std::string> wanted_groups(const Value& args) {
    std::vector<std::string> out;
    for (std::string g : wanted_groups_raw(args)) {
      size_t start = g.find_first_not_of(" \t");
      size_t end = g.find_last_not_of(" \t");
      g = start == std::string::npos ? "" : g.substr(start, end - start + 1);
      if (!g.empty() && std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
    }
    return out;
  }

  static UserProbeRequest probe_request(const Value& args) {
    UserProbeRequest request;
    request.name = util::str(args, "name");
    request.compare_password = !args["password"].is_null();
    request.home = util::str(args, "home");
    if (util::flag(args, "generate_ssh_key")) request.key_file = key_file(args);
    return request;
  }

  static UserProbe run_probe(const Context& ctx, const UserProbeRequest& request, const std::string& password) {
    std::string stdin_data = request.compare_password ? unlocked(password) + "\n" : std::string();
    conn::CommandResult out = util::run(ctx, user_probe_command(request), stdin_data);
    if (out.rc != 0) throw Error("reading the account " + request.name + " failed: " + out.err);
    return parse_user_probe(out.out);
  }

  static bool planned_group(const Context& ctx, const std::string& group) {
    return ctx.check_mode && ctx.plan != nullptr && ctx.plan->groups.count(group) > 0;
  }

  static void predict_creation(const Context& ctx, const UserProbe& probe, const std::string& name) {
    if (ctx.plan == nullptr) return;
    const Value& args = ctx.args;
    ctx.plan->users.insert(name);
    // useradd makes a group of the user's name (USERGROUPS_ENAB) unless one is given or exists.
    if (util::str(args, "group").empty() && find_group(probe.groups, name) == nullptr) ctx.plan->groups.insert(name);
    if (util::flag(args, "create_home")) {
      std::string home = util::str(args, "home");
      ctx.plan->paths.insert(home.empty() ? "/home/" + name : home);
    }
  }

  Result absent(Context& ctx, const std::string& name) const {
    UserProbeRequest request;
    request.name = name;
    UserProbe probe = run_probe(ctx, request, {});
    const bool planned = ctx.check_mode && ctx.plan != nullptr && ctx.plan->users.count(name) > 0;
    Result r = {{"name", name}, {"state", "absent"}};
    if (!probe.user && !planned) {
      r["changed"] = false;
      return r;
    }
    if (ctx.check_mode) {
      if (ctx.plan != nullptr) ctx.plan->users.erase(name);
      return Value{{"changed", true}};
    }
    std::string command = "userdel";
    if (util::flag(ctx.args, "force")) command += " -f";
    if (util::flag(ctx.args, "remove")) command += " -r";
    conn::CommandResult done = util::run(ctx, command + " -- " + shell_quote(name));
    if (done.rc != 0) return failure(name, done);
    r["force"] = util::flag(ctx.args, "force");
    r["remove"] = util::flag(ctx.args, "remove");
    r["changed"] = true;
    if (!done.out.empty()) r["stdout"] = done.out;
    if (!done.err.empty()) r["stderr"] = done.err;
    return r;
  }

  // useradd, then the hash through chpasswd on stdin (useradd -p would show it in ps).
  Value create(Context& ctx, const UserProbe& probe, const std::string& name, conn::CommandResult& done) const {
    const Value& args = ctx.args;
    std::string command = "useradd";
    if (!args["uid"].is_null()) {
      command += " -u " + std::to_string(args["uid"].get<long long>());
      if (util::flag(args, "non_unique")) command += " -o";
    }
    const std::string group = util::str(args, "group");
    if (!group.empty()) {
      if (find_group(probe.groups, group) == nullptr) return util::failed("Group " + group + " does not exist");
      command += " -g " + shell_quote(group);
    } else if (find_group(probe.groups, name) != nullptr) {
      command += " -N";  // a group of the user's name exists: useradd would refuse to make it
    }
    if (!args["groups"].is_null()) {
      std::vector<std::string> names;
      for (const auto& g : wanted_groups(args)) {
        const GroupEntry* entry = find_group(probe.groups, g);
        if (entry == nullptr) return util::failed("Group " + g + " does not exist");
        names.push_back(entry->name);
      }
      if (!names.empty()) command += " -G " + shell_quote(join(names, ","));
    }
    if (!args["comment"].is_null()) command += " -c " + shell_quote(util::str(args, "comment"));
    std::string prefix;
    const std::string home = util::str(args, "home");
    if (!home.empty()) {
      // useradd makes the home but not the folders above it.
      if (util::flag(args, "create_home"))
        prefix = "mkdir -p -- \"$(dirname -- " + shell_quote(home) + ")\" || exit 1\n";
      command += " -d " + shell_quote(home);
    }
    if (!args["shell"].is_null()) command += " -s " + shell_quote(util::str(args, "shell"));
    if (util::flag(args, "create_home")) {
      command += " -m";
      if (!args["skeleton"].is_null()) command += " -k " + shell_quote(util::str(args, "skeleton"));
    } else {
      command += " -M";
    }
    if (util::flag(args, "system")) command += " -r";
    command += " -- " + shell_quote(name);

    std::string stdin_data;
    std::string script = prefix;
    if (!args["password"].is_null()) {
      std::string hash = util::str(args, "password");
      if (util::flag(args, "password_lock")) hash = "!" + hash;
      stdin_data = name + ":" + hash + "\n";
      script = "IFS= read -r line\n" + script + command + " || exit $?\nprintf '%s\\n' \"$line\" | chpasswd -e\n";
    } else {
      script += command + "\n";
    }
    done = util::run(ctx, script, stdin_data);
    if (done.rc != 0) return failure(name, done);
    return nullptr;
  }

  Value modify(Context& ctx, const UserProbe& probe, const std::string& name, bool& changed,
               conn::CommandResult& done) const {
    const Value& args = ctx.args;
    const PasswdEntry& info = *probe.user;
    std::string options;
    bool predicted = false;  // a change only an earlier check-mode task makes possible
    if (!args["uid"].is_null() && args["uid"].get<long long>() != info.uid) {
      options += " -u " + std::to_string(args["uid"].get<long long>());
      if (util::flag(args, "non_unique")) options += " -o";
    }
    const std::string group = util::str(args, "group");
    if (!group.empty()) {
      const GroupEntry* entry = find_group(probe.groups, group);
      if (entry == nullptr) {
        if (!planned_group(ctx, group)) return util::failed("Group " + group + " does not exist");
        predicted = true;
      } else if (entry->gid != info.gid) {
        options += " -g " + std::to_string(entry->gid);
      }
    }
    if (!args["groups"].is_null()) {
      std::vector<std::string> current = memberships(probe.groups, name);
      std::vector<std::string> wanted = wanted_groups(args);
      const bool append = util::flag(args, "append");
      if (wanted.empty()) {
        if (!current.empty() && !append) options += " -G ''";
      } else {
        std::vector<std::string> names;
        bool missing = false, extra = false;
        for (const auto& g : wanted) {
          const GroupEntry* entry = find_group(probe.groups, g);
          if (entry == nullptr) {
            if (!planned_group(ctx, g)) return util::failed("Group " + g + " does not exist");
            predicted = true;
            continue;
          }
          if (std::find(names.begin(), names.end(), entry->name) != names.end()) continue;
          names.push_back(entry->name);
          if (std::find(current.begin(), current.end(), entry->name) == current.end()) missing = true;
        }
        for (const auto& c : current) extra = extra || std::find(names.begin(), names.end(), c) == names.end();
        if (missing || (extra && !append))
          options += std::string(append ? " -a" : "") + " -G " + shell_quote(join(names, ","));
      }
    }
    if (!args["comment"].is_null() && util::str(args, "comment") != info.gecos) {
      options += " -c " + shell_quote(util::str(args, "comment"));
    }
    const std::string home = util::str(args, "home");
    if (!home.empty() && home != info.home) {
      options += " -d " + shell_quote(home);
      if (util::flag(args, "move_home")) options += " -m";
    }
    if (!args["shell"].is_null() && util::str(args, "shell") != info.shell) {
      options += " -s " + shell_quote(util::str(args, "shell"));
    }
    const Value& lock = args["password_lock"];
    const bool set_password =
        !args["password"].is_null() && util::str(args, "update_password") == "always" && probe.password != "same";
    if (!set_password && lock.is_boolean()) {
      if (lock.get<bool>() && !probe.locked) options += " -L";
      if (!lock.get<bool>() && probe.locked) options += " -U";
    }

    if (options.empty() && !set_password) {
      changed = predicted;
      return nullptr;
    }
    changed = true;
    if (ctx.check_mode) return nullptr;
    std::string script, stdin_data;
    if (set_password) {
      std::string hash = util::str(args, "password");
      if (lock.is_boolean() && lock.get<bool>()) hash = "!" + hash;
      stdin_data = name + ":" + hash + "\n";
      script = "IFS= read -r line\n";
    }
    if (!options.empty()) script += "usermod" + options + " -- " + shell_quote(name) + " || exit $?\n";
    if (set_password) script += "printf '%s\\n' \"$line\" | chpasswd -e\n";
    done = util::run(ctx, script, stdin_data);
    if (done.rc != 0) return failure(name, done);
    return nullptr;
  }

  Value ssh_key(Context& ctx, UserProbe& probe, const UserProbeRequest& request, Result& r) const {
    const Value& args = ctx.args;
    const PasswdEntry& info = *probe.user;
    const std::string home = request.home.empty() ? info.home : request.home;
    const std::string path = request.key_file[0] == '/' ? request.key_file : home + "/" + request.key_file;
    const bool force = util::flag(args, "force");
    if (!probe.key_exists || force) {
      if (request.key_file[0] != '/' && !probe.home_exists && !ctx.check_mode) {
        return Value{{"failed", true},
                     {"name", info.name},
                     {"msg", "User " + info.name + " home directory does not exist"},
                     {"rc", 1},
                     {"changed", false}};
      }
      r["changed"] = true;
      if (ctx.check_mode) {
        if (!probe.key_exists) {
          probe.fingerprint.clear();
          probe.public_key.clear();
        }
      } else {
        std::string comment = util::str(args, "ssh_key_comment");
        if (args["ssh_key_comment"].is_null()) comment = "ansible-generated on " + probe.hostname;
        std::string owner = std::to_string(info.uid) + ":" + std::to_string(info.gid);
        std::string keygen = "ssh-keygen -t " + shell_quote(util::str(args, "ssh_key_type"));
        long long bits = args["ssh_key_bits"].get<long long>();
        if (bits > 0) keygen += " -b " + std::to_string(bits);
        keygen += " -C " + shell_quote(comment) + " -f \"$k\" -N ''";
        std::string script = "k=" + shell_quote(path) +
                             "; d=$(dirname -- \"$k\")\n"
                             "if [ ! -d \"$d\" ]; then mkdir -m 0700 -- \"$d\" && chown " +
                             owner + " -- \"$d\" || exit 1; fi\n" + (probe.key_exists ? "printf 'y\\n' | " : "") +
                             keygen + (probe.key_exists ? "" : " </dev/null") +
                             " >/dev/null || exit $?\n"
                             "chown " +
                             owner +
                             " -- \"$k\" \"$k.pub\" || exit 1\n"
                             "echo 'K 1'; printf 'F %s\\n' \"$(ssh-keygen -l -f \"$k\" 2>&1 | head -n1)\"\n"
                             "printf 'B %s\\n' \"$(head -n1 \"$k.pub\")\"\n";
        conn::CommandResult done = util::run(ctx, script);
        if (done.rc != 0) return failure(info.name, done);
        UserProbe made = parse_user_probe(done.out);
        probe.fingerprint = made.fingerprint;
        probe.public_key = made.public_key;
        probe.key_exists = true;
      }
    }
    r["ssh_fingerprint"] = probe.fingerprint;
    r["ssh_key_file"] = path;
    r["ssh_public_key"] = probe.key_exists ? Value(probe.public_key) : Value();
    return nullptr;
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& user_module() {
  static const UserModule module;
  return module;
}

}  // namespace prov::mod
