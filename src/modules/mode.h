#pragma once
// File modes as Ansible accepts them: an int (YAML 0644 is already 420), an octal string, or symbolic.
#include <string>

#include "provision/core/value.h"

namespace prov::mod {

/// The mode a path should end up with. current: its mode now (0 when new); is_dir matters for symbolic 'X'.
/// Throws ArgError("mode must be in octal or symbolic form") for anything else.
int resolve_mode(const Value& mode, int current, bool is_dir);

/// A mode in octal digits as chmod, find -perm and install take it ("644"); `digits` pads with zeros ("0644").
std::string octal_mode(int mode, int digits = 0);

/// A mode as Ansible shows it in results and diffs: '0%03o' ("0644", "04755").
std::string mode_text(int mode);

}  // namespace prov::mod
