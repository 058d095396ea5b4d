#include "provision/core/yaml.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "provision/core/utf8.h"

namespace prov::yaml {

namespace {

constexpr const char* kQuoteTemplateHint = "always quote template expression brackets when they start a value";

// The text of 0-based line `line`.
std::string_view line_of(std::string_view text, int line) {
  std::size_t start = 0;
  for (int n = 0; n < line && start != std::string_view::npos; ++n) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos || start > text.size()) return {};
  std::size_t end = text.find('\n', start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// A `{{` that starts a value (after `key:`, `- `, `[`, `,` or at the start of the line) without quotes.
bool starts_unquoted_template(std::string_view line) {
  for (std::size_t at = line.find("{{"); at != std::string_view::npos; at = line.find("{{", at + 2)) {
    std::size_t before = line.find_last_not_of(" \t", at == 0 ? 0 : at - 1);
    if (at == 0 || before == std::string_view::npos) return true;
    if (std::string_view(":-[,?").find(line[before]) != std::string_view::npos) return true;
  }
  return false;
}

// yaml-cpp names a tab in the indentation in several ways ("illegal block entry", "illegal map value"...), at
// varying columns: the tab itself is what the user has to fix.
Error parse_error(const YAML::Exception& e, const std::string& name, std::string_view text) {
  if (e.mark.is_null()) return Error(fmt::format("YAML syntax error: {}", e.msg), SourceLoc{name, 0, 0});
  std::string_view line = line_of(text, e.mark.line);
  std::size_t tab = line.substr(0, line.find_first_not_of(" \t")).find('\t');
  if (tab != std::string_view::npos) {
    return Error("a tab character in the indentation: YAML indents with spaces only",
                 SourceLoc{name, e.mark.line + 1, static_cast<int>(tab) + 1}, "replace the tab with spaces");
  }
  return Error(fmt::format("YAML syntax error: {}", e.msg), SourceLoc{name, e.mark.line + 1, e.mark.column + 1},
               starts_unquoted_template(line) ? kQuoteTemplateHint : "");
}

std::string without_underscores(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  return s;
}

// The longest plain scalar that is tried as a bool, int or float.
constexpr std::size_t kMaxNumberText = 256;

// YAML 1.1 as PyYAML resolves plain scalars (the resolver Ansible uses).
const std::regex& bool_re() {
  static const std::regex re("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  return re;
}
const std::regex& int_re() {
  static const std::regex re(
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  return re;
}
const std::regex& float_re() {
  static const std::regex re(
      "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|"
      "[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
  return re;
}

// Sexagesimal (base 60) numbers like 1:30 are YAML 1.1 too.
double sexagesimal(const std::string& text) {
  double value = 0;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ':')) value = value * 60 + std::stod(part);
  return value;
}

Value resolve_int(std::string text) {
  text = without_underscores(text);
  bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.erase(0, 1);
  std::int64_t value = 0;
  if (text.find(':') != std::string::npos) {
    double whole = sexagesimal(text);
    // Past 2^63 the conversion is undefined; stoll's out_of_range is what the caller handles for such integers.
    if (!(whole < 9223372036854775808.0)) throw std::out_of_range("sexagesimal integer");
    value = static_cast<std::int64_t>(whole);
  } else if (text.rfind("0b", 0) == 0) {
    value = std::stoll(text.substr(2), nullptr, 2);
  } else if (text.rfind("0x", 0) == 0) {
    value = std::stoll(text.substr(2), nullptr, 16);
  } else if (text.size() > 1 && text[0] == '0') {
    value = std::stoll(text, nullptr, 8);
  } else {
    value = std::stoll(text, nullptr, 10);
  }
  return negative ? -value : value;
}

Value resolve_float(std::string text) {
  text = without_underscores(text);
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.find(".nan") != std::string::npos) return std::numeric_limits<double>::quiet_NaN();
  if (lower.find(".inf") != std::string::npos)
    return lower[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (text.find(':') != std::string::npos) {
    bool negative = text[0] == '-';
    double v = sexagesimal(text[0] == '-' || text[0] == '+' ? text.substr(1) : text);
    return negative ? -v : v;
  }
  return std::stod(text);
}

// yaml-cpp writes the code point of a "\xA0", "\_" or "\N" escape below U+0100 as one byte, which is not UTF-8.
// The file itself is UTF-8 (load_string checks it), so each byte that is not part of UTF-8 here is such a code point.
std::string escapes_as_utf8(const std::string& text) {
  std::string out;
  std::string_view rest = text;
  for (size_t bad; (bad = invalid_utf8_at(rest)) != std::string_view::npos; rest.remove_prefix(bad + 1)) {
    out.append(rest.substr(0, bad));
    append_utf8(out, static_cast<unsigned char>(rest[bad]));
  }
  out.append(rest);
  return out;
}

Value tagged_scalar(const YAML::Node& node, const std::string& file) {
  const std::string& tag = node.Tag();
  const std::string text = escapes_as_utf8(node.Scalar());
  if (tag == "!unsafe") return mark_unsafe(text);
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return text;
  if (tag == "?" || tag.empty()) return resolve_plain_scalar(text);
  Value resolved = resolve_plain_scalar(text);
  if (tag == "tag:yaml.org,2002:int" && resolved.is_number_integer()) return resolved;
  if (tag == "tag:yaml.org,2002:float" && resolved.is_number()) return resolved.get<double>();
  if (tag == "tag:yaml.org,2002:bool" && resolved.is_boolean()) return resolved;
  if (tag == "tag:yaml.org,2002:null" && resolved.is_null()) return resolved;
  if (tag == "!vault") throw Error("encrypted !vault values are not supported", loc(node, file),
                                   "decrypt the value or pass it with -e from a secret store");
  throw Error(fmt::format("cannot read '{}' as {}", text, tag), loc(node, file));
}

// `<<: *anchor` and `<<: [*a, *b]`: keys from the merged maps come first, explicit keys win (PyYAML's order).
void merge_into(Value& out, const YAML::Node& source, const std::string& file) {
  auto merge_one = [&](const YAML::Node& map) {
    if (!map.IsMap()) throw Error("a merge key '<<' needs a mapping or a list of mappings", loc(map, file));
    Value merged = to_value(map, file);
    for (auto& [k, v] : merged.items()) {
      if (!out.contains(k)) out[k] = v;
    }
  };
  if (source.IsSequence()) {
    for (const auto& item : source) merge_one(item);
  } else {
    merge_one(source);
  }
}

// A mapping key as a Python dict holds it, by its text: True, False and None for YAML's booleans and null.
std::string key_name(const Value& key) {
  if (key.is_boolean()) return key.get<bool>() ? "True" : "False";
  if (key.is_null()) return "None";
  return key.is_string() ? key.get<std::string>() : key.dump();
}

// What Python's dicts make of mappings, checked once after parsing so that every reader of the tree (the loaders
// walk mappings themselves) sees it: a key given twice keeps its first place and its last value, with a warning;
// a mapping or a list cannot be a key.
class KeyCheck {
 public:
  KeyCheck(const std::string& file, std::string_view text, const Warn& warn) : file_(file), text_(text), warn_(warn) {}

  void visit(const YAML::Node& node) {
    if (node.IsScalar()) {
      const std::size_t open = opening_quote(node);
      if (open != std::string_view::npos && visited_.insert(node.Mark().pos).second)
        restore_trailing_breaks(node, open);
      return;
    }
    if (!node.IsMap() && !node.IsSequence()) return;
    // Each node once, however often it is aliased: a "billion laughs" document stays cheap to check.
    if (!visited_.insert(node.Mark().pos).second) return;
    if (node.IsSequence()) {
      for (const auto& item : node) visit(item);
      return;
    }
    check_keys(node);
    for (const auto& entry : node) visit(entry.second);
  }

 private:
  const std::string& file_;
  std::string_view text_;
  const Warn& warn_;
  std::set<int> visited_;

  std::string name_of(const YAML::Node& key) const {
    try {
      return key_name(tagged_scalar(key, file_));
    } catch (const Error&) {
      return key.Scalar();  // a tag that cannot be read: to_value reports it where the value is used
    }
  }

  // yaml-cpp folds the empty lines that end a quoted scalar running over several lines into one line break, where
  // YAML (and PyYAML) keeps one per empty line: 'text', two empty lines and the closing quote is "text\n\n".
  // Where the scalar's opening quote is (after its anchor and tag), or npos for a scalar that is not quoted.
  std::size_t opening_quote(const YAML::Node& scalar) const {
    if (scalar.Mark().is_null()) return std::string_view::npos;
    std::size_t at = static_cast<std::size_t>(scalar.Mark().pos);
    while (at < text_.size() && (text_[at] == '&' || text_[at] == '!')) {
      at = text_.find_first_of(" \t\n", at);
      if (at != std::string_view::npos) at = text_.find_first_not_of(" \t", at);
    }
    return at < text_.size() && (text_[at] == '\'' || text_[at] == '"') ? at : std::string_view::npos;
  }

  void restore_trailing_breaks(YAML::Node scalar, std::size_t open) const {
    const char quote = text_[open];
    std::size_t close = open + 1;
    for (; close < text_.size(); ++close) {
      if (quote == '"' && text_[close] == '\\') {
        ++close;
      } else if (text_[close] == quote) {
        if (quote == '"' || close + 1 >= text_.size() || text_[close + 1] != '\'') break;
        ++close;  // '' is a quote inside a single-quoted scalar
      }
    }
    if (close >= text_.size()) return;
    std::size_t end = text_.rfind('\n', close);  // the line break before the closing quote's line
    if (end == std::string_view::npos || end <= open) return;
    if (text_.substr(end + 1, close - end - 1).find_first_not_of(" \t") != std::string_view::npos) return;
    int empty_lines = 0;
    for (std::size_t before = text_.rfind('\n', end - 1); before != std::string_view::npos && before > open;
         before = text_.rfind('\n', end - 1)) {
      if (text_.substr(before + 1, end - before - 1).find_first_not_of(" \t\r") != std::string_view::npos) break;
      ++empty_lines;
      end = before;
    }
    if (empty_lines < 2 || (quote == '"' && text_[end - 1] == '\\')) return;
    // The line breaks the value should end with: the empty lines', after those of `\n` escapes ending the last line.
    std::size_t expected = static_cast<std::size_t>(empty_lines);
    std::size_t line_start = text_.rfind('\n', end - 1);
    std::string_view last = text_.substr(line_start + 1, end - line_start - 1);
    last = last.substr(0, last.find_last_not_of(" \t") + 1);
    while (quote == '"' && last.size() >= 2 && last.back() == 'n') {
      std::size_t slashes = last.size() - 1 - last.find_last_not_of('\\', last.size() - 2) - 1;
      if (slashes % 2 == 0) break;
      ++expected;
      last.remove_suffix(2);
    }
    const std::string& value = scalar.Scalar();
    const std::size_t kept = value.find_last_not_of('\n');
    const std::size_t has = kept == std::string::npos ? value.size() : value.size() - kept - 1;
    if (has < expected) scalar = value + std::string(expected - has, '\n');
  }

  [[noreturn]] void unhashable_key(const YAML::Node& map, const YAML::Node& key) const {
    // `msg: {{ foo }}` is a mapping whose only key is the mapping { foo }.
    std::size_t pos = static_cast<std::size_t>(map.Mark().pos);
    if (key.IsMap() && text_.compare(pos, 2, "{{") == 0) {
      std::string_view rest = text_.substr(pos, text_.find('\n', pos) - pos);
      std::size_t close = rest.find("}}");
      std::string written(close == std::string_view::npos ? rest : rest.substr(0, close + 2));
      throw Error(fmt::format("the value {} starts with '{{{{' and is not quoted: YAML reads it as a mapping", written),
                  loc(map, file_), fmt::format("write \"{}\": {}", written, kQuoteTemplateHint));
    }
    throw Error(
        fmt::format("{} cannot be a key: keys are strings, numbers or booleans", key.IsMap() ? "a mapping" : "a list"),
        loc(key, file_));
  }

  void check_keys(YAML::Node map) {
    // Nodes are only ever constructed here, never assigned: assigning a YAML::Node rewrites the node it refers to.
    std::vector<std::pair<YAML::Node, YAML::Node>> entries;
    std::vector<std::size_t> kept;  // entries[i] in the order of first appearance
    std::map<std::size_t, std::size_t> last_value;
    std::map<std::string, std::size_t> first_of;
    for (const auto& entry : map) {
      if (entry.first.IsMap() || entry.first.IsSequence()) unhashable_key(map, entry.first);
      std::size_t index = entries.size();
      entries.emplace_back(entry.first, entry.second);
      bool merge_key = entry.first.Scalar() == "<<" && entry.first.Tag() == "?";
      auto [first, is_new] = first_of.emplace(merge_key ? std::string() : name_of(entry.first), index);
      if (is_new || merge_key) {
        kept.push_back(index);
        continue;
      }
      last_value[first->second] = index;
      if (warn_) {
        YAML::Mark was = entries[first->second].first.Mark();
        warn_(
            fmt::format("{}: key '{}' is given twice in this mapping (first at line {}, column {}): using the last "
                        "defined value only",
                        loc(entry.first, file_).str(), entry.first.Scalar(), was.line + 1, was.column + 1));
      }
    }
    if (last_value.empty()) return;
    for (const auto& [key, value] : entries) map.remove(key);  // by identity: each entry goes, not the first match
    for (std::size_t index : kept) {
      auto last = last_value.find(index);
      map.force_insert(entries[index].first, entries[last == last_value.end() ? index : last->second].second);
    }
  }
};

}  // namespace

YAML::Node load_string(const std::string& text, const std::string& name, const Warn& warn) {
  // PyYAML reads text, not bytes: Ansible refuses a file that is not UTF-8 before parsing it.
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    size_t newline = bad == 0 ? std::string::npos : text.rfind('\n', bad - 1);
    size_t line_start = newline == std::string::npos ? 0 : newline + 1;
    SourceLoc where{name, 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n')),
                    1 + static_cast<int>(bad - line_start)};
    throw Error(
        fmt::format("invalid UTF-8 byte 0x{:02X}: this file must be UTF-8 text", static_cast<unsigned char>(text[bad])),
        where);
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw parse_error(e, name, text);
  }
  KeyCheck(name, text, warn).visit(root);
  return root;
}

YAML::Node load_file(const std::string& path, const Warn& warn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read file '{}'", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_string(buffer.str(), path, warn);
}

SourceLoc loc(const YAML::Node& node, const std::string& file) {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return SourceLoc{file, 0, 0};
  return SourceLoc{file, mark.line + 1, mark.column + 1};
}

Value resolve_plain_scalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  // std::regex recurses per character: a long scalar would overflow the stack. Nothing that long fits a 64-bit
  // number, and such numbers are kept as text anyway (below).
  if (text.size() > kMaxNumberText) return text;
  if (std::regex_match(text, bool_re())) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    if (c == 'y' || c == 't') return true;
    if (c == 'n' || c == 'f') return false;
    return text.size() == 2 && (text[1] == 'n' || text[1] == 'N');  // on / off
  }
  try {
    if (std::regex_match(text, int_re())) return resolve_int(text);
    if (std::regex_match(text, float_re())) return resolve_float(text);
  } catch (const std::out_of_range&) {
    return text;  // too large for 64 bits: keep the text rather than a wrong number
  }
  return text;
}

namespace {

// Aliases share a node in YAML but become copies in a Value: "billion laughs" documents (each level aliasing the
// one before ten times) would grow without bound. Past this many nodes the document is refused.
constexpr std::size_t kMaxNodes = 5'000'000;

struct Budget {
  std::size_t nodes = 0;
};

// The budget of the outermost to_value call on this thread (merge keys call to_value again from inside).
thread_local Budget* t_budget = nullptr;

}  // namespace

Value to_value(const YAML::Node& node, const std::string& file) {
  Budget budget;
  bool outermost = t_budget == nullptr;
  if (outermost) t_budget = &budget;
  struct Reset {
    bool outermost;
    ~Reset() {
      if (outermost) t_budget = nullptr;
    }
  } reset{outermost};
  if (++t_budget->nodes > kMaxNodes) {
    throw Error(fmt::format("the YAML document expands to more than {} values (aliases repeated within aliases?)",
                            kMaxNodes),
                loc(node, file));
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      return tagged_scalar(node, file);
    case YAML::NodeType::Sequence: {
      Value out = Value::array();
      for (const auto& item : node) out.push_back(to_value(item, file));
      return node.Tag() == "!unsafe" ? mark_unsafe(std::move(out)) : out;
    }
    case YAML::NodeType::Map: {
      Value out = Value::object();
      const YAML::Node* merge = nullptr;
      YAML::Node merge_node;
      for (const auto& kv : node) {
        if (kv.first.IsScalar() && kv.first.Scalar() == "<<" && kv.first.Tag() == "?") {
          merge_node = kv.second;
          merge = &merge_node;
          continue;
        }
        out[key_name(to_value(kv.first, file))] = to_value(kv.second, file);
      }
      if (merge) {
        Value own = std::move(out);
        out = Value::object();
        merge_into(out, *merge, file);
        for (auto& [k, v] : own.items()) out[k] = v;
      }
      return node.Tag() == "!unsafe" ? mark_unsafe(std::move(out)) : out;
    }
  }
  return nullptr;
}

}  // namespace prov::yaml
