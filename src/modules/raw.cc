// raw: the string goes to the host's shell as it is; no argument parsing, no check mode.
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

class RawModule : public Module {
 public:
  RawModule() {
    spec_.name = "raw";
    spec_.free_form = true;
    spec_.check_mode_support = false;
    spec_.args = {util::arg("executable", ArgType::Path)};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    std::string raw = util::str(ctx.args, "_raw_params");
    if (raw.empty()) return util::failed("no command given");
    std::string executable = util::str(ctx.args, "executable");
    std::string command = executable.empty() ? raw : conn::shell_quote(executable) + " -c " + conn::shell_quote(raw);
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
  ModuleSpec spec_;
};

}  // namespace

const Module& raw_module() {
  static const RawModule module;
  return module;
}

}  // namespace prov::mod
