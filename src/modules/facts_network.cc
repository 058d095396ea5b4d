// Network facts: the default IPv4 route (from `ip -4 route get`, then `ip -4 route show default`, then
// /proc/net/route when ip is missing), addresses per interface (from `ip -4 -o addr`, or /proc/net/fib_trie),
// and link details from /sys/class/net.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "facts_internal.h"

namespace prov::facts::detail {

namespace {

struct Address {
  std::string device;
  std::string label;  // ip's alias, e.g. eth0:1
  std::string address;
  std::string broadcast;
  int prefix = 32;
  bool secondary = false;
};

struct Address6 {
  std::string device, address, prefix, scope;
};

struct Link {
  std::string name;
  std::string macaddress;
  long long mtu = 0;
  std::string type;
  bool active = false;
  std::optional<bool> promisc;
};

std::optional<std::uint32_t> parse_ipv4(const std::string& text) {
  std::uint32_t value = 0;
  int parts = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t end = text.find('.', pos);
    std::string part = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    int n = std::stoi(part);
    if (n > 255 || ++parts > 4) return std::nullopt;
    value = (value << 8) | static_cast<std::uint32_t>(n);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  if (parts != 4) return std::nullopt;
  return value;
}

std::string format_ipv4(std::uint32_t value) {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 255) + "." +
         std::to_string((value >> 8) & 255) + "." + std::to_string(value & 255);
}

std::uint32_t prefix_mask(int prefix) {
  return prefix <= 0 ? 0 : (prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1));
}

// /proc/net/route prints addresses as the host-order hex of a network-order word: 010200C0 is 192.0.2.1 on
// little-endian hosts. Reading the bytes right to left gives the dotted form on those (nearly all) machines.
std::optional<std::uint32_t> parse_proc_hex(const std::string& hex) {
  if (hex.size() != 8 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return std::nullopt;
  std::uint32_t raw = static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16));
  return ((raw & 0xff) << 24) | ((raw & 0xff00) << 8) | ((raw >> 8) & 0xff00) | (raw >> 24);
}

std::vector<Address> parse_ip_addr(const std::string& text) {
  std::vector<Address> addresses;
  for (const auto& line : split_lines(text)) {
    auto words = split_words(line);
    // "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\       valid_lft ..."
    if (words.size() < 4 || words[2] != "inet") continue;
    Address a;
    a.device = words[1];
    auto slash = words[3].find('/');
    a.address = words[3].substr(0, slash);
    if (slash != std::string::npos) a.prefix = std::stoi(words[3].substr(slash + 1));
    a.label = a.device;
    for (std::size_t i = 4; i < words.size(); ++i) {
      if (words[i] == "brd" && i + 1 < words.size()) a.broadcast = words[i + 1];
      if (words[i] == "secondary") a.secondary = true;
      if (words[i].size() > 1 && words[i].back() == '\\') {
        a.label = words[i].substr(0, words[i].size() - 1);
        break;
      }
    }
    if (parse_ipv4(a.address)) addresses.push_back(a);
  }
  return addresses;
}

// "1: lo    inet6 ::1/128 scope host \       valid_lft ..." or, for a point-to-point address,
// "5: tun0    inet6 fd00::1 peer fd00::2/128 scope global \ ...".
std::vector<Address6> parse_ip6_addr(const std::string& text) {
  std::vector<Address6> addresses;
  for (const auto& line : split_lines(text)) {
    auto words = split_words(line);
    if (words.size() < 6 || words[2] != "inet6") continue;
    Address6 a;
    a.device = words[1];
    if (words[4] == "peer" && words.size() >= 8) {
      a.address = words[3];
      auto slash = words[5].find('/');
      a.prefix = slash == std::string::npos ? "" : words[5].substr(slash + 1);
      a.scope = words[7];
    } else {
      auto slash = words[3].find('/');
      a.address = words[3].substr(0, slash);
      a.prefix = slash == std::string::npos ? "" : words[3].substr(slash + 1);
      a.scope = words[5];
    }
    addresses.push_back(a);
  }
  return addresses;
}

struct ProcRoute {
  std::string iface;
  std::uint32_t destination = 0, gateway = 0, mask = 0;
  unsigned flags = 0;
};

std::vector<ProcRoute> parse_proc_routes(const std::string& text) {
  std::vector<ProcRoute> routes;
  for (const auto& line : split_lines(text)) {
    auto w = split_words(line);
    if (w.size() < 8 || w[0] == "Iface") continue;
    auto dest = parse_proc_hex(w[1]), gw = parse_proc_hex(w[2]), mask = parse_proc_hex(w[7]);
    if (!dest || !gw || !mask) continue;
    routes.push_back({w[0], *dest, *gw, *mask, static_cast<unsigned>(std::stoul(w[3], nullptr, 16))});
  }
  return routes;
}

// Without ip: local addresses are the "/32 host LOCAL" leaves of fib_trie; each belongs to the interface whose
// directly connected route (no gateway flag) contains it.
std::vector<Address> addresses_from_proc(const std::string& fib_trie, const std::vector<ProcRoute>& routes) {
  std::vector<Address> addresses;
  std::string last_ip;
  for (const auto& line : split_lines(fib_trie)) {
    auto w = split_words(line);
    if (w.size() >= 2 && (w[0] == "|--" || w[0] == "+--")) last_ip = w[1];
    if (w.size() >= 3 && w[0] == "/32" && w[1] == "host" && w[2] == "LOCAL" && !last_ip.empty()) {
      auto ip = parse_ipv4(last_ip);
      bool seen = false;
      for (const auto& a : addresses) seen = seen || a.address == last_ip;
      if (!ip || seen) continue;
      Address a;
      a.address = last_ip;
      if ((*ip >> 24) == 127) {
        a.device = a.label = "lo";
        a.prefix = 8;
      }
      for (const auto& r : routes) {
        if ((r.flags & 2u) == 0 && r.mask != 0 && (*ip & r.mask) == r.destination) {
          a.device = a.label = r.iface;
          a.prefix = __builtin_popcount(r.mask);
          a.broadcast = format_ipv4(r.destination | ~r.mask);
          break;
        }
      }
      if (!a.device.empty()) addresses.push_back(a);
    }
  }
  return addresses;
}

std::vector<Link> parse_links(const std::string& text) {
  std::vector<Link> links;
  for (const auto& line : split_lines(text)) {
    auto w = split_words(line);
    if (w.empty()) continue;
    Link l;
    l.name = w[0];
    if (w.size() > 1 && w[1] != "00:00:00:00:00:00") l.macaddress = w[1];
    if (w.size() > 2 && w[2].find_first_not_of("0123456789") == std::string::npos) l.mtu = std::stoll(w[2]);
    static const std::vector<std::pair<std::string, std::string>> types = {
        {"1", "ether"}, {"32", "infiniband"}, {"512", "ppp"}, {"772", "loopback"}, {"65534", "tunnel"}};
    l.type = "unknown";
    for (const auto& [code, name] : types) {
      if (w.size() > 3 && w[3] == code) l.type = name;
    }
    l.active = w.size() > 4 && w[4] != "down";
    if (w.size() > 5 && w[5].rfind("0x", 0) == 0) {
      l.promisc = (std::stoul(w[5].substr(2), nullptr, 16) & 0x100u) != 0;  // IFF_PROMISC
    }
    links.push_back(l);
  }
  return links;
}

Value ipv4_dict(const Address& a) {
  auto ip = parse_ipv4(a.address).value_or(0);
  std::uint32_t mask = prefix_mask(a.prefix);
  return Value{{"address", a.address},
               {"broadcast", a.broadcast},
               {"netmask", format_ipv4(mask)},
               {"network", format_ipv4(ip & mask)},
               {"prefix", std::to_string(a.prefix)}};
}

// The route's interface, source and gateway; each may stay empty.
struct DefaultRoute {
  std::string interface, address, gateway;
};

DefaultRoute find_default_route(const Sections& s, const std::vector<ProcRoute>& routes) {
  DefaultRoute route;
  auto words = split_words(first_line(s, "ip_route_get"));
  if (!words.empty() && words[0] == "8.8.8.8") {
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
      if (words[i] == "dev") route.interface = words[i + 1];
      if (words[i] == "src") route.address = words[i + 1];
      if (words[i] == "via" && words[i + 1] != "8.8.8.8") route.gateway = words[i + 1];
    }
    return route;
  }
  words = split_words(first_line(s, "ip_route_default"));
  if (!words.empty() && words[0] == "default") {
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
      if (words[i] == "dev") route.interface = words[i + 1];
      if (words[i] == "via") route.gateway = words[i + 1];
      if (words[i] == "src") route.address = words[i + 1];
    }
    return route;
  }
  if (s.count("ip_route_get") || s.count("ip_route_default")) return route;  // ip ran: no default route
  for (const auto& r : routes) {
    if (r.destination == 0 && r.mask == 0 && (r.flags & 1u)) {
      route.interface = r.iface;
      if (r.flags & 2u) route.gateway = format_ipv4(r.gateway);
      break;
    }
  }
  return route;
}

std::string fact_name(const std::string& device) {
  std::string name = device;
  for (char& c : name) {
    if (c == '-' || c == ':' || c == '.') c = '_';
  }
  return name;
}

}  // namespace

void add_network_facts(const Sections& s, Value& facts) {
  const auto routes = parse_proc_routes(section(s, "proc_net_route"));
  const bool have_ip = s.count("ip_addr") > 0;
  const auto addresses =
      have_ip ? parse_ip_addr(section(s, "ip_addr")) : addresses_from_proc(section(s, "fib_trie"), routes);
  const auto addresses6 = parse_ip6_addr(section(s, "ip_addr"));
  const auto links = parse_links(section(s, "netdev"));
  const DefaultRoute route = find_default_route(s, routes);
  // "name key value" lines: what only some interfaces have
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> extra;
  for (const auto& line : split_lines(section(s, "netdev_extra"))) {
    auto w = split_words(line);
    if (w.size() >= 2) {
      std::string value = w.size() > 2 ? trim(line.substr(line.find(w[1]) + w[1].size())) : "";
      extra[w[0]].emplace_back(w[1], value);
    }
  }

  // Ansible walks the interfaces and lists each one's primary addresses, then its secondary ones.
  Value all = Value::array(), all6 = Value::array();
  for (const auto& l : links) {
    for (bool secondary : {false, true}) {
      for (const auto& a : addresses) {
        if (a.device == l.name && a.secondary == secondary && a.address.rfind("127.", 0) != 0) all.push_back(a.address);
      }
    }
    for (const auto& a : addresses6) {
      if (a.device == l.name && a.address != "::1") all6.push_back(a.address);
    }
  }
  if (links.empty()) {
    for (const auto& a : addresses) {
      if (a.address.rfind("127.", 0) != 0) all.push_back(a.address);
    }
  }
  facts["all_ipv4_addresses"] = all;
  if (s.count("netdev_extra")) facts["all_ipv6_addresses"] = all6;

  Value interfaces = Value::array();
  for (const auto& l : links) {
    interfaces.push_back(l.name);
    Value dev = Value::object();
    dev["active"] = l.active;
    dev["device"] = l.name;
    bool primary_seen = false;
    for (const auto& a : addresses) {
      if (a.device != l.name) continue;
      // the first primary address is "ipv4"; further primary ones and the secondary ones are "ipv4_secondaries"
      if (!a.secondary && !primary_seen) {
        dev["ipv4"] = ipv4_dict(a);
        primary_seen = true;
      } else {
        if (!dev.contains("ipv4_secondaries")) dev["ipv4_secondaries"] = Value::array();
        dev["ipv4_secondaries"].push_back(ipv4_dict(a));
      }
    }
    for (const auto& a : addresses6) {
      if (a.device != l.name) continue;
      if (!dev.contains("ipv6")) dev["ipv6"] = Value::array();
      dev["ipv6"].push_back({{"address", a.address}, {"prefix", a.prefix}, {"scope", a.scope}});
    }
    if (!l.macaddress.empty()) dev["macaddress"] = l.macaddress;
    dev["mtu"] = l.mtu;
    if (l.promisc) dev["promisc"] = *l.promisc;
    dev["type"] = l.type;
    Value bridged = Value::array(), slaves = Value::array();
    for (const auto& [key, value] : extra[l.name]) {
      auto number = parse_int(value);
      if (key == "pciid" || key == "module" || key == "perm_macaddress") {
        dev[key] = value;
      } else if (key == "speed" && number) {
        dev["speed"] = *number;
      } else if (key == "bridge") {
        dev["type"] = "bridge";
        dev["interfaces"] = bridged;
      } else if (key == "brif") {
        dev["interfaces"].push_back(value);
      } else if (key == "bridge_id") {
        dev["id"] = value;
      } else if (key == "stp_state") {
        dev["stp"] = value == "1";
      } else if (key == "bond_slaves") {
        dev["type"] = "bonding";
        for (const auto& slave : split_words(value)) slaves.push_back(slave);
        dev["slaves"] = slaves;
      } else if (key == "bond_mode" || key == "bond_miimon" || key == "bond_lacp_rate") {
        auto words = split_words(value);
        dev[key.substr(5)] = words.empty() ? "" : words[0];
      } else if (key == "bond_primary" && !value.empty()) {
        dev["primary"] = value;
      } else if (key == "bond_all_slaves_active" && dev.contains("primary")) {
        dev["all_slaves_active"] = value == "1";
      }
    }
    facts[fact_name(l.name)] = dev;
  }
  facts["interfaces"] = interfaces;

  // Like Ansible: the route gives interface/address/gateway; the matching address adds its details. Without a
  // source address in the route, the interface's first address stands in.
  Value def = Value::object();
  if (!route.interface.empty()) {
    const Address* match = nullptr;
    for (const auto& a : addresses) {
      bool same = route.address.empty() ? a.device == route.interface : a.address == route.address;
      if (same) {
        match = &a;
        break;
      }
    }
    def["interface"] = route.interface;
    if (!route.address.empty()) def["address"] = route.address;
    if (!route.gateway.empty()) def["gateway"] = route.gateway;
    if (match) {
      const Value ipv4 = ipv4_dict(*match);
      for (const auto& item : ipv4.items()) def[item.key()] = item.value();
      def["alias"] = match->label;
      for (const auto& l : links) {
        if (l.name != match->device) continue;
        if (!l.macaddress.empty()) def["macaddress"] = l.macaddress;
        def["mtu"] = l.mtu;
        def["type"] = l.type;
      }
    }
  }
  facts["default_ipv4"] = def;

  if (!s.count("netdev_extra")) return;  // an older probe asked nothing about IPv6
  Value def6 = Value::object();
  auto words = split_words(first_line(s, "ip6_route_get"));
  if (!words.empty() && words[0] == kIpv6Target) {
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
      if (words[i] == "dev") def6["interface"] = words[i + 1];
      if (words[i] == "src") def6["address"] = words[i + 1];
      if (words[i] == "via" && words[i + 1] != kIpv6Target) def6["gateway"] = words[i + 1];
    }
  }
  if (def6.contains("address")) {
    for (const auto& a : addresses6) {
      if (a.address != def6["address"].get<std::string>()) continue;
      def6["prefix"] = a.prefix;
      def6["scope"] = a.scope;
      for (const auto& l : links) {
        if (l.name != a.device) continue;
        if (!l.macaddress.empty()) def6["macaddress"] = l.macaddress;
        def6["mtu"] = l.mtu;
        def6["type"] = l.type;
      }
    }
  }
  facts["default_ipv6"] = def6;
}

}  // namespace prov::facts::detail
