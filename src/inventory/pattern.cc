// Host patterns as Ansible evaluates them (inventory/manager.py): split into parts, plain parts first, then
// intersections (&), then exclusions (!); each part matches groups and hosts by glob or ~regex, optionally
// followed by a [n] or [x:y] subscript.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>

#include "provision/core/text.h"
#include "provision/inventory/inventory.h"
#include "provision/inventory/syntax.h"

namespace prov::inv {

namespace {

/// fnmatch as Python has it on POSIX: *, ?, [seq], [!seq]; case-sensitive; the whole name must match.
bool glob_match(std::string_view pattern, std::string_view name) {
  std::size_t p = 0, n = 0, star_p = std::string_view::npos, star_n = 0;
  auto match_class = [&](std::size_t at, char c, std::size_t& after) -> int {
    // Returns 1 on match, 0 on no match, -1 when '[' does not open a class (then it is literal).
    std::size_t i = at + 1;
    bool negate = i < pattern.size() && pattern[i] == '!';
    if (negate) ++i;
    std::size_t first = i;
    if (i < pattern.size() && pattern[i] == ']') ++i;  // a leading ']' is a member
    while (i < pattern.size() && pattern[i] != ']') ++i;
    if (i >= pattern.size()) return -1;
    bool hit = false;
    for (std::size_t k = first; k < i; ++k) {
      if (k + 2 < i && pattern[k + 1] == '-') {
        if (c >= pattern[k] && c <= pattern[k + 2]) hit = true;
        k += 2;
      } else if (pattern[k] == c) {
        hit = true;
      }
    }
    after = i + 1;
    return hit != negate ? 1 : 0;
  };
  while (n < name.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '*') {
        star_p = p++;
        star_n = n;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++n;
        continue;
      }
      if (pc == '[') {
        std::size_t after = 0;
        int r = match_class(p, name[n], after);
        if (r == 1) {
          p = after;
          ++n;
          continue;
        }
        if (r == -1 && name[n] == '[') {
          ++p;
          ++n;
          continue;
        }
      } else if (pc == name[n]) {
        ++p;
        ++n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

constexpr std::size_t kMaxRegexPattern = 1000;

/// Matches names by glob, or by regex (searched from the start, as Python's re.match) for "~..." patterns.
class NameMatcher {
 public:
  explicit NameMatcher(std::string_view expression) : expression_(expression) {
    if (!expression_.empty() && expression_[0] == '~') {
      // std::regex compiles and matches by recursion: a very long expression would run off the stack.
      if (expression_.size() > kMaxRegexPattern) {
        throw Error(fmt::format("invalid host list pattern '{}...': longer than {} characters",
                                expression_.substr(0, 40), kMaxRegexPattern));
      }
      try {
        regex_ = std::regex(expression_.substr(1));
        is_regex_ = true;
      } catch (const std::regex_error& e) {
        throw Error(fmt::format("invalid host list pattern '{}': {}", expression_, e.what()));
      }
    }
  }
  bool operator()(const std::string& name) const {
    if (is_regex_) return std::regex_search(name, regex_, std::regex_constants::match_continuous);
    return glob_match(expression_, name);
  }

 private:
  std::string expression_;
  std::regex regex_;
  bool is_regex_ = false;
};

struct Subscript {
  long start = 0;
  std::optional<long> end;  // unset: a single index
};

/// Splits "web[1]" or "web[0:2]" into the expression and its subscript; regexes never carry one.
std::pair<std::string, std::optional<Subscript>> split_subscript(const std::string& pattern) {
  // Only the bracketed tail goes through the regex: std::regex recurses per character, and a name may be long.
  static const std::regex subscript(R"((?:(-?[0-9]{1,18})|([0-9]{1,18})([:-])([0-9]{0,18})))");
  if (pattern.empty() || pattern[0] == '~' || pattern.back() != ']') return {pattern, {}};
  std::size_t open = pattern.rfind('[');
  if (open == std::string::npos || open == 0) return {pattern, {}};
  std::string inside = pattern.substr(open + 1, pattern.size() - open - 2);
  std::smatch m;
  if (inside.size() > 40 || !std::regex_match(inside, m, subscript)) return {pattern, {}};
  Subscript sub;
  if (m[1].matched) {
    sub.start = std::stol(m[1].str());
  } else {
    sub.start = std::stol(m[2].str());
    sub.end = m[4].str().empty() ? -1 : std::stol(m[4].str());
  }
  return {pattern.substr(0, open), sub};
}

std::vector<const Host*> apply_subscript(std::vector<const Host*> hosts, const Subscript& sub,
                                         const std::string& pattern) {
  long size = static_cast<long>(hosts.size());
  // Python truthiness: an end of 0 behaves like a single index, as in Ansible.
  if (sub.end && *sub.end != 0) {
    long end = *sub.end == -1 ? size - 1 : *sub.end;
    long first = std::min(sub.start, size);
    long last = std::clamp(end + 1, first, size);
    return {hosts.begin() + first, hosts.begin() + last};
  }
  long index = sub.start < 0 ? sub.start + size : sub.start;
  if (index < 0 || index >= size) throw Error(fmt::format("no hosts matched the subscripted pattern '{}'", pattern));
  return {hosts[static_cast<std::size_t>(index)]};
}

/// Plain parts first, then intersections, then exclusions; only & and ! parts means "all" first.
std::vector<std::string> order_patterns(const std::vector<std::string>& patterns) {
  std::vector<std::string> regular, intersect, exclude;
  for (const auto& p : patterns) {
    if (p.empty()) continue;
    if (p[0] == '!') {
      exclude.push_back(p);
    } else if (p[0] == '&') {
      intersect.push_back(p);
    } else {
      regular.push_back(p);
    }
  }
  if (regular.empty()) regular.push_back("all");
  regular.insert(regular.end(), intersect.begin(), intersect.end());
  regular.insert(regular.end(), exclude.begin(), exclude.end());
  return regular;
}

}  // namespace

std::vector<std::string> split_host_pattern(std::string_view pattern) {
  std::vector<std::string> parts;
  std::string text(pattern);
  if (text.find(',') != std::string::npos) {
    std::size_t start = 0;
    for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1) {
      parts.push_back(text.substr(start, comma - start));
    }
    parts.push_back(text.substr(start));
  } else if (parse_address(trim(text), true)) {
    parts.push_back(text);  // one host, maybe with a port, an IPv6 address or [x:y] ranges
  } else {
    // Words separated by blanks and colons, where a bracket group (a range such as [1:3]) may hold a colon.
    for (std::size_t i = 0; i < text.size();) {
      std::string word;
      while (i < text.size()) {
        char c = text[i];
        if (c == '[') {
          std::size_t close = text.find(']', i + 1);
          if (close == std::string::npos) break;
          word.append(text, i, close - i + 1);
          i = close + 1;
        } else if (std::isspace(static_cast<unsigned char>(c)) || c == ':' || c == ']') {
          break;
        } else {
          word += c;
          ++i;
        }
      }
      if (word.empty()) {
        ++i;
      } else {
        parts.push_back(std::move(word));
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& p : parts) {
    std::string t = trim(p);
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

std::vector<const Host*> Inventory::enumerate(std::string_view expression, std::vector<std::string>* unmatched) const {
  std::string expr(expression);
  NameMatcher matches(expr);
  std::vector<const Host*> results;
  bool matched_group = false;
  for (const auto& group : groups_) {
    if (!matches(group->name)) continue;
    matched_group = true;
    auto members = hosts_of(*group);
    results.insert(results.end(), members.begin(), members.end());
  }
  // Host names are tried when no group matched, and always for globs and regexes.
  bool wildcard = expr[0] == '~' || expr.find_first_of(".?*[") != std::string::npos;
  if (!matched_group || wildcard) {
    for (const auto& host : hosts_) {
      if (matches(host->name)) results.push_back(host.get());
    }
  }
  if (results.empty() && is_localhost_name(expr)) results.push_back(implicit_localhost(expr));
  if (results.empty() && !matched_group && expr != "all" && unmatched != nullptr) unmatched->push_back(expr);
  return results;
}

std::vector<const Host*> Inventory::match_one(std::string_view pattern, std::vector<std::string>* unmatched) const {
  std::string body(pattern);
  if (body[0] == '&' || body[0] == '!') body.erase(0, 1);
  if (body.empty()) return {};
  auto [expression, subscript] = split_subscript(body);
  auto hosts = enumerate(expression, unmatched);
  if (subscript) hosts = apply_subscript(std::move(hosts), *subscript, body);
  return hosts;
}

std::vector<const Host*> Inventory::match(const std::vector<std::string>& patterns,
                                          std::vector<std::string>* unmatched) const {
  std::vector<std::string> parts;
  for (const auto& p : patterns) {
    auto split = split_host_pattern(p);
    parts.insert(parts.end(), split.begin(), split.end());
  }
  return evaluate(parts, unmatched);
}

std::vector<const Host*> Inventory::evaluate(const std::vector<std::string>& parts,
                                             std::vector<std::string>* unmatched) const {
  std::vector<const Host*> hosts;
  for (const auto& part : order_patterns(parts)) {
    if (auto it = host_index_.find(part); it != host_index_.end()) {
      hosts.push_back(it->second);  // a plain host name needs no matching
      continue;
    }
    auto found = match_one(part, unmatched);
    if (part[0] == '!' || part[0] == '&') {
      std::set<const Host*> those(found.begin(), found.end());
      bool keep_members = part[0] == '&';
      std::erase_if(hosts, [&](const Host* h) { return those.count(h) != (keep_members ? 1u : 0u); });
    } else {
      std::set<const Host*> existing(hosts.begin(), hosts.end());
      for (const Host* h : found) {
        if (!existing.count(h)) hosts.push_back(h);
      }
    }
  }
  std::vector<const Host*> unique;
  std::set<const Host*> seen;
  for (const Host* h : hosts) {
    if (seen.insert(h).second) unique.push_back(h);
  }
  return unique;
}

std::vector<const Host*> Inventory::match(std::string_view pattern, std::vector<std::string>* unmatched) const {
  return match(std::vector<std::string>{std::string(pattern)}, unmatched);
}

std::vector<const Host*> Inventory::limit_hosts(std::string_view limit, std::vector<std::string>* unmatched) const {
  // "@file" parts of a limit name a file holding one pattern per line.
  std::vector<std::string> subset;
  for (const auto& part : split_host_pattern(limit)) {
    if (part[0] != '@') {
      subset.push_back(part);
      continue;
    }
    std::string path = part.substr(1);
    if (std::filesystem::is_directory(path)) {
      throw Error(fmt::format("limit starting with '@' must be a file, not a directory: {}", path));
    }
    std::ifstream in(path);
    if (!in) throw Error(fmt::format("unable to find limit file {}", path));
    for (std::string line; std::getline(in, line);) {
      std::string t = trim(line);
      if (!t.empty()) subset.push_back(t);
    }
  }
  return evaluate(subset, unmatched);
}

std::vector<const Host*> Inventory::select(const std::vector<std::string>& play_hosts, std::string_view limit,
                                           std::vector<std::string>* unmatched) const {
  auto hosts = match(play_hosts, unmatched);
  if (trim(limit).empty()) return hosts;
  auto allowed_list = limit_hosts(limit, nullptr);
  std::set<const Host*> allowed(allowed_list.begin(), allowed_list.end());
  std::erase_if(hosts, [&](const Host* h) { return !allowed.count(h); });
  return hosts;
}

std::vector<const Host*> Inventory::limited(std::string_view limit, std::vector<std::string>* unmatched) const {
  std::vector<const Host*> hosts = this->hosts();
  if (trim(limit).empty()) return hosts;
  auto allowed_list = limit_hosts(limit, unmatched);
  std::set<const Host*> allowed(allowed_list.begin(), allowed_list.end());
  std::erase_if(hosts, [&](const Host* h) { return !allowed.count(h); });
  return hosts;
}

}  // namespace prov::inv
