#pragma once
// The account databases (passwd, group) as getent prints them, and the user module's one probe: a sh script
// printing tagged lines, parsed on the controller. Shared by the user and group modules.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provision/modules/module.h"

namespace prov::mod {

struct PasswdEntry {
  std::string name, password;
  long long uid = 0, gid = 0;
  std::string gecos, home, shell;
};

struct GroupEntry {
  std::string name;
  long long gid = 0;
  std::vector<std::string> members;
};

/// One line of `getent passwd`; nullopt unless it has the seven fields with numeric ids.
std::optional<PasswdEntry> parse_passwd_line(std::string_view line);
/// One line of `getent group`; nullopt unless it has the four fields with a numeric gid.
std::optional<GroupEntry> parse_group_line(std::string_view line);

/// The group named `name`, or with gid `name` when it is a number (as Ansible looks groups up); nullptr if none.
const GroupEntry* find_group(const std::vector<GroupEntry>& groups, const std::string& name);

/// The group module's read: `getent group NAME`, which exits 2 when there is no such group.
std::string group_lookup_command(const std::string& name);
/// The group named `name` from that read (getent also answers a gid, which does not count); nullopt if none.
/// Throws Error when getent failed or printed a line it should not.
std::optional<GroupEntry> parse_group_lookup(const conn::CommandResult& read, const std::string& name);

/// What the user module needs to know about one account, read in one round trip.
struct UserProbe {
  std::optional<PasswdEntry> user;
  std::vector<GroupEntry> groups;  ///< the whole group database
  std::string password;            ///< "same" or "differs" when a hash was compared (never the hash), else ""
  bool locked = false;             ///< the shadow hash starts with "!"
  bool home_exists = false;        ///< the home that should exist (wanted, else current) is there
  bool key_exists = false;         ///< the ssh private key file exists
  std::string fingerprint;         ///< ssh-keygen -l of the key, when it exists
  std::string public_key;          ///< the .pub file's first line, when it exists
  std::string hostname;            ///< for the default ssh key comment
};

/// What the probe is asked about.
struct UserProbeRequest {
  std::string name;
  bool compare_password = false;  ///< the wanted hash comes first on stdin, never on the command line
  std::string home;               ///< the wanted home ("" : the current one)
  std::string key_file;           ///< "" : no ssh key wanted; relative paths are below the home
};

/// The probe script; its output is read by parse_user_probe.
std::string user_probe_command(const UserProbeRequest& request);

/// Parses the probe's output; throws Error on a line it does not know.
UserProbe parse_user_probe(const std::string& out);

/// Groups whose member list names `user` (supplementary memberships, the primary group included when listed).
std::vector<std::string> memberships(const std::vector<GroupEntry>& groups, const std::string& user);

}  // namespace prov::mod
