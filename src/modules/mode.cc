#include "mode.h"

#include <fmt/format.h>

#include "provision/core/text.h"
#include "provision/modules/module.h"

namespace prov::mod {

namespace {

[[noreturn]] void bad_mode(const std::string& text) {
  throw ArgError("mode must be in octal or symbolic form: " + text);
}

// Applies "u+rwx,g-w,o=r" style clauses in order, as chmod does (the umask is not applied, as in Ansible).
int apply_symbolic(const std::string& text, int mode, bool is_dir) {
  size_t i = 0;
  while (i <= text.size()) {
    int who = 0;
    for (; i < text.size() && std::string("ugoa").find(text[i]) != std::string::npos; ++i) {
      who |= text[i] == 'u' ? 04700 : text[i] == 'g' ? 02070 : text[i] == 'o' ? 01007 : 07777;
    }
    if (who == 0) who = 07777;
    if (i >= text.size() || std::string("+-=").find(text[i]) == std::string::npos) bad_mode(text);
    while (i < text.size() && std::string("+-=").find(text[i]) != std::string::npos) {
      char op = text[i++];
      int bits = 0;
      for (; i < text.size() && std::string("rwxXstugo").find(text[i]) != std::string::npos; ++i) {
        switch (text[i]) {
          case 'r': bits |= 0444; break;
          case 'w': bits |= 0222; break;
          case 'x': bits |= 0111; break;
          case 'X': if (is_dir || (mode & 0111) != 0) bits |= 0111; break;
          case 's': bits |= 06000; break;
          case 't': bits |= 01000; break;
          // Copying another class's bits: u, g or o spread to every class.
          case 'u': bits |= ((mode >> 6) & 7) * 0111; break;
          case 'g': bits |= ((mode >> 3) & 7) * 0111; break;
          case 'o': bits |= (mode & 7) * 0111; break;
          default: break;
        }
      }
      bits &= who;
      if (op == '+') mode |= bits;
      else if (op == '-') mode &= ~bits;
      else mode = (mode & ~who) | bits;
    }
    if (i >= text.size()) break;
    if (text[i] != ',') bad_mode(text);
    ++i;
  }
  return mode & 07777;
}

}  // namespace

int resolve_mode(const Value& mode, int current, bool is_dir) {
  if (mode.is_number_integer() || mode.is_number_unsigned()) {
    std::optional<long long> n = as_whole_number(mode);
    if (!n || *n < 0 || *n > 07777) bad_mode(to_plain_string(mode));
    return static_cast<int>(*n);
  }
  if (!mode.is_string()) bad_mode(to_plain_string(mode));
  const std::string& text = mode.get_ref<const std::string&>();
  if (text.empty()) bad_mode(text);
  if (text.find_first_not_of("01234567") == std::string::npos) {
    std::optional<long long> n = parse_int(text, 8);
    if (!n || *n > 07777) bad_mode(text);
    return static_cast<int>(*n);
  }
  return apply_symbolic(text, current, is_dir);
}

std::string octal_mode(int mode, int digits) {
  return digits > 0 ? fmt::format("{:0{}o}", mode, digits) : fmt::format("{:o}", mode);
}

std::string mode_text(int mode) { return fmt::format("0{:03o}", mode); }

}  // namespace prov::mod
