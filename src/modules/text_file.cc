#include "text_file.h"

#include <atomic>
#include <chrono>

#include "file_attrs.h"
#include "util.h"

namespace prov::mod::text {

namespace {

using conn::shell_quote;

// A separator no probe output can contain by accident: the path would have to hold it.
std::string section_mark(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return "--provision-" + util::sha1_hex(path + std::to_string(now) + std::to_string(counter++)).substr(0, 16) + "--";
}

}  // namespace

RemoteText read_text(const Context& ctx, const std::string& path, const std::string& extra_script) {
  const std::string mark = section_mark(path);
  std::string script = "{ " + path_probe_command(path, true, "") + "; } || exit 1";
  script += "; printf '%s\\n' " + mark + "; if [ -d " + shell_quote(util::dirname(path)) +
            " ]; then echo d; else echo n; fi; id -u; ";
  if (!extra_script.empty()) script += "{ " + extra_script + "\n}; ";
  script += "printf '%s\\n' " + mark + "; if [ -f \"$p\" ]; then cat -- \"$p\" || exit 1; fi";
  conn::CommandResult r = util::run(ctx, script);
  if (r.rc != 0) {
    std::string err = r.err.substr(0, r.err.find('\n'));
    throw Error("cannot read " + path + (err.empty() ? "" : ": " + err));
  }
  const std::string sep = mark + "\n";
  size_t first = r.out.find(sep);
  size_t second = first == std::string::npos ? std::string::npos : r.out.find(sep, first + sep.size());
  if (second == std::string::npos) throw Error("cannot read " + path + ": unexpected probe output");
  RemoteText t;
  t.info = parse_path_probe(r.out.substr(0, first), path);
  std::string middle = r.out.substr(first + sep.size(), second - first - sep.size());
  t.parent_exists = middle.rfind("d\n", 0) == 0;
  size_t uid_end = middle.find('\n', 2);
  t.root = uid_end != std::string::npos && middle.substr(2, uid_end - 2) == "0";
  t.extra = uid_end == std::string::npos ? std::string() : middle.substr(uid_end + 1);
  t.content = r.out.substr(second + sep.size());
  // A broken symlink is a missing file whose content lands at the link's target, as os.path.realpath would.
  t.exists = t.info.exists && t.info.type == "file";
  t.write_path = t.info.is_link && !t.info.real_path.empty() ? t.info.real_path : path;
  return t;
}

WriteOutcome write_text(const Context& ctx, const RemoteText& current, const std::string& content, bool changed,
                        bool mode_on_write) {
  WriteOutcome out;
  out.content_changed = changed;
  PathInfo info = current.info;
  if (out.content_changed && !ctx.check_mode) {
    if (!current.exists && !current.parent_exists) {
      std::string parent = util::dirname(current.write_path);
      conn::CommandResult made = util::run(ctx, "mkdir -p -- " + shell_quote(parent));
      if (made.rc != 0) {
        out.failure = util::failed("Error creating " + parent + " (" + made.err.substr(0, made.err.find('\n')) + ")");
        return out;
      }
    }
    // The shared writer handles content, backup and validate; attributes are compared below, separately, so the
    // message can tell a content change from an attribute change as Ansible's does.
    Context write_ctx = ctx;
    write_ctx.diff_mode = false;
    write_ctx.args = {
        {"force", true}, {"backup", util::flag(ctx.args, "backup")}, {"validate", ctx.args.value("validate", Value())}};
    if (mode_on_write) write_ctx.args["mode"] = ctx.args.value("mode", Value());
    if (current.exists && current.root) {
      // As Ansible's atomic move, the new content keeps the old file's owner and group (the mode is kept by the
      // upload); the ones asked for are applied below and counted as an attribute change. Only root can give a
      // file away; Ansible, too, keeps the owner only when it may.
      write_ctx.args["owner"] = std::to_string(current.info.uid);
      write_ctx.args["group"] = std::to_string(current.info.gid);
    }
    util::FileContent file;
    file.content = content;
    file.dest = current.write_path;
    file.in_tree = true;
    Result written = util::write_file_content(write_ctx, std::move(file));
    if (written.contains("failed")) {
      out.failure = written;
      return out;
    }
    if (written.contains("backup_file")) out.backup_file = written["backup_file"].get<std::string>();
    bool wants_attrs = !util::str(ctx.args, "mode").empty() || !util::str(ctx.args, "owner").empty() ||
                       !util::str(ctx.args, "group").empty();
    if (!wants_attrs) return out;
    info = probe_path(ctx, current.write_path, true);
  } else if (!current.exists) {
    return out;  // check mode on a file that is not there yet: Ansible stops before the attributes
  }
  Value diff = {{"before", Value::object()}, {"after", Value::object()}};
  out.attrs_changed = apply_attributes(ctx, current.write_path, info, ctx.args, false, false, diff);
  if (out.attrs_changed) out.attr_diff = diff;
  return out;
}

std::string with_attrs_message(const std::string& msg, bool content_changed, bool attrs_changed) {
  if (!attrs_changed) return msg;
  return msg + (content_changed ? " and " : "") + "ownership, perms or SE linux context changed";
}

Result validate_failure(Result failure) {
  if (failure.value("msg", "") == "failed to validate") {
    failure["msg"] = "failed to validate: rc:" + to_plain_string(failure.value("exit_status", Value(1))) +
                     " error:" + failure.value("stderr", "");
  }
  return failure;
}

}  // namespace prov::mod::text
