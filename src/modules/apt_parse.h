#pragma once
// Pure parsers for what apt and dpkg print on the host (dpkg-query, apt-cache policy, apt-get --simulate), shared
// by the apt modules and tested with fixtures; no host is touched here.
#include <map>
#include <string>
#include <vector>

namespace prov::mod::apt {

/// One entry of apt's name list: "tree", "tree=2.1*", "lib*".
struct PackageSpec {
  std::string name;
  std::string version;  ///< empty: any version
};

/// Splits "name=version" at the first '='.
PackageSpec split_spec(const std::string& spec);

/// True when a name or version holds fnmatch characters (* ? [ ] !), which no Debian name contains.
bool has_wildcard(const std::string& text);

/// Python's fnmatch.fnmatchcase on POSIX: *, ?, [seq], [!seq]; the whole text must match.
bool fnmatch(const std::string& pattern, const std::string& text);

/// One package as dpkg knows it.
struct DpkgState {
  std::string want;     ///< install, hold, deinstall, purge
  std::string status;   ///< installed, config-files, half-installed, not-installed, ...
  std::string version;  ///< empty when not installed
  bool installed() const { return status == "installed"; }
  /// Removed but its configuration files are still there (purge would act).
  bool has_files() const { return !status.empty() && status != "not-installed"; }
};

/// Parses `dpkg-query -W -f='${Package}\t${Status}\t${Version}\n'` lines; a package listed for several
/// architectures keeps its installed entry.
std::map<std::string, DpkgState> parse_dpkg_query(const std::string& out);

/// One package in `apt-cache policy NAME...`.
struct Policy {
  std::string installed;              ///< empty: "(none)"
  std::string candidate;              ///< empty: "(none)" (a virtual package, or nothing installable)
  std::vector<std::string> versions;  ///< the version table, in apt's order (highest first)
};

/// Parses `apt-cache policy` for named packages (LC_ALL=C).
std::map<std::string, Policy> parse_policy(const std::string& out);

/// What `apt-get --simulate` would do.
struct Simulation {
  std::vector<std::string> installed;  ///< Inst lines: new or upgraded packages
  std::vector<std::string> removed;    ///< Remv and Purg lines
};

/// Parses the Inst/Remv/Purg lines of `apt-get -s` output.
Simulation parse_simulation(const std::string& out);

/// The part of apt-get's output Ansible shows as the diff's "prepared" text: after "Reading state information..."
/// up to and including the "N upgraded, ..." line.
std::string prepared_text(const std::string& out);

/// Names apt-get could not find ("E: Unable to locate package X", "E: Package 'X' has no installation candidate").
std::vector<std::string> missing_packages(const std::string& err);

/// Names marked automatically installed in /var/lib/apt/extended_states.
std::vector<std::string> parse_auto_installed(const std::string& extended_states);

/// Sections of a script's output: a line "@@name rest" starts section name (its first line is rest).
std::map<std::string, std::string> sections(const std::string& out);

/// A number the host printed, 0 when it is not one.
long long to_number(const std::string& text);

/// True when apt or dpkg failed because another process holds its lock.
bool lock_failure(const std::string& err);

/// apt's first "E: " line, else the whole text without trailing blanks.
std::string first_error(const std::string& err);

/// One line of a sources.list file as apt_repository reads it.
struct SourceLine {
  bool valid = false;   ///< a deb or deb-src line (maybe commented out)
  bool enabled = true;  ///< not commented out
  std::string source;   ///< the line with single spaces, without the comment mark and trailing comment
  std::string comment;  ///< text after a second '#'
  std::string raw;      ///< the line as it was
};

/// Parses one sources.list line.
SourceLine parse_source_line(const std::string& line);

/// A line as apt_repository writes it back: "# " when disabled, the source, " # comment".
std::string render_source_line(const SourceLine& line);

/// The file name Ansible derives from a repo line when no filename is given: options and scheme dropped, the
/// URI's non-alphanumeric runs turned into '_', plus ".list" ("deb [arch=amd64] https://a.b/c stable" ->
/// "a_b_c.list").
std::string suggest_sources_filename(const std::string& repo);

}  // namespace prov::mod::apt
