// The one quoting helper: POSIX single quotes, as Python's shlex.quote, so that every value reaching a shell is a
// single literal word.
#include "provision/connection/connection.h"

namespace prov::conn {

namespace {
// Characters that never need quoting: shlex.quote's set (ASCII word characters and @%+=:,./-) less '=', since an
// unquoted first word X=1 is an assignment, not a command.
bool is_safe(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '_': case '@': case '%': case '+': case ':': case ',': case '.': case '/': case '-':
      return true;
    default:
      return false;
  }
}
}  // namespace

std::string shell_quote(std::string_view value) {
  if (value.empty()) return "''";
  // A shell word is a C string: a NUL would silently cut the value short.
  if (value.find('\0') != std::string_view::npos) throw Error("a value with a NUL byte cannot be passed to a shell");
  bool safe = true;
  for (char c : value) safe = safe && is_safe(c);
  if (safe) return std::string(value);
  // Inside single quotes nothing is special except the quote itself, which is closed, escaped and reopened.
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\"'\"'";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

}  // namespace prov::conn
