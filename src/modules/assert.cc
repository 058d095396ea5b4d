// assert: every condition in `that` must hold. Runs on the controller.
#include "provision/modules/module.h"
#include "provision/template/engine.h"
#include "util.h"

namespace prov::mod {

namespace {

class AssertModule : public Module {
 public:
  AssertModule() {
    using util::arg;
    spec_.name = "assert";
    spec_.runs_on_controller = true;
    spec_.args = {
        arg("that", ArgType::List).required().elements(ArgType::Raw),
        arg("fail_msg", ArgType::Raw).aliases({"msg"}),
        arg("success_msg", ArgType::Raw),
        arg("quiet", ArgType::Bool).default_value(false),
    };
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    tmpl::ValueVars no_vars(Value::object());
    const tmpl::Vars& vars = ctx.vars != nullptr ? *ctx.vars : no_vars;
    tmpl::Options options;
    options.name = ctx.task_location;
    for (const auto& item : args["that"]) {
      // A YAML boolean in `that` is already evaluated; strings are conditions.
      bool ok = item.is_string() ? tmpl::condition(item.get<std::string>(), vars, options) : truthy(item);
      if (!ok) {
        Value msg = args["fail_msg"].is_null() ? Value("Assertion failed") : args["fail_msg"];
        return {{"failed", true}, {"evaluated_to", false}, {"assertion", item}, {"msg", msg}, {"changed", false}};
      }
    }
    Value msg = args["success_msg"].is_null() ? Value("All assertions passed") : args["success_msg"];
    Result r = {{"changed", false}, {"msg", msg}};
    if (!util::flag(args, "quiet")) r["_ansible_verbose_always"] = true;
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& assert_module() {
  static const AssertModule module;
  return module;
}

}  // namespace prov::mod
