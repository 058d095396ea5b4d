#pragma once
#include <string>

namespace prov::out {

/// Python's textwrap.wrap(text, width) joined with newlines, as Ansible shows its warnings: whitespace characters
/// become spaces, lines break between words or after a hyphen inside a word, a word longer than a line is cut,
/// and spaces at line ends are dropped. Widths count characters (UTF-8 code points).
std::string wrap_text(const std::string& text, std::size_t width);

/// How many characters (UTF-8 code points) the text holds: its width for wrapping and banners.
std::size_t text_width(const std::string& text);

/// "[WARNING]: message" wrapped as Ansible prints warnings off a terminal (79 columns), without a final newline.
std::string warning_text(const std::string& message);

}  // namespace prov::out
