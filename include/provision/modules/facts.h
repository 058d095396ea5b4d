#pragma once
// Host facts without Python on the host: one POSIX sh probe runs remotely, and a pure parser on the controller
// turns its sectioned output into the same keys and value shapes as Ansible's setup module (pyinfra's split of
// a fact into a command and a parse function). Ansible's gather_subset and filter then pick what setup returns.
#include <set>
#include <string>
#include <vector>

#include "provision/core/value.h"

namespace prov::facts {

/// setup's options; the play keywords gather_subset, gather_timeout and fact_path give the same for gathering.
struct GatherOptions {
  std::vector<std::string> subset{"all"};  ///< gather_subset as given ("all", "!hardware", "network", ...)
  long long timeout = 10;                  ///< gather_timeout: seconds for each slow read (mount sizes)
  std::string fact_path = "/etc/ansible/facts.d";
  std::vector<std::string> filter;  ///< fnmatch patterns on the ansible_* names; empty: everything
};

/// The collectors (Ansible's names: platform, hardware, network, ...) a gather_subset selects, with Ansible's
/// rules: the minimal set always unless "!min", "!name" excludes unless named explicitly, a collector's
/// requirements are added. Throws prov::Error with Ansible's "Bad subset 'x' given to Ansible. gather_subset
/// options allowed: ..." for an unknown name.
std::set<std::string> resolve_subset(const std::vector<std::string>& subset);

/// The probe: one POSIX sh script, run with /bin/sh -c on the host. Every tool it calls is optional; its output
/// is a sequence of "@@PROV@@ <section>" lines, each followed by the raw output of one command. Local facts
/// (fact_path) are read, and their executables run, only when `collectors` holds "local".
std::string probe_script(const GatherOptions& options, const std::set<std::string>& collectors);

/// The probe with every collector and the default options.
const std::string& facts_probe_script();

/// Parses the probe's stdout into ansible_facts (keys without the ansible_ prefix, as Ansible stores them under
/// ansible_facts), pure and testable without a host. Missing sections leave their facts out or at Ansible's
/// defaults ("NA", "unknown", {}), never an error.
Value parse_facts(const std::string& output, std::vector<std::string>* warnings = nullptr);

/// The collector (Ansible's name) that gives a fact named without its prefix (kernel: platform, eth0: network).
std::string collector_of(const std::string& fact);

/// setup's ansible_facts from parsed facts: the facts of `collectors`, named ansible_*, with gather_subset and
/// module_setup, keeping the names that match one of options.filter (Ansible tries a pattern without the
/// ansible_ prefix with it too). Keys sorted.
Value setup_facts(const Value& facts, const std::set<std::string>& collectors, const GatherOptions& options);

}  // namespace prov::facts
