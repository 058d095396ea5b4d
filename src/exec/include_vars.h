#pragma once
// include_vars: a variables file on the controller, found as Ansible looks for it, loaded into the host's scope.
#include "state.h"

namespace prov::exec {

/// Loads the file `args` names (already templated) for `host`; the task's result.
Value include_vars(PlayState& play, HostState& host, const pb::Task& task, const Value& args);

}  // namespace prov::exec
