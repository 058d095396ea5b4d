#pragma once
// The rewrite of a Python pattern into PCRE2 syntax (pyregex_translate.cc), and the character tests that the
// replacement templates of pyregex.cc share with it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace prov::tmpl::detail {

std::string quoted(const std::string& s);

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_octal(char c) { return c >= '0' && c <= '7'; }
inline bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_group_name(const std::string& name);

// The rewrite of a Python pattern into PCRE2 syntax, with the global flags it starts with. `origin` maps each byte
// of the result back to the Python pattern, so that PCRE2's error offsets point into what the user wrote.
class Translator {
 public:
  Translator(const std::string& pattern, bool str) : p_(pattern), str_(str) {}

  std::string pcre;
  std::vector<size_t> origin;
  bool ignorecase = false, multiline = false, dotall = false, verbose = false, ascii = false;

  void run();

 private:
  [[noreturn]] void error(const std::string& what, size_t at) const;
  void emit(std::string_view s, size_t from);
  bool open_min_repeat(size_t i) const;
  size_t leading_flags();
  uint32_t hex_digits(size_t at, size_t count) const;
  void emit_code_point(uint32_t v, size_t from);
  size_t escape(size_t i, bool in_class);
  size_t number_escape(size_t i);
  size_t class_octal(size_t i);
  size_t char_class(size_t start);
  std::string name_until(size_t from, char close_char, size_t& close) const;
  size_t group(size_t i);

  const std::string& p_;
  bool str_;
};

}  // namespace prov::tmpl::detail
