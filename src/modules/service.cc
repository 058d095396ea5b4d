// service: a service's running state and start at boot. Through systemctl where systemd runs, otherwise through
// the init script (`service`) and its rc links (update-rc.d), as Ansible's service module on sysvinit.
#include "provision/modules/module.h"
#include "schema.h"
#include "services.h"

namespace prov::mod {

namespace {

struct ServiceArgs {
  std::string name, state, pattern, arguments, runlevel, use;
  std::optional<bool> enabled;
  std::optional<long long> sleep;

  static void describe(Schema<ServiceArgs>& s) {
    s.field("name", &ServiceArgs::name).required();
    s.field("state", &ServiceArgs::state).choices({"reloaded", "restarted", "started", "stopped"});
    s.field("enabled", &ServiceArgs::enabled);
    s.field("pattern", &ServiceArgs::pattern);
    s.field("sleep", &ServiceArgs::sleep);
    s.field("arguments", &ServiceArgs::arguments).default_value("").aliases({"args"});
    s.field("runlevel", &ServiceArgs::runlevel).default_value("default");
    s.field("use", &ServiceArgs::use).default_value("auto");
  }
};

class ServiceRun : public Step {
 public:
  ServiceRun(ServiceArgs args, const Context&) {
    wanted_.name = std::move(args.name);
    wanted_.state = std::move(args.state);
    wanted_.enabled = args.enabled;
    wanted_.pattern = std::move(args.pattern);
    wanted_.arguments = std::move(args.arguments);
    wanted_.sleep = args.sleep;
  }

  // One read: the init script's status action included, or the processes matched against the pattern, which
  // travels on stdin so that no process list shows it but the ones it should find.
  std::optional<Probe> query() override {
    if (probe_) return std::nullopt;
    ProbeRequest request;
    request.name = wanted_.name;
    request.status = !wanted_.state.empty() && wanted_.pattern.empty();
    request.pattern = !wanted_.state.empty() && !wanted_.pattern.empty();
    Probe read = shell_read(sysv_probe_command(request));
    if (request.pattern) read.stdin_data = wanted_.pattern + "\n";
    return read;
  }
  void parse(const conn::CommandResult& read) override {
    if (read.rc != 0) throw Error("reading the service " + wanted_.name + " failed: " + read.err);
    probe_ = parse_sysv_probe(read.out);
  }

  Changes diff(const Plan* plan) const override { return work(plan).changes; }
  Result apply(Context& ctx, const Changes&) override { return run_service_work(ctx, work(nullptr)); }

 private:
  ServiceWork work(const Plan* plan) const {
    // Ansible's service action hands a systemd host to the systemd module, with its result keys.
    if (probe_->systemd) {
      return unit_work(*probe_, wanted_,
                       Value{{"name", wanted_.name}, {"changed", false}, {"status", Value::object()}});
    }
    return sysv_work(*probe_, wanted_, plan, Value{{"name", wanted_.name}}, false);
  }

  ServiceWanted wanted_;
  std::optional<SysvProbe> probe_;
};

class ServiceModule : public TypedModule<ServiceArgs, ServiceRun> {
 public:
  ServiceModule() : TypedModule("service") { spec_.required_one_of = {{"state", "enabled"}}; }
};

}  // namespace

const Module& service_module() {
  static const ServiceModule module;
  return module;
}

}  // namespace prov::mod
