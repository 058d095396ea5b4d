// fail: stops the host with a message. Runs on the controller.
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

class FailModule : public Module {
 public:
  FailModule() {
    spec_.name = "fail";
    spec_.runs_on_controller = true;
    spec_.args = {util::arg("msg", ArgType::Raw).default_value("Failed as requested from task")};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    return {{"failed", true}, {"msg", ctx.args["msg"]}, {"changed", false}};
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& fail_module() {
  static const FailModule module;
  return module;
}

}  // namespace prov::mod
