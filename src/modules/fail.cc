// fail: stops the host with a message. Runs on the controller.
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

struct FailArgs {
  Value msg;

  static void describe(Schema<FailArgs>& s) {
    s.field("msg", &FailArgs::msg).default_value("Failed as requested from task");
  }
};

// The failure is the expected result, so diff reports it and nothing is applied.
class FailRun : public Step {
 public:
  FailRun(FailArgs args, const Context&) : args_(std::move(args)) {}

  Changes diff(const Plan*) const override {
    return {false, {{"failed", true}, {"msg", args_.msg}, {"changed", false}}};
  }
  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  FailArgs args_;
};

class FailModule : public TypedModule<FailArgs, FailRun> {
 public:
  FailModule() : TypedModule("fail") { spec_.runs_on_controller = true; }
};

}  // namespace

const Module& fail_module() {
  static const FailModule module;
  return module;
}

}  // namespace prov::mod
