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

std::string attribute_commands(const std::string& path, const PathInfo& info, const FileAttributes& wanted,
                               bool missing, bool no_follow, Value& diff) {
  const std::string& owner = wanted.owner;
  const std::string& group = wanted.group;
  std::string command;
  const std::string h = no_follow ? "-h " : "";

  if (!owner.empty()) {
    bool same = !missing && (is_number(owner) ? std::to_string(info.uid) == owner : info.owner == owner);
    if (!same) {
      if (!missing) diff["before"]["owner"] = info.owner;
      diff["after"]["owner"] = owner;
      command += "chown " + h + "-- " + shell_quote(owner) + " " + shell_quote(path) + " && ";
    }
  }
  if (!group.empty()) {
    bool same = !missing && (is_number(group) ? std::to_string(info.gid) == group : info.group == group);
    if (!same) {
      if (!missing) diff["before"]["group"] = info.group;
      diff["after"]["group"] = group;
      command += "chgrp " + h + "-- " + shell_quote(group) + " " + shell_quote(path) + " && ";
    }
  }
  if (wanted.has_mode()) {
    int mode = resolve_mode(wanted.mode, missing ? 0 : info.mode, info.type == "directory");
    if (missing || mode != info.mode) {
      if (!missing) diff["before"]["mode"] = mode_text(info.mode);
      diff["after"]["mode"] = mode_text(mode);
      command += "chmod " + octal_mode(mode) + " -- " + shell_quote(path) + " && ";
    }
  }
  return command;
}

void apply_attribute_commands(const Context& ctx, const std::string& commands) {
  if (!commands.empty()) run_or_throw(ctx, commands + "true");
}

bool apply_attributes(const Context& ctx, const std::string& path, const PathInfo& info, const Value& args,
                      bool missing, bool no_follow, Value& diff) {
  FileAttributes wanted;
  if (const Value* mode = find_key(args, "mode")) wanted.mode = *mode;
  wanted.owner = util::str(args, "owner");
  wanted.group = util::str(args, "group");
  const std::string commands = attribute_commands(path, info, wanted, missing, no_follow, diff);
  if (!ctx.check_mode && !missing) apply_attribute_commands(ctx, commands);
  return !commands.empty();
}

namespace {
bool octal_digits(const Value& mode) {
  return mode.is_string() && mode.get<std::string>().find_first_not_of("01234567") == std::string::npos;
}
}  // namespace

std::optional<std::string> recursive_difference_query(const std::string& path, const FileAttributes& wanted) {
  // Anything below with another owner, group or (octal) mode would change.
  std::string tests;
  if (!wanted.owner.empty()) tests += " ! -user " + shell_quote(wanted.owner) + " -o";
  if (!wanted.group.empty()) tests += " ! -group " + shell_quote(wanted.group) + " -o";
  if (octal_digits(wanted.mode)) {
    tests += " ! -perm " + shell_quote(wanted.mode.get<std::string>()) + " -o";
  } else if (wanted.mode.is_number_integer()) {
    tests += " ! -perm " + octal_mode(wanted.mode.get<int>()) + " -o";
  }
  if (tests.empty()) return std::nullopt;
  tests.resize(tests.size() - 3);
  return "find " + shell_quote(path) + " -mindepth 1 \\(" + tests + " \\) -print -quit";
}

bool parse_recursive_difference(const conn::CommandResult& read) { return read.rc == 0 && !read.out.empty(); }

bool recursive_difference_unknown(const FileAttributes& wanted) {
  return wanted.has_mode() && !octal_digits(wanted.mode) && !wanted.mode.is_number_integer();
}

bool apply_recursive(const Context& ctx, const std::string& path, const FileAttributes& wanted) {
  if (!wanted.any()) return false;
  const std::string p = shell_quote(path);
  // Compare a fingerprint of every entry's mode and owners before and after; chmod -R/chown -R do the work.
  std::string snapshot = "find " + p + " -mindepth 1 -exec stat -c '%a %U %G %n' {} + | sha1sum";
  std::string act;
  if (!wanted.owner.empty()) act += "chown -R -- " + shell_quote(wanted.owner) + " " + p + " && ";
  if (!wanted.group.empty()) act += "chgrp -R -- " + shell_quote(wanted.group) + " " + p + " && ";
  if (wanted.has_mode()) {
    std::string m;
    if (wanted.mode.is_number_integer()) {
      m = octal_mode(wanted.mode.get<int>());
    } else {
      m = to_plain_string(wanted.mode);
      resolve_mode(wanted.mode, 0, false);  // rejects malformed modes before anything runs
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
