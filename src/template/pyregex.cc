// Python `re` on PCRE2: the pattern is checked against Python 3.11's grammar where the two differ and rewritten into
// PCRE2's syntax, then matched under limits; replacement templates are expanded as Python's parse_template does.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "pyregex.h"

#include <pcre2.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "eval.h"
#include "limits.h"
#include "provision/core/utf8.h"
#include "runtime.h"

namespace prov::tmpl {

namespace {

// Patterns in messages are cut (at a character boundary): the fuzzer's are kilobytes of noise.
std::string quoted(const std::string& s) {
  constexpr size_t kShown = 200;
  if (s.size() <= kShown) return "'" + s + "'";
  size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return "'" + s.substr(0, cut) + "...'";
}

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return "error " + std::to_string(code);
  return reinterpret_cast<const char*>(buf);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// str.isidentifier() for ASCII names; other bytes are left for PCRE2 to judge.
bool is_group_name(const std::string& name) {
  if (name.empty() || is_digit(name[0])) return false;
  for (char c : name) {
    if (!is_ascii_letter(c) && !is_digit(c) && c != '_' && static_cast<unsigned char>(c) < 0x80) return false;
  }
  return true;
}

std::string utf8(uint32_t cp) {
  std::string out;
  append_utf8(out, cp);
  return out;
}

// The rewrite of a Python pattern into PCRE2 syntax, with the global flags it starts with. `origin` maps each byte
// of the result back to the Python pattern, so that PCRE2's error offsets point into what the user wrote.
class Translator {
 public:
  Translator(const std::string& pattern, bool str) : p_(pattern), str_(str) {}

  std::string pcre;
  std::vector<size_t> origin;
  bool ignorecase = false, multiline = false, dotall = false, verbose = false, ascii = false;

  void run() {
    size_t i = leading_flags();
    for (; i < p_.size(); ++i) {
      char c = p_[i];
      if (c == '\\') {
        i = escape(i, false);
      } else if (c == '[') {
        i = char_class(i);
      } else if (c == '(') {
        i = group(i);
      } else if (c == '{' && open_min_repeat(i)) {
        // Python reads {,n} as {0,n}; PCRE2 10.42 takes it literally.
        emit("{0", i);
      } else if (c == '#' && verbose) {
        // A verbose comment runs to the end of the line; dropped so that its text is not read as syntax.
        while (i + 1 < p_.size() && p_[i + 1] != '\n') ++i;
      } else {
        emit(std::string_view(&p_[i], 1), i);
      }
    }
  }

 private:
  [[noreturn]] void error(const std::string& what, size_t at) const {
    fail("invalid regular expression " + quoted(p_) + ": " + what + " at position " + std::to_string(at));
  }

  void emit(std::string_view s, size_t from) {
    pcre += s;
    origin.insert(origin.end(), s.size(), from);
  }

  // {,n} or {,}: a repeat with no minimum (anything else after '{,' is literal text in both).
  bool open_min_repeat(size_t i) const {
    if (p_.compare(i, 2, "{,") != 0) return false;
    size_t j = i + 2;
    while (j < p_.size() && is_digit(p_[j])) ++j;
    return j < p_.size() && p_[j] == '}';
  }

  // Python 3.11 accepts global flags such as (?i) or (?ms) only at the start; they become compile options.
  size_t leading_flags() {
    size_t i = 0;
    while (p_.compare(i, 2, "(?") == 0) {
      size_t j = i + 2;
      while (j < p_.size() && std::strchr("aiLmsux", p_[j]) != nullptr && p_[j] != '\0') ++j;
      if (j == i + 2 || j >= p_.size() || p_[j] != ')') break;
      for (size_t k = i + 2; k < j; ++k) {
        switch (p_[k]) {
          case 'i': ignorecase = true; break;
          case 'm': multiline = true; break;
          case 's': dotall = true; break;
          case 'x': verbose = true; break;
          case 'a': ascii = true; break;
          case 'L':
            if (str_) error("bad inline flags: cannot use 'L' flag with a str pattern", k);
            break;
          case 'u':
            if (!str_) error("bad inline flags: cannot use 'u' flag with a bytes pattern", k);
            break;
          default: break;
        }
      }
      i = j + 1;
    }
    return i;
  }

  // `count` hexadecimal digits after p_[at] (the escape letter); returns their value.
  uint32_t hex_digits(size_t at, size_t count) const {
    uint32_t v = 0;
    for (size_t k = 1; k <= count; ++k) {
      if (at + k >= p_.size() || !is_hex(p_[at + k])) {
        error("incomplete escape \\" + p_.substr(at, std::min(k, p_.size() - at)), at - 1);
      }
      char h = p_[at + k];
      v = v * 16 + static_cast<uint32_t>(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return v;
  }

  void emit_code_point(uint32_t v, size_t from) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\x{%x}", v);
    emit(buf, from);
  }

  // A backslash escape at p_[i], inside or outside a class; returns the index of its last character.
  size_t escape(size_t i, bool in_class) {
    if (i + 1 >= p_.size()) error("bad escape (end of pattern)", i);
    char e = p_[i + 1];
    switch (e) {
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
      case 'f':
      case 'n':
      case 'r':
      case 't': emit(p_.substr(i, 2), i); return i + 1;
      case 'A':
      case 'B':
        if (in_class) break;
        emit(p_.substr(i, 2), i);
        return i + 1;
      case 'b':
        emit(in_class ? "\\x08" : "\\b", i);  // backspace in a class, as in Python
        return i + 1;
      case 'Z':
        if (in_class) break;
        emit("\\z", i);  // Python's \Z is the very end; PCRE2's also matches before a final newline
        return i + 1;
      case 'a': emit("\\x07", i); return i + 1;
      case 'v':
        emit("\\x0b", i);  // PCRE2's \v is a class of vertical space
        return i + 1;
      case 'x': emit_code_point(hex_digits(i + 1, 2), i); return i + 3;
      case 'u':
      case 'U': {
        if (!str_) break;
        uint32_t v = hex_digits(i + 1, e == 'u' ? 4 : 8);
        if (v > 0x10FFFF) error("bad escape " + p_.substr(i, 10), i);
        emit_code_point(v, i);
        return i + (e == 'u' ? 5 : 9);
      }
      case 'N':
        if (!str_) break;
        error("named Unicode escapes (\\N{...}) are not supported", i);
      default: break;
    }
    if (is_digit(e)) return in_class ? class_octal(i) : number_escape(i);
    if (is_ascii_letter(e)) error("bad escape " + p_.substr(i, 2), i);
    emit(p_.substr(i, 2), i);  // an escaped punctuation character or byte is itself
    return i + 1;
  }

  // \0, \0oo, \ooo (octal) or \1 .. \99 (a backreference), as Python tells them apart.
  size_t number_escape(size_t i) {
    char e = p_[i + 1];
    auto at = [&](size_t k) { return k < p_.size() ? p_[k] : '\0'; };
    if (e == '0') {
      size_t end = i + 2;
      while (end < i + 4 && is_octal(at(end))) ++end;
      emit_code_point(static_cast<uint32_t>(std::stoul(p_.substr(i + 1, end - i - 1), nullptr, 8)), i);
      return end - 1;
    }
    if (is_digit(at(i + 2))) {
      if (is_octal(e) && is_octal(at(i + 2)) && is_octal(at(i + 3))) {
        uint32_t v = static_cast<uint32_t>(std::stoul(p_.substr(i + 1, 3), nullptr, 8));
        if (v > 0377) error("octal escape value " + p_.substr(i, 4) + " outside of range 0-0o377", i);
        emit_code_point(v, i);
        return i + 3;
      }
      emit("\\g{" + p_.substr(i + 1, 2) + "}", i);
      return i + 2;
    }
    emit("\\g{" + p_.substr(i + 1, 1) + "}", i);
    return i + 1;
  }

  // In a class a digit escape is octal, up to three digits.
  size_t class_octal(size_t i) {
    if (!is_octal(p_[i + 1])) error("bad escape " + p_.substr(i, 2), i);
    size_t end = i + 2;
    while (end < i + 4 && end < p_.size() && is_octal(p_[end])) ++end;
    uint32_t v = static_cast<uint32_t>(std::stoul(p_.substr(i + 1, end - i - 1), nullptr, 8));
    if (v > 0377) error("octal escape value " + p_.substr(i, end - i) + " outside of range 0-0o377", i);
    emit_code_point(v, i);
    return end - 1;
  }

  // [...]: a ']' first is literal; '[' inside is literal in Python but starts [:alpha:] in PCRE2, so it is escaped.
  size_t char_class(size_t start) {
    emit("[", start);
    size_t i = start + 1;
    if (i < p_.size() && p_[i] == '^') emit("^", i++);
    if (i < p_.size() && p_[i] == ']') emit("\\]", i++);
    for (; i < p_.size(); ++i) {
      char c = p_[i];
      if (c == ']') {
        emit("]", i);
        return i;
      }
      if (c == '\\') {
        i = escape(i, true);
      } else if (c == '[') {
        emit("\\[", i);
      } else {
        emit(std::string_view(&p_[i], 1), i);
      }
    }
    error("unterminated character set", start);
  }

  // The name in p_[from, close) before `close_char`; checked as Python checks group names.
  std::string name_until(size_t from, char close_char, size_t& close) const {
    close = p_.find(close_char, from);
    if (close == std::string::npos) error(std::string("missing ") + close_char + ", unterminated name", from);
    std::string name = p_.substr(from, close - from);
    if (name.empty()) error("missing group name", from);
    return name;
  }

  // '(' at p_[i]: a group or a Python extension (?...); returns the index of the last character consumed.
  size_t group(size_t i) {
    if (i + 1 < p_.size() && p_[i + 1] == '*') error("nothing to repeat", i + 1);  // PCRE2 would read a (*VERB)
    if (i + 1 >= p_.size() || p_[i + 1] != '?') {
      emit("(", i);
      return i;
    }
    size_t j = i + 2;
    if (j >= p_.size()) error("unexpected end of pattern", j);
    char c = p_[j];
    switch (c) {
      case ':':
      case '=':
      case '!':
      case '>': emit(p_.substr(i, 3), i); return j;
      case '<':
        if (j + 1 < p_.size() && (p_[j + 1] == '=' || p_[j + 1] == '!')) {
          emit(p_.substr(i, 4), i);
          return j + 1;
        }
        error(j + 1 < p_.size() ? "unknown extension ?<" + p_.substr(j + 1, 1) : "unexpected end of pattern", i + 1);
      case '#': {
        size_t close = p_.find(')', j);
        if (close == std::string::npos) error("missing ), unterminated comment", i);
        return close;  // dropped
      }
      case 'P': {
        if (j + 1 >= p_.size()) error("unexpected end of pattern", j + 1);
        char k = p_[j + 1];
        if (k != '<' && k != '=') error("unknown extension ?P" + p_.substr(j + 1, 1), i + 1);
        size_t close = 0;
        std::string name = name_until(j + 2, k == '<' ? '>' : ')', close);
        if (!is_group_name(name)) error("bad character in group name '" + name + "'", j + 2);
        emit(k == '<' ? "(?P<" + name + ">" : "(?P=" + name + ")", i);
        return close;
      }
      case '(': {
        size_t close = 0;
        std::string name = name_until(j + 1, ')', close);
        bool number = name.find_first_not_of("0123456789") == std::string::npos;
        if (number ? name.size() > 5 || std::stoi(name) == 0 : !is_group_name(name)) {
          error("bad character in group name '" + name + "'", j + 1);
        }
        emit("(?(" + name + ")", i);
        return close;
      }
      default: break;
    }
    if (std::strchr("aiLmsux-", c) == nullptr || c == '\0') error("unknown extension ?" + p_.substr(j, 1), i + 1);
    // Scoped flags (?i:...) or (?-i:...); global ones here are too late.
    std::string on, off;
    for (; j < p_.size() && p_[j] != '-' && p_[j] != ':' && p_[j] != ')'; ++j) {
      if (std::strchr("aiLmsux", p_[j]) == nullptr || p_[j] == '\0') error("unknown flag", j);
      on += p_[j];
    }
    if (j < p_.size() && p_[j] == '-') {
      for (++j; j < p_.size() && p_[j] != ':' && p_[j] != ')'; ++j) {
        if (std::strchr("imsx", p_[j]) == nullptr || p_[j] == '\0') error("unknown flag", j);
        off += p_[j];
      }
      if (off.empty()) error("missing flag", j);
    }
    if (j >= p_.size()) error("missing -, : or )", j);
    if (p_[j] == ')') {
      if (!off.empty()) error("missing :", j);
      error("global flags not at the start of the expression", i);
    }
    std::string scoped;
    for (char f : on) {
      if (f == 'a' || (f == 'L' && str_)) error(std::string("flag '") + f + "' in a scoped group is not supported", i);
      if (f != 'u' && f != 'L') scoped += f;
    }
    emit("(?" + scoped + (off.empty() ? "" : "-" + off) + ":", i);
    return j;
  }

  const std::string& p_;
  bool str_;
};

// Well-formed UTF-8 (Unicode's table 3-7: no overlong forms, surrogates or code points past U+10FFFF), the check
// pcre2_match would make itself on every call (once per match of re.findall, which made it quadratic).
pcre2_compile_context* compile_context();

bool valid_utf8(std::string_view s) { return is_valid_utf8(s); }

pcre2_code* compile_pcre(const std::string& pattern, const std::string& pcre, const std::vector<size_t>& origin,
                         uint32_t options) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pcre.data()), pcre.size(), options, &err, &offset, compile_context());
  if (code == nullptr) {
    size_t at = offset < origin.size() ? origin[offset] : pattern.size();
    fail("invalid regular expression " + quoted(pattern) + ": " + pcre2_message(err) + " at position " +
         std::to_string(at));
  }
  return code;
}

pcre2_compile_context* compile_context() {
  static pcre2_compile_context* ctx = [] {
    pcre2_compile_context* c = pcre2_compile_context_create(nullptr);
    pcre2_set_newline(c, PCRE2_NEWLINE_LF);  // `.` and `$` treat only "\n" as a line end, as Python
    pcre2_set_max_pattern_length(c, 4 * limits::kMaxPatternSize);
    return c;
  }();
  return ctx;
}

pcre2_match_context* match_context() {
  static pcre2_match_context* ctx = [] {
    pcre2_match_context* c = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(c, limits::kRegexMatchLimit);
    pcre2_set_depth_limit(c, limits::kRegexDepthLimit);
    pcre2_set_heap_limit(c, limits::kRegexHeapLimitKiB);
    return c;
  }();
  return ctx;
}

}  // namespace

std::string RegexMatch::str(size_t g) const {
  if (!matched(g)) return "";
  return std::string(subject_.substr(spans_[2 * g], spans_[2 * g + 1] - spans_[2 * g]));
}

PyRegex::PyRegex(const std::string& pattern, bool ignorecase, bool multiline, RegexText text)
    : pattern_(pattern), str_(text == RegexText::Str) {
  if (pattern.size() > limits::kMaxPatternSize) {
    fail("regular expression too long: " + std::to_string(pattern.size()) + " bytes, more than " +
         std::to_string(limits::kMaxPatternSize) + " (pattern " + quoted(pattern) + ")");
  }
  const bool str = str_;
  Translator t(pattern, str);
  t.run();
  multiline_ = multiline || t.multiline;
  // Python's `^` under re.M also matches after a final newline (PCRE2_ALT_CIRCUMFLEX); (*VERB)s and \C are out.
  uint32_t options = PCRE2_ALT_CIRCUMFLEX | PCRE2_NEVER_BACKSLASH_C;
  if (ignorecase || t.ignorecase) options |= PCRE2_CASELESS;
  if (multiline_) options |= PCRE2_MULTILINE;
  if (t.dotall) options |= PCRE2_DOTALL;
  if (t.verbose) options |= PCRE2_EXTENDED;
  const uint32_t bytes_options = options | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP;
  if (str) options |= PCRE2_UTF | (t.ascii ? 0 : PCRE2_UCP);
  code_.reset(compile_pcre(pattern, t.pcre, t.origin, str ? options : bytes_options), pcre2_code_free);
  if (str) {
    // Text that is not valid UTF-8 (binary command output) is matched byte by byte, as bytes would be in Python;
    // a pattern that names a character past U+00FF cannot do that and then fails only on such text.
    try {
      bytes_code_.reset(compile_pcre(pattern, t.pcre, t.origin, bytes_options), pcre2_code_free);
    } catch (const TemplateError&) {
      bytes_code_.reset();
    }
  }
  uint32_t count = 0;
  pcre2_pattern_info(code_.get(), PCRE2_INFO_CAPTURECOUNT, &count);
  groups_ = count;
}

const pcre2_real_code_8* PyRegex::code_for(std::string_view subject) const {
  if (!str_ || valid_utf8(subject)) return code_.get();
  if (!bytes_code_) {
    fail("regular expression cannot match text that is not valid UTF-8 (pattern " + quoted(pattern_) + ")");
  }
  return bytes_code_.get();
}

int PyRegex::group_index(const std::string& name) const {
  int n = pcre2_substring_number_from_name(code_.get(), reinterpret_cast<PCRE2_SPTR>(name.c_str()));
  return n > 0 ? n : -1;
}

using MatchData = std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)>;

MatchData PyRegex::match_data() const {
  MatchData data(pcre2_match_data_create_from_pattern(code_.get(), nullptr), pcre2_match_data_free);
  if (!data) fail("out of memory for a regular expression match");
  return data;
}

bool PyRegex::search(std::string_view subject, RegexMatch& m, size_t from, Anchor anchor) const {
  if (from > subject.size()) return false;
  const pcre2_real_code_8* code = code_for(subject);
  // In UTF mode a start inside a character would be undefined behaviour under PCRE2_NO_UTF_CHECK.
  if (code == code_.get() && str_) {
    while (from < subject.size() && (static_cast<unsigned char>(subject[from]) & 0xC0) == 0x80) ++from;
  }
  MatchData data = match_data();
  return match_at(code, data.get(), subject, m, from,
                  anchor == Anchor::Search  ? 0
                  : anchor == Anchor::Match ? PCRE2_ANCHORED
                                            : PCRE2_ANCHORED | PCRE2_ENDANCHORED);
}

bool PyRegex::match_at(const pcre2_real_code_8* code, pcre2_real_match_data_8* data, std::string_view subject,
                       RegexMatch& m, size_t from, uint32_t options) const {
  if (from > subject.size()) return false;
  const char* bytes = subject.data() != nullptr ? subject.data() : "";
  // code_for() has checked the subject once: not again on each of findall's matches.
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(bytes), subject.size(), from, options | PCRE2_NO_UTF_CHECK,
                       data, match_context());
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
      rc == PCRE2_ERROR_NOMEMORY) {
    fail("regular expression too complex: " + pcre2_message(rc) + " (pattern " + quoted(pattern_) + ")");
  }
  if (rc < 0) fail("regular expression failed: " + pcre2_message(rc) + " (pattern " + quoted(pattern_) + ")");
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data);
  const size_t pairs = groups_ + 1;
  m.subject_ = subject;
  m.spans_.assign(2 * pairs, RegexMatch::npos);
  for (size_t g = 0; g < pairs && g < static_cast<size_t>(rc); ++g) {
    if (ov[2 * g] == PCRE2_UNSET) continue;
    m.spans_[2 * g] = ov[2 * g];
    m.spans_[2 * g + 1] = ov[2 * g + 1];
  }
  return true;
}

void PyRegex::each_match(std::string_view subject, size_t max, const std::function<void(const RegexMatch&)>& f) const {
  const pcre2_real_code_8* code = code_for(subject);
  MatchData data = match_data();
  RegexMatch m;
  size_t pos = 0, found = 0;
  bool after_empty = false;
  while (max == 0 || found < max) {
    // After an empty match the next one may start at the same place only if it is not empty (Python 3.7's rule).
    if (!match_at(code, data.get(), subject, m, pos, after_empty ? PCRE2_NOTEMPTY_ATSTART : 0)) break;
    after_empty = m.start() == m.end();
    pos = m.end();
    ++found;
    f(m);
  }
}

std::vector<RegexMatch> PyRegex::find_all(std::string_view subject, size_t max) const {
  std::vector<RegexMatch> out;
  each_match(subject, max, [&](const RegexMatch& m) { out.push_back(m); });
  return out;
}

struct PyRegex::Piece {
  std::string text;  ///< literal text, used when group < 0
  int group = -1;
};

// Python's re._parser.parse_template: \g<name>, \g<n>, \n (group or octal), \0 (octal) and character escapes.
std::vector<PyRegex::Piece> PyRegex::parse_template(const std::string& repl) const {
  std::vector<Piece> pieces;
  std::string lit;
  auto error = [&](const std::string& what, size_t at) {
    fail("invalid replacement " + quoted(repl) + ": " + what + " at position " + std::to_string(at));
  };
  auto add_group = [&](int g, size_t at) {
    if (g < 0 || static_cast<size_t>(g) > groups_) error("invalid group reference " + std::to_string(g), at);
    if (!lit.empty()) pieces.push_back({std::move(lit), -1});
    lit.clear();
    pieces.push_back({"", g});
  };
  auto add_char = [&](uint32_t v) { lit += str_ ? utf8(v) : std::string(1, static_cast<char>(v)); };
  auto at = [&](size_t k) { return k < repl.size() ? repl[k] : '\0'; };
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c != '\\') {
      lit += c;
      continue;
    }
    if (i + 1 >= repl.size()) error("bad escape (end of pattern)", i);
    char e = repl[i + 1];
    if (e == 'g') {
      if (at(i + 2) != '<') error("missing <", i + 2);
      size_t close = repl.find('>', i + 3);
      if (close == std::string::npos) error("missing >, unterminated name", i + 3);
      std::string name = repl.substr(i + 3, close - i - 3);
      if (name.empty()) error("missing group name", i + 3);
      if (name.find_first_not_of("0123456789") == std::string::npos) {
        add_group(name.size() > 9 ? -1 : std::stoi(name), i + 3);
      } else if (!is_group_name(name)) {
        error("bad character in group name '" + name + "'", i + 3);
      } else {
        int g = group_index(name);
        if (g < 0) fail("unknown group name '" + name + "'");
        add_group(g, i + 3);
      }
      i = close;
    } else if (e == '0') {
      size_t end = i + 2;
      while (end < i + 4 && is_octal(at(end))) ++end;
      add_char(static_cast<uint32_t>(std::stoul(repl.substr(i + 1, end - i - 1), nullptr, 8)));
      i = end - 1;
    } else if (is_digit(e)) {
      if (is_digit(at(i + 2))) {
        if (is_octal(e) && is_octal(at(i + 2)) && is_octal(at(i + 3))) {
          uint32_t v = static_cast<uint32_t>(std::stoul(repl.substr(i + 1, 3), nullptr, 8));
          if (v > 0377) error("octal escape value " + repl.substr(i, 4) + " outside of range 0-0o377", i);
          add_char(v);
          i += 3;
        } else {
          add_group(std::stoi(repl.substr(i + 1, 2)), i + 1);
          i += 2;
        }
      } else {
        add_group(e - '0', i + 1);
        i += 1;
      }
    } else {
      const char* escapes = "a\ab\bf\fn\nr\rt\tv\v\\\\";
      const char* hit = std::strchr("abfnrtv\\", e);
      if (hit != nullptr && e != '\0') {
        lit += escapes[2 * (hit - "abfnrtv\\") + 1];
      } else if (is_ascii_letter(e)) {
        error("bad escape " + repl.substr(i, 2), i);
      } else {
        lit += c;  // Python keeps an unknown escape of punctuation as it is
        lit += e;
      }
      i += 1;
    }
  }
  if (!lit.empty()) pieces.push_back({std::move(lit), -1});
  return pieces;
}

std::string PyRegex::apply_template(const std::vector<Piece>& pieces, const RegexMatch& m) const {
  std::string out;
  for (const auto& p : pieces) out += p.group < 0 ? p.text : m.str(static_cast<size_t>(p.group));
  return out;
}

std::string PyRegex::expand(const std::string& repl, const RegexMatch& m) const {
  return apply_template(parse_template(repl), m);
}

std::string PyRegex::sub(std::string_view subject, const std::string& repl, size_t count) const {
  std::vector<Piece> pieces = parse_template(repl);
  std::string out;
  size_t done = 0;
  each_match(subject, count, [&](const RegexMatch& m) {
    out.append(subject.substr(done, m.start() - done));
    out += apply_template(pieces, m);
    done = m.end();
    check_size(out.size(), "string");
  });
  out.append(subject.substr(done));
  return out;
}

}  // namespace prov::tmpl
