// PyYAML-compatible output for the common shapes: block mappings and sequences (sequences inside mappings are
// not indented, as PyYAML writes them), flow leaves, plain/single/double-quoted scalars chosen by PyYAML's rules,
// and its line folding at 80 columns.
#include "provision/template/yaml_emit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>

#include "provision/core/yaml.h"
#include "runtime.h"

namespace prov::tmpl {
namespace {

bool is_collection(const Value& v) { return v.is_array() || v.is_object(); }

bool is_leaf_collection(const Value& v) {
  if (!is_collection(v)) return false;
  for (const auto& e : v)
    if (is_collection(e)) return false;
  return true;
}

bool resolves_to_non_string(const std::string& s) {
  static const std::regex timestamp(R"(^\d{4}-\d{1,2}-\d{1,2}([Tt ].*)?$)");
  if (std::regex_match(s, timestamp)) return true;
  if (s == "=" || s == "<<") return true;
  Value v = yaml::resolve_plain_scalar(s);
  return !v.is_string();
}

bool has_special(const std::string& s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
  return false;
}

bool plain_allowed(const std::string& s, bool flow) {
  if (s.empty()) return false;
  if (resolves_to_non_string(s)) return false;
  if (s.find('\n') != std::string::npos || has_special(s)) return false;
  if (s.front() == ' ' || s.back() == ' ') return false;
  static const std::string indicators = "#,[]{}&*!|>'\"%@`";
  if (indicators.find(s[0]) != std::string::npos) return false;
  if ((s[0] == '?' || s[0] == ':' || s[0] == '-') && (s.size() == 1 || s[1] == ' ')) return false;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':') return false;
  if (flow && s.find_first_of(",[]{}") != std::string::npos) return false;
  if (s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0) return false;
  return true;
}

class Emitter {
 public:
  explicit Emitter(const YamlStyle& style) : st_(style) {}

  std::string run(const Value& v) {
    if (!is_collection(v) || v.empty() || st_.all_flow || (st_.flow_leaves && is_leaf_collection(v))) {
      node_inline(v, st_.indent, false);
    } else if (v.is_object()) {
      block_mapping(v, 0, false);
    } else {
      block_sequence(v, 0, false);
    }
    if (out_.empty() || out_.back() != '\n') out_ += '\n';
    return out_;
  }

 private:
  const YamlStyle& st_;
  std::string out_;
  int column_ = 0;

  void write(const std::string& s) {
    out_ += s;
    size_t nl = s.rfind('\n');
    column_ = nl == std::string::npos ? column_ + static_cast<int>(utf8_length(s))
                                      : static_cast<int>(utf8_length(s.substr(nl + 1)));
  }
  void newline_at(int col) { write("\n" + std::string(static_cast<size_t>(col), ' ')); }

  std::vector<std::string> keys(const Value& m) const {
    std::vector<std::string> k;
    for (const auto& [key, v] : m.items()) k.push_back(key);
    if (st_.sort_keys) std::sort(k.begin(), k.end());
    return k;
  }

  bool inline_node(const Value& v) const {
    return !is_collection(v) || v.empty() || st_.all_flow || (st_.flow_leaves && is_leaf_collection(v));
  }

  void block_mapping(const Value& m, int col, bool first_inline) {
    bool first = true;
    for (const auto& k : keys(m)) {
      if (!(first && first_inline)) {
        if (!out_.empty() && out_.back() != '\n') out_ += '\n';
        column_ = 0;
        write(std::string(static_cast<size_t>(col), ' '));
      }
      first = false;
      scalar_string(k, col + st_.indent, false, true);
      write(":");
      const Value& v = m.at(k);
      if (inline_node(v)) {
        write(" ");
        node_inline(v, col + st_.indent, false);
      } else if (v.is_object()) {
        block_mapping(v, col + st_.indent, false);
      } else {
        block_sequence(v, col, false);
      }
    }
  }

  void block_sequence(const Value& s, int col, bool first_inline) {
    bool first = true;
    for (const auto& v : s) {
      if (!(first && first_inline)) {
        if (!out_.empty() && out_.back() != '\n') out_ += '\n';
        column_ = 0;
        write(std::string(static_cast<size_t>(col), ' '));
      }
      first = false;
      write("-");
      if (inline_node(v)) {
        write(" ");
        node_inline(v, col + st_.indent, false);
      } else {
        write(std::string(static_cast<size_t>(std::max(1, st_.indent - 1)), ' '));
        if (v.is_object())
          block_mapping(v, col + st_.indent, true);
        else
          block_sequence(v, col + st_.indent, true);
      }
    }
  }

  void node_inline(const Value& v, int indent, bool flow) {
    if (v.is_object()) {
      write("{");
      bool first = true;
      for (const auto& k : keys(v)) {
        if (!first) write(", ");
        first = false;
        scalar_string(k, indent + st_.indent, true, true);
        write(": ");
        node_inline(v.at(k), indent + st_.indent, true);
      }
      write("}");
    } else if (v.is_array()) {
      write("[");
      bool first = true;
      for (const auto& e : v) {
        if (!first) write(", ");
        first = false;
        node_inline(e, indent + st_.indent, true);
      }
      write("]");
    } else if (v.is_string()) {
      scalar_string(v.get<std::string>(), indent, flow, false);
    } else {
      write(scalar_text(v));
    }
  }

  static std::string scalar_text(const Value& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (std::isnan(d)) return ".nan";
      if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
      std::string r = py_float_repr(d);
      for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (r.find('.') == std::string::npos && r.find('e') != std::string::npos) r.replace(r.find('e'), 1, ".0e");
      return r;
    }
    return py_repr(v);
  }

  /// Writes words separated by single spaces, folding at the width as PyYAML does.
  void folded_words(const std::string& s, int indent) {
    size_t i = 0;
    while (i < s.size()) {
      size_t sp = s.find(' ', i);
      if (sp == std::string::npos) {
        write(s.substr(i));
        return;
      }
      write(s.substr(i, sp - i));
      size_t end = sp;
      while (end < s.size() && s[end] == ' ') ++end;
      if (end - sp == 1 && column_ > st_.width && sp != 0 && end != s.size())
        newline_at(indent);
      else
        write(s.substr(sp, end - sp));
      i = end;
    }
  }

  void scalar_string(const std::string& s, int indent, bool flow, bool simple_key) {
    if (st_.literal_multiline && !simple_key && !flow && s.find('\n') != std::string::npos) {
      literal_block(s, indent);
      return;
    }
    if (plain_allowed(s, flow)) {
      if (simple_key)
        write(s);
      else
        folded_words(s, indent);
      return;
    }
    // PyYAML gives up single quotes for special characters and for spaces next to line breaks.
    if (has_special(s) || s.find("\n ") != std::string::npos || s.find(" \n") != std::string::npos) {
      write(double_quoted(s));
      return;
    }
    write("'");
    std::string line;
    auto flush = [&] {
      if (simple_key)
        write(line);
      else
        folded_words(line, indent);
      line.clear();
    };
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\n') {
        flush();
        size_t j = i;
        while (j < s.size() && s[j] == '\n') ++j;
        // PyYAML writes one extra break before a run of breaks: a single break would read back as a space.
        out_ += std::string(j - i + 1, '\n');
        column_ = 0;
        write(std::string(static_cast<size_t>(indent), ' '));
        i = j - 1;
        continue;
      }
      if (s[i] == '\'')
        line += "''";
      else
        line += s[i];
    }
    flush();
    write("'");
  }

  /// "|-" and the lines below, indented; trailing blanks (of the text and of each line) are dropped first.
  void literal_block(const std::string& s, int indent) {
    std::string text = s.substr(0, s.find_last_not_of(" \t\r\n") + 1);
    write("|-");
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = std::min(text.find('\n', start), text.size());
      std::string line = text.substr(start, end - start);
      line.erase(line.find_last_not_of(' ') + 1);
      out_ += '\n';
      column_ = 0;
      if (!line.empty()) write(std::string(static_cast<size_t>(indent), ' ') + line);
      start = end + 1;
    }
  }

  static std::string double_quoted(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\0':
          out += "\\0";
          break;
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\v':
          out += "\\v";
          break;
        case '\f':
          out += "\\f";
          break;
        case 0x1b:
          out += "\\e";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02X", c);
            out += b;
          } else {
            out += static_cast<char>(c);
          }
      }
    }
    return out + "\"";
  }
};

}  // namespace

std::string yaml_dump(const Value& value, const YamlStyle& style) { return Emitter(style).run(value); }

}  // namespace prov::tmpl
