#pragma once
// include_vars: a variables file, or a folder of them, on the controller, found as Ansible looks for it, loaded
// into the host's scope.
#include "provision/template/engine.h"
#include "state.h"

namespace prov::exec {

/// Loads what `args` names (already templated: file, or dir with depth, files_matching, ignore_files, extensions,
/// ignore_unknown_extensions; hash_behaviour, name) for `host`; `vars` are the task's variables, which
/// hash_behaviour=merge merges into. The task's result.
Value include_vars(PlayState& play, HostState& host, const pb::Task& task, const Value& args, const tmpl::Vars& vars);

}  // namespace prov::exec
