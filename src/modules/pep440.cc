#include "pep440.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

#include "provision/core/text.h"

namespace prov::mod::pep440 {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

long long number(const std::string& s) { return s.empty() ? 0 : std::stoll(s); }

// The sort key packaging uses, in pieces: a missing pre-release sorts after any (unless the version is only a
// dev release), a missing post-release before any, a missing dev release after any.
int pre_rank(const Version& v, long long& num) {
  num = v.pre_num;
  if (v.pre_kind < 0 && !v.post && v.dev) return -1;  // 1.0.dev0 comes before 1.0a0
  if (v.pre_kind < 0) return 3;
  return v.pre_kind;
}

template <typename T>
int cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_local(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return cmp(!a.empty(), !b.empty());
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    bool an = all_digits(a[i]), bn = all_digits(b[i]);
    if (an != bn) return an ? 1 : -1;  // a number sorts after a string
    int c = an ? cmp(std::stoll(a[i]), std::stoll(b[i])) : cmp(a[i], b[i]);
    if (c != 0) return c;
  }
  return cmp(a.size(), b.size());
}

}  // namespace

Version Version::public_version() const {
  Version v = *this;
  v.local.clear();
  return v;
}

Version Version::base_version() const {
  Version v;
  v.epoch = epoch;
  v.release = release;
  return v;
}

std::optional<Version> parse_version(const std::string& text) {
  static const std::regex re(R"(^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*))"
                             R"((?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?)"
                             R"((?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?)"
                             R"((?:[-_.]?(dev)[-_.]?(\d+)?)?)"
                             R"((?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$)",
                             std::regex::icase | std::regex::ECMAScript);
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  Version v;
  v.epoch = number(m[1].str());
  std::stringstream release(m[2].str());
  for (std::string part; std::getline(release, part, '.');) v.release.push_back(number(part));
  if (m[3].matched) {
    std::string kind = lower(m[3].str());
    v.pre_kind = kind[0] == 'a' ? 0 : kind[0] == 'b' ? 1 : 2;
    v.pre_num = number(m[4].str());
  }
  if (m[5].matched) v.post = number(m[5].str());
  if (m[6].matched) v.post = number(m[7].str());
  if (m[8].matched) v.dev = number(m[9].str());
  if (m[10].matched) {
    std::string local = lower(m[10].str());
    std::replace(local.begin(), local.end(), '-', '.');
    std::replace(local.begin(), local.end(), '_', '.');
    std::stringstream parts(local);
    for (std::string part; std::getline(parts, part, '.');) v.local.push_back(part);
  }
  return v;
}

int compare(const Version& a, const Version& b) {
  if (int c = cmp(a.epoch, b.epoch)) return c;
  // Trailing zeros do not count: 1.0 == 1.0.0.
  size_t n = std::max(a.release.size(), b.release.size());
  for (size_t i = 0; i < n; ++i) {
    long long x = i < a.release.size() ? a.release[i] : 0;
    long long y = i < b.release.size() ? b.release[i] : 0;
    if (int c = cmp(x, y)) return c;
  }
  long long an = 0, bn = 0;
  int ar = pre_rank(a, an), br = pre_rank(b, bn);
  if (int c = cmp(ar, br)) return c;
  if (ar >= 0 && ar < 3) {
    if (int c = cmp(an, bn)) return c;
  }
  if (int c = cmp(a.post.has_value(), b.post.has_value())) return c;
  if (a.post && b.post) {
    if (int c = cmp(*a.post, *b.post)) return c;
  }
  if (int c = cmp(!a.dev.has_value(), !b.dev.has_value())) return c;
  if (a.dev && b.dev) {
    if (int c = cmp(*a.dev, *b.dev)) return c;
  }
  return compare_local(a.local, b.local);
}

namespace {

// "==1.2.*": the candidate's release, padded with zeros, starts with the prefix's release (same epoch).
bool prefix_match(const Version& candidate, const Version& prefix) {
  if (candidate.epoch != prefix.epoch) return false;
  for (size_t i = 0; i < prefix.release.size(); ++i) {
    long long c = i < candidate.release.size() ? candidate.release[i] : 0;
    if (c != prefix.release[i]) return false;
  }
  if (prefix.pre_kind >= 0 || prefix.post || prefix.dev) {
    // A prefix with a suffix ("==1.0rc1.*") must match that suffix exactly, apart from what follows it.
    if (candidate.pre_kind != prefix.pre_kind || candidate.pre_num != prefix.pre_num) return false;
    if (prefix.post && candidate.post != prefix.post) return false;
    if (prefix.dev && candidate.dev != prefix.dev) return false;
  }
  return true;
}

bool equal_clause(const Version& v, const std::string& spec) {
  if (spec.size() > 2 && spec.compare(spec.size() - 2, 2, ".*") == 0) {
    auto prefix = parse_version(spec.substr(0, spec.size() - 2));
    return prefix && prefix_match(v.public_version(), *prefix);
  }
  auto want = parse_version(spec);
  if (!want) return false;
  // Without a local part in the clause, the candidate's local part is ignored.
  return compare(want->local.empty() ? v.public_version() : v, *want) == 0;
}

}  // namespace

bool satisfies(const std::string& version_text, const std::string& clause_text) {
  std::string clause = trim(clause_text);
  static const std::vector<std::string> ops = {"===", "~=", "==", "!=", "<=", ">=", "<", ">"};
  std::string op;
  for (const auto& candidate : ops) {
    if (clause.compare(0, candidate.size(), candidate) == 0) {
      op = candidate;
      break;
    }
  }
  if (op.empty()) return false;
  std::string spec = trim(clause.substr(op.size()));
  if (op == "===") return lower(trim(version_text)) == lower(spec);
  auto v = parse_version(version_text);
  if (!v) return false;
  if (op == "==") return equal_clause(*v, spec);
  if (op == "!=") return !equal_clause(*v, spec);
  auto s = parse_version(spec);
  if (!s || !s->local.empty()) return false;
  const Version pub = v->public_version();
  if (op == "<=") return compare(pub, *s) <= 0;
  if (op == ">=") return compare(pub, *s) >= 0;
  if (op == "<") {
    if (compare(*v, *s) >= 0) return false;
    // <1.0 does not take 1.0rc1: a pre-release of the very version named is not "less" in PEP 440's sense.
    return !(!s->is_prerelease() && v->is_prerelease() && compare(v->base_version(), s->base_version()) == 0);
  }
  if (op == ">") {
    if (compare(*v, *s) <= 0) return false;
    if (!s->is_postrelease() && v->is_postrelease() && compare(v->base_version(), s->base_version()) == 0) {
      return false;
    }
    return !(!v->local.empty() && compare(v->base_version(), s->base_version()) == 0);
  }
  // ~=X.Y.Z: >= X.Y.Z and == X.Y.*; a pre-release part counts as one more release part (~=1.4.5a4 -> ==1.4.5.*).
  if (s->release.size() < 2 && s->pre_kind < 0) return false;
  Version prefix = s->base_version();
  if (s->pre_kind < 0) prefix.release.pop_back();
  return compare(pub, *s) >= 0 && prefix_match(pub, prefix);
}

bool Requirement::satisfied_by(const std::string& version) const {
  if (!plain) return false;
  for (const auto& clause : specs) {
    if (!satisfies(version, clause)) return false;
  }
  return true;
}

std::string canonical_name(const std::string& name) {
  std::string out;
  bool sep = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out += '-';
    sep = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

Requirement parse_requirement(const std::string& text) {
  Requirement r;
  r.text = trim(text);
  std::string s = r.text;
  size_t semi = s.find(';');
  if (semi != std::string::npos) s = trim(s.substr(0, semi));  // environment markers are not evaluated
  static const std::regex re(R"(^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$)");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return r;
  std::string rest = trim(m[3].str());
  if (!rest.empty() && rest.front() == '(' && rest.back() == ')') rest = trim(rest.substr(1, rest.size() - 2));
  if (!rest.empty() && rest[0] == '@') return r;  // name @ url
  r.name = canonical_name(m[1].str());
  if (!rest.empty()) {
    std::stringstream parts(rest);
    for (std::string part; std::getline(parts, part, ',');) {
      part = trim(part);
      static const std::regex clause(R"(^(===|~=|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+$)");
      if (!std::regex_match(part, clause)) return r;
      r.specs.push_back(part);
    }
  }
  r.plain = true;
  return r;
}

std::vector<std::string> join_requirements(const std::vector<std::string>& names) {
  std::vector<std::string> pieces;
  for (const auto& item : names) {
    std::stringstream parts(item);
    std::string part;
    bool any = false;
    while (std::getline(parts, part, ',')) {
      pieces.push_back(part);
      any = true;
    }
    if (!any || (!item.empty() && item.back() == ',')) pieces.push_back("");
  }
  static const std::vector<std::string> ops = {">=", "<=", ">", "<", "==", "!=", "~="};
  auto is_name = [&](const std::string& piece) {
    std::string t = piece.substr(std::min(piece.find_first_not_of(" \t"), piece.size()));
    return std::none_of(ops.begin(), ops.end(),
                        [&](const std::string& op) { return t.compare(0, op.size(), op) == 0; });
  };
  std::vector<std::string> out;
  std::string current;
  bool started = false, in_brackets = false;
  for (const auto& piece : pieces) {
    if (is_name(piece) && !in_brackets) {
      if (started) out.push_back(current);
      current.clear();
      started = false;
    }
    if (piece.find('[') != std::string::npos) in_brackets = true;
    if (in_brackets && piece.find(']') != std::string::npos) in_brackets = false;
    current += (started ? "," : "") + piece;
    started = true;
  }
  out.push_back(current);
  return out;
}

std::map<std::string, std::string> parse_freeze(const std::string& out) {
  std::map<std::string, std::string> packages;
  std::stringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '-') continue;
    size_t eq = line.find("==");
    if (eq == std::string::npos || line.compare(eq, 3, "===") == 0) continue;
    packages[canonical_name(trim(line.substr(0, eq)))] = trim(line.substr(eq + 2));
  }
  return packages;
}

}  // namespace prov::mod::pep440
