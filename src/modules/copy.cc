// copy: puts a controller file (or inline content) on the host. The host's sha1 of dest is compared first, so
// nothing is uploaded when the content is already there; then mode/owner/group as in file.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "builtin.h"
#include "file_attrs.h"
#include "mode.h"
#include "path_fact.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

constexpr size_t kMaxDiffBytes = 104448;  // Ansible's default max_diff_size

class CopyModule : public Module {
 public:
  CopyModule() {
    using util::arg;
    spec_.name = "copy";
    spec_.args = {
        arg("src", ArgType::Path),
        arg("content", ArgType::Raw),
        arg("dest", ArgType::Path).required(),
        arg("mode", ArgType::Raw),
        arg("owner"),
        arg("group"),
        arg("backup", ArgType::Bool).default_value(false),
        arg("force", ArgType::Bool).default_value(true).aliases({"thirsty"}),
        arg("directory_mode", ArgType::Raw),
        arg("remote_src", ArgType::Bool).default_value(false),
        arg("follow", ArgType::Bool).default_value(false),
        arg("validate"),
    };
    spec_.mutually_exclusive = {{"content", "src"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    std::string dest = util::str(args, "dest");
    const std::string src = util::str(args, "src");
    const Value* content_arg = find_key(args, "content");
    const bool has_content = content_arg != nullptr && !content_arg->is_null();
    if (src.empty() && !has_content) return util::failed("src (or content) is required");

    // What should be there.
    std::string content, shown_src;
    if (has_content) {
      // Ansible writes non-string content (a dict, a list) as JSON.
      content = content_arg->is_string() ? content_arg->get<std::string>() : content_arg->dump();
      shown_src = "dynamically generated";
      if (!dest.empty() && dest.back() == '/') return util::failed("can not use content with a dir as dest");
    } else if (util::flag(args, "remote_src")) {
      content = ctx.conn->fetch_file(src, ctx.become);
      shown_src = src;
    } else {
      std::string local = util::find_controller_file(ctx, src);
      if (local.empty()) return util::failed(not_found_message(ctx, src));
      if (std::filesystem::is_directory(local)) return copy_tree(ctx, local, src, dest);
      std::ifstream in(local, std::ios::binary);
      std::ostringstream data;
      data << in.rdbuf();
      content = data.str();
      shown_src = local;
    }
    if (!src.empty() && !dest.empty() && dest.back() == '/') dest += util::basename(src);
    return copy_file(ctx, content, dest, shown_src, src, false);
  }

 private:
  // One file. in_tree: part of a folder copy, where check mode may not have made the parent folder yet.
  Result copy_file(const Context& ctx, const std::string& content, std::string dest, const std::string& shown_src,
                   const std::string& src, bool in_tree) const {
    const Value& args = ctx.args;
    Result r = {{"changed", false}};
    const std::string checksum = util::sha1_hex(content);

    // The probe follows a symlinked dest so its content is what is compared.
    PathInfo info = probe_path(ctx, dest, true, "sha1");
    if (info.exists && info.type == "directory") {
      if (src.empty()) return util::failed("can not use content with a dir as dest");
      dest += "/" + util::basename(src);
      info = probe_path(ctx, dest, true, "sha1");
    }
    if (!in_tree && !info.exists && util::run(ctx, "[ -d " + shell_quote(util::dirname(dest)) + " ]").rc != 0) {
      return util::failed("Destination directory " + util::dirname(dest) + " does not exist");
    }
    r["dest"] = dest;
    r["src"] = shown_src;
    r["checksum"] = checksum;
    r["md5sum"] = util::md5_hex(content);

    const bool content_differs = !info.exists || info.checksum != checksum;
    if (info.exists && !util::flag(args, "force")) {
      // force=no: an existing file is left alone entirely.
      add_path_info(r, info, "file");
      return r;
    }
    Value diff = {{"before", {{"path", dest}}}, {"after", {{"path", dest}}}};
    Value content_diff;
    if (content_differs) {
      r["changed"] = true;
      if (ctx.diff_mode) content_diff = make_diff(ctx, dest, info, content, shown_src);
      if (!ctx.check_mode) {
        if (info.exists && util::flag(args, "backup")) r["backup_file"] = backup(ctx, dest);
        conn::PutOptions put;
        const Value* mode = find_key(args, "mode");
        if (mode != nullptr && !mode->is_null()) {
          // A symbolic mode applies to what is there now, or to a new file's usual 0644.
          int wanted = resolve_mode(*mode, info.exists ? info.mode : 0644, false);
          char octal[16];
          std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(wanted));
          put.mode = octal;
        }
        put.owner = util::str(args, "owner");
        put.group = util::str(args, "group");
        put.become = ctx.become;
        validate_then_put(ctx, content, dest, put);
        info = probe_path(ctx, dest, true);
      }
    }
    bool attrs_changed = apply_attributes(ctx, dest, info, args, !info.exists, false, diff);
    if (attrs_changed) {
      r["changed"] = true;
      if (!ctx.check_mode) info = probe_path(ctx, dest, true);
    }
    add_path_info(r, info, "file");
    if (!info.exists) r.erase("state");
    r["size"] = info.exists ? Value(info.size) : Value(content.size());
    if (ctx.diff_mode && r["changed"].get<bool>()) {
      if (content_diff.is_null()) r["diff"] = diff;
      else if (attrs_changed) r["diff"] = Value::array({content_diff, diff});
      else r["diff"] = content_diff;
    }
    return r;
  }

  // A controller folder: "dir" lands in dest/dir, "dir/" puts its contents in dest. Folders are made (with
  // directory_mode) first in one command, then each file is copied as above.
  Result copy_tree(const Context& ctx, const std::string& local, const std::string& src, std::string dest) const {
    namespace fs = std::filesystem;
    if (src.back() != '/') dest += (dest.empty() || dest.back() == '/' ? "" : "/") + util::basename(src);
    while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
    std::vector<std::string> dirs = {""}, files;
    for (auto& entry : fs::recursive_directory_iterator(local)) {
      std::string rel = fs::relative(entry.path(), local).string();
      if (entry.is_directory()) dirs.push_back(rel);
      else if (entry.is_regular_file()) files.push_back(rel);
    }
    std::sort(dirs.begin(), dirs.end());
    std::sort(files.begin(), files.end());
    std::string dir_mode;
    if (const Value* m = find_key(ctx.args, "directory_mode"); m != nullptr && !m->is_null()) {
      char octal[16];
      std::snprintf(octal, sizeof octal, "%o", static_cast<unsigned>(resolve_mode(*m, 0755, true)));
      dir_mode = octal;
    }
    std::string script;
    for (const auto& rel : dirs) {
      std::string d = shell_quote(rel.empty() ? dest : dest + "/" + rel);
      std::string make = ctx.check_mode ? "true" : "mkdir -p -- " + d;
      if (!dir_mode.empty() && !ctx.check_mode) make += " && chmod " + dir_mode + " -- " + d;
      script += "if [ ! -d " + d + " ]; then " + make + " || exit 1; echo made; fi; ";
    }
    conn::CommandResult made = util::run(ctx, script);
    if (made.rc != 0) return util::failed("cannot create " + dest + ": " + made.err.substr(0, made.err.find('\n')));
    Result r = {{"changed", !made.out.empty()}, {"dest", dest + "/"}, {"src", local}};
    for (const auto& rel : files) {
      std::ifstream in(fs::path(local) / rel, std::ios::binary);
      std::ostringstream data;
      data << in.rdbuf();
      Result one = copy_file(ctx, data.str(), dest + "/" + rel, (fs::path(local) / rel).string(), rel, true);
      if (one.contains("failed")) return one;
      if (one["changed"].get<bool>()) r["changed"] = true;
    }
    return r;
  }

  static std::string not_found_message(const Context& ctx, const std::string& src) {
    std::string msg = "Could not find or access '" + src + "'";
    if (!src.empty() && src[0] != '/') {
      msg += "\nSearched in:";
      for (const auto& dir : ctx.search_paths) msg += "\n\t" + dir + "/" + src;
    }
    return msg;
  }

  static Value make_diff(const Context& ctx, const std::string& dest, const PathInfo& info,
                         const std::string& content, const std::string& shown_src) {
    std::string before;
    if (info.exists) {
      if (info.size > static_cast<long long>(kMaxDiffBytes)) return nullptr;
      before = ctx.conn->fetch_file(dest, ctx.become);
    }
    if (!util::is_text(before) || !util::is_text(content) || content.size() > kMaxDiffBytes) return nullptr;
    return {{"before", before}, {"after", content}, {"before_header", dest}, {"after_header", shown_src}};
  }

  // Ansible's backup name: dest.<pid>.<YYYY-MM-DD@HH:MM:SS>~, made on the host with cp -p.
  static std::string backup(const Context& ctx, const std::string& dest) {
    std::string script = "b=" + shell_quote(dest) + ".$$.$(date +%Y-%m-%d@%H:%M:%S)~ && cp -p -- " +
                         shell_quote(dest) + " \"$b\" && printf '%s' \"$b\"";
    conn::CommandResult r = util::run(ctx, script);
    if (r.rc != 0) throw Error("backup of " + dest + " failed: " + r.err.substr(0, r.err.find('\n')));
    return r.out;
  }

  // validate=: the new content goes to a temporary file next to dest, the command checks it (%s), then it is
  // moved into place; a failing check leaves dest untouched.
  static void validate_then_put(const Context& ctx, const std::string& content, const std::string& dest,
                                const conn::PutOptions& put) {
    const std::string validate = util::str(ctx.args, "validate");
    if (validate.empty()) {
      ctx.conn->put_file(content, dest, put);
      return;
    }
    if (validate.find("%s") == std::string::npos) throw Error("validate must contain %s: " + validate);
    std::string tmp = util::dirname(dest) + "/.provision-validate-" + util::sha1_hex(dest + content).substr(0, 12);
    ctx.conn->put_file(content, tmp, put);
    std::string check = validate;
    check.replace(check.find("%s"), 2, shell_quote(tmp));
    conn::CommandResult r = util::run(ctx, check);
    if (r.rc != 0) {
      util::run(ctx, "rm -f -- " + shell_quote(tmp));
      throw Error("failed to validate: rc " + std::to_string(r.rc) + ": " + r.err + r.out);
    }
    run_or_throw(ctx, "mv -f -- " + shell_quote(tmp) + " " + shell_quote(dest));
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& copy_module() {
  static const CopyModule module;
  return module;
}

}  // namespace prov::mod
