#pragma once
// ufw's state read without starting ufw (a Python program that takes 0.1-0.3 s per run): its files, the kernel's
// chains and the forwarding switches, in one round trip of builtins plus grep and iptables -S; `ufw status verbose`
// is then written on the controller as ufw writes it. When anything falls outside what this reproduces exactly,
// the reader gives up and the module asks ufw itself.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ufw_state.h"

namespace prov::mod::ufw {

/// What `ufw status verbose` prints from, besides the rules.
struct StatusInputs {
  std::map<std::string, std::string> settings;  ///< /etc/default/ufw and ufw.conf as ufw reads them: lower case
  bool active = false;                          ///< the ufw-user-* chains are loaded
  bool forwarding = false;                      ///< net.ipv4.ip_forward (or IPv6 forwarding) is on
  bool ipv6 = false;                            ///< IPV6=yes and the kernel has IPv6
  std::vector<Tuple> v4, v6;
};

/// The settings of the defaults file then the configuration file, read as ufw reads them (KEY=value lines, keys
/// and values in lower case, quotes removed).
std::map<std::string, std::string> read_settings(const std::string& default_file, const std::string& ufw_conf);

/// `ufw status verbose`'s output (ufw 0.36), or nullopt when the settings are ones ufw itself would refuse.
std::optional<std::string> status_verbose(const StatusInputs& in);

/// The quick probe: ufw's path, its files, the rules tuples, forwarding and `iptables -S` / `ip6tables -S`.
std::string quick_probe_script(const std::string& marker);

/// The state from the quick probe, with status_text written here; nullopt when ufw is missing or not Debian's, or
/// the state is one only ufw can describe (rules in other files, chains half loaded, an unreadable tuple, an error
/// from iptables, such as a user who is not root).
std::optional<State> parse_quick_probe(const std::string& out, const std::string& marker);

}  // namespace prov::mod::ufw
