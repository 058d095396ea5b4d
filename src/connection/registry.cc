// The one table of transports: a new connection type is one line here.
#include "provision/connection/registry.h"

#include <utility>

#include "provision/connection/local.h"
#include "provision/connection/ssh.h"

namespace prov::conn {

namespace {
const std::vector<std::pair<std::string, ConnectionFactory>>& table() {
  static const std::vector<std::pair<std::string, ConnectionFactory>> connections = {
      {"local", [](const Value&) { return make_local_connection(); }},
      {"ssh", [](const Value& v) { return make_ssh_connection(v); }},
  };
  return connections;
}
}  // namespace

const ConnectionFactory* find_connection(std::string_view name) {
  for (const auto& [known, factory] : table()) {
    if (known == name) return &factory;
  }
  return nullptr;
}

std::unique_ptr<Connection> make_connection(std::string_view name, const Value& host_vars) {
  const ConnectionFactory* factory = find_connection(name);
  if (factory == nullptr) {
    throw Error("unknown connection type '" + std::string(name) + "'" + did_you_mean(name, connection_names()));
  }
  return (*factory)(host_vars);
}

std::vector<std::string> connection_names() {
  std::vector<std::string> names;
  for (const auto& entry : table()) names.push_back(entry.first);
  return names;
}

}  // namespace prov::conn
