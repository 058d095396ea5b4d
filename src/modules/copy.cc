// copy: puts a controller file (or inline content) on the host. The host's sha1 of dest is compared first, so
// nothing is uploaded when the content is already there; then mode/owner/group as in file.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mode.h"
#include "path_fact.h"
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

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

  // A single file written through util::write_file_content starts with its probe of dest; a folder copied, a
  // remote source or a dest ending in '/' start otherwise.
  std::optional<Probe> first_probe(const Context& ctx) const override {
    const std::string dest = util::str(ctx.args, "dest");
    const std::string src = util::str(ctx.args, "src");
    const Value* content = find_key(ctx.args, "content");
    if (dest.empty() || dest.back() == '/') return std::nullopt;
    if (content == nullptr || content->is_null()) {
      if (src.empty() || util::flag(ctx.args, "remote_src")) return std::nullopt;
      std::string local = util::find_controller_file(ctx, src);
      if (local.empty() || !std::filesystem::is_regular_file(local)) return std::nullopt;
    }
    return path_probe(dest, true, "sha1");
  }

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
      if (local.empty()) return util::failed(util::not_found_message(ctx, src));
      if (std::filesystem::is_directory(local)) return copy_tree(ctx, local, src, dest);
      std::ifstream in(local, std::ios::binary);
      std::ostringstream data;
      data << in.rdbuf();
      content = data.str();
      shown_src = local;
    }
    bool into_new_folder = false;
    if (!src.empty() && !dest.empty() && dest.back() == '/') {
      // Ansible creates a dest folder named with a trailing slash when it is missing.
      if (util::run(ctx, "[ -d " + shell_quote(dest) + " ]").rc != 0) {
        into_new_folder = true;
        if (!ctx.check_mode) {
          auto made = util::run(ctx, "mkdir -p -- " + shell_quote(dest));
          if (made.rc != 0) return util::failed("could not create " + dest + ": " + made.err);
        }
      }
      dest += util::basename(src);
    }
    return copy_file(ctx, content, dest, shown_src, src, into_new_folder && ctx.check_mode);
  }

 private:
  // One file, through the writer shared with template.
  static Result copy_file(const Context& ctx, const std::string& content, const std::string& dest,
                          const std::string& shown_src, const std::string& src, bool in_tree) {
    util::FileContent file;
    file.content = content;
    file.dest = dest;
    file.shown_src = shown_src;
    file.diff_source = shown_src;
    file.src_name = src;
    file.in_tree = in_tree;
    return util::write_file_content(ctx, std::move(file));
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
      if (entry.is_directory())
        dirs.push_back(rel);
      else if (entry.is_regular_file())
        files.push_back(rel);
    }
    std::sort(dirs.begin(), dirs.end());
    std::sort(files.begin(), files.end());
    std::string dir_mode;
    if (const Value* m = find_key(ctx.args, "directory_mode"); m != nullptr && !m->is_null()) {
      dir_mode = octal_mode(resolve_mode(*m, 0755, true));
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

  ModuleSpec spec_;
};

}  // namespace

const Module& copy_module() {
  static const CopyModule module;
  return module;
}

}  // namespace prov::mod
