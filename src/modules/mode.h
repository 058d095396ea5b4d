#pragma once
// File modes as Ansible accepts them: an int (YAML 0644 is already 420), an octal string, or symbolic.
#include "provision/core/value.h"

namespace prov::mod {

/// The mode a path should end up with. current: its mode now (0 when new); is_dir matters for symbolic 'X'.
/// Throws ArgError("mode must be in octal or symbolic form") for anything else.
int resolve_mode(const Value& mode, int current, bool is_dir);

}  // namespace prov::mod
