// The inventory model: building it, Ansible's reconcile rules, and the per-host variable merge.
#include "provision/inventory/inventory.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <set>
#include <tuple>

#include "provision/inventory/syntax.h"

namespace prov::inv {

namespace {

/// Ansible's default hash_behaviour=replace: a later top-level key replaces the earlier one whole.
void merge_replace(Value& into, const Value& from) {
  if (!from.is_object()) return;
  for (const auto& [key, value] : from.items()) into[key] = value;
}

const Value* lookup(const std::map<std::string, Value>& vars, const std::string& name) {
  auto it = vars.find(name);
  return it == vars.end() ? nullptr : &it->second;
}

}  // namespace

Inventory::Inventory() : localhost_mutex_(std::make_unique<std::mutex>()) {
  add_group("all");
  add_group("ungrouped");
  add_child("all", "ungrouped", {});  // ungrouped is always all's first child, as in Ansible
}

Inventory::Inventory(Inventory&&) noexcept = default;
Inventory& Inventory::operator=(Inventory&&) noexcept = default;
Inventory::~Inventory() = default;

Group& Inventory::add_group(const std::string& name) {
  if (auto it = group_index_.find(name); it != group_index_.end()) return *it->second;
  auto group = std::make_unique<Group>();
  group->name = name;
  Group* raw = group.get();
  groups_.push_back(std::move(group));
  group_index_[name] = raw;
  return *raw;
}

Host& Inventory::add_host(const std::string& name, const std::string& group, const std::string& source,
                          std::optional<int> port) {
  Host* host = nullptr;
  if (auto it = host_index_.find(name); it != host_index_.end()) {
    host = it->second;
  } else {
    auto fresh = std::make_unique<Host>();
    fresh->name = name;
    if (port) fresh->vars["ansible_port"] = *port;
    // Like Ansible, the first source that names a host is its inventory_file.
    if (source.empty()) {
      fresh->vars["inventory_file"] = nullptr;
      fresh->vars["inventory_dir"] = nullptr;
    } else {
      fresh->vars["inventory_file"] = source;
      fresh->vars["inventory_dir"] = std::filesystem::path(source).parent_path().string();
    }
    host = fresh.get();
    hosts_.push_back(std::move(fresh));
    host_index_[name] = host;
    if (is_localhost_name(name) && defined_localhost_ == nullptr) defined_localhost_ = host;  // first one wins
  }
  if (!group.empty()) {
    Group& g = add_group(group);
    if (std::find(g.hosts.begin(), g.hosts.end(), name) == g.hosts.end()) g.hosts.push_back(name);
    if (std::find(host->groups.begin(), host->groups.end(), group) == host->groups.end()) host->groups.push_back(group);
  }
  return *host;
}

void Inventory::add_child(const std::string& parent, const std::string& child, const SourceLoc& where) {
  Group& p = add_group(parent);
  Group& c = add_group(child);
  if (std::find(p.children.begin(), p.children.end(), child) != p.children.end()) return;
  // A cycle would make depth and membership infinite: refuse when parent already descends from child.
  std::vector<const Group*> todo{&c};
  std::set<std::string> seen;
  while (!todo.empty()) {
    const Group* g = todo.back();
    todo.pop_back();
    if (g->name == parent) {
      throw Error(fmt::format("adding group '{}' as a child of '{}' creates a dependency loop", child, parent), where);
    }
    if (!seen.insert(g->name).second) continue;
    for (const auto& name : g->children) todo.push_back(group_index_.at(name));
  }
  p.children.push_back(child);
  c.parents.push_back(parent);
}

void Inventory::set_group_var(const std::string& group, const std::string& key, Value value) {
  Group& g = add_group(group);
  if (key == "ansible_group_priority") {
    // Ansible reads the priority with int(); a value that is not a number is an inventory error.
    if (value.is_number_integer()) {
      g.priority = value.get<int>();
    } else if (value.is_string()) {
      try {
        g.priority = std::stoi(value.get<std::string>());
      } catch (const std::exception&) {
        throw Error(fmt::format("ansible_group_priority of group '{}' must be an integer, got '{}'", group,
                                to_plain_string(value)));
      }
    }
  }
  g.vars[key] = std::move(value);
}

void Inventory::set_host_var(const std::string& host, const std::string& key, Value value) {
  auto it = host_index_.find(host);
  assert(it != host_index_.end() && "set_host_var on a host that was never added");
  it->second->vars[key] = std::move(value);
}

void Inventory::reconcile() {
  Group& all = *group_index_.at("all");
  for (auto& group : groups_) {
    if (group->name != "all" && group->parents.empty()) add_child("all", group->name, {});
  }
  Group& ungrouped = *group_index_.at("ungrouped");
  for (auto& host : hosts_) {
    bool elsewhere = false;
    for (const Group* g : ancestors_and_groups(*host)) {
      if (g->name != "all" && g->name != "ungrouped") elsewhere = true;
    }
    auto in_ungrouped = std::find(host->groups.begin(), host->groups.end(), "ungrouped");
    if (in_ungrouped != host->groups.end()) {
      if (elsewhere) {
        host->groups.erase(in_ungrouped);
        ungrouped.hosts.erase(std::find(ungrouped.hosts.begin(), ungrouped.hosts.end(), host->name));
      }
    } else if (!elsewhere) {
      add_host(host->name, "ungrouped", "");
    }
  }
  // Depth is the longest path from all; the graph is acyclic (add_child refuses loops).
  std::map<std::string, int> depth;
  std::vector<std::string> order{all.name};
  depth[all.name] = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Group& g = *group_index_.at(order[i]);
    for (const auto& child : g.children) {
      int candidate = depth[g.name] + 1;
      if (!depth.count(child) || depth[child] < candidate) {
        depth[child] = candidate;
        order.push_back(child);  // revisit so the larger depth reaches its descendants
      }
    }
  }
  for (auto& group : groups_) group->depth = depth.count(group->name) ? depth[group->name] : 0;
}

const Host* Inventory::implicit_localhost(std::string_view name) const {
  if (defined_localhost_ != nullptr) return defined_localhost_;
  std::lock_guard<std::mutex> lock(*localhost_mutex_);
  if (!implicit_localhost_) {
    auto host = std::make_unique<Host>();
    host->name = std::string(name);
    host->implicit = true;
    host->vars["ansible_connection"] = "local";
    implicit_localhost_ = std::move(host);
  }
  return implicit_localhost_.get();
}

const Host* Inventory::find_host(std::string_view name) const {
  if (auto it = host_index_.find(std::string(name)); it != host_index_.end()) return it->second;
  if (is_localhost_name(name)) return implicit_localhost(name);
  return nullptr;
}

const Group* Inventory::find_group(std::string_view name) const {
  auto it = group_index_.find(std::string(name));
  return it == group_index_.end() ? nullptr : it->second;
}

std::vector<const Host*> Inventory::hosts() const {
  std::vector<const Host*> out;
  for (const auto& h : hosts_) out.push_back(h.get());
  return out;
}

std::vector<const Group*> Inventory::groups_in_order() const {
  std::vector<const Group*> out;
  for (const auto& g : groups_) out.push_back(g.get());
  return out;
}

std::vector<const Host*> Inventory::hosts_of(const Group& group) const {
  // The group itself, then its descendants breadth first, children in definition order.
  std::vector<const Group*> walk{&group};
  std::set<std::string> seen_groups{group.name};
  for (std::size_t i = 0; i < walk.size(); ++i) {
    for (const auto& child : walk[i]->children) {
      if (seen_groups.insert(child).second) walk.push_back(group_index_.at(child));
    }
  }
  std::vector<const Host*> out;
  std::set<std::string> seen_hosts;
  for (const Group* g : walk) {
    for (const auto& name : g->hosts) {
      if (seen_hosts.insert(name).second) out.push_back(host_index_.at(name));
    }
  }
  return out;
}

Value Inventory::groups() const {
  Value out = Value::object();
  for (const auto& group : groups_) {
    Value names = Value::array();
    for (const Host* h : hosts_of(*group)) names.push_back(h->name);
    out[group->name] = std::move(names);
  }
  return out;
}

std::vector<const Group*> Inventory::ancestors_and_groups(const Host& host) const {
  std::vector<const Group*> out;
  std::set<std::string> seen;
  std::vector<std::string> todo(host.groups.begin(), host.groups.end());
  for (std::size_t i = 0; i < todo.size(); ++i) {
    if (!seen.insert(todo[i]).second) continue;
    const Group* g = group_index_.at(todo[i]);
    out.push_back(g);
    todo.insert(todo.end(), g->parents.begin(), g->parents.end());
  }
  return out;
}

std::vector<std::string> Inventory::group_names(std::string_view host) const {
  std::vector<std::string> names;
  const Host* h = find_host(host);
  if (h == nullptr) return names;
  for (const Group* g : ancestors_and_groups(*h)) {
    if (g->name != "all" && g->name != "ungrouped") names.push_back(g->name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Value Inventory::host_vars(std::string_view name) const {
  const Host* host = find_host(name);
  if (host == nullptr) {
    std::vector<std::string> known;
    for (const auto& h : hosts_) known.push_back(h->name);
    throw Error(fmt::format("unknown host '{}'{}", name, did_you_mean(name, known)));
  }
  // Groups apply from shallow to deep; at equal depth by priority, then by name (Ansible's sort_groups).
  std::vector<const Group*> groups;
  for (const Group* g : ancestors_and_groups(*host)) {
    if (g->name != "all") groups.push_back(g);
  }
  std::sort(groups.begin(), groups.end(), [](const Group* a, const Group* b) {
    return std::tie(a->depth, a->priority, a->name) < std::tie(b->depth, b->priority, b->name);
  });

  Value out = group_index_.at("all")->vars;
  for (const Group* g : groups) merge_replace(out, g->vars);
  auto merge_found = [&out](const Value* v) {
    if (v != nullptr) merge_replace(out, *v);
  };
  for (const auto& folder : inventory_vars_) merge_found(lookup(folder.group_vars, "all"));
  merge_found(lookup(playbook_vars_.group_vars, "all"));
  for (const auto& folder : inventory_vars_) {
    for (const Group* g : groups) merge_found(lookup(folder.group_vars, g->name));
  }
  for (const Group* g : groups) merge_found(lookup(playbook_vars_.group_vars, g->name));
  merge_replace(out, host->vars);
  for (const auto& folder : inventory_vars_) merge_found(lookup(folder.host_vars, host->name));
  merge_found(lookup(playbook_vars_.host_vars, host->name));
  return out;
}

}  // namespace prov::inv
