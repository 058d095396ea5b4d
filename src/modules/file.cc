// file: a path's kind (file, directory, link, hard link, absent, touched) and its mode/owner/group.
// One probe reads the state; commands run only for what differs; check mode stops before them.
#include "file_attrs.h"
#include "mode.h"
#include "path_fact.h"
#include "provision/modules/module.h"
#include "schema.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

std::string state_of(const PathInfo& info) {
  if (!info.exists) return "absent";
  if (info.is_link) return "link";
  if (info.type == "directory") return "directory";
  if (info.nlink > 1 && info.type == "file") return "hard";
  return "file";
}

// mkdir for each missing folder down to `path`. As Ansible does, the folders created on the way get the wanted
// mode/owner/group too; the last one is left to apply_attributes so that its diff is recorded.
std::string make_directories(const std::string& path, const FileAttributes& wanted) {
  std::string attrs;
  if (wanted.has_mode()) {
    std::string m = to_plain_string(wanted.mode);
    if (wanted.mode.is_number_integer()) {  // YAML 0750 arrives as the number 488
      m = octal_mode(wanted.mode.get<int>());
    }
    attrs += " && chmod " + shell_quote(m) + " -- \"$d\"";
  }
  if (!wanted.owner.empty()) attrs += " && chown -- " + shell_quote(wanted.owner) + " \"$d\"";
  if (!wanted.group.empty()) attrs += " && chgrp -- " + shell_quote(wanted.group) + " \"$d\"";
  std::string script;
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    std::string parent = path.substr(0, slash);
    if (parent.empty() || parent.back() == '/') continue;
    // A folder that another session creates meanwhile (five names of one host in one run) is not an error.
    script += "d=" + shell_quote(parent) + "; if [ ! -e \"$d\" ]; then if mkdir -- \"$d\" 2>/dev/null; then :" + attrs +
              " || exit 1; elif [ ! -d \"$d\" ]; then mkdir -- \"$d\" || exit 1; fi; fi; ";
  }
  return script + "mkdir -p -- " + shell_quote(path);
}

struct FileArgs {
  std::string path, state;
  FileAttributes attrs;
  bool recurse = false;
  std::string src;
  bool force = false, follow = true;

  static void describe(Schema<FileArgs>& s) {
    s.field("path", &FileArgs::path, ArgType::Path).required().aliases({"dest", "name"});
    s.field("state", &FileArgs::state).choices({"absent", "directory", "file", "hard", "link", "touch"});
    s.include(&FileArgs::attrs);
    s.field("recurse", &FileArgs::recurse).default_value(false);
    s.field("src", &FileArgs::src, ArgType::Path);
    s.field("force", &FileArgs::force).default_value(false);
    s.field("follow", &FileArgs::follow).default_value(true);
  }
};

// What the task would do to the path, decided from the reads: the command that makes or links it, or a failure.
struct Action {
  Result result;
  Value diff;
  std::string command;
  bool failed = false;
};

// Reads the path (then a link's source, or what lies below a folder for recurse), decides, and acts.
class FileRun : public Step {
 public:
  FileRun(FileArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    switch (next_) {
      case Read::Path: return path_probe(args_.path, args_.follow, "");
      case Read::Source: return shell_read(path_probe_command(source_path(), false, ""));
      case Read::Below: return shell_read(*recursive_difference_query(args_.path, args_.attrs));
      case Read::Done: break;
    }
    return std::nullopt;
  }

  void parse(const conn::CommandResult& read) override {
    if (next_ == Read::Path) {
      info_ = read_path_probe(read, args_.path);
      prev_ = state_of(info_);
      state_ = wanted_state();
      next_ = Read::Done;
      if ((state_ == "link" || state_ == "hard") && !args_.src.empty()) {
        next_ = Read::Source;
      } else if (recursion_applies() && recursive_difference_query(args_.path, args_.attrs)) {
        next_ = Read::Below;
      }
    } else if (next_ == Read::Source) {
      source_ = read_path_probe(read, source_path());
      next_ = Read::Done;
    } else if (next_ == Read::Below) {
      below_differs_ = parse_recursive_difference(read);
      next_ = Read::Done;
    }
  }

  Changes diff(const Plan* plan) const override {
    // A malformed mode fails the task before anything is created.
    if (args_.attrs.has_mode()) resolve_mode(args_.attrs.mode, 0, false);
    if (state_ == "absent") return absent(plan);
    const bool link = state_ == "link" || state_ == "hard";
    const std::string& path = args_.path;
    if (!link && state_ == "file" && prev_ == "absent" && plan != nullptr && plan->predicted(path)) {
      // Check mode: an earlier task would have created it; its attributes would be set.
      Changes c;
      c.result = {{"path", path}, {"changed", false}};
      Value diff = blank_diff();
      c.changed = !attribute_commands(path, info_, args_.attrs, true, !args_.follow, diff).empty();
      c.result["changed"] = c.changed;
      c.result["state"] = "file";
      if (c.changed) c.diff = std::move(diff);
      return c;
    }
    Action action = link ? link_action(plan) : path_action();
    Changes c;
    if (action.failed) {
      c.result = std::move(action.result);
      return c;
    }
    bool changed = !action.command.empty();
    if (changed) c.predicted.add_path(path);
    bool attrs_changed =
        !attribute_commands(path, info_, link_attributes(), !info_.exists, no_follow(), action.diff).empty();
    if (recursion_applies()) attrs_changed = below_differs_ || attrs_changed;
    c.changed = changed || attrs_changed;
    c.result = std::move(action.result);
    c.result["changed"] = c.changed;
    add_path_info(c.result, info_, state_);
    if (c.changed) c.diff = std::move(action.diff);
    // What a recursive chmod with a symbolic mode changes is known only by running it: a real run does, and
    // reports what it found (check mode reports the prediction above).
    if (recursion_applies() && recursive_difference_unknown(args_.attrs)) c.changed = true;
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    const std::string& path = args_.path;
    if (state_ == "absent") {
      run_or_throw(ctx, "rm -rf -- " + shell_quote(path));
      Value diff = blank_diff();
      diff["before"]["state"] = prev_;
      diff["after"]["state"] = "absent";
      return {{"path", path}, {"changed", true}, {"diff", diff}, {"state", "absent"}};
    }
    const bool link = state_ == "link" || state_ == "hard";
    Action action = link ? link_action(nullptr) : path_action();
    Result& r = action.result;
    PathInfo now = info_;
    if (!action.command.empty()) {
      run_or_throw(ctx, action.command);
      now = probe_path(ctx, path, link ? false : args_.follow);
    }
    const std::string attrs = attribute_commands(path, now, link_attributes(), !now.exists, no_follow(), action.diff);
    if (now.exists) apply_attribute_commands(ctx, attrs);
    bool attrs_changed = !attrs.empty();
    if (!link && state_ == "directory" && args_.recurse) {
      attrs_changed = apply_recursive(ctx, path, args_.attrs) || attrs_changed;
    }
    bool changed = !action.command.empty() || attrs_changed;
    r["changed"] = changed;
    if (attrs_changed) now = probe_path(ctx, path, link ? false : args_.follow);
    add_path_info(r, now, state_);
    if (changed) r["diff"] = std::move(action.diff);
    return r;
  }

 private:
  enum class Read { Path, Source, Below, Done };

  std::string wanted_state() const {
    if (!args_.state.empty()) return args_.state;
    if (prev_ != "absent") return prev_ == "hard" ? "file" : prev_;
    if (args_.recurse) return "directory";
    if (!args_.src.empty()) return "link";
    return "file";
  }

  // A relative symlink source is relative to the link's folder.
  std::string source_path() const {
    const std::string& src = args_.src;
    return src[0] == '/' || state_ == "hard" ? src : util::dirname(args_.path) + "/" + src;
  }

  // recurse=yes on a folder that is there: what lies below is brought in line too.
  bool recursion_applies() const {
    return state_ == "directory" && args_.recurse && prev_ != "absent" && info_.type == "directory";
  }

  // A symlink's own mode cannot be set on Linux; its owner can (chown -h).
  FileAttributes link_attributes() const {
    FileAttributes attrs = args_.attrs;
    if (state_ == "link") attrs.mode = nullptr;
    return attrs;
  }

  // chown -h: a symlink's own owner, or the path itself when links are not followed.
  bool no_follow() const { return state_ == "link" || (state_ != "hard" && !args_.follow); }

  Value blank_diff() const { return {{"before", {{"path", args_.path}}}, {"after", {{"path", args_.path}}}}; }

  static Action fail(Action action, const std::string& msg) {
    action.result["failed"] = true;
    action.result["msg"] = msg;
    action.failed = true;
    return action;
  }

  Changes absent(const Plan* plan) const {
    const std::string& path = args_.path;
    Changes c;
    c.result = {{"path", path}, {"changed", false}};
    if (prev_ != "absent") {
      c.changed = true;
      c.diff = blank_diff();
      c.diff["before"]["state"] = prev_;
      c.diff["after"]["state"] = "absent";
    } else if (plan != nullptr && plan->predicted(path)) {
      // Check mode: something an earlier task would install or create may bring it (nginx's default site), and
      // a real run would then remove it.
      c.changed = true;
      c.result["msg"] =
          "check mode: " + path + " does not exist yet, but an earlier task may bring it; it would be removed";
    }
    c.result["changed"] = c.changed;
    c.result["state"] = "absent";
    return c;
  }

  // file, directory, touch: creating (or touching) happens first; the attributes are then compared on what exists.
  Action path_action() const {
    const std::string& path = args_.path;
    Action action{{{"path", path}, {"changed", false}}, blank_diff(), {}, false};
    if (state_ == "file") {
      if (prev_ == "absent") return fail(std::move(action), "file (" + path + ") is absent, cannot continue");
      if (prev_ == "directory") return fail(std::move(action), "file (" + path + ") is directory, cannot continue");
    } else if (state_ == "directory") {
      if (prev_ == "absent") {
        action.command = make_directories(path, args_.attrs);
      } else if (info_.type != "directory") {
        return fail(std::move(action), path + " already exists as a " + prev_);
      }
    } else if (state_ == "touch") {
      action.command = "touch -- " + shell_quote(path);
      if (prev_ == "directory" && !info_.is_link) action.command = "touch -c -- " + shell_quote(path);
    }
    if (!action.command.empty()) {
      action.diff["before"]["state"] = prev_;
      action.diff["after"]["state"] = prev_ == "absent" ? state_ : prev_;
    }
    return action;
  }

  Action link_action(const Plan* plan) const {
    const std::string& path = args_.path;
    const std::string& src = args_.src;
    const bool force = args_.force;
    Action action{{{"changed", false}, {"dest", path}, {"src", src}}, blank_diff(), {}, false};
    if (src.empty()) {
      return fail(std::move(action),
                  "src is required for creating new " + std::string(state_ == "link" ? "symlinks" : "hardlinks"));
    }
    const std::string src_abs = source_path();
    bool src_predicted = plan != nullptr && plan->predicted(src_abs);
    if (!source_.exists && !(state_ == "link" && force) && !src_predicted) {
      if (state_ == "hard") return fail(std::move(action), "src does not exist");
      return fail(std::move(action),
                  "src file does not exist, use \"force=yes\" if you really want to create the link: " + src_abs);
    }
    std::string& command = action.command;
    if (state_ == "link") {
      if (prev_ == "link" && info_.link_target == src) {
        command.clear();
      } else if (prev_ == "absent" || prev_ == "link") {
        command = "ln -sfn -- " + shell_quote(src) + " " + shell_quote(path);
      } else if (prev_ == "directory") {
        if (!force) return fail(std::move(action), "refusing to convert from directory to symlink for " + path);
        command = "rmdir -- " + shell_quote(path) + " && ln -s -- " + shell_quote(src) + " " + shell_quote(path);
      } else {
        if (!force) return fail(std::move(action), "refusing to convert from " + prev_ + " to symlink for " + path);
        command = "ln -sfn -- " + shell_quote(src) + " " + shell_quote(path);
      }
    } else {
      bool same = info_.exists && !info_.is_link && info_.inode == source_.inode && info_.dev == source_.dev;
      if (!same) {
        if (prev_ == "directory") {
          return fail(std::move(action), "refusing to convert from directory to hard link for " + path);
        }
        if (prev_ != "absent" && prev_ != "hard" && !force) {
          return fail(std::move(action), "refusing to convert from " + prev_ + " to hard link for " + path);
        }
        command = "ln -f -- " + shell_quote(src) + " " + shell_quote(path);
      }
    }
    if (!command.empty()) {
      action.diff["before"]["state"] = prev_;
      action.diff["after"]["state"] = state_;
    }
    return action;
  }

  FileArgs args_;
  Read next_ = Read::Path;
  PathInfo info_, source_;
  std::string prev_, state_;
  bool below_differs_ = false;
};

class FileModule : public TypedModule<FileArgs, FileRun> {
 public:
  FileModule() : TypedModule("file") {}
};

}  // namespace

const Module& file_module() {
  static const FileModule module;
  return module;
}

}  // namespace prov::mod
