// parse_ini_value: the subset of Python's ast.literal_eval that inventory values use. Ansible hands INI values
// to literal_eval and keeps the raw string when that fails, so every unsupported form simply means "a string".
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>

#include "provision/inventory/syntax.h"
#include "provision/core/utf8.h"

namespace prov::inv {

namespace {

/// Thrown inside the parser when the text is not a Python literal; never escapes parse_ini_value.
struct NotALiteral {};

class LiteralParser {
 public:
  explicit LiteralParser(std::string_view text) : s_(text) {}

  Value parse_all() {
    Value v = parse_expression();
    skip_space();
    if (pos_ != s_.size()) throw NotALiteral{};
    return v;
  }

 private:
  static constexpr int kMaxNesting = 200;

  std::string_view s_;
  std::size_t pos_ = 0;
  int depth_ = 0;

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }

  // Python's tokenizer ignores blanks and a trailing comment.
  void skip_space() {
    while (!at_end()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\f') {
        ++pos_;
      } else if (c == '#') {
        pos_ = s_.size();
      } else {
        break;
      }
    }
  }

  bool consume(char c) {
    skip_space();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  Value parse_expression() {
    // Python's tokenizer refuses more than 200 nested brackets (a SyntaxError, so the text stays a string); the
    // same bound keeps this recursion off the end of the stack.
    if (++depth_ > kMaxNesting) throw NotALiteral{};
    struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    skip_space();
    char c = peek();
    if (c == '-' || c == '+') {
      ++pos_;
      Value operand = parse_expression();
      if (!operand.is_number() || operand.is_boolean()) throw NotALiteral{};
      if (c == '+') return operand;
      if (operand.is_number_float()) return -operand.get<double>();
      if (operand.is_number_unsigned()) throw NotALiteral{};
      return -operand.get<std::int64_t>();
    }
    if (c == '[') return parse_sequence(']');
    if (c == '(') return parse_parenthesised();
    if (c == '{') return parse_braces();
    if (c == '\'' || c == '"') return parse_strings();
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && std::isdigit(next_char()))) return parse_number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return parse_name();
    throw NotALiteral{};
  }

  unsigned char next_char() const { return pos_ + 1 < s_.size() ? static_cast<unsigned char>(s_[pos_ + 1]) : 0; }

  Value parse_sequence(char close) {
    ++pos_;
    Value list = Value::array();
    while (!consume(close)) {
      list.push_back(parse_expression());
      if (consume(close)) break;
      if (!consume(',')) throw NotALiteral{};
    }
    return list;
  }

  // (x) is x; (x,) and () are tuples, which JSON can only hold as lists.
  Value parse_parenthesised() {
    ++pos_;
    if (consume(')')) return Value::array();
    Value first = parse_expression();
    if (consume(')')) return first;
    if (!consume(',')) throw NotALiteral{};
    Value tuple = Value::array({first});
    while (!consume(')')) {
      tuple.push_back(parse_expression());
      if (consume(')')) break;
      if (!consume(',')) throw NotALiteral{};
    }
    return tuple;
  }

  // {k: v} is a dict, {a, b} a set (kept as a list), {} an empty dict.
  Value parse_braces() {
    ++pos_;
    if (consume('}')) return Value::object();
    Value first = parse_expression();
    if (consume(':')) {
      Value dict = Value::object();
      dict[key_text(first)] = parse_expression();
      while (!consume('}')) {
        if (!consume(',')) throw NotALiteral{};
        if (consume('}')) break;
        Value key = parse_expression();
        if (!consume(':')) throw NotALiteral{};
        dict[key_text(key)] = parse_expression();
      }
      return dict;
    }
    Value set = Value::array({first});
    while (!consume('}')) {
      if (!consume(',')) throw NotALiteral{};
      if (consume('}')) break;
      set.push_back(parse_expression());
    }
    return set;
  }

  static std::string key_text(const Value& key) {
    if (key.is_array() || key.is_object()) throw NotALiteral{};  // unhashable in Python
    return to_plain_string(key);
  }

  Value parse_name() {
    std::size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    std::string_view name = s_.substr(start, pos_ - start);
    if (name == "True") return true;
    if (name == "False") return false;
    if (name == "None") return nullptr;
    // String prefixes: u'' and r'' are text; b'' is bytes, which Ansible passes through unchanged.
    if ((name == "u" || name == "r" || name == "b" || name == "U" || name == "R" || name == "B" || name == "rb" ||
         name == "br") &&
        (peek() == '\'' || peek() == '"')) {
      bool raw = name.find_first_of("rR") != std::string_view::npos;
      return parse_string_literal(raw);
    }
    throw NotALiteral{};
  }

  // Adjacent string literals concatenate, as in Python source.
  Value parse_strings() {
    std::string text = parse_string_literal(false);
    for (;;) {
      skip_space();
      if (peek() != '\'' && peek() != '"') break;
      text += parse_string_literal(false);
    }
    return text;
  }

  std::string parse_string_literal(bool raw) {
    char quote = s_[pos_];
    bool triple = s_.substr(pos_, 3) == std::string(3, quote);
    pos_ += triple ? 3 : 1;
    std::string out;
    for (;;) {
      if (at_end()) throw NotALiteral{};
      char c = s_[pos_];
      if (triple ? s_.substr(pos_, 3) == std::string(3, quote) : c == quote) {
        pos_ += triple ? 3 : 1;
        return out;
      }
      if (c == '\\' && pos_ + 1 < s_.size()) {
        if (raw) {
          out += c;
          out += s_[pos_ + 1];
          pos_ += 2;
          continue;
        }
        ++pos_;
        append_escape(out);
        continue;
      }
      out += c;
      ++pos_;
    }
  }


  std::uint32_t hex_digits(std::size_t count) {
    if (pos_ + count > s_.size()) throw NotALiteral{};
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < count; ++i) {
      char h = s_[pos_ + i];
      if (!std::isxdigit(static_cast<unsigned char>(h))) throw NotALiteral{};
      v = v * 16 + static_cast<std::uint32_t>(
                       std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
    }
    pos_ += count;
    return v;
  }

  // pos_ is just after the backslash.
  void append_escape(std::string& out) {
    char e = s_[pos_++];
    switch (e) {
      case 'n':
        out += '\n';
        return;
      case 't':
        out += '\t';
        return;
      case 'r':
        out += '\r';
        return;
      case 'a':
        out += '\a';
        return;
      case 'b':
        out += '\b';
        return;
      case 'f':
        out += '\f';
        return;
      case 'v':
        out += '\v';
        return;
      case '\\':
        out += '\\';
        return;
      case '\'':
        out += '\'';
        return;
      case '"':
        out += '"';
        return;
      case 'x':
        append_utf8(out, hex_digits(2));
        return;
      case 'u':
        append_utf8(out, hex_digits(4));
        return;
      case 'U':
        append_utf8(out, hex_digits(8));
        return;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {
      std::uint32_t v = static_cast<std::uint32_t>(e - '0');
      for (int i = 0; i < 2 && !at_end() && s_[pos_] >= '0' && s_[pos_] <= '7'; ++i)
        v = v * 8 + static_cast<std::uint32_t>(s_[pos_++] - '0');
      append_utf8(out, v);
      return;
    }
    out += '\\';  // unknown escapes keep their backslash in Python
    out += e;
  }

  Value parse_number() {
    std::size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' || s_[pos_] == '.' ||
                         ((s_[pos_] == '+' || s_[pos_] == '-') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E')))) {
      ++pos_;
    }
    std::string text(s_.substr(start, pos_ - start));
    // Underscores may separate digits, never lead, trail or double.
    if (text.find("__") != std::string::npos || text.back() == '_') throw NotALiteral{};
    std::string digits;
    for (char c : text) {
      if (c != '_') digits += c;
    }
    auto integer = [&](const std::string& body, int base) -> Value {
      if (body.empty()) throw NotALiteral{};
      std::size_t used = 0;
      unsigned long long v = 0;
      try {
        v = std::stoull(body, &used, base);
      } catch (const std::exception&) {
        throw NotALiteral{};  // out of range: a Python long that JSON cannot hold exactly
      }
      if (used != body.size()) throw NotALiteral{};
      if (v <= static_cast<unsigned long long>(INT64_MAX)) return static_cast<std::int64_t>(v);
      return v;
    };
    if (digits.size() > 1 && digits[0] == '0' && std::isalpha(static_cast<unsigned char>(digits[1]))) {
      char kind = static_cast<char>(std::tolower(digits[1]));
      std::string body = digits.substr(2);
      if (kind == 'x') return integer(body, 16);
      if (kind == 'o') return integer(body, 8);
      if (kind == 'b') return integer(body, 2);
      throw NotALiteral{};
    }
    if (digits.find_first_of(".eE") == std::string::npos) {
      // Python 3 rejects leading zeros in decimal integers other than zero itself ("0644").
      if (digits.size() > 1 && digits[0] == '0' && digits.find_first_not_of('0') != std::string::npos)
        throw NotALiteral{};
      return integer(digits, 10);
    }
    static const std::regex float_re(R"(^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$)");
    if (!std::regex_match(digits, float_re)) throw NotALiteral{};
    return std::stod(digits);
  }
};

}  // namespace

Value parse_ini_value(std::string_view text) {
  try {
    return LiteralParser(text).parse_all();
  } catch (const NotALiteral&) {
    return std::string(text);
  } catch (const std::out_of_range&) {
    return std::string(text);
  }
}

}  // namespace prov::inv
