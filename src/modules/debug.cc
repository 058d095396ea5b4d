// debug: shows a message or a variable's value. Runs on the controller.
#include "provision/modules/module.h"
#include "provision/template/engine.h"
#include "schema.h"

namespace prov::mod {

namespace {

// debug's var: a bare expression, or one wrapped in {{ }} (Ansible accepts both).
std::string bare_expression(std::string var) {
  auto trim = [](std::string s) {
    size_t a = s.find_first_not_of(" \t\n"), b = s.find_last_not_of(" \t\n");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
  };
  var = trim(var);
  if (var.size() >= 4 && var.rfind("{{", 0) == 0 && var.compare(var.size() - 2, 2, "}}") == 0) {
    var = trim(var.substr(2, var.size() - 4));
  }
  return var;
}

struct DebugArgs {
  Value msg, var;
  long long verbosity = 0;

  static void describe(Schema<DebugArgs>& s) {
    s.field("msg", &DebugArgs::msg).default_value("Hello world!").keeps_null();
    s.field("var", &DebugArgs::var);
    s.field("verbosity", &DebugArgs::verbosity).default_value(0);
  }
};

// Nothing on the host to read or change: the message is the result, in check mode as well.
class DebugRun : public Step {
 public:
  DebugRun(DebugArgs args, const Context& ctx) : args_(std::move(args)), ctx_(&ctx) {}

  Changes diff(const Plan*) const override { return {false, shown()}; }
  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  Result shown() const {
    if (args_.verbosity > ctx_->verbosity) {
      return {{"skipped_reason", "Verbosity threshold not met."}, {"skipped", true}, {"changed", false}};
    }
    if (args_.var.is_null()) return {{"msg", args_.msg}, {"changed", false}};  // msg: null shows null
    std::string name = to_plain_string(args_.var);
    return {{name, value_of(name)}, {"changed", false}};
  }

  Value value_of(const std::string& name) const {
    try {
      if (ctx_->vars == nullptr) throw tmpl::UndefinedError(name, name + " is undefined");
      tmpl::Options options;
      options.name = ctx_->task_location;
      options.in_value = true;
      options.search_paths = ctx_->search_paths;
      return tmpl::evaluate(bare_expression(name), *ctx_->vars, options);
    } catch (const tmpl::UndefinedError&) {
      return "VARIABLE IS NOT DEFINED!";
    }
  }

  DebugArgs args_;
  const Context* ctx_;
};

class DebugModule : public TypedModule<DebugArgs, DebugRun> {
 public:
  DebugModule() : TypedModule("debug") {
    spec_.runs_on_controller = true;
    spec_.mutually_exclusive = {{"msg", "var"}};
  }
};

}  // namespace

const Module& debug_module() {
  static const DebugModule module;
  return module;
}

}  // namespace prov::mod
