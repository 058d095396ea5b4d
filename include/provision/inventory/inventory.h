#pragma once
// The inventory: hosts, groups, their inventory variables and host patterns, as Ansible builds them from INI,
// YAML/JSON, executable-script, directory and "host1,host2," sources plus group_vars/ and host_vars/ folders.
//
// Loading (load_inventory) fills an Inventory and then never changes it, except for the implicit localhost that
// Ansible creates the first time a pattern or lookup names localhost, 127.0.0.1 or ::1 without the inventory
// defining it (that creation is guarded, so concurrent readers are safe).
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "provision/core/error.h"
#include "provision/core/value.h"

namespace prov::inv {

struct Host {
  std::string name;
  /// Variables set on the host by inventory files (inline INI vars, YAML host vars), plus inventory_file and
  /// inventory_dir of the first source that named it, as Ansible stores them.
  Value vars = Value::object();
  /// Groups the host was added to directly, in the order it was added.
  std::vector<std::string> groups;
  /// True for the localhost Ansible invents when a pattern names it; it belongs to no group, not even all.
  bool implicit = false;
};

struct Group {
  std::string name;
  Value vars = Value::object();
  std::vector<std::string> hosts;     ///< direct members, in definition order
  std::vector<std::string> children;  ///< child groups, in definition order
  std::vector<std::string> parents;
  int depth = 0;     ///< longest distance from 'all'; deeper groups' vars win
  int priority = 1;  ///< ansible_group_priority; higher wins among groups of the same depth
};

/// Variables from one folder holding group_vars/ and host_vars/ (beside an inventory source or the playbook).
struct VarsFolder {
  std::string dir;
  std::map<std::string, Value> group_vars;  ///< group name -> merged files for it
  std::map<std::string, Value> host_vars;   ///< host name -> merged files for it
};

class Inventory {
 public:
  Inventory();
  Inventory(const Inventory&) = delete;
  Inventory& operator=(const Inventory&) = delete;
  Inventory(Inventory&&) noexcept;
  Inventory& operator=(Inventory&&) noexcept;
  ~Inventory();

  // ---- building (used by the loaders) ----

  /// Adds a group if it is new; returns it either way.
  Group& add_group(const std::string& name);
  /// Adds a host if it is new (recording `source` as its inventory_file, and `port` as ansible_port) and makes
  /// it a member of `group` ("" for none). As in Ansible, the port of a host that already exists is ignored.
  Host& add_host(const std::string& name, const std::string& group, const std::string& source,
                 std::optional<int> port = std::nullopt);
  /// Makes child a child group of parent; throws prov::Error at `where` when that would create a cycle.
  void add_child(const std::string& parent, const std::string& child, const SourceLoc& where);
  void set_group_var(const std::string& group, const std::string& key, Value value);
  void set_host_var(const std::string& host, const std::string& key, Value value);
  /// Applies Ansible's finishing rules: top-level groups become children of all, hosts in no group go to
  /// ungrouped (and leave it when they are also elsewhere), group depths are computed.
  void reconcile();
  /// Adds vars folders: those beside inventory sources, then the one beside the playbook (which wins).
  void add_inventory_vars(VarsFolder folder) { inventory_vars_.push_back(std::move(folder)); }
  void set_playbook_vars(VarsFolder folder) { playbook_vars_ = std::move(folder); }
  /// Records a warning for the user (a source that could not be read, an empty inventory).
  void add_warning(std::string text) { warnings_.push_back(std::move(text)); }

  // ---- queries ----

  /// A host by name; names localhost/127.0.0.1/::1 give the implicit localhost when the inventory lacks them.
  const Host* find_host(std::string_view name) const;
  const Group* find_group(std::string_view name) const;
  /// Warnings from loading, in order, for the caller to show ("Unable to parse X as an inventory source", ...).
  const std::vector<std::string>& warnings() const { return warnings_; }
  /// Every host (implicit localhost excluded) in definition order.
  std::vector<const Host*> hosts() const;
  /// Every group in definition order, starting with all and ungrouped.
  std::vector<const Group*> groups_in_order() const;
  /// Hosts of a group including those of its descendant groups, each once, in Ansible's order.
  std::vector<const Host*> hosts_of(const Group& group) const;

  /// The `groups` magic variable: {"all": [...], "ungrouped": [...], "<group>": [...]} in definition order.
  Value groups() const;
  /// The `group_names` magic variable: the host's groups and their ancestors, sorted, without all/ungrouped.
  std::vector<std::string> group_names(std::string_view host) const;
  /// The inventory part of a host's variables, merged (top-level keys replace) in Ansible's order: all's vars,
  /// other groups' vars by depth/priority/name, group_vars/all beside inventory then playbook, group_vars of
  /// the host's groups beside inventory then playbook, the host's inventory vars, host_vars beside inventory
  /// then playbook. Throws prov::Error for an unknown host.
  Value host_vars(std::string_view host) const;

  /// Hosts matched by a pattern ("web:&prod:!web3", "~db\\d+", "*.example.com", "web[0:2]", "a,b"), in the
  /// order Ansible evaluates it. Names that match nothing are appended to `unmatched` (callers warn about them).
  /// Throws prov::Error for an invalid regex or a subscript past the end.
  std::vector<const Host*> match(std::string_view pattern, std::vector<std::string>* unmatched = nullptr) const;
  /// As above for a play's `hosts:` given as a list of patterns.
  std::vector<const Host*> match(const std::vector<std::string>& patterns,
                                 std::vector<std::string>* unmatched = nullptr) const;
  /// The hosts of a play: `play_hosts` restricted to those `limit` (--limit, may be "" for none, may name
  /// "@file" lists of hosts) matches, keeping the play's order. Only the play's names that match nothing go to
  /// `unmatched`: those of the limit are told once, by limited().
  std::vector<const Host*> select(const std::vector<std::string>& play_hosts, std::string_view limit,
                                  std::vector<std::string>* unmatched = nullptr) const;
  /// The inventory's hosts (not the implicit localhost, as for the pattern all) that `limit` leaves, in definition
  /// order; names of the limit that match nothing go to `unmatched`. Throws prov::Error for a missing "@file".
  std::vector<const Host*> limited(std::string_view limit, std::vector<std::string>* unmatched = nullptr) const;

 private:
  const Host* implicit_localhost(std::string_view name) const;
  /// Applies already split pattern parts in Ansible's order (plain, then &, then !).
  std::vector<const Host*> evaluate(const std::vector<std::string>& parts, std::vector<std::string>* unmatched) const;
  std::vector<const Host*> match_one(std::string_view pattern, std::vector<std::string>* unmatched) const;
  /// The hosts `limit` names (its "@file" parts read), in Ansible's order.
  std::vector<const Host*> limit_hosts(std::string_view limit, std::vector<std::string>* unmatched) const;
  std::vector<const Host*> enumerate(std::string_view expression, std::vector<std::string>* unmatched) const;
  std::vector<const Group*> ancestors_and_groups(const Host& host) const;

  std::vector<std::unique_ptr<Host>> hosts_;
  std::unordered_map<std::string, Host*> host_index_;
  std::vector<std::unique_ptr<Group>> groups_;
  std::unordered_map<std::string, Group*> group_index_;
  std::vector<VarsFolder> inventory_vars_;
  VarsFolder playbook_vars_;
  std::vector<std::string> warnings_;
  // The first host the inventory defines with a localhost name; otherwise created on first use, under the mutex.
  mutable std::unique_ptr<Host> implicit_localhost_;
  const Host* defined_localhost_ = nullptr;
  mutable std::unique_ptr<std::mutex> localhost_mutex_;
};

/// Splits a host pattern into its parts as Ansible does: on commas, else on colons that are not part of a
/// [x:y] range, an IPv6 address or a host:port.
std::vector<std::string> split_host_pattern(std::string_view pattern);

/// Loads inventory sources in order (files, directories of files, or "host1,host2," lists) and the
/// group_vars/ and host_vars/ beside each source and beside `playbook_dir` ("" for none). A file is run as an
/// inventory script when executable, else read as YAML (.yml/.yaml/.json, or no extension and a YAML mapping)
/// or INI.
/// Throws prov::Error with file:line:col for any malformed source. As in Ansible, a source that does not exist
/// is only a warning (see Inventory::warnings(); none for the default /etc/ansible/hosts), leaving the
/// implicit localhost usable.
Inventory load_inventory(const std::vector<std::string>& sources, const std::string& playbook_dir);

/// Reads the group_vars/ and host_vars/ of `dir` for the groups and hosts the inventory knows (and for the
/// localhost names), as Ansible's host_group_vars plugin does. `warn`, when set, is told of keys given twice.
VarsFolder load_vars_folder(const std::string& dir, const Inventory& inventory,
                            const std::function<void(const std::string&)>& warn = {});

}  // namespace prov::inv
