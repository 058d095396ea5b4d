#include "file_attrs.h"

#include "mode.h"
#include "util.h"

namespace prov::mod {

using conn::shell_quote;

void run_or_throw(const Context& ctx, const std::string& command) {
  conn::CommandResult r = util::run(ctx, "export LC_ALL=C; " + command);
  if (r.rc != 0) {
    std::string line = r.err.substr(0, r.err.find('\n'));
    throw Error(line.empty() ? "command failed with rc " + std::to_string(r.rc) : line);
  }
}

namespace {
bool is_number(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}
}  // namespace

bool apply_attributes(const Context& ctx, const std::string& path, const PathInfo& info, const Value& args,
                      bool missing, bool no_follow, Value& diff) {
  const Value* mode = find_key(args, "mode");
  const std::string owner = util::str(args, "owner"), group = util::str(args, "group");
  std::string command;
  bool changed = false;
  const std::string h = no_follow ? "-h " : "";

  if (!owner.empty()) {
    bool same = !missing && (is_number(owner) ? std::to_string(info.uid) == owner : info.owner == owner);
    if (!same) {
      changed = true;
      if (!missing) diff["before"]["owner"] = info.owner;
      diff["after"]["owner"] = owner;
      command += "chown " + h + "-- " + shell_quote(owner) + " " + shell_quote(path) + " && ";
    }
  }
  if (!group.empty()) {
    bool same = !missing && (is_number(group) ? std::to_string(info.gid) == group : info.group == group);
    if (!same) {
      changed = true;
      if (!missing) diff["before"]["group"] = info.group;
      diff["after"]["group"] = group;
      command += "chgrp " + h + "-- " + shell_quote(group) + " " + shell_quote(path) + " && ";
    }
  }
  if (mode != nullptr && !mode->is_null()) {
    int wanted = resolve_mode(*mode, missing ? 0 : info.mode, info.type == "directory");
    if (missing || wanted != info.mode) {
      changed = true;
      if (!missing) diff["before"]["mode"] = mode_text(info.mode);
      diff["after"]["mode"] = mode_text(wanted);
      command += "chmod " + octal_mode(wanted) + " -- " + shell_quote(path) + " && ";
    }
  }
  if (changed && !ctx.check_mode && !missing) run_or_throw(ctx, command + "true");
  return changed;
}

bool apply_recursive(const Context& ctx, const std::string& path, const Value& args) {
  const Value* mode = find_key(args, "mode");
  const std::string owner = util::str(args, "owner"), group = util::str(args, "group");
  bool has_mode = mode != nullptr && !mode->is_null();
  if (!has_mode && owner.empty() && group.empty()) return false;
  const std::string p = shell_quote(path);
  if (ctx.check_mode) {
    // Predict with find: anything below with another owner, group or (octal) mode would change.
    std::string tests;
    if (!owner.empty()) tests += " ! -user " + shell_quote(owner) + " -o";
    if (!group.empty()) tests += " ! -group " + shell_quote(group) + " -o";
    if (has_mode && mode->is_string() &&
        mode->get<std::string>().find_first_not_of("01234567") == std::string::npos) {
      tests += " ! -perm " + shell_quote(mode->get<std::string>()) + " -o";
    } else if (has_mode && mode->is_number_integer()) {
      tests += " ! -perm " + octal_mode(mode->get<int>()) + " -o";
    }
    if (tests.empty()) return false;
    tests.resize(tests.size() - 3);
    conn::CommandResult r = util::run(ctx, "find " + p + " -mindepth 1 \\(" + tests + " \\) -print -quit");
    return r.rc == 0 && !r.out.empty();
  }
  // Compare a fingerprint of every entry's mode and owners before and after; chmod -R/chown -R do the work.
  std::string snapshot = "find " + p + " -mindepth 1 -exec stat -c '%a %U %G %n' {} + | sha1sum";
  std::string act;
  if (!owner.empty()) act += "chown -R -- " + shell_quote(owner) + " " + p + " && ";
  if (!group.empty()) act += "chgrp -R -- " + shell_quote(group) + " " + p + " && ";
  if (has_mode) {
    std::string m;
    if (mode->is_number_integer()) {
      m = octal_mode(mode->get<int>());
    } else {
      m = to_plain_string(*mode);
      resolve_mode(*mode, 0, false);  // rejects malformed modes before anything runs
    }
    act += "chmod -R " + shell_quote(m) + " -- " + p + " && ";
  }
  std::string script = "before=$(" + snapshot + ") && " + act + "after=$(" + snapshot +
                       ") && if [ \"$before\" = \"$after\" ]; then echo same; else echo changed; fi";
  conn::CommandResult r = util::run(ctx, script);
  if (r.rc != 0) throw Error(r.err.substr(0, r.err.find('\n')));
  return r.out == "changed\n";
}

void add_path_info(Result& r, const PathInfo& info, const std::string& state) {
  if (!info.exists) {
    r["state"] = "absent";
    return;
  }
  r["uid"] = info.uid;
  r["gid"] = info.gid;
  r["owner"] = info.owner;
  r["group"] = info.group;
  r["mode"] = mode_text(info.mode);
  r["state"] = state;
  r["size"] = info.size;
}

}  // namespace prov::mod
