// lineinfile: makes sure one line is in a file (or is not). The file is read in one round trip, the edit is
// computed on the controller exactly as Ansible computes it (text_edit.cc), and the file is written back
// atomically only when the content differs.
#include "provision/modules/module.h"
#include "text_edit.h"
#include "text_file.h"
#include "util.h"

namespace prov::mod {

namespace {

std::optional<std::string> optional_str(const Value& args, const std::string& key) {
  const Value* v = find_key(args, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return to_plain_string(*v);
}

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

class LineinfileModule : public Module {
 public:
  LineinfileModule() {
    using util::arg;
    spec_.name = "lineinfile";
    spec_.args = {
        arg("path", ArgType::Path).required().aliases({"dest", "destfile", "name"}),
        arg("state").default_value("present").choices({"absent", "present"}),
        arg("regexp").aliases({"regex"}),
        arg("search_string"),
        arg("line").aliases({"value"}),
        arg("insertafter"),
        arg("insertbefore"),
        arg("backrefs", ArgType::Bool).default_value(false),
        arg("create", ArgType::Bool).default_value(false),
        arg("backup", ArgType::Bool).default_value(false),
        arg("firstmatch", ArgType::Bool).default_value(false),
        arg("validate"),
        arg("mode", ArgType::Raw),
        arg("owner"),
        arg("group"),
        arg("unsafe_writes", ArgType::Bool),
    };
    spec_.mutually_exclusive = {
        {"insertbefore", "insertafter"}, {"regexp", "search_string"}, {"backrefs", "search_string"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string path = util::str(args, "path");
    const bool present = util::str(args, "state") == "present";
    text::LineEdit edit;
    edit.line = optional_str(args, "line");
    edit.regexp = optional_str(args, "regexp");
    edit.search_string = optional_str(args, "search_string");
    edit.insertafter = optional_str(args, "insertafter");
    edit.insertbefore = optional_str(args, "insertbefore");
    edit.backrefs = util::flag(args, "backrefs");
    edit.firstmatch = util::flag(args, "firstmatch");
    if (present) {
      if (edit.backrefs && !edit.regexp) return util::failed("regexp is required with backrefs=true");
      if (!edit.line) return util::failed("line is required with state=present");
    } else if (!edit.line && !edit.regexp && !edit.search_string) {
      return util::failed("one of line, search_string, or regexp is required with state=absent");
    }

    text::RemoteText current = text::read_text(ctx, path);
    if (current.info.exists && current.info.type == "directory") {
      Result r = util::failed("Path " + path + " is a directory !");
      r["rc"] = 256;
      return r;
    }
    // In check mode a file an earlier task would have created counts as an empty file.
    const bool planned = !current.exists && ctx.check_mode && ctx.plan != nullptr && ctx.plan->predicted(path);
    if (!current.exists && !present && !planned) return {{"changed", false}, {"msg", "file not present"}};
    if (!current.exists && present && !util::flag(args, "create") && !planned) {
      Result r = util::failed("Destination " + path + " does not exist !");
      r["rc"] = 257;
      return r;
    }

    text::EditResult edited;
    try {
      edited =
          present ? text::lineinfile_present(current.content, edit) : text::lineinfile_absent(current.content, edit);
    } catch (const Error& e) {
      return util::failed(e.what());
    }
    Result r = {{"changed", false}};
    if (!present) r["found"] = edited.found;
    if (planned) {
      r["changed"] = edited.changed;
      r["msg"] = edited.msg;
      return r;
    }
    text::WriteOutcome wrote = text::write_text(ctx, current, edited.content, edited.changed);
    if (!wrote.failure.is_null()) return text::validate_failure(wrote.failure);
    if (ctx.check_mode && edited.changed && !current.exists && ctx.plan != nullptr) ctx.plan->paths.insert(path);

    r["changed"] = edited.changed || wrote.attrs_changed;
    r["msg"] = text::with_attrs_message(edited.msg, edited.changed, wrote.attrs_changed);
    r["backup"] = wrote.backup_file;
    if (ctx.diff_mode) {
      Value content = content_diff(path, current.content, edited.content);
      if (!current.exists && ctx.check_mode)
        r["diff"] = content;
      else
        r["diff"] = Value::array({content, attr_diff(path, wrote.attr_diff)});
    }
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& lineinfile_module() {
  static const LineinfileModule module;
  return module;
}

}  // namespace prov::mod
