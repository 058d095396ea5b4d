#pragma once
// Shared by the facts parser files only: the probe's output split into named sections, and small text helpers.
#include <map>
#include <string>
#include <vector>

#include "provision/core/text.h"
#include "provision/core/value.h"

namespace prov::facts::detail {

/// The address Ansible asks the IPv6 route to (`ip -6 route get`), as it asks 8.8.8.8 for IPv4.
inline constexpr const char* kIpv6Target = "2404:6800:400a:800::1012";

/// Section name -> raw text (trailing blank lines removed). A section absent from the map was not run at all
/// (its tool is missing); an empty one ran and printed nothing.
using Sections = std::map<std::string, std::string>;

Sections split_sections(const std::string& output);
/// Replaces the probe's ip_batch section by the ip_route_get, ip6_route_get, ip_route_default and ip_addr sections.
void split_ip_batch(Sections& sections);
/// The section's text, or "" when absent.
const std::string& section(const Sections& sections, const std::string& name);
std::vector<std::string> split_words(const std::string& line);
/// The first line of a section, trimmed.
std::string first_line(const Sections& sections, const std::string& name);

/// default_ipv4/6, all_ipv4/6_addresses, interfaces and one dict per interface, from ip, /proc and /sys output.
void add_network_facts(const Sections& sections, Value& facts);
/// distribution*, os_family, lsb, from os-release, release files and lsb_release.
void add_distribution_facts(const Sections& sections, Value& facts);
/// memory, processors, DMI, devices, mounts, uptime, lvm.
void add_hardware_facts(const Sections& sections, Value& facts);
/// apparmor, selinux, caps, cmdline, dns, fips, loadavg, ssh host keys, initiators, machine_id, is_chroot (after env).
void add_system_facts(const Sections& sections, Value& facts);
/// virtualization_* (after the hardware facts' cpuinfo and dmi sections are there to read).
void add_virtual_facts(const Sections& sections, Value& facts);
/// local: the fact_path files' JSON or INI content.
void add_local_facts(const Sections& sections, Value& facts, std::vector<std::string>* warnings);

}  // namespace prov::facts::detail
