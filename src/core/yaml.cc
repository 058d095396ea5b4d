#include "provision/core/yaml.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>

#include "provision/core/utf8.h"

namespace prov::yaml {

namespace {

Error parse_error(const YAML::Exception& e, const std::string& name) {
  SourceLoc where{name, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1};
  return Error(fmt::format("YAML syntax error: {}", e.msg), where);
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

}  // namespace

YAML::Node load_string(const std::string& text, const std::string& name) {
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
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw parse_error(e, name);
  }
}

YAML::Node load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read file '{}'", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_string(buffer.str(), path);
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
        Value key = to_value(kv.first, file);
        std::string name = key.is_string() ? key.get<std::string>() : key.dump();
        if (key.is_boolean()) name = key.get<bool>() ? "True" : "False";
        if (key.is_null()) name = "None";
        out[name] = to_value(kv.second, file);
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
