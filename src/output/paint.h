#pragma once
// Ansible's terminal colours, shared by the formats (private to the output folder).
#include <string>

#include <fmt/format.h>

namespace prov::out {

// Ansible's default colours (COLOR_OK, COLOR_CHANGED, COLOR_ERROR, COLOR_UNREACHABLE, COLOR_SKIP, COLOR_WARN,
// COLOR_DEBUG) as SGR codes.
inline constexpr const char* kGreen = "0;32";
inline constexpr const char* kYellow = "0;33";
inline constexpr const char* kRed = "0;31";
inline constexpr const char* kBrightRed = "1;31";
inline constexpr const char* kCyan = "0;36";
inline constexpr const char* kBrightPurple = "1;35";
inline constexpr const char* kDarkGray = "1;30";

/// `text` in `colour` when `on`; as Ansible does, each line is painted on its own.
inline std::string paint(bool on, const char* colour, const std::string& text) {
  if (!on) return text;
  std::string out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find('\n', start);
    out += fmt::format("\033[{}m{}\033[0m", colour, text.substr(start, end - start));
    if (end == std::string::npos) return out;
    out += '\n';
    start = end + 1;
  }
}

}  // namespace prov::out
