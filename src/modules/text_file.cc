#include "text_file.h"

#include "content_writer.h"
#include "util.h"

namespace prov::mod::text {

using conn::shell_quote;

namespace {

// A separator no probe output can contain by accident: the path would have to hold its own hash. It depends on
// the path alone, so a step built for its first query asks exactly what the run will.
std::string section_mark(const std::string& path) { return "--provision-" + util::sha1_hex(path).substr(0, 16) + "--"; }

}  // namespace

std::string read_text_command(const std::string& path, const std::string& extra_script) {
  const std::string mark = section_mark(path);
  std::string script = "{ " + path_probe_command(path, true, "") + "; } || exit 1";
  script += "; printf '%s\\n' " + mark + "; if [ -d " + shell_quote(util::dirname(path)) +
            " ]; then echo d; else echo n; fi; id -u; ";
  if (!extra_script.empty()) script += "{ " + extra_script + "\n}; ";
  script += "printf '%s\\n' " + mark + "; if [ -f \"$p\" ]; then cat -- \"$p\" || exit 1; fi";
  return script;
}

RemoteText parse_read_text(const conn::CommandResult& r, const std::string& path) {
  if (r.rc != 0) {
    std::string err = r.err.substr(0, r.err.find('\n'));
    throw Error("cannot read " + path + (err.empty() ? "" : ": " + err));
  }
  const std::string sep = section_mark(path) + "\n";
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

WriteOutcome predict_text_write(const RemoteText& current, bool changed, const FileAttributes& attrs) {
  WriteOutcome out;
  out.content_changed = changed;
  if (!current.exists) return out;  // not there yet: Ansible stops before the attributes
  Value diff = {{"before", Value::object()}, {"after", Value::object()}};
  out.attrs_changed = !attribute_commands(current.write_path, current.info, attrs, false, false, diff).empty();
  if (out.attrs_changed) out.attr_diff = diff;
  return out;
}

WriteOutcome write_text(const Context& ctx, const RemoteText& current, const std::string& content, bool changed,
                        const TextWriteOptions& options, bool mode_on_write) {
  WriteOutcome out;
  out.content_changed = changed;
  PathInfo info = current.info;
  if (out.content_changed) {
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
    WriteOptions write;
    write.backup = options.backup;
    write.validate = options.validate;
    write.read_before = false;
    if (mode_on_write) write.attrs.mode = options.attrs.mode;
    if (current.exists && current.root) {
      // As Ansible's atomic move, the new content keeps the old file's owner and group (the mode is kept by the
      // upload); the ones asked for are applied below and counted as an attribute change. Only root can give a
      // file away; Ansible, too, keeps the owner only when it may.
      write.attrs.owner = std::to_string(current.info.uid);
      write.attrs.group = std::to_string(current.info.gid);
    }
    util::FileContent file;
    file.content = content;
    file.dest = current.write_path;
    file.in_tree = true;
    Result written = ContentWriter::write(ctx, std::move(file), std::move(write));
    if (written.contains("failed")) {
      out.failure = written;
      return out;
    }
    if (written.contains("backup_file")) out.backup_file = written["backup_file"].get<std::string>();
    if (!options.attrs.any()) return out;
    info = probe_path(ctx, current.write_path, true);
  } else if (!current.exists) {
    return out;
  }
  Value diff = {{"before", Value::object()}, {"after", Value::object()}};
  const std::string commands = attribute_commands(current.write_path, info, options.attrs, false, false, diff);
  apply_attribute_commands(ctx, commands);
  out.attrs_changed = !commands.empty();
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
