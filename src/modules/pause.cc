// pause: waits a fixed time on the controller. Interactive prompts are not supported.
#include <chrono>
#include <thread>

#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

class PauseModule : public Module {
 public:
  PauseModule() {
    using util::arg;
    spec_.name = "pause";
    spec_.runs_on_controller = true;
    spec_.args = {arg("seconds", ArgType::Float), arg("minutes", ArgType::Float), arg("prompt"),
                  arg("echo", ArgType::Bool).default_value(true)};
    spec_.mutually_exclusive = {{"minutes", "seconds"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    double seconds = 0;
    if (!args["seconds"].is_null()) seconds = args["seconds"].get<double>();
    else if (!args["minutes"].is_null()) seconds = args["minutes"].get<double>() * 60;
    else return util::failed("pause without seconds or minutes waits for a keypress, which provision does not support");
    auto start = std::chrono::system_clock::now();
    if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    auto stop = std::chrono::system_clock::now();
    double took = std::chrono::duration<double>(stop - start).count();
    char text[64];
    std::snprintf(text, sizeof text, "Paused for %.2f %s", seconds >= 60 ? seconds / 60 : seconds,
                  seconds >= 60 ? "minutes" : "seconds");
    return {{"changed", false}, {"rc", 0},          {"stderr", ""},
            {"stdout", text},   {"start", util::timestamp(start)}, {"stop", util::timestamp(stop)},
            {"delta", static_cast<long long>(took)}, {"echo", util::flag(args, "echo")}, {"user_input", ""}};
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& pause_module() {
  static const PauseModule module;
  return module;
}

}  // namespace prov::mod
