#include "ufw_state.h"

#include <cstdlib>

#include "provision/connection/connection.h"
#include "provision/core/error.h"
#include "provision/core/text.h"

namespace prov::mod::ufw {

namespace {

using conn::shell_quote;

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string hex_decode(std::string_view hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::string(hex);  // not ufw's encoding: keep the text as stored
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// ACCEPT/DROP/REJECT in /etc/default/ufw are allow/deny/reject in ufw's commands.
std::string policy_word(std::string value) {
  if (value == "ACCEPT") return "allow";
  if (value == "DROP") return "deny";
  if (value == "REJECT") return "reject";
  return value;
}

std::map<std::string, std::string> key_values(const std::string& text) {
  std::map<std::string, std::string> out;
  for (const std::string& raw : split_lines(text)) {
    std::string line = rtrim(raw);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[line.substr(0, eq)] = value;
  }
  return out;
}

constexpr const char* kRulesFiles[] = {"/lib/ufw/user.rules",  "/lib/ufw/user6.rules",    "/etc/ufw/user.rules",
                                       "/etc/ufw/user6.rules", "/var/lib/ufw/user.rules", "/var/lib/ufw/user6.rules"};

}  // namespace

std::optional<Tuple> parse_tuple(std::string_view line) {
  constexpr std::string_view kPrefix = "### tuple ###";
  if (!starts_with(line, kPrefix)) return std::nullopt;
  Tuple t;
  t.raw = rtrim(std::string(line));
  std::vector<std::string> words = split_words(line.substr(kPrefix.size()));
  if (!words.empty() && starts_with(words.back(), "comment=")) {
    t.comment = hex_decode(words.back().substr(8));
    words.pop_back();
  }
  if (words.size() != 7 && words.size() != 9) return std::nullopt;
  std::string action = words[0];
  if (starts_with(action, "route:")) {
    t.route = true;
    action = action.substr(6);
  }
  size_t underscore = action.find('_');
  if (underscore != std::string::npos) {
    t.log = action.substr(underscore + 1);
    action = action.substr(0, underscore);
  }
  t.action = action;
  t.proto = words[1];
  t.dport = words[2];
  t.dst = words[3];
  t.sport = words[4];
  t.src = words[5];
  if (words.size() == 9) {
    t.dapp = words[6];
    t.sapp = words[7];
  }
  // The direction word carries the interfaces: in, out_eth0, in_eth0!out_eth1 (routed rules).
  std::string dir = words.back();
  size_t start = 0;
  while (start <= dir.size()) {
    size_t bang = dir.find('!', start);
    std::string part = dir.substr(start, bang == std::string::npos ? std::string::npos : bang - start);
    size_t sep = part.find('_');
    std::string which = part.substr(0, sep);
    std::string iface = sep == std::string::npos ? "" : part.substr(sep + 1);
    if (t.direction.empty()) t.direction = which;
    if (which == "in") t.interface_in = iface;
    if (which == "out") t.interface_out = iface;
    if (bang == std::string::npos) break;
    start = bang + 1;
  }
  return t;
}

Status parse_status(const std::string& text) {
  Status s;
  bool table = false;
  for (const std::string& raw : split_lines(text)) {
    std::string line = rtrim(raw);
    if (table) {
      if (!line.empty()) s.rules.push_back(line);
      continue;
    }
    if (starts_with(line, "Status: ")) {
      s.active = line.substr(8) == "active";
    } else if (starts_with(line, "Logging: ")) {
      // "Logging: off" or "Logging: on (low)"
      std::string value = line.substr(9);
      size_t open = value.find('(');
      size_t close = value.find(')');
      if (value == "off")
        s.logging = "off";
      else if (open != std::string::npos && close != std::string::npos && close > open) {
        s.logging = value.substr(open + 1, close - open - 1);
      } else {
        s.logging = value;
      }
    } else if (starts_with(line, "Default: ")) {
      // "Default: deny (incoming), allow (outgoing), disabled (routed)"
      std::string rest = line.substr(9);
      size_t pos = 0;
      while (pos < rest.size()) {
        size_t comma = rest.find(',', pos);
        std::string item = rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        std::vector<std::string> words = split_words(item);
        if (words.size() == 2 && words[1].size() > 2 && words[1].front() == '(' && words[1].back() == ')') {
          s.defaults[words[1].substr(1, words[1].size() - 2)] = words[0];
        }
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    } else if (starts_with(line, "--")) {
      table = true;
    }
  }
  return s;
}

Config parse_config(const std::string& default_file, const std::string& ufw_conf) {
  Config c;
  auto defaults = key_values(default_file);
  const std::pair<const char*, const char*> kPolicies[] = {{"DEFAULT_INPUT_POLICY", "incoming"},
                                                           {"DEFAULT_OUTPUT_POLICY", "outgoing"},
                                                           {"DEFAULT_FORWARD_POLICY", "routed"}};
  for (const auto& [key, direction] : kPolicies) {
    auto it = defaults.find(key);
    if (it != defaults.end()) c.policy[direction] = policy_word(it->second);
  }
  auto conf = key_values(ufw_conf);
  c.loglevel = conf.count("LOGLEVEL") ? conf["LOGLEVEL"] : "";
  c.enabled = conf.count("ENABLED") && conf["ENABLED"] == "yes";
  return c;
}

std::string State::snapshot() const {
  std::string s = status_text + "\n--\n";
  for (const auto& t : v4) s += t.raw + "\n";
  s += "--\n";
  for (const auto& t : v6) s += t.raw + "\n";
  s += "--\n";
  for (const auto& [direction, policy] : config.policy) s += direction + "=" + policy + "\n";
  s += "log=" + config.loglevel + (config.enabled ? " enabled" : " disabled") + "\n";
  return s;
}

std::string state_part_script() {
  std::string files;
  for (const char* f : kRulesFiles) files += std::string(" ") + f;
  // Each part starts on a new line, so a part whose output lacks its last newline still ends before the marker.
  return "printf '\\n%s status\\n' \"$M\"; \"$u\" status verbose 2>&1; r=$?; printf '\\n%s status-rc %s\\n' \"$M\" "
         "\"$r\"\n"
         "printf '\\n%s default\\n' \"$M\"; cat /etc/default/ufw 2>/dev/null\n"
         "printf '\\n%s conf\\n' \"$M\"; cat /etc/ufw/ufw.conf 2>/dev/null\n"
         "for f in" +
         files +
         "; do if [ -f \"$f\" ]; then printf '\\n%s file %s\\n' \"$M\" \"$f\"; grep '^### tuple' \"$f\"; fi; done\n";
}

std::string locate_script(const std::string& marker) {
  return "LC_ALL=C; LANG=C; export LC_ALL LANG; M=" + shell_quote(marker) + "\n" +
         "u=$(command -v ufw 2>/dev/null)\n"
         "if [ -z \"$u\" ]; then for d in /usr/sbin /sbin /usr/local/sbin; do "
         "if [ -x \"$d/ufw\" ]; then u=$d/ufw; break; fi; done; fi\n"
         "printf '%s path\\n%s\\n' \"$M\" \"$PATH\"\n"
         "if [ -z \"$u\" ]; then printf '\\n%s missing\\n' \"$M\"; exit 0; fi\n"
         "printf '\\n%s bin\\n%s\\n%s\\n' \"$M\" \"$u\" \"$(command -v grep)\"\n";
}

std::string probe_script(const std::string& marker, const std::vector<std::string>& dry_run_args) {
  std::string s = locate_script(marker);
  s += state_part_script();
  if (!dry_run_args.empty()) {
    // ufw's dry run writes the rules to a temporary file and removes it; in /dev/shm (memory) that leaves no
    // trace on the disk, not even /tmp's modification time.
    s += "t=${TMPDIR:-/tmp}; if [ -d /dev/shm ] && [ -w /dev/shm ]; then t=/dev/shm; fi\n";
    s += "printf '\\n%s dry\\n' \"$M\"; TMPDIR=$t \"$u\" --dry-run";
    for (const auto& a : dry_run_args) s += " " + shell_quote(a);
    s += " 2>&1; r=$?; printf '\\n%s dry-rc %s\\n' \"$M\" \"$r\"\n";
  }
  s += "printf '\\n%s end\\n' \"$M\"\n";
  return s;
}

std::vector<Part> split_parts(const std::string& out, const std::string& marker) {
  // Each part starts after a line "<marker> <name> [arg]" that follows a newline (or opens the text).
  std::vector<Part> parts;
  const std::string head = marker + " ";
  size_t pos = starts_with(out, head) ? 0 : out.find("\n" + head);
  if (pos == std::string::npos) return parts;
  if (pos != 0) ++pos;
  while (pos != std::string::npos && pos < out.size()) {
    size_t eol = out.find('\n', pos);
    std::string line =
        out.substr(pos + head.size(), eol == std::string::npos ? std::string::npos : eol - pos - head.size());
    size_t space = line.find(' ');
    Part p{line.substr(0, space), space == std::string::npos ? "" : line.substr(space + 1), ""};
    size_t body_start = eol == std::string::npos ? out.size() : eol + 1;
    size_t next = out.find("\n" + head, body_start);
    p.body = out.substr(body_start, next == std::string::npos ? std::string::npos : next - body_start);
    parts.push_back(std::move(p));
    pos = next == std::string::npos ? next : next + 1;
  }
  return parts;
}

State parse_probe(const std::string& out, const std::string& marker) {
  State st;
  std::vector<Part> parts = split_parts(out, marker);
  if (parts.empty()) throw Error("cannot read ufw's state: unexpected probe output");
  bool ended = false, missing = false;
  for (const Part& p : parts) {
    if (p.name == "end") {
      ended = true;
    } else if (p.name == "path") {
      st.path = rtrim(p.body);
    } else if (p.name == "missing") {
      missing = true;
    } else if (p.name == "bin") {
      std::vector<std::string> lines = split_lines(p.body);
      if (!lines.empty()) st.bin = lines[0];
      if (lines.size() > 1) st.grep = lines[1];
    } else if (p.name == "status") {
      st.status_text = p.body;
    } else if (p.name == "status-rc") {
      st.status_rc = std::atoi(p.arg.c_str());
    } else if (p.name == "default") {
      st.config = parse_config(p.body, "");
    } else if (p.name == "conf") {
      Config conf = parse_config("", p.body);
      st.config.loglevel = conf.loglevel;
      st.config.enabled = conf.enabled;
    } else if (p.name == "file") {
      bool six = p.arg.find("user6") != std::string::npos;
      for (const std::string& line : split_lines(p.body)) {
        if (auto t = parse_tuple(line)) (six ? st.v6 : st.v4).push_back(*t);
      }
    } else if (p.name == "dry") {
      st.dry_ran = true;
      st.dry_out = p.body;
    } else if (p.name == "dry-rc") {
      st.dry_rc = std::atoi(p.arg.c_str());
    }
  }
  if (missing) return st;
  if (!ended || st.bin.empty()) throw Error("cannot read ufw's state: unexpected probe output");
  st.installed = true;
  st.status = parse_status(st.status_text);
  return st;
}

DryRun parse_dry_run(const std::string& out) {
  DryRun d;
  bool in_block = false, six = false;
  std::vector<std::string> tuples;
  for (const std::string& raw : split_lines(out)) {
    std::string line = rtrim(raw);
    if (line == "*filter") {
      in_block = true;
      six = false;
      tuples.clear();
    } else if (in_block && line == "COMMIT") {
      in_block = false;
      (six ? d.writes_v6 : d.writes_v4) = true;
      (six ? d.v6 : d.v4) = tuples;
    } else if (in_block) {
      if (line.find("ufw6-") != std::string::npos) six = true;
      if (auto t = parse_tuple(line)) tuples.push_back(t->raw);
    }
  }
  return d;
}

bool dry_run_changes(const DryRun& dry, const State& state) {
  auto differs = [](const std::vector<std::string>& wanted, const std::vector<Tuple>& now) {
    if (wanted.size() != now.size()) return true;
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (wanted[i] != now[i].raw) return true;
    }
    return false;
  };
  return (dry.writes_v4 && differs(dry.v4, state.v4)) || (dry.writes_v6 && differs(dry.v6, state.v6));
}

State fresh_install_state() {
  State st;
  st.installed = true;
  st.bin = "/usr/sbin/ufw";
  st.grep = "/usr/bin/grep";
  st.status_text = "Status: inactive\n";
  st.status = parse_status(st.status_text);
  st.config.policy = {{"incoming", "deny"}, {"outgoing", "allow"}, {"routed", "deny"}};
  st.config.loglevel = "low";
  return st;
}

}  // namespace prov::mod::ufw
