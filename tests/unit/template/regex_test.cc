// The regex filters and tests: Python `re` syntax on PCRE2 (src/template/pyregex.cc), its limits, and the inputs
// the fuzzer found hanging the former std::regex translation.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "../../../src/template/pyregex.h"
#include "helpers.h"

using namespace tmpl_test;

namespace {

/// A byte string from a literal that may hold NUL bytes.
template <size_t N>
std::string bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

/// The pattern of `{{ '...' | regex_xxx('PATTERN'...` as the error message shows it: cut after 200 bytes.
std::string shown_pattern(const std::string& tpl) {
  size_t open = tpl.find("('") + 2;
  std::string p = tpl.substr(open, tpl.find('\'', open) - open);
  return p.size() <= 200 ? "'" + p + "'" : "'" + p.substr(0, 200) + "...'";
}

/// The message and how long rendering took.
std::pair<std::string, double> timed(const std::string& tpl) {
  auto start = std::chrono::steady_clock::now();
  std::string message = E(tpl);
  return {message, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

std::string as(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("fuzz findings: regex patterns that hung the std::regex translation") {
  // Each had an unterminated (?P<name> or (?P=name; the translation's search for '>' or ')' ran past the end and
  // looped forever. Python reports the same errors.
  struct Finding {
    std::string tpl, error;
  };
  const Finding findings[] = {
      // timeout-0769cf88
      {bytes("{{ '\232in\345\377\377\377ectEL\"LO' | regex_search('(?P=\377|human_to_b\000\000YYYYYYY\315YYYYY"
             "YYYYYYYYYYYYYYYYYYYYYYY\360YYYYYYYYYYYYYYYbYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYtes\377?i\306\306"
             "\306\306\306\306\306\306\316\306\377\377AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') }}"),
       "missing ), unterminated name at position 4"},
      // timeout-10f6cdb9
      {bytes("{{ 'foo=bar' | regex_replace('^(?P<key>\\\\w+)=(?P<is lower)$', '\\\\g<val>=\\\\g<key>') }}"),
       "missing >, unterminated name at position 18"},
      // timeout-40b028bc
      {bytes("{{ '\232intersectEL\"LO...........' | regex_search('(?P<(\377\377\377\377|human_to_byYYYYYYYYYYY"
             "YYYYYYYYYYYIYYYYYYYY(?<Y0\377\377GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGYYIYYYYYYYYYYYY0\377\377"
             "GGGGGGGGGGGGGGGGGGGGGGGGGGLO.......\377\377\377\377\377\377\377\377\001\000\000\000\000\000\000."
             "') }}"),
       "missing >, unterminated name at position 4"},
      // timeout-426a151c
      {bytes("{{ '\232in\345\377\377\377ectEL\"LO' | regex_search('(?P=\377|human_to_b\000\000YYYYYYY\315YYYYY"
             "YYYYYYYYYYYYYYYYYYYYYYY\360YYYYYY\377\377\377\377\377\377\377\377\377\377\377\013\000\000\000"
             "\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377|select context"
             "\377\377\377\377\377\377\377\377\377\377AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') }}"),
       "missing ), unterminated name at position 4"},
      // timeout-45c815bf
      {bytes("{{ '\232intersectEL\"LO' | regex_search('(\377\306\306\306\306\316\306\306endwith\306\306\306)he"
             "ll\377\006\377\377\377\377\377\3770.sep(?P<(\377\377\377\377\377\004\377YY\000\000\000\000\000"
             "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
             "\000\000\000\000\000\000\000\000\000\000YYYYYYYYYYYYYYY\303\303\303\303\303\303\303\303\303\303"
             "\303\303YYYYYYYY\377\377YYY.value(YYYYYYY\377\377\377\377\377YYYYYYYYYYYYYYYYrootYYYY\377\377YYY"
             ".value(YYYYYYY\377\377\377\377\3770\377YYYY\377\377\377\377\377\377\377\377\377\200\377\377\377"
             "\377\377\377\364\001\000\000\001t\377\377\377\377\377\377\377\377\377\377') }}"),
       "missing >, unterminated name at position 41"},
      // timeout-577dff3e
      {bytes("{{ '\232int\001\000\000\000\000\000\000\\ersectEL\"LO...........' | regex_search('(?P<(\377\377"
             "\377\377|human_to_ybYYYYYYYYYYYYYYYYYYYYYYIYYYYYYYYYYYY0\377\377\377\377\377\377\377\377\377\377"
             "to_nice_yaml\377\377\377\377\377\377\2620\377\377\377\377\377\377\377\377\377\377\377\377\377"
             "\377\377\377\377\377\377\377\377\236\236\236\236\236\236\236\377\377\377with ,context\377\377"
             "\377\377\377\377\377\377\377\377') }}"),
       "missing >, unterminated name at position 4"},
      // timeout-5a8d5cce
      {bytes("{{ '\232intersectEL\"LO' | regex_search('(\377\377\377\377|human_to_byYYYYYYYYYYYYYYYYYYYYYYYYYY"
             "YYYYYY#YYYY\360YYYYYYYYYYYYYYYbYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYtes\377?i\306\306\306\306\306"
             "\306\306\306\316\306\306\306\306\306)hello\377\377\377\377\377\377\377\377\377\377\377\377\377"
             "\377\377\377\377\377\377\377\377\377\013\000\000\000\377\377\377\377(?P=\377\377\377\377\377\377"
             "\377\377\377\377\377\377\377\377\377\377|selec\000\000\000t context\377\377\377\377\377\377\377"
             "\377\377\377AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') }}"),
       "missing ), unterminated name at position 167"},
      // timeout-a115319c
      {bytes("{{ '\232intersectEL\"L\351\351\351O' | regex_search('(?P<(\377\377\377\377|human_t\000\000\000"
             "\377\377\377\377\377\377\377\377\377|first\377\377\377\377\377\377\377\377\377\377\377\377\377"
             "\3770\377\377[\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377"
             "\377\377with context\3770\377\377\377\377\377\377\377\377\377') }}"),
       "missing >, unterminated name at position 4"},
      // timeout-ab3963ef
      {bytes("{{ '\232in\345\377\377\377ectEL\"LO' | regex_search('(?P=\377|human_to_b\000\000YY:YYYY\315YYYYY"
             "YYYYYYYYYYYYYYYYYYYYYYY\360YYYYYYYYYYYYYYYbYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYtes\377?i\306\306"
             "\306\306\306\306d\377\377\377\377\377\377\377\377|select con\377txe\377\377t\377\375\377\377\377"
             "\377\377AAAAAAAAd\000AAAAAAAAAAAAAAAAAAAAA') }}"),
       "missing ), unterminated name at position 4"},
  };
  for (const auto& f : findings) {
    INFO(f.tpl);
    auto [message, seconds] = timed(f.tpl);
    if (f.tpl.find("(?P<is lower)") != std::string::npos) {
      CHECK(message == "invalid regular expression '^(?P<key>\\w+)=(?P<is lower)$': " + f.error);
    } else {
      CHECK(message == "invalid regular expression " + shown_pattern(f.tpl) + ": " + f.error);
    }
    CHECK(seconds < 1);
  }
}

TEST_CASE("regex: catastrophic backtracking fails promptly with a clear error") {
  // Python's re runs for ages on these; PCRE2 stops at its match limit.
  auto [message, seconds] = timed("{{ ('a' * 30 ~ 'cb') | regex_search('(a*)*b') }}");
  CHECK(message == "regular expression too complex: match limit exceeded (pattern '(a*)*b')");
  CHECK(seconds < 5);
  std::tie(message, seconds) = timed("{{ ('a' * 40 ~ '!') is search('(a|aa)+$') }}");
  CHECK(message == "regular expression too complex: match limit exceeded (pattern '(a|aa)+$')");
  CHECK(seconds < 5);
  std::tie(message, seconds) = timed("{{ ('word ' * 20 ~ '!') | regex_findall('^(\\\\w+\\\\s?)*$') }}");
  CHECK(message == "regular expression too complex: match limit exceeded (pattern '^(\\w+\\s?)*$')");
  CHECK(seconds < 5);
  // Without a 'b' in the subject PCRE2 knows at once that (a*)*b cannot match: a correct answer, at once.
  std::tie(message, seconds) = timed("{{ ('a' * 30) | regex_search('(a*)*b') is none }}");
  CHECK(message == "no error: True");
  CHECK(seconds < 1);
  // Each match of a long findall or sub is one bounded search; the subject is checked for UTF-8 once, not per match.
  CHECK(R("{{ ('ab' * 100000) | regex_findall('(a|b)') | length }} "
          "{{ ('ab' * 100000) | regex_replace('b', 'c') | length }}") == "200000 200000");
  CHECK(E("{{ 'x' | regex_search('" + as("x", 70000) + "') }}") ==
        "regular expression too long: 70000 bytes, more than 65536 (pattern '" + as("x", 200) + "...')");
}

TEST_CASE("regex: Python syntax mapped onto PCRE2") {
  // Named groups and backreferences, in the pattern and in the replacement.
  CHECK(R("{{ 'abab' | regex_search('(?P<x>ab)(?P=x)') }} {{ 'aa bc dd' | regex_findall('(\\\\w)\\\\1') }}") ==
        "abab ['a', 'd']");
  CHECK(R("{{ 'key=val' | regex_replace('(?P<k>\\\\w+)=(?P<v>\\\\w+)', '\\\\g<v>:\\\\g<k>:\\\\g<0>:\\\\2:\\\\g<1>') "
          "}}") == "val:key:key=val:val:key");
  CHECK(R("{{ 'ab' | regex_replace('a', '\\\\101-\\\\n') }}") == "A-\nb");
  // Lookbehind, \A and \Z (only the very end, unlike PCRE2's \Z).
  CHECK(R("{{ 'price: $42' | regex_search('(?<=\\\\$)\\\\d+') }} {{ 'a1 b2' | regex_findall('(?<!a)\\\\d') }}") ==
        "42 ['2']");
  CHECK(R("{{ 'ab\\nab\\n' | regex_findall('ab\\\\Z') }} {{ 'ab\\nab' | regex_findall('ab\\\\Z') }} "
          "{{ 'xab' | regex_search('\\\\Aab') is none }} {{ 'ab' | regex_search('\\\\Aab') }}") == "[] ['ab'] True ab");
  // `$` also before a final newline; under re.M `^` also after it.
  CHECK(R("{{ 'a\\n' | regex_replace('$', '<') }}|{{ 'a\\n' | regex_replace('^', '>', multiline=true) }}|") ==
        "a<\n<|>a\n>|");
  // Inline flags: global ones only at the start, scoped ones anywhere.
  CHECK(R("{{ 'HeLLo' | regex_search('(?i)hello') }} {{ 'a\\nb' | regex_findall('(?m)^\\\\w$') }} "
          "{{ 'a\\nb' | regex_search('(?s)a.b') | length }} {{ 'AB' | regex_search('(?i:a)B') }}") ==
        "HeLLo ['a', 'b'] 3 AB");
  CHECK(R("{{ 'abc123' | regex_search('(?x) [a-z]+  # letters [ (\\n \\\\d+ # digits') }}") == "abc123");
  CHECK(E("{{ 'ab' | regex_search('a(?i)b') }}") ==
        "invalid regular expression 'a(?i)b': global flags not at the start of the expression at position 1");
  // Unicode classes and case folding for str patterns; (?a) for ASCII ones; `.` is one character.
  CHECK(R("{{ 'héllo wörld' | regex_findall('\\\\w+') }} {{ 'héllo' | regex_findall('(?a)\\\\w+') }} "
          "{{ 'ÉCOLE' | regex_search('école', ignorecase=true) }} {{ 'hé' | regex_replace('.', 'x') }}") ==
        "['héllo', 'wörld'] ['h', 'llo'] ÉCOLE xx");
  // {,n}, '[' inside a class (no POSIX classes), \v, \x and \u escapes.
  CHECK(R("{{ 'a{,b}' | regex_search('a{,b}') }} {{ 'aaaa' | regex_search('a{,3}') }} {{ 'a:b' | "
          "regex_findall('[[:a]') }} "
          "{{ 'a\\x0bb' | regex_search('a\\\\vb') | length }} {{ 'Ab' | regex_search('\\\\x41\\\\u0062') }}") ==
        "a{,b} aaa ['a', ':'] 3 Ab");
  // Python 3.7's empty matches: one right after a match counts; groups that took no part are '' or None.
  CHECK(R("{{ 'abxd' | regex_replace('x*', '-') }} {{ 'a' | regex_replace('\\\\b|a', '-') }} "
          "{{ 'ac' | regex_replace('a(b)?c', '[\\\\1]') }} {{ 'ac' | regex_search('a(b)?(c)', '\\\\1', '\\\\2') }}") ==
        "-a-b--d- --- [] [None, 'c']");
  CHECK(R("{{ 'ab' is regex('a|ab', match_type='fullmatch') }} {{ 'ab' is match('b') }} {{ 'ab' is search('b') }}") ==
        "True False True");
  // PCRE2-only syntax is an error, as in Python.
  CHECK(E("{{ 'x' | regex_search('(?<n>x)') }}") ==
        "invalid regular expression '(?<n>x)': unknown extension ?<n at position 1");
  CHECK(E("{{ 'x' | regex_search('\\\\p{L}') }}") ==
        "invalid regular expression '\\p{L}': bad escape \\p at position 0");
  CHECK(E("{{ 'x' | regex_search('(*ACCEPT)x') }}") ==
        "invalid regular expression '(*ACCEPT)x': nothing to repeat at position 1");
  CHECK(E("{{ 'x' | regex_search('(a') }}") ==
        "invalid regular expression '(a': missing closing parenthesis at position 2");
  // Replacement templates are checked before matching, as Python does.
  CHECK(E("{{ 'x' | regex_replace('y', '\\\\3') }}") ==
        "invalid replacement '\\3': invalid group reference 3 at position 1");
  CHECK(E("{{ 'x' | regex_replace('x', '\\\\g<nope>') }}") == "unknown group name 'nope'");
  CHECK(E("{{ 'x' | regex_search('x', '\\\\g<1>') }}") == "no such group");
}

TEST_CASE("regex: text that is not valid UTF-8 is matched byte by byte") {
  prov::tmpl::PyRegex rx("\\w");
  prov::tmpl::RegexMatch m;
  std::string binary =
      "\xff\xfe"
      "ab";
  REQUIRE(rx.search(binary, m));
  CHECK(m.start() == 2);
  CHECK(rx.find_all(binary).size() == 2);
  prov::tmpl::PyRegex wide("\\u0100");
  CHECK_THROWS_WITH(wide.search(binary, m),
                    "regular expression cannot match text that is not valid UTF-8 (pattern '\\u0100')");
}
