#pragma once
// Python package versions and requirements as pip reads them (PEP 440, PEP 508 names), so that the pip module can
// tell on the controller whether what `pip list --format=freeze` printed already satisfies `Django>=4,<5`.
// Not a public header.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace prov::mod::pep440 {

/// A parsed PEP 440 version: [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], in normalized form.
struct Version {
  long long epoch = 0;
  std::vector<long long> release;
  int pre_kind = -1;  ///< -1 none, 0 a, 1 b, 2 rc
  long long pre_num = 0;
  std::optional<long long> post;
  std::optional<long long> dev;
  std::vector<std::string> local;  ///< lower-cased segments; numeric ones compare as numbers

  bool is_prerelease() const { return pre_kind >= 0 || dev.has_value(); }
  bool is_postrelease() const { return post.has_value(); }
  /// The version without its local part.
  Version public_version() const;
  /// Epoch and release only (packaging's base_version).
  Version base_version() const;
};

/// Parses a version as pip does (case, separators, a leading "v", spellings like "alpha" or "-1" for ".post1");
/// nullopt when it is not a PEP 440 version.
std::optional<Version> parse_version(const std::string& text);

/// <0, 0 or >0 as a is older, the same as or newer than b (1.0 == 1.0.0; 1.0.dev0 < 1.0a1 < 1.0 < 1.0.post1).
int compare(const Version& a, const Version& b);

/// True when version satisfies one clause ("==1.*", ">=4", "~=2.2", "!=1.5", "===x"), pre-releases allowed as
/// Ansible's pip asks. An unparsable clause or version satisfies nothing.
bool satisfies(const std::string& version, const std::string& clause);

/// One requirement from a pip `name` argument: "Django>=4,<5", "requests[security] (>=2.0)", "six; python_version>'3'".
struct Requirement {
  bool plain = false;              ///< a package name with optional specifiers (not a url, path or VCS reference)
  std::string name;                ///< canonical name (PEP 503: lower case, runs of -_. as one -)
  std::vector<std::string> specs;  ///< clauses such as ">=4"
  std::string text;                ///< as given, trimmed

  /// True when an installed version satisfies every clause.
  bool satisfied_by(const std::string& version) const;
};

/// Parses one requirement; a url, path or VCS reference gives plain == false.
Requirement parse_requirement(const std::string& text);

/// PEP 503 normalization: "Foo_Bar.baz" -> "foo-bar-baz".
std::string canonical_name(const std::string& name);

/// Rebuilds requirements from a name list the way Ansible's pip does: items are split on commas, and a piece that
/// starts with an operator belongs to the package before it (["django>1.11.1", "<1.11.3", "six"] ->
/// ["django>1.11.1,<1.11.3", "six"]).
std::vector<std::string> join_requirements(const std::vector<std::string>& names);

/// Reads `pip list --format=freeze` (or `pip freeze`) output: canonical name -> version. Comments, editable and
/// url lines are skipped.
std::map<std::string, std::string> parse_freeze(const std::string& out);

}  // namespace prov::mod::pep440
