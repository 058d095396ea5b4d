#include "provision/output/diff.h"

#include <dtl/dtl.hpp>
#include <fmt/format.h>

#include <sstream>
#include <vector>

namespace prov::out {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string current;
  for (char c : text) {
    current += c;
    if (c == '\n') {
      lines.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) lines.push_back(current + "\n\\ No newline at end of file\n");
  return lines;
}

std::string side_text(const Value& side) {
  if (side.is_string()) return side.get<std::string>();
  if (side.is_null()) return "";
  return python_json(side, 4) + "\n";
}

std::string hunk_range(long long start, long long count) {
  if (count == 1) return fmt::format("{}", start);
  return fmt::format("{},{}", count == 0 ? start - 1 : start, count);
}

}  // namespace

std::string unified_diff(const std::string& before, const std::string& after, const std::string& before_header,
                         const std::string& after_header) {
  if (before == after) return {};
  std::vector<std::string> a = split_lines(before), b = split_lines(after);
  dtl::Diff<std::string, std::vector<std::string>> diff(a, b);
  diff.onHuge();
  diff.compose();
  diff.composeUnifiedHunks();
  std::string out = fmt::format("--- {}\n+++ {}\n", before_header, after_header);
  for (const auto& hunk : diff.getUniHunks()) {
    out += fmt::format("@@ -{} +{} @@\n", hunk_range(hunk.a, hunk.b), hunk_range(hunk.c, hunk.d));
    auto emit = [&](const auto& elements) {
      for (const auto& e : elements) {
        char mark = e.second.type == dtl::SES_ADD ? '+' : e.second.type == dtl::SES_DELETE ? '-' : ' ';
        out += mark;
        out += e.first;
      }
    };
    emit(hunk.common[0]);
    emit(hunk.change);
    emit(hunk.common[1]);
  }
  return out;
}

std::string render_diff(const Value& diff) {
  if (diff.is_array()) {
    std::string out;
    for (const auto& d : diff) out += render_diff(d);
    return out;
  }
  if (!diff.is_object()) return {};
  if (diff.contains("prepared") && diff["prepared"].is_string()) {
    // Ansible's display ends a message with a newline when it has none (git's ">> Newly checked out <sha>").
    std::string text = diff["prepared"].get<std::string>();
    if (!text.empty() && text.back() != '\n') text += '\n';
    return text;
  }
  std::string before_header = "before";
  std::string after_header = "after";
  if (diff.contains("before_header")) before_header += ": " + to_plain_string(diff["before_header"]);
  if (diff.contains("after_header")) after_header += ": " + to_plain_string(diff["after_header"]);
  std::string before = diff.contains("before") ? side_text(diff["before"]) : "";
  std::string after = diff.contains("after") ? side_text(diff["after"]) : "";
  return unified_diff(before, after, before_header, after_header);
}

}  // namespace prov::out
