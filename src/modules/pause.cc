// pause: waits a fixed time on the controller. Interactive prompts are not supported.
#include <chrono>
#include <optional>
#include <thread>

#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

struct PauseArgs {
  std::optional<double> seconds, minutes;
  std::string prompt;
  bool echo = true;

  static void describe(Schema<PauseArgs>& s) {
    s.field("seconds", &PauseArgs::seconds);
    s.field("minutes", &PauseArgs::minutes);
    s.field("prompt", &PauseArgs::prompt);
    s.field("echo", &PauseArgs::echo).default_value(true);
  }
};

// The wait is the whole task and changes nothing, so it happens in diff: check mode waits too, as Ansible's does.
class PauseRun : public Step {
 public:
  PauseRun(PauseArgs args, const Context&) : args_(std::move(args)) {}

  Changes diff(const Plan*) const override { return {false, wait()}; }
  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  Result wait() const {
    if (!args_.seconds && !args_.minutes) {
      return util::failed("pause without seconds or minutes waits for a keypress, which provision does not support");
    }
    const double seconds = args_.seconds ? *args_.seconds : *args_.minutes * 60;
    auto start = std::chrono::system_clock::now();
    if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    auto stop = std::chrono::system_clock::now();
    double took = std::chrono::duration<double>(stop - start).count();
    char text[64];
    std::snprintf(text, sizeof text, "Paused for %.2f %s", seconds >= 60 ? seconds / 60 : seconds,
                  seconds >= 60 ? "minutes" : "seconds");
    return {{"changed", false},
            {"rc", 0},
            {"stderr", ""},
            {"stdout", text},
            {"start", util::timestamp(start)},
            {"stop", util::timestamp(stop)},
            {"delta", static_cast<long long>(took)},
            {"echo", args_.echo},
            {"user_input", ""}};
  }

  PauseArgs args_;
};

class PauseModule : public TypedModule<PauseArgs, PauseRun> {
 public:
  PauseModule() : TypedModule("pause") {
    spec_.runs_on_controller = true;
    spec_.mutually_exclusive = {{"minutes", "seconds"}};
  }
};

}  // namespace

const Module& pause_module() {
  static const PauseModule module;
  return module;
}

}  // namespace prov::mod
