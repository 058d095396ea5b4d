#include "connect.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <set>
#include <utility>

#include "provision/connection/registry.h"
#include "provision/template/engine.h"
#include "task_runner.h"

namespace prov::exec {

namespace {

std::unique_ptr<TracedConnection> open_connection(const std::string& host, const ConnectionPlan& plan,
                                                  const Settings& settings) {
  auto connection = std::make_unique<TracedConnection>(host, make_transport(plan.kind, plan.vars, settings));
  connection->connect();
  return connection;
}

}  // namespace

std::unique_ptr<conn::Connection> make_transport(const std::string& kind, const Value& vars, const Settings& settings) {
  if (settings.make_connection) return settings.make_connection(kind, vars);
  if (!conn::find_connection(kind)) {
    // A failed task, not an unreachable host, as in Ansible: nothing was tried.
    static const std::set<std::string> kAnsibleOnly = {"winrm", "psrp"};
    if (kAnsibleOnly.count(kind) != 0) {
      throw Error(fmt::format("the connection plugin '{}' is not supported by provision (it has: {})", kind,
                              fmt::join(conn::connection_names(), ", ")));
    }
    throw Error(
        fmt::format("the connection plugin '{}' was not found{}", kind, did_you_mean(kind, conn::connection_names())));
  }
  return conn::make_connection(kind, vars);
}

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
  if (plan.kind == "smart" || plan.kind == "paramiko" || plan.kind == "paramiko_ssh" || plan.kind == "openssh") {
    plan.kind = "ssh";
  }
  // Each setting under one name: the variables Ansible's ssh plugin reads for it, of which the last one set wins
  // (ansible_ssh_host over ansible_host), then the command line or configuration.
  auto named = [&](std::initializer_list<const char*> names, Value fallback) {
    Value found;
    for (const char* name : names) {
      Value v = setting(name, "");
      if (!v.is_null()) found = std::move(v);
    }
    return found.is_null() ? fallback : found;
  };
  auto text_or_null = [](const std::string& s) { return s.empty() ? Value() : Value(s); };
  Value& out = plan.vars = Value::object();
  out["inventory_hostname"] = host;
  out["ansible_host"] = named({"ansible_host", "ansible_ssh_host"}, host);
  out["ansible_port"] = named({"ansible_port", "ansible_ssh_port"}, nullptr);
  out["ansible_user"] = named({"ansible_user", "ansible_ssh_user"}, text_or_null(settings.remote_user));
  out["ansible_password"] =
      named({"ansible_password", "ansible_ssh_pass", "ansible_ssh_password"}, text_or_null(settings.password));
  out["ansible_ssh_private_key_file"] =
      named({"ansible_private_key_file", "ansible_ssh_private_key_file"}, text_or_null(settings.private_key_file));
  out["timeout"] = named({"ansible_ssh_timeout"}, settings.timeout);
  out["ansible_host_key_checking"] =
      named({"ansible_host_key_checking", "ansible_ssh_host_key_checking"}, settings.host_key_checking);
  for (const char* key : {"ansible_ssh_common_args", "ansible_ssh_extra_args", "ansible_ssh_retries",
                          "provision_ssh_persistent_shell"}) {
    out[key] = named({key}, nullptr);
  }
  for (auto it = out.begin(); it != out.end();) it = it->is_null() ? out.erase(it) : std::next(it);
  return plan;
}

EarlyConnection open_early(const std::string& host, ConnectionPlan plan, const Settings& settings) {
  EarlyConnection early;
  early.plan = plan;
  early.opened = std::async(
      std::launch::async, [host, plan = std::move(plan), &settings] { return open_connection(host, plan, settings); });
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
  host.connection = open_connection(host.name, plan, *play.settings);
  host.connected = true;
  return *host.connection;
}

std::unique_ptr<conn::Connection> connect_delegate(PlayState& play, const HostState& host, const std::string& target) {
  // A delegate is reached with its own inventory variables (address, port, user, connection type); a name the
  // inventory does not hold is taken as the address, with the play's settings.
  const Value vars =
      play.inventory && play.inventory->find_host(target) ? play.inventory->host_vars(target) : Value::object();
  return open_connection(target, connection_plan(target, vars, play.play->kw.vars, host.magic, *play.settings),
                         *play.settings);
}

}  // namespace prov::exec
