#include "connect.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>

#include "provision/connection/registry.h"
#include "provision/template/engine.h"
#include "task_runner.h"

namespace prov::exec {

namespace {

std::unique_ptr<TracedConnection> open_connection(const std::string& host, const ConnectionPlan& plan) {
  if (!conn::find_connection(plan.kind)) {
    throw conn::UnreachableError(fmt::format("the connection type '{}' is not available{}", plan.kind,
                                             did_you_mean(plan.kind, conn::connection_names())));
  }
  auto connection = std::make_unique<TracedConnection>(host, conn::make_connection(plan.kind, plan.vars));
  connection->connect();
  return connection;
}

}  // namespace

ConnectionPlan connection_plan(const std::string& host, const Value& inventory_vars, const Value& play_vars,
                               const Value& magic, const Settings& settings) {
  tmpl::Options options = ansible_options();
  options.name = host;
  Value vars = inventory_vars;
  for (const Value* layer : {&play_vars, &magic, &settings.extra_vars}) {
    for (auto it = layer->begin(); it != layer->end(); ++it) vars[it.key()] = it.value();
  }
  tmpl::ValueVars lookup(vars);
  auto setting = [&](const char* key, const std::string& fallback) -> Value {
    if (vars.contains(key)) return tmpl::template_value(vars[key], lookup, options);
    return fallback.empty() ? Value() : Value(fallback);
  };
  ConnectionPlan plan;
  plan.kind = settings.connection;
  if (plan.kind.empty()) {
    Value v = setting("ansible_connection", "");
    plan.kind = v.is_null() ? "ssh" : to_plain_string(v);
  }
  if (plan.kind == "smart" || plan.kind == "paramiko" || plan.kind == "openssh") plan.kind = "ssh";
  Value& out = plan.vars = Value::object();
  out["inventory_hostname"] = host;
  out["ansible_host"] = setting("ansible_host", host);
  for (const char* key : {"ansible_port", "ansible_ssh_port", "ansible_ssh_common_args", "ansible_ssh_extra_args",
                          "ansible_password", "ansible_ssh_pass", "ansible_host_key_checking"}) {
    Value v = setting(key, "");
    if (!v.is_null()) out[key] = v;
  }
  out["ansible_user"] = setting("ansible_user", settings.remote_user);
  out["ansible_ssh_private_key_file"] = setting("ansible_ssh_private_key_file", settings.private_key_file);
  if (!settings.password.empty() && !out.contains("ansible_password")) out["ansible_password"] = settings.password;
  out["timeout"] = settings.timeout;
  if (!out.contains("ansible_host_key_checking")) out["ansible_host_key_checking"] = settings.host_key_checking;
  return plan;
}

EarlyConnection open_early(const std::string& host, ConnectionPlan plan) {
  EarlyConnection early;
  early.plan = plan;
  early.opened = std::async(std::launch::async, [host, plan = std::move(plan)] { return open_connection(host, plan); });
  return early;
}

conn::Connection& connection_for(PlayState& play, HostState& host) {
  if (host.connection && host.connected) return *host.connection;
  ConnectionPlan plan = connection_plan(host.name, host.inventory_vars, play.play->kw.vars, host.magic, *play.settings);
  if (std::optional<EarlyConnection> early = std::exchange(host.early, std::nullopt)) {
    const bool ended_before = early->opened.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    if (early->plan == plan) {
      try {
        host.connection = early->opened.get();
        host.connected = true;
        return *host.connection;
      } catch (const conn::UnreachableError&) {
        if (!ended_before) throw;  // it failed while this play waited for it: that is the answer now
      }
    }
    // Another plan, or an attempt that failed a while ago: connect now, as if it had not been made.
  }
  host.connection = open_connection(host.name, plan);
  host.connected = true;
  return *host.connection;
}

}  // namespace prov::exec
