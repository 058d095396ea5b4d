#pragma once
// Errors that a user can act on: every one may carry the place in a source file it is about.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace prov {

/// A place in a source file; line and column are 1-based, 0 when unknown.
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return !file.empty(); }
  /// "file:line:col", "file:line" or "file" depending on what is known.
  std::string str() const;
};

/// A user-facing error: bad input, a missing file, an undefined variable.
/// Broken invariants are assertions, not Errors.
class Error : public std::runtime_error {
 public:
  explicit Error(std::string message, SourceLoc loc = {}, std::string hint = {});

  const std::string& message() const { return message_; }
  const SourceLoc& loc() const { return loc_; }
  const std::string& hint() const { return hint_; }

  /// "file:12:5: message", then the source line with a caret under the column, then the hint.
  std::string describe() const;

 private:
  std::string message_;
  SourceLoc loc_;
  std::string hint_;
};

/// The candidate closest to word by edit distance, or "" when none is close enough to suggest.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// The text of one 1-based line of a file, or "" when it cannot be read.
std::string source_line(const std::string& file, int line);

}  // namespace prov
