#pragma once
// Small lexical pieces of Ansible's inventory language, shared by the INI, YAML and host-list readers and by
// host patterns: host addresses with ports, [x:y:z] host ranges, shell-like word splitting and the Python
// literal syntax that INI values are written in.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provision/core/value.h"

namespace prov::inv {

/// A host identifier split from its optional port, as Ansible's parse_address does.
struct Address {
  std::string host;
  std::optional<int> port;
};

/// Parses "host", "host:22", "10.0.0.1:22", "[::1]:22", "::1" and (when allow_ranges) names holding [x:y]
/// ranges. Returns nullopt when the text is not a valid hostname or address; callers then use it verbatim.
std::optional<Address> parse_address(std::string_view text, bool allow_ranges);

/// True when the text holds a [begin:end] or [begin:end:step] host range.
bool has_host_range(std::string_view text);

/// Expands every range in a host name ("web[01:03]" -> web01 web02 web03; "db-[a:c]"; "[1:10:3]"), first range
/// outermost. Numeric ranges with a leading zero keep their width. Throws prov::Error (without location; the
/// caller adds it) with what is wrong for an invalid range.
std::vector<std::string> expand_host_range(std::string_view pattern);

/// One word of a shell-like split, with the 1-based column where it starts.
struct Word {
  std::string text;
  int column = 1;
};

/// Splits a line as Python's shlex.split(line, comments=True) does in POSIX mode: whitespace separates words,
/// quotes and backslashes escape, and '#' outside quotes ends the line. Throws prov::Error for an unclosed
/// quote or a trailing backslash.
std::vector<Word> split_words(std::string_view line);

/// Reads a value the way Ansible's INI inventory does (Python's ast.literal_eval): numbers, quoted strings,
/// True/False/None, lists, tuples and dicts become typed values; anything that is not a Python literal stays
/// the original string.
Value parse_ini_value(std::string_view text);

/// The names Ansible treats as the controller itself when no inventory defines them: localhost, 127.0.0.1, ::1.
bool is_localhost_name(std::string_view name);

}  // namespace prov::inv
