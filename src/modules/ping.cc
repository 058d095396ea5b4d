// ping: proves that the host answers and runs commands (as the task's become user), as Ansible's ping does
// without Python: one command on the host. `data: crash` fails on purpose, as Ansible's raises an exception.
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

struct PingArgs {
  Value data;

  static void describe(Schema<PingArgs>& s) { s.field("data", &PingArgs::data).default_value("pong"); }
};

class PingRun : public Step {
 public:
  PingRun(PingArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (asked_) return std::nullopt;
    asked_ = true;
    return shell_read("echo pong");
  }

  void parse(const conn::CommandResult& read) override { answer_ = read; }

  Changes diff(const Plan*) const override {
    if (answer_.rc != 0 || answer_.out != "pong\n") {
      return {false,
              {{"failed", true},
               {"msg", "the host did not run a command: rc " + std::to_string(answer_.rc)},
               {"rc", answer_.rc},
               {"stderr", answer_.err}}};
    }
    if (args_.data.is_string() && args_.data.get<std::string>() == "crash") {
      return {false, {{"failed", true}, {"msg", "boom"}, {"changed", false}}};
    }
    return {false, {{"changed", false}, {"ping", args_.data}}};
  }

  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  PingArgs args_;
  bool asked_ = false;
  conn::CommandResult answer_;
};

class PingModule : public TypedModule<PingArgs, PingRun> {
 public:
  PingModule() : TypedModule("ping") {}
};

}  // namespace

const Module& ping_module() {
  static const PingModule module;
  return module;
}

}  // namespace prov::mod
