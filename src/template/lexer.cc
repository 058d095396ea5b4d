// Template source -> tokens. Text outside tags becomes Data tokens; tags become begin/end tokens around the
// expression tokens they hold.
#include "lexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include "provision/core/utf8.h"

namespace prov::tmpl {

void syntax_error(const std::string& message, std::string_view source, const Options& options, int line, int column) {
  // The offending line goes into the message: a template often lives inside a YAML string, not a file of its own.
  size_t start = 0;
  for (int l = 1; l < line && start < source.size(); ++l) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) {
      start = source.size();
      break;
    }
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  std::string text(source.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
  if (options.in_value) {
    // `name` is the task's (or play's) place in its file; the position inside the value is given in words.
    throw TemplateError(fmt::format("template error while templating string: {} at line {}, column {} of the "
                                    "expression: {}",
                                    message, line, column, text),
                        SourceLoc{options.name, 0, 0});
  }
  std::string file = options.name.empty() ? "<template>" : options.name;
  std::string where = file + ":" + std::to_string(line) + ":" + std::to_string(column);
  // When the template is a file, Error::describe() already shows the line with a caret.
  std::string shown = !text.empty() && source_line(file, line) == text ? "" : "\n  " + where + ": " + text;
  throw TemplateError("template error while templating string: " + message + shown,
                      SourceLoc{options.name.empty() ? "<template>" : options.name, line, column});
}

std::string describe_token(const Token& t) {
  switch (t.kind) {
    case Token::Kind::VarEnd:
      return "'end of print statement'";
    case Token::Kind::BlockEnd:
      return "'end of statement block'";
    case Token::Kind::Eof:
      return "'end of template'";
    case Token::Kind::Data:
      return "'template data'";
    case Token::Kind::VarBegin:
      return "'begin of print statement'";
    case Token::Kind::BlockBegin:
      return "'begin of statement block'";
    case Token::Kind::String:
      return "'string'";
    case Token::Kind::Int:
      return "'integer'";
    case Token::Kind::Float:
      return "'float'";
    default:
      return "'" + t.text + "'";
  }
}

namespace {

class Lexer {
 public:
  Lexer(std::string_view src, const Options& opts) : src_(src), opts_(opts) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < src_.size(); ++i)
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
  }

  std::vector<Token> run() {
    size_t pos = 0;
    while (pos < src_.size()) {
      size_t open = find_open(pos);
      if (open == std::string_view::npos) {
        push_data(std::string(src_.substr(pos)), pos);
        break;
      }
      char kind = src_[open + 1];
      size_t inner = open + 2;
      char marker = inner < src_.size() ? src_[inner] : '\0';
      std::string data(src_.substr(pos, open - pos));
      if (marker == '-') {
        while (!data.empty() && std::isspace(static_cast<unsigned char>(data.back()))) data.pop_back();
        ++inner;
      } else if (marker == '+') {
        ++inner;
      } else if (opts_.lstrip_blocks && kind != '{') {
        lstrip_line(data, pos);
      }
      push_data(std::move(data), pos);
      if (kind == '#') {
        pos = close_comment(open, inner);
      } else if (kind == '%' && is_raw(inner)) {
        pos = raw_block(open, inner);
      } else {
        pos = tag(open, inner, kind);
      }
    }
    Token eof{Token::Kind::Eof, "", {}, 0, 0};
    locate(src_.size(), eof);
    tokens_.push_back(eof);
    return std::move(tokens_);
  }

  /// Only the tokens of one expression (no tags).
  std::vector<Token> run_expression() {
    size_t pos = 0;
    int depth = 0;
    while (true) {
      while (pos < src_.size() && std::isspace(static_cast<unsigned char>(src_[pos]))) ++pos;
      if (pos >= src_.size()) break;
      pos = one_token(pos, depth);
    }
    Token eof{Token::Kind::Eof, "", {}, 0, 0};
    locate(src_.size(), eof);
    tokens_.push_back(eof);
    return std::move(tokens_);
  }

 private:
  std::string_view src_;
  const Options& opts_;
  bool in_print_ = false;  // inside {{ }} (not {% %}): where Options::escape_backslashes applies
  std::vector<Token> tokens_;
  std::vector<size_t> line_starts_;  // offsets where lines begin, to turn offsets into line:column quickly

  void locate(size_t offset, Token& t) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    size_t line = static_cast<size_t>(it - line_starts_.begin());
    t.line = static_cast<int>(line);
    t.column = static_cast<int>(offset - line_starts_[line - 1]) + 1;
  }

  [[noreturn]] void error(const std::string& message, size_t offset) const {
    Token t;
    locate(offset, t);
    syntax_error(message, src_, opts_, t.line, t.column);
  }

  size_t find_open(size_t pos) const {
    while (true) {
      size_t p = src_.find('{', pos);
      if (p == std::string_view::npos || p + 1 >= src_.size()) return std::string_view::npos;
      char c = src_[p + 1];
      if (c == '{' || c == '%' || c == '#') return p;
      pos = p + 1;
    }
  }

  void push_data(std::string data, size_t offset) {
    if (data.empty()) return;
    Token t{Token::Kind::Data, std::move(data), {}, 0, 0};
    locate(offset, t);
    tokens_.push_back(std::move(t));
  }

  // lstrip_blocks: drop spaces and tabs between the start of the line and a block tag.
  void lstrip_line(std::string& data, size_t data_start) const {
    size_t i = data.size();
    while (i > 0 && (data[i - 1] == ' ' || data[i - 1] == '\t')) --i;
    bool at_line_start = i > 0 ? data[i - 1] == '\n' : (data_start == 0 || src_[data_start - 1] == '\n');
    if (at_line_start) data.resize(i);
  }

  // After a tag: `-` strips all following whitespace; trim_blocks drops one newline after block tags.
  size_t after_tag(size_t pos, bool strip, bool is_block) const {
    if (strip) {
      while (pos < src_.size() && std::isspace(static_cast<unsigned char>(src_[pos]))) ++pos;
    } else if (is_block && opts_.trim_blocks) {
      if (src_.substr(pos, 2) == "\r\n") return pos + 2;
      if (pos < src_.size() && src_[pos] == '\n') return pos + 1;
    }
    return pos;
  }

  size_t close_comment(size_t open, size_t inner) const {
    size_t end = src_.find("#}", inner);
    if (end == std::string_view::npos) error("missing end of comment tag", open);
    bool strip = end > inner && src_[end - 1] == '-';
    return after_tag(end + 2, strip, true);
  }

  bool is_raw(size_t inner) const {
    size_t p = inner;
    while (p < src_.size() && std::isspace(static_cast<unsigned char>(src_[p]))) ++p;
    if (src_.substr(p, 3) != "raw") return false;
    p += 3;
    while (p < src_.size() && std::isspace(static_cast<unsigned char>(src_[p]))) ++p;
    return src_.substr(p, 2) == "%}" || src_.substr(p, 3) == "-%}";
  }

  size_t raw_block(size_t open, size_t inner) {
    size_t p = src_.find("%}", inner);
    bool strip_after_open = src_[p - 1] == '-';
    size_t body = after_tag(p + 2, strip_after_open, false);  // trim_blocks does not apply to {% raw %} itself
    // Find {% endraw %} allowing whitespace and - markers.
    size_t search = body;
    while (true) {
      size_t q = src_.find("{%", search);
      if (q == std::string_view::npos) error("Unexpected end of template. Missing end of raw directive", open);
      size_t r = q + 2;
      bool strip_before = r < src_.size() && src_[r] == '-';
      if (strip_before || (r < src_.size() && src_[r] == '+')) ++r;
      while (r < src_.size() && std::isspace(static_cast<unsigned char>(src_[r]))) ++r;
      if (src_.substr(r, 6) == "endraw") {
        r += 6;
        while (r < src_.size() && std::isspace(static_cast<unsigned char>(src_[r]))) ++r;
        bool strip_after = src_.substr(r, 3) == "-%}";
        if (strip_after) ++r;
        if (src_.substr(r, 2) != "%}") error("Missing end of raw directive", q);
        std::string text(src_.substr(body, q - body));
        if (strip_before) {
          while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
        } else if (opts_.lstrip_blocks) {
          lstrip_line(text, body);
        }
        push_data(std::move(text), body);
        return after_tag(r + 2, strip_after, true);
      }
      search = q + 2;
    }
  }

  size_t tag(size_t open, size_t inner, char kind) {
    bool is_block = kind == '%';
    in_print_ = !is_block;
    Token begin{is_block ? Token::Kind::BlockBegin : Token::Kind::VarBegin, is_block ? "{%" : "{{", {}, 0, 0};
    locate(open, begin);
    tokens_.push_back(begin);
    const std::string_view close = is_block ? "%}" : "}}";
    size_t pos = inner;
    int depth = 0;
    while (true) {
      while (pos < src_.size() && std::isspace(static_cast<unsigned char>(src_[pos]))) ++pos;
      if (pos >= src_.size()) {
        error(std::string("unexpected end of template, expected '") +
                  (is_block ? "end of statement block" : "end of print statement") + "'",
              pos);
      }
      bool strip = src_[pos] == '-' && src_.substr(pos + 1, 2) == close;
      if (depth == 0 && (strip || src_.substr(pos, 2) == close)) {
        Token end{is_block ? Token::Kind::BlockEnd : Token::Kind::VarEnd, std::string(close), {}, 0, 0};
        locate(pos, end);
        tokens_.push_back(end);
        return after_tag(pos + (strip ? 3 : 2), strip, is_block);
      }
      pos = one_token(pos, depth);
    }
  }

  size_t one_token(size_t pos, int& depth) {
    Token t;
    locate(pos, t);
    char c = src_[pos];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t e = pos;
      while (e < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[e])) || src_[e] == '_')) ++e;
      t.kind = Token::Kind::Name;
      t.text = std::string(src_.substr(pos, e - pos));
      tokens_.push_back(std::move(t));
      return e;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return number(pos, std::move(t));
    if (c == '\'' || c == '"') return string(pos, std::move(t));
    static const char* const two[] = {"//", "**", "==", "!=", "<=", ">="};
    for (const char* op : two) {
      if (src_.substr(pos, 2) == op) {
        t.kind = Token::Kind::Op;
        t.text = op;
        tokens_.push_back(std::move(t));
        return pos + 2;
      }
    }
    if (std::string_view("+-*/%~<>=.,:|()[]{}").find(c) != std::string_view::npos) {
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') {
        if (depth == 0) error(std::string("unexpected '") + c + "'", pos);
        --depth;
      }
      t.kind = Token::Kind::Op;
      t.text = std::string(1, c);
      tokens_.push_back(std::move(t));
      return pos + 1;
    }
    error(std::string("unexpected char '") + c + "' at " + std::to_string(pos), pos);
  }

  size_t number(size_t pos, Token t) {
    size_t e = pos;
    auto digits = [&] {
      while (e < src_.size() && (std::isdigit(static_cast<unsigned char>(src_[e])) || src_[e] == '_')) ++e;
    };
    digits();
    bool is_float = false;
    bool after_dot = pos > 0 && src_[pos - 1] == '.';  // `a.0.1` is two attribute lookups, not a float
    if (!after_dot && e + 1 < src_.size() && src_[e] == '.' && std::isdigit(static_cast<unsigned char>(src_[e + 1]))) {
      is_float = true;
      ++e;
      digits();
    }
    if (!after_dot && e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
      size_t save = e;
      ++e;
      if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
      if (e < src_.size() && std::isdigit(static_cast<unsigned char>(src_[e]))) {
        digits();
        is_float = true;
      } else {
        e = save;
      }
    }
    std::string text;
    for (char ch : src_.substr(pos, e - pos))
      if (ch != '_') text += ch;
    t.text = text;
    if (is_float) {
      t.kind = Token::Kind::Float;
      t.number = std::strtod(text.c_str(), nullptr);  // overflows to inf, as Python's float() does
    } else {
      t.kind = Token::Kind::Int;
      try {
        t.number = std::stoll(text);
      } catch (const std::out_of_range&) {
        try {
          t.number = std::stoull(text);
        } catch (const std::out_of_range&) {
          t.number = std::strtod(text.c_str(), nullptr);  // overflows to inf, as Python's float() does
        }
      }
    }
    tokens_.push_back(std::move(t));
    return e;
  }


  size_t string(size_t pos, Token t) {
    char q = src_[pos];
    size_t e = pos + 1;
    std::string out;
    // Ansible doubles the backslashes of string literals inside {{ }} in playbook values before Jinja reads them:
    // there a backslash is itself, and the literal ends at the next quote.
    const bool raw = in_print_ && opts_.escape_backslashes;
    while (true) {
      if (e >= src_.size()) error("unexpected end of string", pos);
      char c = src_[e];
      if (c == q) break;
      if (raw) {
        out += c;
        ++e;
        continue;
      }
      if (c == '\\' && e + 1 < src_.size()) {
        char n = src_[e + 1];
        e += 2;
        switch (n) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case '0':
            out += '\0';
            break;
          case 'a':
            out += '\a';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'v':
            out += '\v';
            break;
          case '\\':
            out += '\\';
            break;
          case '\'':
            out += '\'';
            break;
          case '"':
            out += '"';
            break;
          case '\n':
            break;
          case 'x':
          case 'u':
          case 'U': {
            // Python's rules, as Jinja decodes string literals with them: exactly n hex digits, at most U+10FFFF.
            size_t n_digits = n == 'x' ? 2 : n == 'u' ? 4 : 8;
            uint32_t code = 0;
            for (size_t k = 0; k < n_digits; ++k) {
              char h = e + k < src_.size() ? src_[e + k] : '\0';
              if (!std::isxdigit(static_cast<unsigned char>(h)))
                error(std::string("truncated \\") + n + std::string(n_digits, 'X') + " escape", e - 2);
              code = code * 16 + static_cast<uint32_t>(
                                     std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
            }
            if (code > 0x10FFFF) error("illegal Unicode character", e - 2);
            append_utf8(out, code);
            e += n_digits;
            break;
          }
          default:
            out += '\\';
            out += n;
        }
        continue;
      }
      out += c;
      ++e;
    }
    t.kind = Token::Kind::String;
    t.text = std::move(out);
    tokens_.push_back(std::move(t));
    return e + 1;
  }
};

}  // namespace

std::vector<Token> tokenize(std::string_view source, const Options& options) { return Lexer(source, options).run(); }

std::vector<Token> tokenize_expression(std::string_view source, const Options& options) {
  return Lexer(source, options).run_expression();
}

}  // namespace prov::tmpl
