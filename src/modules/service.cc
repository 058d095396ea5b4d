// service: a service's running state and start at boot. Through systemctl where systemd runs, otherwise through
// the init script (`service`) and its rc links (update-rc.d), as Ansible's service module on sysvinit.
#include "provision/modules/module.h"
#include "services.h"
#include "util.h"

namespace prov::mod {

namespace {

class ServiceModule : public Module {
 public:
  ServiceModule() {
    using util::arg;
    spec_.name = "service";
    spec_.args = {
        arg("name").required(),
        arg("state").choices({"reloaded", "restarted", "started", "stopped"}),
        arg("enabled", ArgType::Bool),
        arg("pattern"),
        arg("sleep", ArgType::Int),
        arg("arguments").default_value("").aliases({"args"}),
        arg("runlevel").default_value("default"),
        arg("use").default_value("auto"),
    };
    spec_.required_one_of = {{"state", "enabled"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  // The probe reads (the init script's status action included); a pattern travels on stdin, so not then.
  std::optional<Probe> first_probe(const Context& ctx) const override {
    ProbeRequest request = probe_request(ctx.args);
    if (request.pattern) return std::nullopt;
    return shell_read(sysv_probe_command(request));
  }

  Result run(Context& ctx) const override {
    const std::string name = util::str(ctx.args, "name");
    const std::string state = util::str(ctx.args, "state");
    const std::string pattern = util::str(ctx.args, "pattern");
    SysvProbe probe = probe_service(ctx, probe_request(ctx.args), pattern);
    if (probe.systemd) {
      // Ansible's service action hands a systemd host to the systemd module, with its result keys.
      return systemd_unit(ctx, probe, name, Value{{"name", name}, {"changed", false}, {"status", Value::object()}});
    }
    return sysv_service(ctx, probe, name, ctx.args["enabled"], state, Value{{"name", name}}, false);
  }

 private:
  static ProbeRequest probe_request(const Value& args) {
    const std::string state = util::str(args, "state");
    const std::string pattern = util::str(args, "pattern");
    ProbeRequest request;
    request.name = util::str(args, "name");
    request.status = !state.empty() && pattern.empty();
    request.pattern = !state.empty() && !pattern.empty();
    return request;
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& service_module() {
  static const ServiceModule module;
  return module;
}

}  // namespace prov::mod
