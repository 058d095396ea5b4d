#include "provision/core/text.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace prov {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = text.find(sep, start);
    out.emplace_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string expand_user_vars(std::string_view text, const VarLookup& lookup) {
  auto value_of = [&](const std::string& name) -> std::optional<std::string> {
    if (lookup) return lookup(name);
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  };
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Python's pattern: \$(\w+|\{[^}]*\})
    std::size_t start = i + 1, end = std::string_view::npos, after = 0;
    if (text[i] == '$' && start < text.size() && text[start] == '{') {
      end = text.find('}', start + 1);
      if (end != std::string_view::npos) ++start, after = end + 1;
    } else if (text[i] == '$') {
      for (end = start; end < text.size() && word(text[end]);) ++end;
      after = end;
      if (end == start) end = std::string_view::npos;
    }
    std::optional<std::string> value;
    if (end != std::string_view::npos) value = value_of(std::string(text.substr(start, end - start)));
    if (!value) {
      out += text[i];
      continue;
    }
    out += *value;
    i = after - 1;
  }
  if (out == "~" || out.rfind("~/", 0) == 0) out = value_of("HOME").value_or("") + out.substr(1);
  return out;
}

std::string trim(std::string_view text, std::string_view chars) {
  size_t first = text.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(chars) - first + 1));
}

std::string rtrim(std::string_view text, std::string_view chars) {
  size_t last = text.find_last_not_of(chars);
  return last == std::string_view::npos ? std::string() : std::string(text.substr(0, last + 1));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<long long> parse_int(std::string_view text, int base) {
  std::string_view t = text;
  while (!t.empty() && kBlank.find(t.front()) != std::string_view::npos) t.remove_prefix(1);
  while (!t.empty() && kBlank.find(t.back()) != std::string_view::npos) t.remove_suffix(1);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  if (t.empty() || t.front() == '+') return std::nullopt;
  long long value = 0;
  auto [end, error] = std::from_chars(t.data(), t.data() + t.size(), value, base);
  if (error != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return value;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace prov
