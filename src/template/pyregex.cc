// Python `re` on PCRE2: the translated pattern (pyregex_translate.cc) is compiled and matched under limits;
// replacement templates are expanded as Python's parse_template does.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "pyregex.h"

#include <pcre2.h>

#include <cstring>

#include "eval.h"
#include "limits.h"
#include "provision/core/utf8.h"
#include "pyregex_translate.h"
#include "runtime.h"

namespace prov::tmpl {

namespace detail {

// Patterns in messages are cut (at a character boundary): the fuzzer's are kilobytes of noise.
std::string quoted(const std::string& s) {
  constexpr size_t kShown = 200;
  if (s.size() <= kShown) return "'" + s + "'";
  size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return "'" + s.substr(0, cut) + "...'";
}

}  // namespace detail

namespace {

using detail::is_ascii_letter;
using detail::is_digit;
using detail::is_group_name;
using detail::is_octal;
using detail::quoted;
using detail::Translator;

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return "error " + std::to_string(code);
  return reinterpret_cast<const char*>(buf);
}

std::string utf8(uint32_t cp) {
  std::string out;
  append_utf8(out, cp);
  return out;
}

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
