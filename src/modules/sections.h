#pragma once
// The one line protocol of the modules' reads: a read that gathers several things prints each under a marker line
// "@@name head", and the lines below it, up to the next marker, are its body. One parser for all of them.
#include <string>
#include <string_view>
#include <vector>

namespace prov::mod {

struct Section {
  std::string name;  ///< the marker's word after "@@"
  std::string head;  ///< the rest of the marker line after one space ("" when none)
  std::string body;  ///< the lines below the marker, each with its newline
};

/// The sections of a read's output, in order (a name may repeat); lines before the first marker are ignored.
std::vector<Section> read_sections(std::string_view out);

/// The first section named name, or nullptr.
const Section* find_section(const std::vector<Section>& sections, std::string_view name);

/// The shell command that prints a marker line: `echo '@@name'`, or with a head (quoted for the shell).
std::string section_marker(std::string_view name, const std::string& head = {});

}  // namespace prov::mod
