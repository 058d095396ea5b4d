// systemd (alias systemd_service): a unit's state, enablement and mask through systemctl. On a host that does not
// run systemd (no /run/systemd/system), state and enabled fall back to the init script as the service module
// does; masked: true, scope user/global fail there, daemon_reload/daemon_reexec have nothing to do.
#include "provision/modules/module.h"
#include "schema.h"
#include "services.h"

namespace prov::mod {

namespace {

struct SystemdArgs {
  std::string name, state, scope;
  std::optional<bool> enabled, force, masked;
  bool daemon_reload = false, daemon_reexec = false, no_block = false;

  static void describe(Schema<SystemdArgs>& s) {
    s.field("name", &SystemdArgs::name).aliases({"service", "unit"});
    s.field("state", &SystemdArgs::state).choices({"reloaded", "restarted", "started", "stopped"});
    s.field("enabled", &SystemdArgs::enabled);
    s.field("force", &SystemdArgs::force);
    s.field("masked", &SystemdArgs::masked);
    s.field("daemon_reload", &SystemdArgs::daemon_reload).default_value(false).aliases({"daemon-reload"});
    s.field("daemon_reexec", &SystemdArgs::daemon_reexec).default_value(false).aliases({"daemon-reexec"});
    s.field("scope", &SystemdArgs::scope).choices({"system", "user", "global"}).default_value("system");
    s.field("no_block", &SystemdArgs::no_block).default_value(false);
  }
};

// A daemon-reload or daemon-reexec must come before the unit is read (a unit file just written is then what
// systemctl shows), and Ansible does neither in check mode. So outside check mode such a run reads nothing up
// front: apply() reloads and reads in one round trip, then compares and acts; the reload alone is no change.
class SystemdRun : public Step {
 public:
  SystemdRun(SystemdArgs args, const Context& ctx) {
    wanted_.name = std::move(args.name);
    wanted_.state = std::move(args.state);
    wanted_.enabled = args.enabled;
    wanted_.masked = args.masked;
    wanted_.scope = std::move(args.scope);
    wanted_.no_block = args.no_block;
    wanted_.force = args.force.value_or(false);
    request_.name = wanted_.name;
    request_.status = !wanted_.state.empty();
    request_.daemon_reload = args.daemon_reload && !ctx.check_mode;
    request_.daemon_reexec = args.daemon_reexec && !ctx.check_mode;
  }

  std::optional<Probe> query() override {
    if (probe_ || reloads() || !refusal().empty()) return std::nullopt;
    return shell_read(sysv_probe_command(request_));
  }
  void parse(const conn::CommandResult& read) override { probe_ = parsed(read); }

  Changes diff(const Plan* plan) const override {
    if (std::string refused = refusal(); !refused.empty()) return Changes{false, util::failed(refused)};
    if (!probe_) return Changes{true, Value::object()};  // reloads first: apply() reads and compares
    return work(*probe_, plan).changes;
  }

  Result apply(Context& ctx, const Changes&) override {
    if (!probe_) {
      ServiceWork reloaded = work(parsed(util::run(ctx, sysv_probe_command(request_))), nullptr);
      if (!reloaded.changes.changed || reloaded.changes.result.contains("failed")) return reloaded.changes.result;
      Result done = run_service_work(ctx, reloaded);
      return done.contains("failed") ? done : reloaded.changes.result;
    }
    return run_service_work(ctx, work(*probe_, nullptr));
  }

 private:
  bool reloads() const { return request_.daemon_reload || request_.daemon_reexec; }

  SysvProbe parsed(const conn::CommandResult& read) const {
    if (read.rc != 0) throw Error("reading the service " + wanted_.name + " failed: " + read.err);
    return parse_sysv_probe(read.out);
  }

  // What is refused before the host is read.
  std::string refusal() const {
    const std::pair<const char*, bool> given[] = {{"state", !wanted_.state.empty()},
                                                  {"enabled", wanted_.enabled.has_value()},
                                                  {"masked", wanted_.masked.has_value()}};
    for (const auto& [key, is_given] : given) {
      if (is_given && wanted_.name.empty()) return std::string("missing parameter(s) required by '") + key + "': name";
    }
    for (const char* glob : {"*", "?", "["}) {
      if (wanted_.name.find(glob) != std::string::npos) {
        return std::string("This module does not currently support using glob patterns, found '") + glob +
               "' in service name: " + wanted_.name;
      }
    }
    return "";
  }

  ServiceWork work(const SysvProbe& probe, const Plan* plan) const {
    const std::string& name = wanted_.name;
    Result result = {{"name", name.empty() ? Value() : Value(name)}, {"changed", false}, {"status", Value::object()}};
    if (probe.systemd) return unit_work(probe, wanted_, std::move(result));

    // No systemd on this host: what can be done through the init script is, the rest is refused clearly.
    ServiceWork refused;
    if (wanted_.scope != "system") {
      refused.changes.result = util::failed("scope=" + wanted_.scope +
                                            " needs systemd, which this host does not run "
                                            "(/run/systemd/system is missing)");
      return refused;
    }
    if (wanted_.masked.value_or(false)) {
      refused.changes.result = util::failed(
          "masked=true needs systemd, which this host does not run (/run/systemd/system is missing); "
          "use enabled=false to keep " +
          name + " from starting at boot");
      return refused;
    }
    if (name.empty() || (wanted_.state.empty() && !wanted_.enabled)) {
      ServiceWork nothing_to_do;
      nothing_to_do.changes.result = std::move(result);
      return nothing_to_do;
    }
    return sysv_work(probe, wanted_, plan, std::move(result), true);
  }

  ServiceWanted wanted_;
  ProbeRequest request_;
  std::optional<SysvProbe> probe_;
};

class SystemdModule : public TypedModule<SystemdArgs, SystemdRun> {
 public:
  SystemdModule() : TypedModule("systemd") {
    spec_.other_names = {"systemd_service", "ansible.builtin.systemd_service", "ansible.legacy.systemd_service"};
    spec_.required_one_of = {{"state", "enabled", "masked", "daemon_reload", "daemon_reexec"}};
  }
};

}  // namespace

const Module& systemd_module() {
  static const SystemdModule module;
  return module;
}

}  // namespace prov::mod
