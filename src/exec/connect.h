#pragma once
// How the executor reaches a host: the connection a host's variables ask for, opened when a play first needs it,
// or ahead of that play while an earlier one runs.
#include <memory>
#include <string>

#include "state.h"

namespace prov::exec {

/// The connection type and its settings for `host`, from its inventory variables, then the play's vars, the
/// magic variables and -e (which wins), templated as Ansible does.
ConnectionPlan connection_plan(const std::string& host, const Value& inventory_vars, const Value& play_vars,
                               const Value& magic, const Settings& settings);

/// A new connection of `kind`, not yet connected: Settings::make_connection's, or the transports' table.
/// Throws conn::UnreachableError for a kind that does not exist.
std::unique_ptr<conn::Connection> make_transport(const std::string& kind, const Value& vars, const Settings& settings);

/// Starts opening a connection by `plan` in the background (connection_for() takes it).
EarlyConnection open_early(const std::string& host, ConnectionPlan plan, const Settings& settings);

/// Makes sure the host has an open connection: the one opened early when it follows the same plan, else a new
/// one. Throws conn::UnreachableError.
conn::Connection& connection_for(PlayState& play, HostState& host);

/// A new open connection to `target` for a task of `host` delegated to it (delegate_to). Throws
/// conn::UnreachableError.
std::unique_ptr<conn::Connection> connect_delegate(PlayState& play, const HostState& host, const std::string& target);

}  // namespace prov::exec
