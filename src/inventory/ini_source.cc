// The INI inventory format (Ansible's ini inventory plugin): [group], [group:vars] and [group:children]
// sections; host lines with inline key=value vars; hosts before any section are ungrouped.
#include <fmt/format.h>

#include <regex>

#include "provision/inventory/syntax.h"
#include "sources.h"

namespace prov::inv {

HostEntry expand_host_entry(const std::string& entry) {
  HostEntry out;
  std::string pattern = entry;
  if (auto address = parse_address(entry, true)) {
    pattern = address->host;
    out.port = address->port;
  }
  if (has_host_range(pattern)) {
    try {
      out.names = expand_host_range(pattern);
    } catch (const Error& e) {
      throw Error(fmt::format("bad host range in '{}': {}", entry, e.message()));
    }
  } else {
    out.names.push_back(pattern);
  }
  return out;
}

namespace {

// The longest line read as a section header or a child group name (no real one comes near it).
constexpr std::size_t kMaxHeaderLine = 1024;

// A section that is declared (by [x:vars] or as a child) before the group itself is.
struct Pending {
  std::string name;
  std::string state;  // "vars" or "children"
  int line = 0;
  std::vector<std::string> parents;
};

class IniReader {
 public:
  IniReader(const std::string& path, Inventory& inventory) : path_(path), inv_(inventory) {}

  void read(const std::string& text) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      ++lineno_;
      read_line(line);
      start = end + 1;
    }
    for (const auto& p : pending_) {
      if (p.state == "vars") {
        throw Error(fmt::format("section [{}:vars] is for a group that is not defined: {}", p.name, p.name),
                    at(p.line, 1));
      }
      throw Error(fmt::format("section [{}:children] includes an undefined group: {}", p.parents.back(), p.name),
                  at(p.line, 1));
    }
  }

 private:
  std::string path_;
  Inventory& inv_;
  int lineno_ = 0;
  std::string group_ = "ungrouped";
  std::string state_ = "hosts";
  std::vector<Pending> pending_;

  SourceLoc at(int line, int column) const { return SourceLoc{path_, line, column}; }
  SourceLoc here(int column) const { return at(lineno_, column); }

  Pending* find_pending(const std::string& name) {
    for (auto& p : pending_) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }
  void erase_pending(const std::string& name) {
    std::erase_if(pending_, [&](const Pending& p) { return p.name == name; });
  }

  void read_line(const std::string& raw) {
    auto first = raw.find_first_not_of(" \t");
    if (first == std::string::npos) return;
    auto last = raw.find_last_not_of(" \t");
    std::string line = raw.substr(first, last - first + 1);
    int indent = static_cast<int>(first);
    if (line[0] == '#' || line[0] == ';') return;

    static const std::regex section(R"(^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$)");
    std::smatch m;
    // std::regex recurses per character: only a line of a sensible length can be a section header.
    if (line[0] == '[' && line.size() <= kMaxHeaderLine && std::regex_match(line, m, section)) {
      start_section(m[1].str(), m[2].matched ? m[2].str() : "hosts", indent + static_cast<int>(m.position(2)) + 1);
      return;
    }
    if (line.front() == '[' && line.back() == ']') {
      throw Error(fmt::format("invalid section header '{}'", line), here(indent + 1),
                  "a section header is [group], [group:vars] or [group:children], with no spaces");
    }
    // A host line may start with '[' only for a bracketed IPv6 address ([::1]:22), which has its ']'.
    if (line.front() == '[' && line.find(']') == std::string::npos) {
      std::size_t name_end = std::min(line.find_first_of(" \t#"), line.size());
      throw Error(fmt::format("expected ']' to close the section header '{}'", line.substr(0, name_end)),
                  here(indent + static_cast<int>(name_end) + 1),
                  "a section header is [group], [group:vars] or [group:children], with no spaces");
    }
    if (state_ == "hosts") {
      read_host_line(line, indent);
    } else if (state_ == "vars") {
      read_var_line(line, indent);
    } else {
      read_child_line(line, indent);
    }
  }

  void start_section(const std::string& name, const std::string& kind, int kind_column) {
    if (kind != "hosts" && kind != "vars" && kind != "children") {
      throw Error(fmt::format("section [{}:{}] has unknown type '{}'{}", name, kind, kind,
                              did_you_mean(kind, {"vars", "children", "hosts"})),
                  here(kind_column));
    }
    group_ = name;
    state_ = kind;
    if (!inv_.find_group(name)) {
      if (kind == "vars" && !find_pending(name)) pending_.push_back(Pending{name, "vars", lineno_, {}});
      inv_.add_group(name);
    }
    Pending* p = find_pending(name);
    if (p != nullptr && kind != "vars") {
      if (p->state == "children") {
        add_pending_children(name);
      } else {
        erase_pending(name);
      }
    }
  }

  // Children named before their own section become real once the section appears, transitively.
  void add_pending_children(const std::string& name) {
    Pending* p = find_pending(name);
    std::vector<std::string> parents = p->parents;
    int line = p->line;
    erase_pending(name);
    for (const auto& parent : parents) {
      inv_.add_child(parent, name, at(line, 1));
      Pending* up = find_pending(parent);
      if (up != nullptr && up->state == "children") add_pending_children(parent);
    }
  }

  void read_host_line(const std::string& line, int indent) {
    std::vector<Word> words;
    try {
      words = split_words(line);
    } catch (const Error& e) {
      throw Error(fmt::format("error parsing host definition '{}': {}", line, e.message()), here(indent + 1));
    }
    if (words.empty()) return;  // only a comment
    const Word& entry = words[0];
    if (entry.text.empty()) throw Error("invalid host pattern '': a host name cannot be empty", here(indent + 1));
    HostEntry hosts;
    try {
      hosts = expand_host_entry(entry.text);
    } catch (const Error& e) {
      throw Error(e.message(), here(indent + entry.column));
    }
    if (entry.text.back() == ':' && !hosts.port) {
      throw Error(fmt::format("invalid host pattern '{}': a trailing ':' is reserved for a port", entry.text),
                  here(indent + entry.column));
    }
    for (const auto& name : hosts.names) {
      if (name == "---") {
        throw Error(fmt::format("invalid host pattern '{}': '---' is normally a sign this is a YAML file", name),
                    here(indent + entry.column), "YAML inventories need a .yml, .yaml or .json extension");
      }
    }
    std::vector<std::pair<std::string, Value>> vars;
    for (std::size_t i = 1; i < words.size(); ++i) {
      auto eq = words[i].text.find('=');
      if (eq == std::string::npos) {
        throw Error(fmt::format("expected key=value host variable assignment, got: {}", words[i].text),
                    here(indent + words[i].column));
      }
      vars.emplace_back(words[i].text.substr(0, eq), parse_ini_value(words[i].text.substr(eq + 1)));
    }
    for (const auto& name : hosts.names) {
      inv_.add_host(name, group_, path_, hosts.port);
      for (const auto& [key, value] : vars) inv_.set_host_var(name, key, value);
    }
  }

  void read_var_line(const std::string& line, int indent) {
    auto eq = line.find('=');
    if (eq == std::string::npos) {
      throw Error(fmt::format("expected key=value, got: {}", line), here(indent + 1),
                  fmt::format("[{}:vars] holds one variable assignment per line", group_));
    }
    auto strip = [](std::string s) {
      auto b = s.find_first_not_of(" \t");
      if (b == std::string::npos) return std::string();
      return s.substr(b, s.find_last_not_of(" \t") - b + 1);
    };
    // Ansible 2.14 reads these with literal_eval too (its docs say they stay strings, its code does not).
    inv_.set_group_var(group_, strip(line.substr(0, eq)), parse_ini_value(strip(line.substr(eq + 1))));
  }

  void read_child_line(const std::string& line, int indent) {
    static const std::regex group_name(R"(^([^:\]\s]+)\s*(?:#.*)?$)");
    std::smatch m;
    if (line.size() > kMaxHeaderLine || !std::regex_match(line, m, group_name)) {
      throw Error(fmt::format("expected a group name, got: {}", line), here(indent + 1),
                  fmt::format("[{}:children] lists one group name per line", group_));
    }
    std::string child = m[1].str();
    if (inv_.find_group(child)) {
      inv_.add_child(group_, child, here(indent + 1));
      return;
    }
    if (Pending* p = find_pending(child)) {
      p->parents.push_back(group_);
    } else {
      pending_.push_back(Pending{child, "children", lineno_, {group_}});
    }
  }
};

}  // namespace

void read_ini_inventory(const std::string& path, const std::string& text, Inventory& inventory) {
  IniReader(path, inventory).read(text);
}

}  // namespace prov::inv
