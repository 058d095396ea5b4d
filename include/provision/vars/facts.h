#pragma once
// Host facts without Python on the host: one POSIX sh probe runs remotely, and a pure parser on the controller
// turns its sectioned output into the same keys and value shapes as Ansible's setup module (pyinfra's split of
// a fact into a command and a parse function).
#include <string>

#include "provision/core/value.h"

namespace prov::vars {

/// The probe: one POSIX sh script, run with /bin/sh -c on the host. Every tool it calls is optional; its output
/// is a sequence of "@@PROV@@ <section>" lines, each followed by the raw output of one command.
const std::string& facts_probe_script();

/// Parses the probe's stdout into ansible_facts (keys without the ansible_ prefix, as Ansible stores them under
/// ansible_facts), pure and testable without a host. Missing sections leave their facts out or at Ansible's
/// defaults ("NA", "unknown", {}), never an error.
Value parse_facts(const std::string& output);

}  // namespace prov::vars
