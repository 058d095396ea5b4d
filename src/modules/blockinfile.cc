// blockinfile: a block of lines between two marker lines, inserted, replaced or removed. Read in one round trip,
// computed on the controller as Ansible computes it (text_edit.cc), written back atomically only when it differs.
#include "provision/modules/module.h"
#include "schema.h"
#include "text_edit.h"
#include "text_file.h"
#include "util.h"

namespace prov::mod {

namespace {

struct BlockinfileArgs {
  std::string path, state, marker, block;
  std::optional<std::string> insertafter, insertbefore;
  bool create = false, backup = false;
  std::string validate, marker_begin, marker_end;
  FileAttributes attrs;
  std::optional<bool> unsafe_writes;

  static void describe(Schema<BlockinfileArgs>& s) {
    s.field("path", &BlockinfileArgs::path, ArgType::Path).required().aliases({"dest", "destfile", "name"});
    s.field("state", &BlockinfileArgs::state).default_value("present").choices({"absent", "present"});
    s.field("marker", &BlockinfileArgs::marker).default_value("# {mark} ANSIBLE MANAGED BLOCK");
    s.field("block", &BlockinfileArgs::block).default_value("").aliases({"content"});
    s.field("insertafter", &BlockinfileArgs::insertafter);
    s.field("insertbefore", &BlockinfileArgs::insertbefore);
    s.field("create", &BlockinfileArgs::create).default_value(false);
    s.field("backup", &BlockinfileArgs::backup).default_value(false);
    s.field("validate", &BlockinfileArgs::validate);
    s.field("marker_begin", &BlockinfileArgs::marker_begin).default_value("BEGIN");
    s.field("marker_end", &BlockinfileArgs::marker_end).default_value("END");
    s.include(&BlockinfileArgs::attrs);
    s.field("unsafe_writes", &BlockinfileArgs::unsafe_writes);
  }
};

// Reads the file in one command, edits on the controller, writes only a differing result.
class BlockinfileRun : public Step {
 public:
  BlockinfileRun(BlockinfileArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (read_) return std::nullopt;
    return shell_read(text::read_text_command(args_.path));
  }

  void parse(const conn::CommandResult& read) override {
    current_ = text::parse_read_text(read, args_.path);
    read_ = true;
  }

  Changes diff(const Plan* plan) const override {
    const std::string& path = args_.path;
    Changes c;
    if (current_.info.exists && current_.info.type == "directory") {
      c.result = util::failed("Path " + path + " is a directory !");
      c.result["rc"] = 256;
      return c;
    }
    // In check mode a file an earlier task would have created counts as an empty file.
    const bool planned = !current_.exists && plan != nullptr && plan->predicted(path);
    if (!current_.exists && !planned && !args_.create) {
      c.result = util::failed("Path " + path + " does not exist !");
      c.result["rc"] = 257;
      return c;
    }
    if (!current_.exists && !present()) {
      c.result = {{"changed", false}, {"msg", "File " + path + " not present"}};
      return c;
    }
    text::EditResult edited;
    try {
      edited = edit(planned);
    } catch (const Error& e) {
      c.result = util::failed(e.what());
      return c;
    }
    c.changed = edited.changed;
    if (planned) {
      c.result = {{"changed", edited.changed}, {"msg", edited.msg}};
      return c;
    }
    text::WriteOutcome wrote = text::predict_text_write(current_, edited.changed, args_.attrs);
    if (edited.changed && !current_.exists) c.predicted.paths.insert(path);
    c.changed = edited.changed || wrote.attrs_changed;
    c.result = {{"changed", c.changed},
                {"msg", text::with_attrs_message(edited.msg, edited.changed, wrote.attrs_changed)}};
    Value content = content_diff(edited);
    c.diff = current_.exists ? Value::array({content, attr_diff(wrote.attr_diff)}) : content;
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    text::EditResult edited = edit(false);
    text::WriteOutcome wrote =
        text::write_text(ctx, current_, edited.content, edited.changed, {args_.attrs, args_.backup, args_.validate});
    if (!wrote.failure.is_null()) return text::validate_failure(wrote.failure);
    Result r = {{"changed", edited.changed || wrote.attrs_changed},
                {"msg", text::with_attrs_message(edited.msg, edited.changed, wrote.attrs_changed)}};
    r["diff"] = Value::array({content_diff(edited), attr_diff(wrote.attr_diff)});
    if (!wrote.backup_file.empty()) r["backup_file"] = wrote.backup_file;
    return r;
  }

 private:
  bool present() const { return args_.state == "present"; }

  text::EditResult edit(bool planned) const {
    text::BlockEdit edit;
    edit.block = args_.block;
    edit.marker = args_.marker;
    edit.marker_begin = args_.marker_begin;
    edit.marker_end = args_.marker_end;
    edit.insertafter = args_.insertafter;
    edit.insertbefore = args_.insertbefore;
    edit.present = present();
    return text::blockinfile_edit(
        current_.exists || planned ? std::optional<std::string>(current_.content) : std::nullopt, edit);
  }

  Value content_diff(const text::EditResult& edited) const {
    return {{"before", current_.content},
            {"after", edited.content},
            {"before_header", args_.path + " (content)"},
            {"after_header", args_.path + " (content)"}};
  }

  Value attr_diff(Value attrs) const {
    attrs["before_header"] = args_.path + " (file attributes)";
    attrs["after_header"] = args_.path + " (file attributes)";
    return attrs;
  }

  BlockinfileArgs args_;
  bool read_ = false;
  text::RemoteText current_;
};

class BlockinfileModule : public TypedModule<BlockinfileArgs, BlockinfileRun> {
 public:
  BlockinfileModule() : TypedModule("blockinfile") { spec_.mutually_exclusive = {{"insertbefore", "insertafter"}}; }
};

}  // namespace

const Module& blockinfile_module() {
  static const BlockinfileModule module;
  return module;
}

}  // namespace prov::mod
