#pragma once
// ufw's state on a host, read in one round trip: a sh probe plus pure parsers (tested with fixtures).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prov::mod::ufw {

/// One "### tuple ###" line of /etc/ufw/user.rules or user6.rules: how ufw stores a rule.
struct Tuple {
  std::string raw;     ///< the whole line, trailing blanks removed
  std::string action;  ///< allow, deny, reject, limit
  bool route = false;
  std::string log;  ///< "", "log" or "log-all"
  std::string proto, dport, dst, sport, src;
  std::string dapp, sapp;  ///< application profiles ("-" when unused), empty when the rule has none
  std::string direction;   ///< in, out
  std::string interface_in, interface_out;
  std::string comment;  ///< decoded from ufw's hex
};

/// Parses one tuple line; nullopt when the line is not one.
std::optional<Tuple> parse_tuple(std::string_view line);

/// The header and rule table of `ufw status verbose` (or plain `ufw status`).
struct Status {
  bool active = false;
  std::string logging;                          ///< "off", "low", ... as shown; "" when not shown (inactive)
  std::map<std::string, std::string> defaults;  ///< incoming/outgoing/routed -> allow, deny, reject, disabled
  std::vector<std::string> rules;               ///< the table's lines below "--", trailing blanks removed
};

Status parse_status(const std::string& text);

/// What the configuration files say: /etc/default/ufw (policies, IPV6) and /etc/ufw/ufw.conf (ENABLED, LOGLEVEL).
struct Config {
  std::map<std::string, std::string> policy;  ///< incoming/outgoing/routed -> allow, deny, reject
  std::string loglevel;                       ///< off, low, medium, high, full
  bool enabled = false;
};

Config parse_config(const std::string& default_file, const std::string& ufw_conf);

/// Everything the module compares, from one probe.
struct State {
  bool installed = false;
  std::string bin;   ///< ufw's path
  std::string grep;  ///< grep's path (for the commands Ansible reports)
  std::string path;  ///< the host's PATH, for the message when ufw is missing
  std::string status_text;
  int status_rc = 0;  ///< `ufw status verbose` failed (not root): its output is the failure's message
  Status status;
  Config config;
  std::vector<Tuple> v4, v6;
  bool dry_ran = false;  ///< the probe ran `ufw --dry-run` for the rule
  int dry_rc = 0;
  std::string dry_out;  ///< stdout and stderr of the dry run
  bool ipv6 = false;    ///< ufw uses IPv6 (IPV6=yes, and the kernel has it); read by the quick probe only
  /// Every part that `changed` is judged on, in one string: equal before and after means nothing changed.
  std::string snapshot() const;
};

/// One part of a probe's output: after a line "<marker> <name> [arg]", up to the next such line.
struct Part {
  std::string name, arg, body;
};

std::vector<Part> split_parts(const std::string& out, const std::string& marker);

/// The start of every probe: sets $M (the marker) and $u (ufw's path), prints the host's PATH and either "missing"
/// (and exits) or "bin" with ufw's and grep's paths.
std::string locate_script(const std::string& marker);

/// The probe: prints ufw's path, `ufw status verbose`, the configuration files and the tuples of the user rules
/// files, each part after a line "<marker> <name>"; with dry_run_args, also `ufw --dry-run <args>` and its status.
std::string probe_script(const std::string& marker, const std::vector<std::string>& dry_run_args);

/// The state parts of the probe alone, for a script that has set $M (the marker) and $u (ufw's path): the action
/// script ends with them so that the state after the change comes back in the same round trip.
std::string state_part_script();

/// Parses the probe's output; throws prov::Error when the output is not the probe's.
State parse_probe(const std::string& out, const std::string& marker);

/// The rules files a `ufw --dry-run` rule command prints: the tuples of each file it would write.
struct DryRun {
  bool writes_v4 = false, writes_v6 = false;
  std::vector<std::string> v4, v6;
};

DryRun parse_dry_run(const std::string& out);

/// True when the dry run's files hold other tuples than the host's: the rule command would change something.
bool dry_run_changes(const DryRun& dry, const State& state);

/// The state of a fresh install of Debian's ufw package (check mode after a planned install).
State fresh_install_state();

}  // namespace prov::mod::ufw
