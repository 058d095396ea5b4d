#include "connect.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "provision/connection/registry.h"
#include "provision/template/engine.h"
#include "task_runner.h"

namespace prov::exec {

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

std::unique_ptr<TracedConnection> open_connection(const std::string& host, const ConnectionPlan& plan,
                                                  const Settings& settings) {
  auto connection = std::make_unique<TracedConnection>(host, make_transport(plan.kind, plan.vars, settings));
  connection->connect();
  return connection;
}

ConnectionPlan connection_plan(const std::string& host, const tmpl::Vars& vars, const ConnectionKeywords& keywords,
                               const Settings& settings) {
  tmpl::Options options = ansible_options();
  options.name = host;
  // A variable beats the keyword, which beats the command line and the configuration, as in Ansible. Data (a
  // registered result) is taken as it is, never templated.
  auto setting = [&](const char* key) -> Value {
    bool data = false;
    const Value* v = vars.find(key, &data);
    if (v == nullptr) return nullptr;
    return data ? *v : tmpl::template_value(*v, vars, options);
  };
  ConnectionPlan plan;
  Value kind = setting("ansible_connection");
  if (kind.is_null()) kind = keywords.connection;
  if (kind.is_null() && !settings.connection.empty()) kind = settings.connection;
  plan.kind = kind.is_null() ? "ssh" : to_plain_string(kind);
  if (plan.kind == "smart" || plan.kind == "paramiko" || plan.kind == "paramiko_ssh" || plan.kind == "openssh") {
    plan.kind = "ssh";
  }
  // Each setting under one name: the variables Ansible's ssh plugin reads for it, of which the last one set wins
  // (ansible_ssh_host over ansible_host), then the keyword, then the command line or configuration.
  auto named = [&](std::initializer_list<const char*> names, Value fallback) {
    Value found;
    for (const char* name : names) {
      Value v = setting(name);
      if (!v.is_null()) found = std::move(v);
    }
    return found.is_null() ? fallback : found;
  };
  auto text_or_null = [](const std::string& s) { return s.empty() ? Value() : Value(s); };
  auto first_set = [](const Value& keyword, Value fallback) { return keyword.is_null() ? fallback : keyword; };
  Value& out = plan.vars = Value::object();
  out["inventory_hostname"] = host;
  out["ansible_host"] = named({"ansible_host", "ansible_ssh_host"}, host);
  out["ansible_port"] = named({"ansible_port", "ansible_ssh_port"}, keywords.port);
  out["ansible_user"] =
      named({"ansible_user", "ansible_ssh_user"}, first_set(keywords.remote_user, text_or_null(settings.remote_user)));
  out["ansible_password"] =
      named({"ansible_password", "ansible_ssh_pass", "ansible_ssh_password"}, text_or_null(settings.password));
  out["ansible_ssh_private_key_file"] =
      named({"ansible_private_key_file", "ansible_ssh_private_key_file"}, text_or_null(settings.private_key_file));
  out["timeout"] = named({"ansible_ssh_timeout"}, settings.timeout);
  out["ansible_host_key_checking"] =
      named({"ansible_host_key_checking", "ansible_ssh_host_key_checking"}, settings.host_key_checking);
  out["ansible_ssh_args"] = named({"ansible_ssh_args"}, text_or_null(settings.ssh_args));
  out["ansible_ssh_common_args"] = named({"ansible_ssh_common_args"}, text_or_null(settings.ssh_common_args));
  out["ansible_ssh_extra_args"] = named({"ansible_ssh_extra_args"}, text_or_null(settings.ssh_extra_args));
  for (const char* key : {"ansible_ssh_retries", "provision_ssh_persistent_shell"}) out[key] = named({key}, nullptr);
  for (auto it = out.begin(); it != out.end();) it = it->is_null() ? out.erase(it) : std::next(it);
  return plan;
}

ConnectionPlan connection_plan(const std::string& host, const Value& inventory_vars, const Value& play_vars,
                               const Value& magic, const ConnectionKeywords& keywords, const Settings& settings) {
  Value vars = inventory_vars;
  for (const Value* layer : {&play_vars, &magic, &settings.extra_vars}) {
    for (auto it = layer->begin(); it != layer->end(); ++it) vars[it.key()] = it.value();
  }
  tmpl::ValueVars lookup(std::move(vars));
  ConnectionKeywords rendered;
  tmpl::Options options = ansible_options();
  options.name = host;
  for (auto [from, to] :
       {std::pair{&keywords.connection, &rendered.connection}, std::pair{&keywords.remote_user, &rendered.remote_user},
        std::pair{&keywords.port, &rendered.port}}) {
    if (!from->is_null()) *to = tmpl::template_value(*from, lookup, options);
  }
  return connection_plan(host, lookup, rendered, settings);
}

EarlyConnection open_early(const std::string& host, ConnectionPlan plan, const Settings& settings) {
  EarlyConnection early;
  early.plan = plan;
  early.opened = std::async(
      std::launch::async, [host, plan = std::move(plan), &settings] { return open_connection(host, plan, settings); });
  return early;
}

conn::Connection& connection_for(PlayState& play, HostState& host, const ConnectionPlan& plan) {
  if (host.connection && host.connection_plan == plan) return *host.connection;
  if (host.connection) {
    // Another user, port or transport for this task: the host's connection waits aside for the tasks that go
    // back to it. Answers sent ahead on it belong to tasks that now reach the host some other way.
    host.connection->drop_prefetched();
    host.probed_ahead.clear();
    auto kept = std::find_if(host.other_connections.begin(), host.other_connections.end(),
                             [&](const auto& other) { return other.first == plan; });
    if (kept != host.other_connections.end()) {
      std::swap(host.connection_plan, kept->first);
      std::swap(host.connection, kept->second);
      return *host.connection;
    }
    host.other_connections.emplace_back(std::move(host.connection_plan), std::move(host.connection));
  }
  host.connection_plan = plan;
  if (std::optional<EarlyConnection> early = std::exchange(host.early, std::nullopt)) {
    const bool ended_before = early->opened.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    if (early->plan == plan) {
      try {
        host.connection = early->opened.get();
        return *host.connection;
      } catch (const conn::UnreachableError&) {
        if (!ended_before) throw;  // it failed while this play waited for it: that is the answer now
      }
    }
    // Another plan, or an attempt that failed a while ago: connect now, as if it had not been made.
  }
  host.connection = open_connection(host.name, plan, *play.settings);
  return *host.connection;
}

ConnectionPlan delegate_plan(const PlayState& play, const HostState& host, const std::string& target,
                             const ConnectionKeywords& keywords) {
  const inv::Host* listed = play.inventory ? play.inventory->find_host(target) : nullptr;
  if ((!listed || listed->implicit) && (target == "localhost" || target == "127.0.0.1")) {
    return {"local", Value::object()};
  }
  const Value vars = listed ? play.inventory->host_vars(target) : Value::object();
  return connection_plan(target, vars, play.play->kw.vars, host.magic, keywords, *play.settings);
}

}  // namespace prov::exec
