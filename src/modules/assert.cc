// assert: every condition in `that` must hold. Runs on the controller.
#include "provision/modules/module.h"
#include "provision/template/engine.h"
#include "schema.h"

namespace prov::mod {

namespace {

struct AssertArgs {
  Value that;  // a list of conditions (strings) and already evaluated YAML values
  Value fail_msg, success_msg;
  bool quiet = false;

  static void describe(Schema<AssertArgs>& s) {
    s.field("that", &AssertArgs::that, ArgType::List).required().elements(ArgType::Raw);
    s.field("fail_msg", &AssertArgs::fail_msg).aliases({"msg"});
    s.field("success_msg", &AssertArgs::success_msg);
    s.field("quiet", &AssertArgs::quiet).default_value(false);
  }
};

// The conditions are evaluated on the controller: the verdict is the result, in check mode as well.
class AssertRun : public Step {
 public:
  AssertRun(AssertArgs args, const Context& ctx) : args_(std::move(args)), ctx_(&ctx) {}

  Changes diff(const Plan*) const override { return {false, verdict()}; }
  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  Result verdict() const {
    tmpl::ValueVars no_vars(Value::object());
    const tmpl::Vars& vars = ctx_->vars != nullptr ? *ctx_->vars : no_vars;
    tmpl::Options options;
    options.name = ctx_->task_location;
    options.in_value = true;
    for (const auto& item : args_.that) {
      // A YAML boolean in `that` is already evaluated; strings are conditions.
      bool ok = item.is_string() ? tmpl::condition(item.get<std::string>(), vars, options) : truthy(item);
      if (!ok) {
        Value msg = args_.fail_msg.is_null() ? Value("Assertion failed") : args_.fail_msg;
        return {{"failed", true}, {"evaluated_to", false}, {"assertion", item}, {"msg", msg}, {"changed", false}};
      }
    }
    Value msg = args_.success_msg.is_null() ? Value("All assertions passed") : args_.success_msg;
    Result r = {{"changed", false}, {"msg", msg}};
    if (!args_.quiet) r["_ansible_verbose_always"] = true;
    return r;
  }

  AssertArgs args_;
  const Context* ctx_;
};

class AssertModule : public TypedModule<AssertArgs, AssertRun> {
 public:
  AssertModule() : TypedModule("assert") { spec_.runs_on_controller = true; }
};

}  // namespace

const Module& assert_module() {
  static const AssertModule module;
  return module;
}

}  // namespace prov::mod
