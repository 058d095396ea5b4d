// copy: puts a controller file (or inline content) on the host. The host's sha1 of dest is compared first, so
// nothing is uploaded when the content is already there; then mode/owner/group as in file.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "content_writer.h"
#include "mode.h"
#include "path_fact.h"
#include "provision/modules/module.h"
#include "provision/template/engine.h"
#include "schema.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

struct CopyArgs {
  std::string src;
  Value content;
  std::string dest;
  FileAttributes attrs;
  bool backup = false, force = true;
  Value directory_mode;
  bool remote_src = false, follow = false;
  std::string validate;

  static void describe(Schema<CopyArgs>& s) {
    s.field("src", &CopyArgs::src, ArgType::Path);
    s.field("content", &CopyArgs::content, ArgType::Raw);
    s.field("dest", &CopyArgs::dest, ArgType::Path).required();
    s.include(&CopyArgs::attrs);
    s.field("backup", &CopyArgs::backup).default_value(false);
    s.field("force", &CopyArgs::force).default_value(true).aliases({"thirsty"});
    s.field("directory_mode", &CopyArgs::directory_mode, ArgType::Raw);
    s.field("remote_src", &CopyArgs::remote_src).default_value(false);
    s.field("follow", &CopyArgs::follow).default_value(false);
    s.field("validate", &CopyArgs::validate);
  }
  WriteOptions write_options() const { return {attrs, backup, force, validate}; }
};

std::string read_controller_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
}

// One file (inline content or a controller file) or a controller folder, each file through a ContentWriter.
class CopyRun : public Step {
 public:
  CopyRun(CopyArgs args, const Context& ctx)
      : args_(std::move(args)), ctx_(&ctx),
        remote_source_(args_.content.is_null() && !args_.src.empty() && args_.remote_src) {}

  std::optional<Probe> query() override {
    if (remote_source_ && !fetched_) {
      Probe source;  // read whole with the connection's file transfer, before anything else
      source.fetched_path = args_.src;
      return source;
    }
    if (!started_) start();
    if (!failure_.is_null()) return std::nullopt;
    if (!folder_read_ && !folder_query_.empty()) return shell_read(folder_query_);
    // The controller file is read once its dest is: a step built only for its first query never reads it.
    if (unread_ && writers_.empty()) return path_probe(args_.dest, true, "sha1");
    while (current_ < writers_.size()) {
      if (std::optional<Probe> read = writers_[current_].query()) return read;
      ++current_;
    }
    return std::nullopt;
  }

  void parse(const conn::CommandResult& read) override {
    if (remote_source_ && !fetched_) {
      fetched_ = read.out;
      return;
    }
    if (!folder_read_ && !folder_query_.empty()) {
      folder_read_ = true;
      if (tree_) {
        made_ = read.rc == 0 ? read.out : std::string();
        if (read.rc != 0)
          failure_ = tree_failure(read);
        else
          add_tree_files();
      } else {
        into_new_folder_ = read.rc != 0;
        content_ = fetched_ ? *fetched_ : read_controller_file(local_);
        add_single_file(into_new_folder_);
      }
      return;
    }
    if (unread_ && writers_.empty()) {
      content_ = read_controller_file(local_);
      add_single_file(false);
    }
    writers_[current_].parse(read);
  }

  Changes diff(const Plan* plan) const override {
    Changes c;
    if (!failure_.is_null()) {
      c.result = failure_;
      return c;
    }
    if (!tree_) {
      return writers_.front().diff(plan);
    }
    if (directory_mode_error_) std::rethrow_exception(directory_mode_error_);
    c.changed = !made_.empty();
    c.result = {{"changed", c.changed}, {"dest", tree_dest_ + "/"}, {"src", local_}};
    for (const ContentWriter& writer : writers_) {
      Changes one = writer.diff(plan);
      if (one.result.contains("failed")) {
        one.changed = false;
        return one;
      }
      c.changed = c.changed || one.changed;
      c.predicted.merge(one.predicted);
    }
    c.result["changed"] = c.changed;
    return c;
  }

  Result apply(Context& ctx, const Changes& changes) override {
    if (!tree_) {
      if (into_new_folder_) {
        auto made = util::run(ctx, "mkdir -p -- " + shell_quote(folder_));
        if (made.rc != 0) return util::failed("could not create " + folder_ + ": " + made.err);
      }
      return writers_.front().apply(ctx);
    }
    conn::CommandResult made = util::run(ctx, tree_script(true));
    if (made.rc != 0) return tree_failure(made);
    Result r = changes.result;
    r["changed"] = !made.out.empty();
    for (size_t i = 0; i < writers_.size(); ++i) {
      Changes one = writers_[i].diff(nullptr);
      if (!one.changed) continue;
      Result written = writers_[i].apply(ctx);
      if (written.contains("failed")) return written;
      r["changed"] = true;
    }
    return r;
  }

 private:
  // What to write, decided from the arguments and the controller's files; a failure found here needs no read.
  void start() {
    started_ = true;
    const bool has_content = !args_.content.is_null();
    std::string& dest = args_.dest;
    if (args_.src.empty() && !has_content) {
      failure_ = util::failed("src (or content) is required");
    } else if (has_content) {
      if (!dest.empty() && dest.back() == '/') {
        failure_ = util::failed("can not use content with a dir as dest");
        return;
      }
      // Ansible writes a dict or list as Python's json.dumps and any other value as Python's str().
      const Value& c = args_.content;
      content_ = c.is_string() ? c.get<std::string>() : c.is_structured() ? tmpl::python_json(c) : tmpl::python_str(c);
      shown_src_ = "dynamically generated";
      add_single_file(false);
    } else if (fetched_) {
      shown_src_ = args_.src;
      if (!dest.empty() && dest.back() == '/') {
        folder_ = dest;
        folder_query_ = "[ -d " + shell_quote(dest) + " ]";
      } else {
        content_ = *fetched_;
        add_single_file(false);
      }
    } else {
      local_ = util::find_controller_file(*ctx_, args_.src);
      if (local_.empty()) {
        failure_ = util::failed(util::not_found_message(*ctx_, args_.src));
      } else if (std::filesystem::is_directory(local_)) {
        start_tree();
      } else {
        shown_src_ = local_;
        if (!dest.empty() && dest.back() == '/') {
          // Ansible creates a dest folder named with a trailing slash when it is missing.
          folder_ = dest;
          folder_query_ = "[ -d " + shell_quote(dest) + " ]";
        } else {
          unread_ = true;
        }
      }
    }
  }

  void add_single_file(bool in_tree) {
    util::FileContent file;
    file.content = std::move(content_);
    file.dest = folder_.empty() ? args_.dest : args_.dest + util::basename(args_.src);
    file.shown_src = shown_src_;
    file.diff_source = shown_src_;
    file.src_name = args_.src;
    file.in_tree = in_tree;
    writers_.emplace_back(std::move(file), args_.write_options());
  }

  // A controller folder: "dir" lands in dest/dir, "dir/" puts its contents in dest. The folders missing are read
  // first and made (with directory_mode) in one command, then each file is written as above.
  void start_tree() {
    namespace fs = std::filesystem;
    tree_ = true;
    const std::string& src = args_.src;
    tree_dest_ = args_.dest;
    if (src.back() != '/') {
      tree_dest_ += (tree_dest_.empty() || tree_dest_.back() == '/' ? "" : "/") + util::basename(src);
    }
    while (tree_dest_.size() > 1 && tree_dest_.back() == '/') tree_dest_.pop_back();
    dirs_ = {""};
    for (auto& entry : fs::recursive_directory_iterator(local_)) {
      std::string rel = fs::relative(entry.path(), local_).string();
      if (entry.is_directory())
        dirs_.push_back(rel);
      else if (entry.is_regular_file())
        files_.push_back(rel);
    }
    std::sort(dirs_.begin(), dirs_.end());
    std::sort(files_.begin(), files_.end());
    try {
      if (!args_.directory_mode.is_null()) dir_mode_ = octal_mode(resolve_mode(args_.directory_mode, 0755, true));
    } catch (const Error&) {
      directory_mode_error_ = std::current_exception();  // fails the task once it runs, not its first query
    }
    folder_query_ = tree_script(false);
  }

  void add_tree_files() {
    namespace fs = std::filesystem;
    for (const auto& rel : files_) {
      util::FileContent file;
      file.content = read_controller_file((fs::path(local_) / rel).string());
      file.dest = tree_dest_ + "/" + rel;
      file.shown_src = (fs::path(local_) / rel).string();
      file.diff_source = file.shown_src;
      file.src_name = rel;
      file.in_tree = true;
      writers_.emplace_back(std::move(file), args_.write_options());
    }
  }

  // Prints "made" for each folder missing; make: creates it too.
  std::string tree_script(bool make) const {
    std::string script;
    for (const auto& rel : dirs_) {
      std::string d = shell_quote(rel.empty() ? tree_dest_ : tree_dest_ + "/" + rel);
      std::string action = make ? "mkdir -p -- " + d : "true";
      if (!dir_mode_.empty() && make) action += " && chmod " + dir_mode_ + " -- " + d;
      script += "if [ ! -d " + d + " ]; then " + action + " || exit 1; echo made; fi; ";
    }
    return script;
  }

  Result tree_failure(const conn::CommandResult& made) const {
    return util::failed("cannot create " + tree_dest_ + ": " + made.err.substr(0, made.err.find('\n')));
  }

  CopyArgs args_;
  const Context* ctx_;
  bool remote_source_;  // remote_src: the source is a file on the host
  bool started_ = false, unread_ = false;
  Result failure_;
  std::string content_, shown_src_, local_;
  // dest ending in '/': the folder, and whether it has to be made.
  std::string folder_;
  bool into_new_folder_ = false;
  // A controller folder: where it lands, its folders, their mode, and those missing ("made" lines).
  bool tree_ = false;
  std::string tree_dest_, dir_mode_, made_;
  std::vector<std::string> dirs_, files_;
  std::exception_ptr directory_mode_error_;
  std::string folder_query_;
  bool folder_read_ = false;
  std::vector<ContentWriter> writers_;
  size_t current_ = 0;
  std::optional<std::string> fetched_;
};

class CopyModule : public TypedModule<CopyArgs, CopyRun> {
 public:
  CopyModule() : TypedModule("copy") { spec_.mutually_exclusive = {{"content", "src"}}; }
};

}  // namespace

const Module& copy_module() {
  static const CopyModule module;
  return module;
}

}  // namespace prov::mod
