// raw: the string goes to the host's shell as it is; no argument parsing, no check mode.
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

struct RawArgs {
  std::string executable;

  static void describe(Schema<RawArgs>& s) { s.field("executable", &RawArgs::executable, ArgType::Path); }
};

// Nothing to read: running the string is the change (the executor skips raw in check mode).
class RawRun : public Step {
 public:
  // The free-form string is not one of raw's declared arguments: validation keeps it as _raw_params.
  RawRun(RawArgs args, const Context& ctx) : args_(std::move(args)), raw_(util::str(ctx.args, "_raw_params")) {}

  Changes diff(const Plan*) const override {
    if (raw_.empty()) return {false, util::failed("no command given")};
    return {true, Value::object()};
  }

  Result apply(Context& ctx, const Changes&) override {
    const std::string& raw = raw_;
    std::string command =
        args_.executable.empty() ? raw : conn::shell_quote(args_.executable) + " -c " + conn::shell_quote(raw);
    conn::CommandResult result = util::run(ctx, command);
    Result r = {{"changed", true},
                {"rc", result.rc},
                {"stdout", result.out},
                {"stderr", result.err},
                {"stdout_lines", util::lines(result.out)},
                {"stderr_lines", util::lines(result.err)}};
    if (result.rc != 0) {
      r["failed"] = true;
      r["msg"] = "non-zero return code";
    }
    return r;
  }

 private:
  RawArgs args_;
  std::string raw_;
};

class RawModule : public TypedModule<RawArgs, RawRun> {
 public:
  RawModule() : TypedModule("raw") {
    spec_.free_form = true;
    spec_.check_mode_support = false;
  }
};

}  // namespace

const Module& raw_module() {
  static const RawModule module;
  return module;
}

}  // namespace prov::mod
