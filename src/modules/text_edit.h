#pragma once
// The pure edits of lineinfile and blockinfile: file content in, file content out, computed on the controller
// exactly as Ansible 2.14 computes them on the host (Python `re` on each line with its newline, "\n" as the line
// separator, the same quirks with a last line that has no newline). Not a public header.
#include <optional>
#include <string>
#include <vector>

#include "../template/pyregex.h"

namespace prov::mod::text {

/// A Python `re` bytes pattern searched as Python searches bytes: `$` matches at the end or before a final newline,
/// `.` matches anything but "\n" (a "\r" too), \w and (?i) know only ASCII. The template engine's Python regex.
class LineRegex {
 public:
  /// Throws prov::Error naming the pattern when it is invalid.
  explicit LineRegex(const std::string& pattern);
  /// re.search: the first match anywhere in text.
  /// Throws prov::Error when the search is too complex (exceeds the match limits).
  bool search(const std::string& text, tmpl::RegexMatch* match = nullptr) const;
  /// The pattern starts with an inline (?m) flag (blockinfile then searches the whole file).
  bool multiline() const { return rx_.multiline(); }
  /// match.expand(template): \1, \g<1>, \g<name>, \n, \t, \\ .
  std::string expand(const std::string& replacement, const tmpl::RegexMatch& match) const;

 private:
  static tmpl::PyRegex compile(const std::string& pattern);
  tmpl::PyRegex rx_;
};

/// bytes.readlines(): every line keeps its "\n"; the last one may have none.
std::vector<std::string> readlines(const std::string& content);
/// bytes.splitlines(keepends=True): lines end at "\n", "\r" or "\r\n" and keep it.
std::vector<std::string> splitlines_keepends(const std::string& content);

/// What changed and how Ansible says it.
struct EditResult {
  std::string content;
  bool changed = false;
  std::string msg;
  int found = 0;  ///< lineinfile state=absent: lines removed
};

/// lineinfile's arguments that shape the content (unset optionals are Python's None).
struct LineEdit {
  std::optional<std::string> line, regexp, search_string, insertafter, insertbefore;
  bool backrefs = false;
  bool firstmatch = false;
};

/// lineinfile state=present on the current content ("" for a new file). insertafter defaults to EOF when neither
/// insertafter nor insertbefore is set. Throws prov::Error for an invalid regular expression or backreference.
EditResult lineinfile_present(const std::string& content, const LineEdit& edit);
/// lineinfile state=absent: removes every line that regexp, search_string or line (in that order) matches.
EditResult lineinfile_absent(const std::string& content, const LineEdit& edit);

/// blockinfile's arguments that shape the content.
struct BlockEdit {
  std::string block;
  std::string marker = "# {mark} ANSIBLE MANAGED BLOCK";
  std::string marker_begin = "BEGIN";
  std::string marker_end = "END";
  std::optional<std::string> insertafter, insertbefore;
  bool present = true;
};

/// blockinfile on the current content (nullopt: the file does not exist yet). Messages as Ansible's: "" when
/// unchanged, "File created", "Block removed", "Block inserted". Throws prov::Error for an invalid regex.
EditResult blockinfile_edit(const std::optional<std::string>& original, const BlockEdit& edit);

}  // namespace prov::mod::text
