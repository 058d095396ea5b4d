#pragma once
// Python `re` patterns on top of PCRE2. The pattern is checked against Python 3.11's syntax and rewritten where
// PCRE2 reads it differently (\Z, {,n}, \v, octal and \u escapes, POSIX classes); matching follows Python for str
// patterns (UTF-8, Unicode \w \d \s and case folding) or, for lineinfile and blockinfile, for bytes patterns.
// Every match runs under PCRE2's match, depth and heap limits: a pattern that backtracks catastrophically fails
// with "regular expression too complex" instead of hanging the run.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct pcre2_real_code_8;
struct pcre2_real_match_data_8;

namespace prov::tmpl {

/// One match: the span of each group as byte offsets into the subject, which it views (the subject must outlive it).
class RegexMatch {
 public:
  /// Groups including group 0 (the whole match).
  size_t size() const { return spans_.size() / 2; }
  /// Whether group `g` took part in the match.
  bool matched(size_t g) const { return g < size() && spans_[2 * g] != npos; }
  /// Start and end offsets of group `g` in the subject; npos when it did not take part.
  size_t start(size_t g = 0) const { return g < size() ? spans_[2 * g] : npos; }
  size_t end(size_t g = 0) const { return g < size() ? spans_[2 * g + 1] : npos; }
  /// The text of group `g`; "" when it did not take part (as re.sub and re.findall give it).
  std::string str(size_t g = 0) const;

  static constexpr size_t npos = std::string_view::npos;

 private:
  friend class PyRegex;
  std::string_view subject_;
  std::vector<size_t> spans_;
};

/// How Python would see the pattern and the subject: str (UTF-8 text) or bytes (lineinfile and blockinfile).
enum class RegexText { Str, Bytes };

/// A compiled Python pattern. Copies share the compiled code, which is safe to use from several threads.
class PyRegex {
 public:
  /// Where a match may lie: re.search (anywhere), re.match (at the start), re.fullmatch (the whole subject).
  enum class Anchor { Search, Match, FullMatch };

  /// Compiles a Python pattern with the re.I / re.M flags given as arguments. Throws TemplateError when the pattern
  /// is invalid in Python, uses syntax not supported here (\N{...}, scoped (?a:...)) or is too long.
  explicit PyRegex(const std::string& pattern, bool ignorecase = false, bool multiline = false,
                   RegexText text = RegexText::Str);

  /// The first match at or after byte offset `from` (a character boundary). Throws TemplateError "regular expression
  /// too complex" when the search exceeds the match limits, and when a subject that is not UTF-8 meets a pattern that
  /// names a character past U+00FF (such subjects are matched byte by byte).
  bool search(std::string_view subject, RegexMatch& m, size_t from = 0, Anchor anchor = Anchor::Search) const;
  /// re.finditer: every match in order, an empty one right after another match included; at most `max` (0: all).
  /// Throws as search().
  std::vector<RegexMatch> find_all(std::string_view subject, size_t max = 0) const;
  /// re.sub: replaces the first `count` matches (0: all) with the expanded replacement template. Throws
  /// TemplateError for a bad template (even without a match, as Python) and as search().
  std::string sub(std::string_view subject, const std::string& repl, size_t count = 0) const;
  /// match.expand(repl): \1, \g<1>, \g<name>, octal and character escapes. Throws TemplateError for a bad template.
  std::string expand(const std::string& repl, const RegexMatch& m) const;

  /// Number of capturing groups.
  size_t groups() const { return groups_; }
  /// Number of the group called `name`, or -1.
  int group_index(const std::string& name) const;
  /// The pattern asked for re.MULTILINE, by argument or leading inline flag (blockinfile's test of re.M).
  bool multiline() const { return multiline_; }
  /// The Python pattern as given.
  const std::string& pattern() const { return pattern_; }

 private:
  struct Piece;
  std::vector<Piece> parse_template(const std::string& repl) const;
  std::string apply_template(const std::vector<Piece>& pieces, const RegexMatch& m) const;
  const pcre2_real_code_8* code_for(std::string_view subject) const;
  std::unique_ptr<pcre2_real_match_data_8, void (*)(pcre2_real_match_data_8*)> match_data() const;
  bool match_at(const pcre2_real_code_8* code, pcre2_real_match_data_8* data, std::string_view subject, RegexMatch& m,
                size_t from, uint32_t options) const;
  void each_match(std::string_view subject, size_t max, const std::function<void(const RegexMatch&)>& f) const;

  std::shared_ptr<pcre2_real_code_8> code_;
  std::shared_ptr<pcre2_real_code_8> bytes_code_;  ///< str patterns: the same pattern for text that is not UTF-8
  std::string pattern_;
  size_t groups_ = 0;
  bool multiline_ = false;
  bool str_ = true;
};

/// Compiles a Python str pattern (the template filters and tests); throws as PyRegex's constructor.
inline PyRegex compile_regex(const std::string& pattern, bool ignorecase = false, bool multiline = false) {
  return PyRegex(pattern, ignorecase, multiline);
}

}  // namespace prov::tmpl
