// pause: waits on the controller, a fixed time or until the operator presses Enter.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "provision/core/terminal.h"
#include "provision/core/text.h"
#include "provision/modules/module.h"
#include "provision/modules/result_keys.h"
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

// Python's repr of a duration rounded to two decimals: "0.0", "1.5", "2.01".
std::string python_round2(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", value);
  std::string out = text;
  while (out.size() > 1 && out.back() == '0' && out[out.size() - 2] != '.') out.pop_back();
  return out;
}

// The wait is the whole task and changes nothing, so it happens in diff: check mode waits too, as Ansible's does.
// Without seconds or minutes it waits for Enter on the controller's terminal, reading what was typed; with no
// terminal (CI) it goes on at once with Ansible's warning.
class PauseRun : public Step {
 public:
  PauseRun(PauseArgs args, const Context& ctx) : args_(std::move(args)), task_name_(ctx.task_name) {}

  Changes diff(const Plan*) const override { return {false, wait()}; }
  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  Result wait() const {
    const bool timed = args_.seconds || args_.minutes;
    const bool in_minutes = !args_.seconds;  // Ansible's unit: minutes unless seconds were given
    std::string user_input;
    Value warnings = Value::array();
    auto start = std::chrono::system_clock::now();
    if (timed) {
      // As Ansible's int() arguments: fractions are cut off, and a wait is at least one second.
      long long seconds =
          args_.seconds ? static_cast<long long>(*args_.seconds) : static_cast<long long>(*args_.minutes) * 60;
      std::this_thread::sleep_for(std::chrono::seconds(std::max(seconds, 1LL)));
    } else if (isatty(STDIN_FILENO)) {
      std::string text = args_.prompt.empty() ? "Press enter to continue, Ctrl+C to interrupt" : args_.prompt;
      std::string hidden = args_.echo ? "" : " (output is hidden)";
      user_input = ask_terminal("[" + trim(task_name_) + "]\n" + text + hidden + ":\n", args_.echo).value_or("");
    } else {
      warnings.push_back("Not waiting for response to prompt as stdin is not interactive");
    }
    auto stop = std::chrono::system_clock::now();
    double took = std::chrono::duration<double>(stop - start).count();
    Result r = {{"changed", false},
                {"rc", 0},
                {"stderr", ""},
                {"stdout",
                 "Paused for " + python_round2(in_minutes ? took / 60 : took) + (in_minutes ? " minutes" : " seconds")},
                {"start", util::timestamp(start)},
                {"stop", util::timestamp(stop)},
                {"delta", static_cast<long long>(took)},
                {"echo", args_.echo},
                {"user_input", user_input}};
    if (!warnings.empty()) r[kShownWarnings] = warnings;
    return r;
  }

  PauseArgs args_;
  std::string task_name_;
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
