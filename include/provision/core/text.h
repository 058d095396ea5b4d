#pragma once
// Small text helpers shared by every parser of a remote command's output, of config files and of arguments.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prov {

/// The characters trim and rtrim remove unless told otherwise.
inline constexpr std::string_view kBlank = " \t\r\n";

/// The lines of `text`, without their '\n' (and a '\r' before it); no empty last line for a final newline.
std::vector<std::string> split_lines(std::string_view text);

/// `text` without the leading and trailing characters found in `chars`.
std::string trim(std::string_view text, std::string_view chars = kBlank);

/// `text` without the trailing characters found in `chars`.
std::string rtrim(std::string_view text, std::string_view chars = kBlank);

/// ASCII case mapping (bytes outside A-Z / a-z are kept as they are).
std::string lower(std::string_view text);
std::string upper(std::string_view text);

/// A whole integer in `base` (an optional sign, blanks around it allowed, as Python's int() reads it), or nullopt
/// when `text` is not one or does not fit in a long long.
std::optional<long long> parse_int(std::string_view text, int base = 10);

}  // namespace prov
