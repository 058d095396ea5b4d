// blockinfile: a block of lines between two marker lines, inserted, replaced or removed. Read in one round trip,
// computed on the controller as Ansible computes it (text_edit.cc), written back atomically only when it differs.
#include "provision/modules/module.h"
#include "text_edit.h"
#include "text_file.h"
#include "util.h"

namespace prov::mod {

namespace {

class BlockinfileModule : public Module {
 public:
  BlockinfileModule() {
    using util::arg;
    spec_.name = "blockinfile";
    spec_.args = {
        arg("path", ArgType::Path).required().aliases({"dest", "destfile", "name"}),
        arg("state").default_value("present").choices({"absent", "present"}),
        arg("marker").default_value("# {mark} ANSIBLE MANAGED BLOCK"),
        arg("block").default_value("").aliases({"content"}),
        arg("insertafter"),
        arg("insertbefore"),
        arg("create", ArgType::Bool).default_value(false),
        arg("backup", ArgType::Bool).default_value(false),
        arg("validate"),
        arg("marker_begin").default_value("BEGIN"),
        arg("marker_end").default_value("END"),
        arg("mode", ArgType::Raw),
        arg("owner"),
        arg("group"),
        arg("unsafe_writes", ArgType::Bool),
    };
    spec_.mutually_exclusive = {{"insertbefore", "insertafter"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string path = util::str(args, "path");
    text::BlockEdit edit;
    edit.block = util::str(args, "block");
    edit.marker = util::str(args, "marker");
    edit.marker_begin = util::str(args, "marker_begin");
    edit.marker_end = util::str(args, "marker_end");
    if (const Value* v = find_key(args, "insertafter"); v != nullptr && !v->is_null()) {
      edit.insertafter = to_plain_string(*v);
    }
    if (const Value* v = find_key(args, "insertbefore"); v != nullptr && !v->is_null()) {
      edit.insertbefore = to_plain_string(*v);
    }
    edit.present = util::str(args, "state") == "present";

    text::RemoteText current = text::read_text(ctx, path);
    if (current.info.exists && current.info.type == "directory") {
      Result r = util::failed("Path " + path + " is a directory !");
      r["rc"] = 256;
      return r;
    }
    // In check mode a file an earlier task would have created counts as an empty file.
    const bool planned = !current.exists && ctx.check_mode && ctx.plan != nullptr && ctx.plan->predicted(path);
    if (!current.exists && !planned && !util::flag(args, "create")) {
      Result r = util::failed("Path " + path + " does not exist !");
      r["rc"] = 257;
      return r;
    }
    if (!current.exists && !edit.present) return {{"changed", false}, {"msg", "File " + path + " not present"}};

    text::EditResult edited;
    try {
      edited = text::blockinfile_edit(
          current.exists || planned ? std::optional<std::string>(current.content) : std::nullopt, edit);
    } catch (const Error& e) {
      return util::failed(e.what());
    }
    if (planned) return {{"changed", edited.changed}, {"msg", edited.msg}};

    Value content_diff = {{"before", current.content},
                          {"after", edited.content},
                          {"before_header", path + " (content)"},
                          {"after_header", path + " (content)"}};
    text::WriteOutcome wrote = text::write_text(ctx, current, edited.content, edited.changed);
    if (!wrote.failure.is_null()) return text::validate_failure(wrote.failure);
    if (ctx.check_mode && edited.changed && !current.exists && ctx.plan != nullptr) ctx.plan->paths.insert(path);

    Result r = {{"changed", edited.changed || wrote.attrs_changed},
                {"msg", text::with_attrs_message(edited.msg, edited.changed, wrote.attrs_changed)}};
    if (ctx.diff_mode) {
      if (!current.exists && ctx.check_mode) {
        r["diff"] = content_diff;
      } else {
        Value attrs = wrote.attr_diff;
        attrs["before_header"] = path + " (file attributes)";
        attrs["after_header"] = path + " (file attributes)";
        r["diff"] = Value::array({content_diff, attrs});
      }
    }
    if (!wrote.backup_file.empty()) r["backup_file"] = wrote.backup_file;
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& blockinfile_module() {
  static const BlockinfileModule module;
  return module;
}

}  // namespace prov::mod
