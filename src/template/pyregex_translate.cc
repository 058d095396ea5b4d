// The rewrite of a Python pattern into PCRE2 syntax: Python 3.11's grammar is checked where the two differ, and
// escapes, classes, groups and flags that PCRE2 reads differently are rewritten.
#include "pyregex_translate.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "runtime.h"

namespace prov::tmpl::detail {

namespace {

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

// str.isidentifier() for ASCII names; other bytes are left for PCRE2 to judge.
bool is_group_name(const std::string& name) {
  if (name.empty() || is_digit(name[0])) return false;
  for (char c : name) {
    if (!is_ascii_letter(c) && !is_digit(c) && c != '_' && static_cast<unsigned char>(c) < 0x80) return false;
  }
  return true;
}

void Translator::run() {
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

[[noreturn]] void Translator::error(const std::string& what, size_t at) const {
  fail("invalid regular expression " + quoted(p_) + ": " + what + " at position " + std::to_string(at));
}

void Translator::emit(std::string_view s, size_t from) {
  pcre += s;
  origin.insert(origin.end(), s.size(), from);
}

// {,n} or {,}: a repeat with no minimum (anything else after '{,' is literal text in both).
bool Translator::open_min_repeat(size_t i) const {
  if (p_.compare(i, 2, "{,") != 0) return false;
  size_t j = i + 2;
  while (j < p_.size() && is_digit(p_[j])) ++j;
  return j < p_.size() && p_[j] == '}';
}

// Python 3.11 accepts global flags such as (?i) or (?ms) only at the start; they become compile options.
size_t Translator::leading_flags() {
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
uint32_t Translator::hex_digits(size_t at, size_t count) const {
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

void Translator::emit_code_point(uint32_t v, size_t from) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%x}", v);
  emit(buf, from);
}

// A backslash escape at p_[i], inside or outside a class; returns the index of its last character.
size_t Translator::escape(size_t i, bool in_class) {
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
size_t Translator::number_escape(size_t i) {
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
size_t Translator::class_octal(size_t i) {
  if (!is_octal(p_[i + 1])) error("bad escape " + p_.substr(i, 2), i);
  size_t end = i + 2;
  while (end < i + 4 && end < p_.size() && is_octal(p_[end])) ++end;
  uint32_t v = static_cast<uint32_t>(std::stoul(p_.substr(i + 1, end - i - 1), nullptr, 8));
  if (v > 0377) error("octal escape value " + p_.substr(i, end - i) + " outside of range 0-0o377", i);
  emit_code_point(v, i);
  return end - 1;
}

// [...]: a ']' first is literal; '[' inside is literal in Python but starts [:alpha:] in PCRE2, so it is escaped.
size_t Translator::char_class(size_t start) {
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
std::string Translator::name_until(size_t from, char close_char, size_t& close) const {
  close = p_.find(close_char, from);
  if (close == std::string::npos) error(std::string("missing ") + close_char + ", unterminated name", from);
  std::string name = p_.substr(from, close - from);
  if (name.empty()) error("missing group name", from);
  return name;
}

// '(' at p_[i]: a group or a Python extension (?...); returns the index of the last character consumed.
size_t Translator::group(size_t i) {
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

}  // namespace prov::tmpl::detail
