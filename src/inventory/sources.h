#pragma once
// Readers of single inventory files; load_inventory (loader.cc) picks one per file.
#include <optional>
#include <string>
#include <vector>

#include "provision/inventory/inventory.h"

namespace prov::inv {

/// Reads an Ansible INI inventory file into `inventory`. Throws prov::Error with file:line:col.
void read_ini_inventory(const std::string& path, const std::string& text, Inventory& inventory);

/// Reads an Ansible YAML (or JSON) inventory file into `inventory`. Throws prov::Error with file:line:col.
void read_yaml_inventory(const std::string& path, Inventory& inventory);

/// Runs an executable inventory file as Ansible's script plugin does ("<file> --list" printing JSON). Returns
/// false, reading nothing, when the file is not executable or cannot be executed (then it is read as a file).
/// Throws prov::Error when the script fails or prints something that is not an inventory.
bool read_script_inventory(const std::string& path, Inventory& inventory);

/// Host names and port from one host entry ("web[01:03]:2222"), as both readers expand them.
/// Throws prov::Error (without location) for a malformed range.
struct HostEntry {
  std::vector<std::string> names;
  std::optional<int> port;
};
HostEntry expand_host_entry(const std::string& entry);

}  // namespace prov::inv
