// lineinfile: makes sure one line is in a file (or is not). The file is read in one round trip, the edit is
// computed on the controller exactly as Ansible computes it (text_edit.cc), and the file is written back
// atomically only when the content differs.
#include "provision/modules/module.h"
#include "schema.h"
#include "text_edit.h"
#include "text_file.h"
#include "util.h"

namespace prov::mod {

namespace {

Value content_diff(const std::string& path, const std::string& before, const std::string& after) {
  return {{"before", before},
          {"after", after},
          {"before_header", path + " (content)"},
          {"after_header", path + " (content)"}};
}

Value attr_diff(const std::string& path, const Value& changes) {
  Value d = changes.is_object() ? changes : Value::object();
  d["before_header"] = path + " (file attributes)";
  d["after_header"] = path + " (file attributes)";
  return d;
}

struct LineinfileArgs {
  std::string path, state;
  std::optional<std::string> regexp, search_string, line, insertafter, insertbefore;
  bool backrefs = false, create = false, backup = false, firstmatch = false;
  std::string validate;
  FileAttributes attrs;
  std::optional<bool> unsafe_writes;

  static void describe(Schema<LineinfileArgs>& s) {
    s.field("path", &LineinfileArgs::path, ArgType::Path).required().aliases({"dest", "destfile", "name"});
    s.field("state", &LineinfileArgs::state).default_value("present").choices({"absent", "present"});
    s.field("regexp", &LineinfileArgs::regexp).aliases({"regex"});
    s.field("search_string", &LineinfileArgs::search_string);
    s.field("line", &LineinfileArgs::line).aliases({"value"});
    s.field("insertafter", &LineinfileArgs::insertafter);
    s.field("insertbefore", &LineinfileArgs::insertbefore);
    s.field("backrefs", &LineinfileArgs::backrefs).default_value(false);
    s.field("create", &LineinfileArgs::create).default_value(false);
    s.field("backup", &LineinfileArgs::backup).default_value(false);
    s.field("firstmatch", &LineinfileArgs::firstmatch).default_value(false);
    s.field("validate", &LineinfileArgs::validate);
    s.include(&LineinfileArgs::attrs);
    s.field("unsafe_writes", &LineinfileArgs::unsafe_writes);
  }
};

// Reads the file in one command, edits on the controller, writes only a differing result.
class LineinfileRun : public Step {
 public:
  LineinfileRun(LineinfileArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (read_ || !argument_failure().is_null()) return std::nullopt;
    return shell_read(text::read_text_command(args_.path));
  }

  void parse(const conn::CommandResult& read) override {
    current_ = text::parse_read_text(read, args_.path);
    read_ = true;
  }

  Changes diff(const Plan* plan) const override {
    const std::string& path = args_.path;
    Changes c;
    if (Result failure = argument_failure(); !failure.is_null()) {
      c.result = failure;
      return c;
    }
    if (current_.info.exists && current_.info.type == "directory") {
      c.result = util::failed("Path " + path + " is a directory !");
      c.result["rc"] = 256;
      return c;
    }
    // In check mode a file an earlier task would have created counts as an empty file.
    const bool planned = !current_.exists && plan != nullptr && plan->predicted(path);
    if (!current_.exists && !present() && !planned) {
      c.result = {{"changed", false}, {"msg", "file not present"}};
      return c;
    }
    if (!current_.exists && present() && !args_.create && !planned) {
      c.result = util::failed("Destination " + path + " does not exist !");
      c.result["rc"] = 257;
      return c;
    }
    text::EditResult edited;
    try {
      edited = edit();
    } catch (const Error& e) {
      c.result = util::failed(e.what());
      return c;
    }
    c.result = {{"changed", false}};
    if (!present()) c.result["found"] = edited.found;
    if (planned) {
      c.changed = edited.changed;
      c.result["changed"] = edited.changed;
      c.result["msg"] = edited.msg;
      return c;
    }
    text::WriteOutcome wrote = text::predict_text_write(current_, edited.changed, args_.attrs);
    if (edited.changed && !current_.exists) c.predicted.paths.insert(path);
    c.changed = edited.changed || wrote.attrs_changed;
    c.result["changed"] = c.changed;
    c.result["msg"] = text::with_attrs_message(edited.msg, edited.changed, wrote.attrs_changed);
    c.result["backup"] = wrote.backup_file;
    Value content = content_diff(path, current_.content, edited.content);
    c.diff = current_.exists ? Value::array({content, attr_diff(path, wrote.attr_diff)}) : content;
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    const std::string& path = args_.path;
    text::EditResult edited = edit();
    text::WriteOutcome wrote =
        text::write_text(ctx, current_, edited.content, edited.changed, {args_.attrs, args_.backup, args_.validate});
    if (!wrote.failure.is_null()) return text::validate_failure(wrote.failure);
    Result r = {{"changed", edited.changed || wrote.attrs_changed}};
    if (!present()) r["found"] = edited.found;
    r["msg"] = text::with_attrs_message(edited.msg, edited.changed, wrote.attrs_changed);
    r["backup"] = wrote.backup_file;
    r["diff"] = Value::array({content_diff(path, current_.content, edited.content), attr_diff(path, wrote.attr_diff)});
    return r;
  }

 private:
  bool present() const { return args_.state == "present"; }

  text::LineEdit line_edit() const {
    text::LineEdit edit;
    edit.line = args_.line;
    edit.regexp = args_.regexp;
    edit.search_string = args_.search_string;
    edit.insertafter = args_.insertafter;
    edit.insertbefore = args_.insertbefore;
    edit.backrefs = args_.backrefs;
    edit.firstmatch = args_.firstmatch;
    return edit;
  }

  text::EditResult edit() const {
    return present() ? text::lineinfile_present(current_.content, line_edit())
                     : text::lineinfile_absent(current_.content, line_edit());
  }

  // Arguments that cannot work together, found before anything is read.
  Result argument_failure() const {
    if (present()) {
      if (args_.backrefs && !args_.regexp) return util::failed("regexp is required with backrefs=true");
      if (!args_.line) return util::failed("line is required with state=present");
    } else if (!args_.line && !args_.regexp && !args_.search_string) {
      return util::failed("one of line, search_string, or regexp is required with state=absent");
    }
    return nullptr;
  }

  LineinfileArgs args_;
  bool read_ = false;
  text::RemoteText current_;
};

class LineinfileModule : public TypedModule<LineinfileArgs, LineinfileRun> {
 public:
  LineinfileModule() : TypedModule("lineinfile") {
    spec_.mutually_exclusive = {
        {"insertbefore", "insertafter"}, {"regexp", "search_string"}, {"backrefs", "search_string"}};
  }
};

}  // namespace

const Module& lineinfile_module() {
  static const LineinfileModule module;
  return module;
}

}  // namespace prov::mod
