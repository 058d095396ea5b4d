#pragma once
// How the executor reaches a host: the connection a host's variables ask for, opened when a play first needs it,
// or ahead of that play while an earlier one runs.
#include <memory>
#include <string>

#include "provision/template/engine.h"
#include "state.h"

namespace prov::exec {

/// The connection type and its settings for `host`: each from the variables Ansible reads for it (in `vars`, a
/// task's whole scope), else the `keywords` (already rendered), else the command line and configuration.
/// Variables are templated as Ansible does. Throws tmpl::TemplateError.
ConnectionPlan connection_plan(const std::string& host, const tmpl::Vars& vars, const ConnectionKeywords& keywords,
                               const Settings& settings);

/// The same before a play runs: the variables are the host's inventory variables, then the play's vars, the magic
/// variables and -e (which wins); the keywords are rendered with them.
ConnectionPlan connection_plan(const std::string& host, const Value& inventory_vars, const Value& play_vars,
                               const Value& magic, const ConnectionKeywords& keywords, const Settings& settings);

/// A new connection of `kind`, not yet connected: Settings::make_connection's, or the transports' table.
/// Throws conn::UnreachableError for a kind that does not exist.
std::unique_ptr<conn::Connection> make_transport(const std::string& kind, const Value& vars, const Settings& settings);

/// Starts opening a connection by `plan` in the background (connection_for() takes it).
EarlyConnection open_early(const std::string& host, ConnectionPlan plan, const Settings& settings);

/// The host's open connection that follows `plan`: its current one, one kept from an earlier task, the one opened
/// early, else a new one; it becomes the host's current connection. Throws conn::UnreachableError.
conn::Connection& connection_for(PlayState& play, HostState& host, const ConnectionPlan& plan);

/// How a task of `host` delegated to `target` (delegate_to) reaches it: by the target's own inventory variables, or
/// as an address with the play's settings when the inventory does not hold it; an implicit localhost is local.
ConnectionPlan delegate_plan(const PlayState& play, const HostState& host, const std::string& target,
                             const ConnectionKeywords& keywords);

/// A new open connection to `host` that follows `plan`. Throws conn::UnreachableError.
std::unique_ptr<TracedConnection> open_connection(const std::string& host, const ConnectionPlan& plan,
                                                  const Settings& settings);

}  // namespace prov::exec
