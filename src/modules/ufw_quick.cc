#include "ufw_quick.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "provision/core/text.h"

namespace prov::mod::ufw {

namespace {

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// ufw's pattern for a setting line: ^\w+="?\w+"?
bool setting_line(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && word_char(line[i])) ++i;
  if (i == 0 || i >= line.size() || line[i] != '=') return false;
  ++i;
  if (i < line.size() && line[i] == '"') ++i;
  return i < line.size() && word_char(line[i]);
}

// Python's "%-Ns": padded with spaces to N characters (not bytes), never cut.
std::string pad(const std::string& s, size_t width) {
  size_t chars = 0;
  for (char c : s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return chars >= width ? s : s + std::string(width - chars, ' ');
}

std::string table_line(const std::string& to, const std::string& action, const std::string& from) {
  return pad(to, 26) + " " + pad(action, 12) + from;
}

bool any_address(const std::string& a) { return a == "0.0.0.0/0" || a == "::/0"; }

std::string app_name(const std::string& app) {
  if (app == "-") return "";
  std::string out = app;
  for (size_t at; (at = out.find("%20")) != std::string::npos;) out.replace(at, 3, " ");
  return out;
}

// One side of a rule in the table ("To" for dst, "From" for src), as ufw's get_status(verbose=True) writes it.
std::string location(const Tuple& t, bool v6, bool dst) {
  const std::string& addr = dst ? t.dst : t.src;
  const std::string& port = dst ? t.dport : t.sport;
  const std::string app = app_name(dst ? t.dapp : t.sapp);
  std::string out = any_address(addr) ? "" : addr;
  if (port != "any") {
    out = out.empty() ? port : out + " " + port;
    if (t.proto != "any") out += "/" + t.proto;
    if (!app.empty()) out += " (" + app + (v6 && addr == "::/0" ? " (v6)" : "") + ")";
  }
  if (port == "any") {
    if (any_address(addr)) {
      out = "Anywhere";
      if (t.proto != "any" && t.dst == t.src && t.dport == t.sport) out += "/" + t.proto;
      if (addr == "::/0") out += " (v6)";
    } else if (t.proto != "any" && t.dport == t.sport) {
      out += "/" + t.proto;
    }
  } else if (v6 && t.src == "::/0" && t.dst == "::/0" && out.find(" (v6)") == std::string::npos) {
    out += " (v6)";  // so that it does not read as the IPv4 rule again
  }
  // Route rules show the interfaces as packets cross the host; other rules as seen by the host itself.
  const std::string& iface =
      t.route ? (dst ? t.interface_out : t.interface_in) : (dst ? t.interface_in : t.interface_out);
  if (!iface.empty()) out += " on " + iface;
  return out;
}

std::string action_word(const std::string& action) {
  if (action == "allow" || action == "reject" || action == "limit") return action;
  return "deny";
}

std::string policy_word(const std::string& value) {
  if (value == "accept") return "allow";
  if (value == "reject") return "reject";
  return "deny";
}

}  // namespace

std::map<std::string, std::string> read_settings(const std::string& default_file, const std::string& ufw_conf) {
  std::map<std::string, std::string> out;
  for (const std::string* text : {&default_file, &ufw_conf}) {
    for (const std::string& line : split_lines(*text)) {
      if (!setting_line(line)) continue;
      std::string stripped = trim(line, " \t\r\n\v\f");
      size_t eq = stripped.find('=');
      size_t next = stripped.find('=', eq + 1);
      std::string value = stripped.substr(eq + 1, next == std::string::npos ? std::string::npos : next - eq - 1);
      out[lower(stripped.substr(0, eq))] = trim(lower(value), "\"'");
    }
  }
  return out;
}

std::optional<std::string> status_verbose(const StatusInputs& in) {
  auto setting = [&](const char* key) -> const std::string* {
    auto it = in.settings.find(key);
    return it == in.settings.end() ? nullptr : &it->second;
  };
  for (const char* key : {"default_input_policy", "default_output_policy", "default_forward_policy"}) {
    const std::string* p = setting(key);
    if (p == nullptr || (*p != "accept" && *p != "drop" && *p != "reject")) return std::nullopt;  // ufw refuses
  }
  if (setting("default_application_policy") == nullptr) return std::nullopt;
  if (!in.active) return std::string("Status: inactive\n");

  std::string in_rules, out_rules, routed;
  auto add = [&](const Tuple& t, bool v6) {
    std::string action = upper(action_word(t.action)) + " " + (t.route ? "FWD" : upper(t.direction));
    std::string line = table_line(location(t, v6, true), action, pad(location(t, v6, false), 26));
    if (!t.log.empty()) line += " (" + lower(t.log) + ")";
    if (!t.comment.empty()) line += " # " + t.comment;
    (t.route ? routed : t.direction == "out" ? out_rules : in_rules) += line + "\n";
  };
  for (const Tuple& t : in.v4) add(t, false);
  if (in.ipv6) {
    for (const Tuple& t : in.v6) add(t, true);
  }
  std::string table;
  if (!in_rules.empty() || !out_rules.empty() || !routed.empty()) {
    table = "\n\n" + table_line("To", "Action", "From") + "\n" + table_line("--", "------", "----") + "\n" + in_rules;
    if (!in_rules.empty() && !out_rules.empty()) table += "\n";
    table += out_rules;
    if (!in_rules.empty() && !routed.empty()) table += "\n";
    table += routed;
  }

  static const char* const kLevels[] = {"off", "low", "medium", "high", "full"};
  const std::string* level = setting("loglevel");
  std::string logging = "Logging: unknown";
  if (level != nullptr && std::find(std::begin(kLevels), std::end(kLevels), *level) != std::end(kLevels)) {
    logging = *level == "off" ? "Logging: off" : "Logging: on (" + *level + ")";
  }
  std::string routed_policy = in.forwarding ? policy_word(*setting("default_forward_policy")) : "disabled";
  const std::string& app = *setting("default_application_policy");
  std::string app_policy = app == "accept" ? "allow" : app == "drop" ? "deny" : app == "reject" ? "reject" : "skip";
  return "Status: active\n" + logging + "\nDefault: " + policy_word(*setting("default_input_policy")) +
         " (incoming), " + policy_word(*setting("default_output_policy")) + " (outgoing), " + routed_policy +
         " (routed)\nNew profiles: " + app_policy + table + "\n";
}

std::string quick_probe_script(const std::string& marker) {
  // Files are read by the shell's own read (no program started); only grep and iptables run. A ufw other than
  // Debian's package (/usr/sbin/ufw) may keep its files elsewhere: it is left to itself.
  return locate_script(marker) +
         "case $u in /usr/sbin/ufw | /sbin/ufw) ;; *) printf '\\n%s other\\n' \"$M\"; exit 0 ;; esac\n"
         "rd() { [ -r \"$1\" ] || return 0; while IFS= read -r l || [ -n \"$l\" ]; do printf '%s\\n' \"$l\"; done "
         "<\"$1\"; }\n"
         "printf '\\n%s default\\n' \"$M\"; rd /etc/default/ufw\n"
         "printf '\\n%s conf\\n' \"$M\"; rd /etc/ufw/ufw.conf\n"
         "printf '\\n%s forward\\n' \"$M\"\n"
         "for f in /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/default/forwarding "
         "/proc/sys/net/ipv6/conf/all/forwarding; do v=; [ -r \"$f\" ] && read -r v <\"$f\"; printf '%s\\n' \"$v\"; "
         "done\n"
         "[ -d /proc/sys/net/ipv6 ] && printf '\\n%s kernel-ipv6\\n' \"$M\"\n"
         "set --; for f in /lib/ufw/user.rules /lib/ufw/user6.rules /etc/ufw/user.rules /etc/ufw/user6.rules "
         "/var/lib/ufw/user.rules /var/lib/ufw/user6.rules; do [ -f \"$f\" ] && set -- \"$@\" \"$f\"; done\n"
         "printf '\\n%s tuples %s\\n' \"$M\" \"$*\"; [ $# -gt 0 ] && grep -H '^### tuple' \"$@\"\n"
         "t=/usr/sbin/iptables; [ -x \"$t\" ] || t=iptables\n"
         "printf '\\n%s chains4\\n' \"$M\"; \"$t\" -S 2>&1; r=$?; printf '\\n%s chains4-rc %s\\n' \"$M\" \"$r\"\n"
         "t=/usr/sbin/ip6tables; [ -x \"$t\" ] || t=ip6tables\n"
         "if [ -d /proc/sys/net/ipv6 ]; then printf '\\n%s chains6\\n' \"$M\"; \"$t\" -S 2>&1; r=$?; "
         "printf '\\n%s chains6-rc %s\\n' \"$M\" \"$r\"; fi\n"
         "printf '\\n%s end\\n' \"$M\"\n";
}

std::optional<State> parse_quick_probe(const std::string& out, const std::string& marker) {
  State st;
  std::string default_file, conf, files, chains4, chains6;
  std::vector<std::string> forward, tuple_lines;
  int rc4 = -1, rc6 = -1;
  bool ended = false, kernel_ipv6 = false;
  for (const Part& p : split_parts(out, marker)) {
    if (p.name == "missing" || p.name == "other") return std::nullopt;
    if (p.name == "end") ended = true;
    if (p.name == "path") st.path = trim(p.body, "\n");
    if (p.name == "bin") {
      std::vector<std::string> lines = split_lines(p.body);
      if (!lines.empty()) st.bin = lines[0];
      if (lines.size() > 1) st.grep = lines[1];
    }
    if (p.name == "default") default_file = p.body;
    if (p.name == "conf") conf = p.body;
    if (p.name == "forward") forward = split_lines(p.body);
    if (p.name == "kernel-ipv6") kernel_ipv6 = true;
    if (p.name == "tuples") {
      files = p.arg;
      tuple_lines = split_lines(p.body);
    }
    if (p.name == "chains4") chains4 = p.body;
    if (p.name == "chains4-rc") rc4 = std::atoi(p.arg.c_str());
    if (p.name == "chains6") chains6 = p.body;
    if (p.name == "chains6-rc") rc6 = std::atoi(p.arg.c_str());
  }
  if (!ended || st.bin.empty() || rc4 != 0) return std::nullopt;

  StatusInputs in;
  in.settings = read_settings(default_file, conf);
  in.ipv6 = kernel_ipv6 && in.settings.count("ipv6") && in.settings.at("ipv6") == "yes";
  // Debian's ufw keeps its rules in /etc/ufw; rules files anywhere else belong to another build.
  const std::string kV4 = "/etc/ufw/user.rules", kV6 = "/etc/ufw/user6.rules";
  if (files != kV4 + " " + kV6 && !(files == kV4 && !in.ipv6)) return std::nullopt;
  for (const std::string& line : tuple_lines) {
    size_t colon = line.find(":### tuple");
    if (colon == std::string::npos) return std::nullopt;
    std::optional<Tuple> t = parse_tuple(line.substr(colon + 1));
    if (!t) return std::nullopt;
    (line.compare(0, colon, kV6) == 0 ? in.v6 : in.v4).push_back(*t);
  }

  // As ufw: the firewall is active when the chains of all three directions are loaded, and an IPv6 side that is
  // missing them is ufw's error to report.
  auto has_chain = [](const std::string& listing, const std::string& chain) {
    return ("\n" + listing).find("\n-N " + chain + "\n") != std::string::npos;
  };
  in.active = true;
  for (const char* direction : {"input", "output", "forward"}) {
    if (!has_chain(chains4, std::string("ufw-user-") + direction)) {
      in.active = false;
      break;
    }
    if (in.ipv6 && (rc6 != 0 || !has_chain(chains6, std::string("ufw6-user-") + direction))) return std::nullopt;
  }
  auto on = [&](size_t i) { return i < forward.size() && forward[i].find('1') != std::string::npos; };
  in.forwarding = on(0) || (in.ipv6 && (on(1) || on(2)));

  std::optional<std::string> text = status_verbose(in);
  if (!text) return std::nullopt;
  st.installed = true;
  st.status_text = *text;
  st.status = parse_status(st.status_text);
  st.config = parse_config(default_file, conf);
  st.v4 = std::move(in.v4);
  st.v6 = std::move(in.v6);
  st.ipv6 = in.ipv6;
  return st;
}

}  // namespace prov::mod::ufw
