// systemd (alias systemd_service): a unit's state, enablement and mask through systemctl. On a host that does not
// run systemd (no /run/systemd/system), state and enabled fall back to the init script as the service module
// does; masked: true, scope user/global fail there, daemon_reload/daemon_reexec have nothing to do.
#include "provision/modules/module.h"
#include "services.h"
#include "util.h"

namespace prov::mod {

namespace {

class SystemdModule : public Module {
 public:
  SystemdModule() {
    using util::arg;
    spec_.name = "systemd";
    spec_.other_names = {"systemd_service", "ansible.builtin.systemd_service", "ansible.legacy.systemd_service"};
    spec_.args = {
        arg("name").aliases({"service", "unit"}),
        arg("state").choices({"reloaded", "restarted", "started", "stopped"}),
        arg("enabled", ArgType::Bool),
        arg("force", ArgType::Bool),
        arg("masked", ArgType::Bool),
        arg("daemon_reload", ArgType::Bool).default_value(false).aliases({"daemon-reload"}),
        arg("daemon_reexec", ArgType::Bool).default_value(false).aliases({"daemon-reexec"}),
        arg("scope").choices({"system", "user", "global"}).default_value("system"),
        arg("no_block", ArgType::Bool).default_value(false),
    };
    spec_.required_one_of = {{"state", "enabled", "masked", "daemon_reload", "daemon_reexec"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  // The probe reads, unless it starts with a daemon-reload or daemon-reexec.
  std::optional<Probe> first_probe(const Context& ctx) const override {
    ProbeRequest request = probe_request(ctx);
    if (request.daemon_reload || request.daemon_reexec) return std::nullopt;
    return shell_read(sysv_probe_command(request));
  }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string name = util::str(args, "name");
    const std::string state = util::str(args, "state");
    for (const char* key : {"state", "enabled", "masked"}) {
      if (!args[key].is_null() && name.empty()) {
        return util::failed(std::string("missing parameter(s) required by '") + key + "': name");
      }
    }
    for (const char* glob : {"*", "?", "["}) {
      if (name.find(glob) != std::string::npos) {
        return util::failed(std::string("This module does not currently support using glob patterns, found '") + glob +
                            "' in service name: " + name);
      }
    }
    SysvProbe probe = probe_service(ctx, probe_request(ctx), {});
    Result result = {{"name", name.empty() ? Value() : Value(name)}, {"changed", false}, {"status", Value::object()}};
    if (probe.systemd) return systemd_unit(ctx, probe, name, result);

    // No systemd on this host: what can be done through the init script is, the rest is refused clearly.
    if (util::str(args, "scope") != "system") {
      return util::failed("scope=" + util::str(args, "scope") +
                          " needs systemd, which this host does not run "
                          "(/run/systemd/system is missing)");
    }
    if (util::flag(args, "masked")) {
      return util::failed(
          "masked=true needs systemd, which this host does not run (/run/systemd/system is missing); "
          "use enabled=false to keep " +
          name + " from starting at boot");
    }
    if (name.empty() || (state.empty() && args["enabled"].is_null())) return result;
    return sysv_service(ctx, probe, name, args["enabled"], state, result, true);
  }

 private:
  static ProbeRequest probe_request(const Context& ctx) {
    ProbeRequest request;
    request.name = util::str(ctx.args, "name");
    request.status = !util::str(ctx.args, "state").empty();
    request.daemon_reload = util::flag(ctx.args, "daemon_reload") && !ctx.check_mode;
    request.daemon_reexec = util::flag(ctx.args, "daemon_reexec") && !ctx.check_mode;
    return request;
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& systemd_module() {
  static const SystemdModule module;
  return module;
}

}  // namespace prov::mod
