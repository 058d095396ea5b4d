// file: a path's kind (file, directory, link, hard link, absent, touched) and its mode/owner/group.
// One probe reads the state; commands run only for what differs; check mode stops before them.
#include "file_attrs.h"
#include "mode.h"
#include "path_fact.h"
#include "provision/modules/module.h"
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
std::string make_directories(const std::string& path, const Value& args) {
  std::string attrs;
  const Value* mode = find_key(args, "mode");
  if (mode != nullptr && !mode->is_null()) {
    std::string m = to_plain_string(*mode);
    if (mode->is_number_integer()) {  // YAML 0750 arrives as the number 488
      m = octal_mode(mode->get<int>());
    }
    attrs += " && chmod " + shell_quote(m) + " -- \"$d\"";
  }
  if (!util::str(args, "owner").empty()) attrs += " && chown -- " + shell_quote(util::str(args, "owner")) + " \"$d\"";
  if (!util::str(args, "group").empty()) attrs += " && chgrp -- " + shell_quote(util::str(args, "group")) + " \"$d\"";
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

class FileModule : public Module {
 public:
  FileModule() {
    using util::arg;
    spec_.name = "file";
    spec_.args = {
        arg("path", ArgType::Path).required().aliases({"dest", "name"}),
        arg("state").choices({"absent", "directory", "file", "hard", "link", "touch"}),
        arg("mode", ArgType::Raw),
        arg("owner"),
        arg("group"),
        arg("recurse", ArgType::Bool).default_value(false),
        arg("src", ArgType::Path),
        arg("force", ArgType::Bool).default_value(false),
        arg("follow", ArgType::Bool).default_value(true),
    };
  }
  const ModuleSpec& spec() const override { return spec_; }

  std::optional<Probe> first_probe(const Context& ctx) const override {
    const std::string path = util::str(ctx.args, "path");
    return path_probe(path, util::flag(ctx.args, "follow"), "");
  }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string path = util::str(args, "path");
    const bool follow = util::flag(args, "follow");
    // A malformed mode fails the task before anything is created.
    if (const Value* mode = find_key(args, "mode"); mode != nullptr && !mode->is_null()) resolve_mode(*mode, 0, false);
    PathInfo info = probe_path(ctx, path, follow);
    const std::string prev = state_of(info);
    std::string state = util::str(args, "state");
    if (state.empty()) {
      if (prev != "absent")
        state = prev == "hard" ? "file" : prev;
      else if (util::flag(args, "recurse"))
        state = "directory";
      else if (!util::str(args, "src").empty())
        state = "link";
      else
        state = "file";
    }

    Result r = {{"path", path}, {"changed", false}};
    Value diff = {{"before", {{"path", path}}}, {"after", {{"path", path}}}};
    if (state == "absent") return absent(ctx, path, prev, r, diff);
    if (state == "link" || state == "hard") return link(ctx, path, state, info, r, diff);

    // Creating (or touching) happens first; the attributes are then compared on what exists.
    std::string create;
    mod::Plan* plan = ctx.check_mode ? ctx.plan : nullptr;
    if (state == "file" && prev == "absent" && plan != nullptr && plan->predicted(path)) {
      // Check mode: an earlier task would have created it; its attributes would be set.
      r["changed"] = apply_attributes(ctx, path, info, args, true, !follow, diff);
      r["state"] = "file";
      if (ctx.diff_mode && r["changed"].get<bool>()) r["diff"] = diff;
      return r;
    }
    if (state == "file") {
      if (prev == "absent") return fail(r, "file (" + path + ") is absent, cannot continue");
      if (prev == "directory") return fail(r, "file (" + path + ") is directory, cannot continue");
    } else if (state == "directory") {
      if (prev == "absent")
        create = make_directories(path, ctx.args);
      else if (info.type != "directory")
        return fail(r, path + " already exists as a " + prev);
    } else if (state == "touch") {
      create = "touch -- " + shell_quote(path);
      if (prev == "directory" && !info.is_link) create = "touch -c -- " + shell_quote(path);
    }
    if (!create.empty()) {
      r["changed"] = true;
      diff["before"]["state"] = prev;
      diff["after"]["state"] = prev == "absent" ? state : prev;
      if (!ctx.check_mode) {
        run_or_throw(ctx, create);
        info = probe_path(ctx, path, follow);
      } else if (plan != nullptr) {
        plan->add_path(path);
      }
    }
    bool attrs_changed = apply_attributes(ctx, path, info, args, !info.exists, !follow, diff);
    if (state == "directory" && util::flag(args, "recurse")) {
      attrs_changed = apply_recursive(ctx, path, args) || attrs_changed;
    }
    r["changed"] = r["changed"].get<bool>() || attrs_changed;
    if (!ctx.check_mode && attrs_changed) info = probe_path(ctx, path, follow);  // a creation was read just above
    add_path_info(r, info, state);
    if (ctx.diff_mode && r["changed"].get<bool>()) r["diff"] = diff;
    return r;
  }

 private:
  static Result fail(Result r, const std::string& msg) {
    r["failed"] = true;
    r["msg"] = msg;
    return r;
  }

  Result absent(Context& ctx, const std::string& path, const std::string& prev, Result r, Value diff) const {
    if (prev != "absent") {
      r["changed"] = true;
      diff["before"]["state"] = prev;
      diff["after"]["state"] = "absent";
      if (!ctx.check_mode) run_or_throw(ctx, "rm -rf -- " + shell_quote(path));
      if (ctx.diff_mode) r["diff"] = diff;
    }
    if (prev == "absent" && ctx.check_mode && ctx.plan != nullptr && ctx.plan->predicted(path)) {
      // Check mode: something an earlier task would install or create may bring it (nginx's default site), and
      // a real run would then remove it.
      r["changed"] = true;
      r["msg"] = "check mode: " + path + " does not exist yet, but an earlier task may bring it; it would be removed";
    }
    r["state"] = "absent";
    return r;
  }

  Result link(Context& ctx, const std::string& path, const std::string& state, const PathInfo& info, Result r,
              Value diff) const {
    const Value& args = ctx.args;
    const std::string src = util::str(args, "src");
    const bool force = util::flag(args, "force");
    const std::string prev = state_of(info);
    r.erase("path");
    r["dest"] = path;
    r["src"] = src;
    if (src.empty())
      return fail(r, "src is required for creating new " + std::string(state == "link" ? "symlinks" : "hardlinks"));

    // A relative symlink source is relative to the link's folder.
    std::string src_abs = src[0] == '/' || state == "hard" ? src : util::dirname(path) + "/" + src;
    PathInfo src_info = probe_path(ctx, src_abs, false);
    bool src_predicted = ctx.check_mode && ctx.plan != nullptr && ctx.plan->predicted(src_abs);
    if (!src_info.exists && !(state == "link" && force) && !src_predicted) {
      if (state == "hard") return fail(r, "src does not exist");
      return fail(r, "src file does not exist, use \"force=yes\" if you really want to create the link: " + src_abs);
    }

    std::string command;
    if (state == "link") {
      if (prev == "link" && info.link_target == src) {
        command.clear();
      } else if (prev == "absent" || prev == "link") {
        command = "ln -sfn -- " + shell_quote(src) + " " + shell_quote(path);
      } else if (prev == "directory") {
        if (!force) return fail(r, "refusing to convert from directory to symlink for " + path);
        command = "rmdir -- " + shell_quote(path) + " && ln -s -- " + shell_quote(src) + " " + shell_quote(path);
      } else {
        if (!force) return fail(r, "refusing to convert from " + prev + " to symlink for " + path);
        command = "ln -sfn -- " + shell_quote(src) + " " + shell_quote(path);
      }
    } else {
      bool same = info.exists && !info.is_link && info.inode == src_info.inode && info.dev == src_info.dev;
      if (!same) {
        if (prev == "directory") return fail(r, "refusing to convert from directory to hard link for " + path);
        if (prev != "absent" && prev != "hard" && !force) {
          return fail(r, "refusing to convert from " + prev + " to hard link for " + path);
        }
        command = "ln -f -- " + shell_quote(src) + " " + shell_quote(path);
      }
    }
    PathInfo now = info;
    if (!command.empty()) {
      r["changed"] = true;
      diff["before"]["state"] = prev;
      diff["after"]["state"] = state;
      if (!ctx.check_mode) {
        run_or_throw(ctx, command);
        now = probe_path(ctx, path, false);
      } else if (ctx.plan != nullptr) {
        ctx.plan->add_path(path);
      }
    }
    // A symlink's own mode cannot be set on Linux; its owner can (chown -h).
    Value attrs = args;
    if (state == "link") attrs["mode"] = nullptr;
    bool attrs_changed = apply_attributes(ctx, path, now, attrs, !now.exists, state == "link", diff);
    r["changed"] = r["changed"].get<bool>() || attrs_changed;
    if (!ctx.check_mode && attrs_changed) now = probe_path(ctx, path, false);
    add_path_info(r, now, state);
    if (ctx.diff_mode && r["changed"].get<bool>()) r["diff"] = diff;
    return r;
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& file_module() {
  static const FileModule module;
  return module;
}

}  // namespace prov::mod
