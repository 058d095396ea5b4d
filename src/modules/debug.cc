// debug: shows a message or a variable's value. Runs on the controller.
#include "provision/modules/module.h"
#include "provision/template/engine.h"
#include "util.h"

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

class DebugModule : public Module {
 public:
  DebugModule() {
    using util::arg;
    spec_.name = "debug";
    spec_.runs_on_controller = true;
    spec_.args = {
        arg("msg", ArgType::Raw).default_value("Hello world!"),
        arg("var", ArgType::Raw),
        arg("verbosity", ArgType::Int).default_value(0),
    };
    spec_.mutually_exclusive = {{"msg", "var"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    if (args["verbosity"].get<long long>() > ctx.verbosity) {
      return {{"skipped_reason", "Verbosity threshold not met."}, {"skipped", true}, {"changed", false}};
    }
    const Value& var = args["var"];
    if (var.is_null()) return {{"msg", args["msg"]}, {"changed", false}};

    std::string name = to_plain_string(var);
    Value value;
    try {
      if (ctx.vars == nullptr) throw tmpl::UndefinedError(name, name + " is undefined");
      tmpl::Options options;
      options.name = ctx.task_location;
      options.search_paths = ctx.search_paths;
      value = tmpl::evaluate(bare_expression(name), *ctx.vars, options);
    } catch (const tmpl::UndefinedError&) {
      value = "VARIABLE IS NOT DEFINED!";
    }
    return {{name, value}, {"changed", false}};
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& debug_module() {
  static const DebugModule module;
  return module;
}

}  // namespace prov::mod
