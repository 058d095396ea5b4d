#include "provision/core/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace prov {

std::string SourceLoc::str() const {
  if (file.empty()) return {};
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

static std::string compose(const std::string& message, const SourceLoc& loc) {
  return loc.known() ? loc.str() + ": " + message : message;
}

Error::Error(std::string message, SourceLoc loc, std::string hint)
    : std::runtime_error(compose(message, loc)),
      message_(std::move(message)),
      loc_(std::move(loc)),
      hint_(std::move(hint)) {}

std::string source_line(const std::string& file, int line) {
  if (file.empty() || line <= 0) return {};
  std::ifstream in(file);
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    if (n == line) return text;
  }
  return {};
}

std::string Error::describe() const {
  std::string out = what();
  std::string text = source_line(loc_.file, loc_.line);
  if (!text.empty()) {
    std::string gutter = fmt::format("{:>5} | ", loc_.line);
    out += "\n" + gutter + text;
    if (loc_.column > 0) {
      // Keep tabs so the caret lines up under the same column in a terminal.
      std::string pad;
      for (int i = 0; i < loc_.column - 1 && i < static_cast<int>(text.size()); ++i) pad += text[i] == '\t' ? '\t' : ' ';
      out += "\n" + std::string(gutter.size() - 2, ' ') + "| " + pad + "^";
    }
  }
  if (!hint_.empty()) out += "\n" + hint_;
  return out;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours ("mdoe").
static std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, std::min<std::size_t>(3, (word.size() + 1) / 3));
  bool found = false;
  for (const auto& candidate : candidates) {
    std::size_t d = edit_distance(word, candidate);
    if (d <= best_distance && (!found || d < best_distance)) {
      best = candidate;
      best_distance = d;
      found = true;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string match = closest_match(word, candidates);
  return match.empty() ? std::string{} : fmt::format(" (did you mean '{}'?)", match);
}

}  // namespace prov
