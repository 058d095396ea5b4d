#pragma once
// Splitting command output: the one helper every parser of a remote command's output uses.
#include <string>
#include <string_view>
#include <vector>

namespace prov {

/// The lines of `text`, without their '\n' (and a '\r' before it); no empty last line for a final newline.
std::vector<std::string> split_lines(std::string_view text);

}  // namespace prov
