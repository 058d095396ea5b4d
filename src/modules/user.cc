// user: an account's presence and attributes with useradd, usermod and userdel; its home folder and ssh key.
// One probe (accounts.h) reads the account, the group database, the shadow verdict and the key; commands run
// only for what differs. The password hash never leaves the controller except on stdin.
#include <algorithm>

#include "accounts.h"
#include "provision/modules/module.h"
#include "schema.h"
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

struct UserArgs {
  std::string name, state, group, home, update_password, ssh_key_type, ssh_key_file;
  std::optional<long long> uid;
  std::optional<std::vector<std::string>> groups;
  std::optional<std::string> comment, shell, password, skeleton, ssh_key_comment;
  std::optional<bool> password_lock;
  bool non_unique = false, append = false, create_home = true, move_home = false, system = false, force = false,
       remove = false, local = false, generate_ssh_key = false;
  long long ssh_key_bits = 0;

  static void describe(Schema<UserArgs>& s) {
    using A = UserArgs;
    s.field("name", &A::name).required().aliases({"user"});
    s.field("state", &A::state).choices({"absent", "present"}).default_value("present");
    s.field("uid", &A::uid);
    s.field("non_unique", &A::non_unique).default_value(false);
    s.field("group", &A::group);
    s.field("groups", &A::groups).elements(ArgType::Str);
    s.field("append", &A::append).default_value(false);
    s.field("comment", &A::comment);
    s.field("home", &A::home, ArgType::Path);
    s.field("shell", &A::shell);
    s.field("password", &A::password).no_log();
    s.field("update_password", &A::update_password).choices({"always", "on_create"}).default_value("always");
    s.field("password_lock", &A::password_lock);
    s.field("create_home", &A::create_home).default_value(true).aliases({"createhome"});
    s.field("skeleton", &A::skeleton);
    s.field("move_home", &A::move_home).default_value(false);
    s.field("system", &A::system).default_value(false);
    s.field("force", &A::force).default_value(false);
    s.field("remove", &A::remove).default_value(false);
    s.field("local", &A::local);
    s.field("generate_ssh_key", &A::generate_ssh_key);
    s.field("ssh_key_bits", &A::ssh_key_bits).default_value(0);
    s.field("ssh_key_type", &A::ssh_key_type).default_value("rsa");
    s.field("ssh_key_file", &A::ssh_key_file, ArgType::Path);
    s.field("ssh_key_comment", &A::ssh_key_comment);
  }
};

// One probe reads the account, the group database, the shadow verdict (the wanted hash is compared on the host,
// sent on stdin) and the ssh key. diff() says what would change; apply() runs useradd/usermod/userdel, reads the
// account again and makes a missing home and the key, as Ansible's module does in one go.
class UserRun : public Step {
 public:
  UserRun(UserArgs args, const Context&) : args_(std::move(args)) {
    request_.name = args_.name;
    if (args_.state == "absent") return;
    request_.compare_password = args_.password.has_value();
    request_.home = args_.home;
    if (args_.generate_ssh_key)
      request_.key_file = args_.ssh_key_file.empty() ? ".ssh/id_" + args_.ssh_key_type : args_.ssh_key_file;
  }

  std::optional<Probe> query() override {
    if (probe_ || !refusal().empty()) return std::nullopt;
    return probe_command();
  }
  void parse(const conn::CommandResult& read) override { probe_ = read_probe(read); }

  Changes diff(const Plan* plan) const override {
    Changes c;
    if (std::string refused = refusal(); !refused.empty()) {
      c.result = util::failed(refused);
      return c;
    }
    const std::string& name = args_.name;
    if (args_.state == "absent") {
      const bool planned = plan != nullptr && plan->users.count(name) > 0;
      if (!probe_->user && !planned) {
        c.result = {{"name", name}, {"state", "absent"}, {"changed", false}};
        return c;
      }
      c.changed = true;
      c.result = {{"changed", true}};
      c.removed.users.insert(name);
      return c;
    }
    if (!probe_->user) {
      c.changed = true;
      c.result = {{"changed", true}};
      c.predicted.users.insert(name);
      // useradd makes a group of the user's name (USERGROUPS_ENAB) unless one is given or exists.
      if (args_.group.empty() && find_group(probe_->groups, name) == nullptr) c.predicted.groups.insert(name);
      if (args_.create_home) c.predicted.add_tree(args_.home.empty() ? "/home/" + name : args_.home);
      return c;
    }
    Modification m = modification(*probe_, plan);
    if (!m.failure.empty()) {
      c.result = util::failed(m.failure);
      return c;
    }
    UserProbe probe = *probe_;
    Result r = {{"name", name}, {"state", "present"}, {"append", args_.append}, {"move_home", args_.move_home}};
    if (args_.password) r["password"] = "NOT_LOGGING_PASSWORD";
    r["changed"] = m.changes() || m.predicted;
    c.result = completed(std::move(r), probe, nullptr, &c.predicted);
    c.changed = c.result.contains("changed") && c.result["changed"].get<bool>();
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    if (args_.state == "absent") return remove_account(ctx);
    const std::string& name = args_.name;
    Result r = {{"name", name}, {"state", "present"}};
    conn::CommandResult done;
    bool changed = false;
    if (!probe_->user) {
      Command create = creation();
      if (!create.refusal.empty()) return util::failed(create.refusal);
      done = run_checked(ctx, create);
      if (done.rc != 0) return failure(name, done);
      r["system"] = args_.system;
      r["create_home"] = args_.create_home;
      changed = true;
    } else {
      Modification m = modification(*probe_, nullptr);
      if (m.changes()) {
        done = run_checked(ctx, m.script());
        if (done.rc != 0) return failure(name, done);
        changed = true;
      }
      r["append"] = args_.append;
      r["move_home"] = args_.move_home;
    }
    if (args_.password) r["password"] = "NOT_LOGGING_PASSWORD";
    r["changed"] = changed;
    if (!done.out.empty()) r["stdout"] = done.out;
    if (!done.err.empty()) r["stderr"] = done.err;
    UserProbe probe =
        changed ? read_probe(util::run(ctx, probe_command().command, probe_command().stdin_data)) : *probe_;
    return completed(std::move(r), probe, &ctx, nullptr);
  }

 private:
  // A script to run and its stdin (the password line for chpasswd); a refusal found while building it.
  struct Command {
    std::string script, stdin_data, refusal;
  };

  // What usermod (and chpasswd) would change on an existing account.
  struct Modification {
    std::string options;
    bool set_password = false;
    bool predicted = false;  // a change only an earlier check-mode task makes possible
    std::string failure;
    std::string hash_line;

    bool changes() const { return !options.empty() || set_password; }
    Command script() const {
      Command command;
      if (set_password) {
        command.stdin_data = hash_line;
        command.script = "IFS= read -r line\n";
      }
      command.script += options;
      if (set_password) command.script += "printf '%s\\n' \"$line\" | chpasswd -e\n";
      return command;
    }
  };

  std::string refusal() const {
    if (args_.local) return "local: true is not supported; accounts are managed with useradd";
    // chpasswd reads "name:hash" lines on stdin: a colon or newline would end the hash early.
    if (args_.password && args_.password->find_first_of(":\n\r") != std::string::npos) {
      return "password must be a crypt hash (see the password_hash filter); it may not contain ':' or a line break";
    }
    return "";
  }

  Probe probe_command() const {
    Probe read = shell_read(user_probe_command(request_));
    if (request_.compare_password) read.stdin_data = unlocked(*args_.password) + "\n";
    return read;
  }

  UserProbe read_probe(const conn::CommandResult& read) const {
    if (read.rc != 0) throw Error("reading the account " + request_.name + " failed: " + read.err);
    return parse_user_probe(read.out);
  }

  static conn::CommandResult run_checked(Context& ctx, const Command& command) {
    return util::run(ctx, command.script, command.stdin_data);
  }

  // The names in groups=, trimmed, without empties and duplicates, in the order given.
  std::vector<std::string> wanted_groups() const {
    std::vector<std::string> out;
    for (std::string g : args_.groups.value_or(std::vector<std::string>{})) {
      size_t start = g.find_first_not_of(" \t");
      size_t end = g.find_last_not_of(" \t");
      g = start == std::string::npos ? "" : g.substr(start, end - start + 1);
      if (!g.empty() && std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
    }
    return out;
  }

  Result remove_account(Context& ctx) const {
    std::string command = "userdel";
    if (args_.force) command += " -f";
    if (args_.remove) command += " -r";
    conn::CommandResult done = util::run(ctx, command + " -- " + shell_quote(args_.name));
    if (done.rc != 0) return failure(args_.name, done);
    Result r = {{"name", args_.name}, {"state", "absent"}};
    r["force"] = args_.force;
    r["remove"] = args_.remove;
    r["changed"] = true;
    if (!done.out.empty()) r["stdout"] = done.out;
    if (!done.err.empty()) r["stderr"] = done.err;
    return r;
  }

  // useradd, then the hash through chpasswd on stdin (useradd -p would show it in ps).
  Command creation() const {
    const std::string& name = args_.name;
    const UserProbe& probe = *probe_;
    std::string command = "useradd";
    if (args_.uid) {
      command += " -u " + std::to_string(*args_.uid);
      if (args_.non_unique) command += " -o";
    }
    if (!args_.group.empty()) {
      if (find_group(probe.groups, args_.group) == nullptr) return {"", "", "Group " + args_.group + " does not exist"};
      command += " -g " + shell_quote(args_.group);
    } else if (find_group(probe.groups, name) != nullptr) {
      command += " -N";  // a group of the user's name exists: useradd would refuse to make it
    }
    if (args_.groups) {
      std::vector<std::string> names;
      for (const auto& g : wanted_groups()) {
        const GroupEntry* entry = find_group(probe.groups, g);
        if (entry == nullptr) return {"", "", "Group " + g + " does not exist"};
        names.push_back(entry->name);
      }
      if (!names.empty()) command += " -G " + shell_quote(join(names, ","));
    }
    if (args_.comment) command += " -c " + shell_quote(*args_.comment);
    std::string prefix;
    if (!args_.home.empty()) {
      // useradd makes the home but not the folders above it.
      if (args_.create_home) prefix = "mkdir -p -- \"$(dirname -- " + shell_quote(args_.home) + ")\" || exit 1\n";
      command += " -d " + shell_quote(args_.home);
    }
    if (args_.shell) command += " -s " + shell_quote(*args_.shell);
    if (args_.create_home) {
      command += " -m";
      if (args_.skeleton) command += " -k " + shell_quote(*args_.skeleton);
    } else {
      command += " -M";
    }
    if (args_.system) command += " -r";
    command += " -- " + shell_quote(name);

    Command out;
    out.script = prefix;
    if (args_.password) {
      std::string hash = *args_.password;
      if (args_.password_lock.value_or(false)) hash = "!" + hash;
      out.stdin_data = name + ":" + hash + "\n";
      out.script =
          "IFS= read -r line\n" + out.script + command + " || exit $?\nprintf '%s\\n' \"$line\" | chpasswd -e\n";
    } else {
      out.script += command + "\n";
    }
    return out;
  }

  Modification modification(const UserProbe& probe, const Plan* plan) const {
    const std::string& name = args_.name;
    const PasswdEntry& info = *probe.user;
    auto planned_group = [&](const std::string& group) { return plan != nullptr && plan->groups.count(group) > 0; };
    Modification m;
    std::string options;
    if (args_.uid && *args_.uid != info.uid) {
      options += " -u " + std::to_string(*args_.uid);
      if (args_.non_unique) options += " -o";
    }
    if (!args_.group.empty()) {
      const GroupEntry* entry = find_group(probe.groups, args_.group);
      if (entry == nullptr) {
        if (!planned_group(args_.group)) return {"", false, false, "Group " + args_.group + " does not exist", ""};
        m.predicted = true;
      } else if (entry->gid != info.gid) {
        options += " -g " + std::to_string(entry->gid);
      }
    }
    if (args_.groups) {
      std::vector<std::string> current = memberships(probe.groups, name);
      std::vector<std::string> wanted = wanted_groups();
      if (wanted.empty()) {
        if (!current.empty() && !args_.append) options += " -G ''";
      } else {
        std::vector<std::string> names;
        bool missing = false, extra = false;
        for (const auto& g : wanted) {
          const GroupEntry* entry = find_group(probe.groups, g);
          if (entry == nullptr) {
            if (!planned_group(g)) return {"", false, false, "Group " + g + " does not exist", ""};
            m.predicted = true;
            continue;
          }
          if (std::find(names.begin(), names.end(), entry->name) != names.end()) continue;
          names.push_back(entry->name);
          if (std::find(current.begin(), current.end(), entry->name) == current.end()) missing = true;
        }
        for (const auto& c : current) extra = extra || std::find(names.begin(), names.end(), c) == names.end();
        if (missing || (extra && !args_.append))
          options += std::string(args_.append ? " -a" : "") + " -G " + shell_quote(join(names, ","));
      }
    }
    if (args_.comment && *args_.comment != info.gecos) options += " -c " + shell_quote(*args_.comment);
    if (!args_.home.empty() && args_.home != info.home) {
      options += " -d " + shell_quote(args_.home);
      if (args_.move_home) options += " -m";
    }
    if (args_.shell && *args_.shell != info.shell) options += " -s " + shell_quote(*args_.shell);
    const std::optional<bool>& lock = args_.password_lock;
    m.set_password = args_.password && args_.update_password == "always" && probe.password != "same";
    if (!m.set_password && lock) {
      if (*lock && !probe.locked) options += " -L";
      if (!*lock && probe.locked) options += " -U";
    }
    if (!options.empty()) m.options = "usermod" + options + " -- " + shell_quote(name) + " || exit $?\n";
    if (m.set_password) m.hash_line = name + ":" + (lock.value_or(false) ? "!" : "") + *args_.password + "\n";
    return m;
  }

  // The keys read from the account, a missing home and the ssh key: made when ctx is given (apply), otherwise
  // predicted (diff).
  Result completed(Result r, UserProbe& probe, Context* ctx, Plan* predicted) const {
    const std::string& name = args_.name;
    if (!probe.user) return util::failed("failed to look up user name: " + name);
    const PasswdEntry& info = *probe.user;
    r["uid"] = info.uid;
    r["group"] = info.gid;
    r["comment"] = info.gecos;
    r["home"] = info.home;
    r["shell"] = info.shell;
    if (args_.groups) r["groups"] = join(*args_.groups, ",");

    // A missing home is made whenever create_home is set, also for an account that already existed.
    if (!probe.home_exists && args_.create_home) {
      r["changed"] = true;
      const std::string home = request_.home.empty() ? info.home : request_.home;
      if (ctx != nullptr) {
        conn::CommandResult made =
            util::run(*ctx, make_home_script(home, args_.skeleton.value_or(""), info.uid, info.gid));
        if (made.rc != 0) return failure(name, made);
        probe.home_exists = true;
      } else {
        predicted->paths.insert(home);
      }
    }
    if (args_.generate_ssh_key) {
      Value refused = ssh_key(ctx, probe, r);
      if (!refused.is_null()) return refused;
    }
    return r;
  }

  // Makes the key when ctx is given; otherwise says what making it would report.
  Value ssh_key(Context* ctx, UserProbe& probe, Result& r) const {
    const UserProbeRequest& request = request_;
    const PasswdEntry& info = *probe.user;
    const std::string home = request.home.empty() ? info.home : request.home;
    const std::string path = request.key_file[0] == '/' ? request.key_file : home + "/" + request.key_file;
    if (!probe.key_exists || args_.force) {
      if (request.key_file[0] != '/' && !probe.home_exists && ctx != nullptr) {
        return Value{{"failed", true},
                     {"name", info.name},
                     {"msg", "User " + info.name + " home directory does not exist"},
                     {"rc", 1},
                     {"changed", false}};
      }
      r["changed"] = true;
      if (ctx == nullptr) {
        if (!probe.key_exists) {
          probe.fingerprint.clear();
          probe.public_key.clear();
        }
      } else {
        std::string comment = args_.ssh_key_comment.value_or("ansible-generated on " + probe.hostname);
        std::string owner = std::to_string(info.uid) + ":" + std::to_string(info.gid);
        std::string keygen = "ssh-keygen -t " + shell_quote(args_.ssh_key_type);
        long long bits = args_.ssh_key_bits;
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
        conn::CommandResult done = util::run(*ctx, script);
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

  UserArgs args_;
  UserProbeRequest request_;
  std::optional<UserProbe> probe_;
};

}  // namespace

const Module& user_module() {
  static const TypedModule<UserArgs, UserRun> module("user");
  return module;
}

}  // namespace prov::mod
