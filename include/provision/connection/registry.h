#pragma once
// The one table of transports: a new connection type is one line in src/connection/registry.cc.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "provision/connection/connection.h"

namespace prov::conn {

/// Builds a connection from the host's connection variables (ansible_host, ansible_port, ansible_user, ...).
using ConnectionFactory = std::function<std::unique_ptr<Connection>(const Value& host_vars)>;

/// The factory registered under `name` ("local", later "ssh"), or nullptr.
const ConnectionFactory* find_connection(std::string_view name);

/// Makes a connection of type `name`; an unknown name is an Error with a "did you mean".
std::unique_ptr<Connection> make_connection(std::string_view name, const Value& host_vars = Value::object());

/// Every registered name, for messages.
std::vector<std::string> connection_names();

}  // namespace prov::conn
