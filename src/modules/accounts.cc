#include "accounts.h"

#include <algorithm>
#include <cstdlib>

#include "provision/core/text.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

std::optional<long long> number(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  return std::stoll(text);
}

}  // namespace

std::optional<PasswdEntry> parse_passwd_line(std::string_view line) {
  std::vector<std::string> f = split(line, ':');
  if (f.size() != 7) return std::nullopt;
  auto uid = number(f[2]);
  auto gid = number(f[3]);
  if (!uid || !gid) return std::nullopt;
  return PasswdEntry{f[0], f[1], *uid, *gid, f[4], f[5], f[6]};
}

std::optional<GroupEntry> parse_group_line(std::string_view line) {
  std::vector<std::string> f = split(line, ':');
  if (f.size() != 4) return std::nullopt;
  auto gid = number(f[2]);
  if (!gid) return std::nullopt;
  GroupEntry g{f[0], *gid, {}};
  if (!f[3].empty()) g.members = split(f[3], ',');
  return g;
}

const GroupEntry* find_group(const std::vector<GroupEntry>& groups, const std::string& name) {
  // As Python's grp: a number is tried as a gid first, then as a name.
  if (auto gid = number(name)) {
    for (const auto& g : groups) {
      if (g.gid == *gid) return &g;
    }
  }
  for (const auto& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

std::string group_lookup_command(const std::string& name) {
  return "getent group -- " + shell_quote(name) + "; [ $? -le 2 ]";
}

std::optional<GroupEntry> parse_group_lookup(const conn::CommandResult& read, const std::string& name) {
  if (read.rc != 0) throw Error("getent group failed: " + read.err.substr(0, read.err.find('\n')));
  std::string line = read.out.substr(0, read.out.find('\n'));
  if (line.empty()) return std::nullopt;
  std::optional<GroupEntry> g = parse_group_line(line);
  if (!g) throw Error("unexpected group entry: " + line);
  if (g->name != name) return std::nullopt;  // getent takes a number as a gid; Ansible looks up names only
  return g;
}

std::vector<std::string> memberships(const std::vector<GroupEntry>& groups, const std::string& user) {
  std::vector<std::string> out;
  for (const auto& g : groups) {
    if (std::find(g.members.begin(), g.members.end(), user) != g.members.end()) out.push_back(g.name);
  }
  return out;
}

// Programs cost milliseconds each on small hosts: getent runs for passwd, group and shadow, and the shell's own
// expansions and reads do the rest (the home is passwd's sixth field, the node name is the kernel's).
std::string user_probe_command(const UserProbeRequest& request) {
  std::string s = "n=" + shell_quote(request.name) + "\n";
  if (request.compare_password) s += "IFS= read -r w\n";
  s += "p=$(getent passwd -- \"$n\") && printf 'P %s\\n' \"$p\"\n"
       "getent group | while IFS= read -r g; do printf 'G %s\\n' \"$g\"; done\n"
       "u=; read -r u </proc/sys/kernel/hostname || u=$(uname -n); printf 'N %s\\n' \"$u\"\n"
       "c=; if [ -n \"$p\" ]; then c=$(getent shadow -- \"$n\"); c=${c#*:}; c=${c%%:*}; fi\n";
  if (request.compare_password) {
    // The hash is compared here, with the lock marks (leading !) dropped as Ansible does; only the verdict is
    // printed.
    s += "if [ -n \"$p\" ]; then x=$c\n"
         "while :; do case $x in '!'*) x=${x#?} ;; *) break ;; esac; done\n"
         "if [ \"$x\" = \"$w\" ]; then echo 'W same'; else echo 'W differs'; fi; fi\n";
  }
  s += "if [ -n \"$p\" ]; then case $c in '!'*) echo 'L 1' ;; *) echo 'L 0' ;; esac; fi\n";
  if (!request.home.empty()) {
    s += "h=" + shell_quote(request.home) + "\n";
  } else {
    s += "h=${p#*:*:*:*:*:}; h=${h%%:*}\n";
  }
  s += "if [ -n \"$h\" ] && [ -e \"$h\" ]; then echo 'H 1'; else echo 'H 0'; fi\n";
  if (!request.key_file.empty()) {
    if (request.key_file[0] == '/')
      s += "k=" + shell_quote(request.key_file) + "\n";
    else
      s += "k=\"$h\"/" + shell_quote(request.key_file) + "\n";
    s += "if [ -n \"$h\" ] && [ -e \"$k\" ]; then echo 'K 1'\n"
         "  f=$(ssh-keygen -l -f \"$k\" 2>&1 | head -n1) && printf 'F %s\\n' \"$f\"\n"
         "  [ -r \"$k.pub\" ] && printf 'B %s\\n' \"$(head -n1 \"$k.pub\")\"\n"
         "else echo 'K 0'; fi\n";
  }
  return s + "exit 0\n";
}

UserProbe parse_user_probe(const std::string& out) {
  UserProbe probe;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != ' ') throw Error("unexpected line in the user probe: " + line);
    std::string rest = line.substr(2);
    switch (line[0]) {
      case 'P': {
        probe.user = parse_passwd_line(rest);
        if (!probe.user) throw Error("unexpected passwd entry: " + rest);
        break;
      }
      case 'G': {
        // Entries getent cannot describe (a NIS "+" line) are skipped, as Python's grp skips them.
        if (auto g = parse_group_line(rest)) probe.groups.push_back(*g);
        break;
      }
      case 'N': probe.hostname = rest; break;
      case 'W': probe.password = rest; break;
      case 'L': probe.locked = rest == "1"; break;
      case 'H': probe.home_exists = rest == "1"; break;
      case 'K': probe.key_exists = rest == "1"; break;
      case 'F': probe.fingerprint = rest; break;
      case 'B': probe.public_key = rest; break;
      default: throw Error("unexpected line in the user probe: " + line);
    }
  }
  return probe;
}

}  // namespace prov::mod
