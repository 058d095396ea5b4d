// Translation of Python regex syntax to ECMAScript, which std::regex understands.
#include "pyregex.h"

#include <cctype>

#include "runtime.h"

namespace prov::tmpl {

PyRegex compile_regex(const std::string& pattern, bool ignorecase, bool multiline) {
  PyRegex out;
  std::string p;
  int group = 0;
  size_t i = 0;
  // Leading inline flags: (?i), (?m), (?s), (?x) in any combination.
  while (pattern.compare(i, 2, "(?") == 0 && i + 2 < pattern.size() &&
         std::islower(static_cast<unsigned char>(pattern[i + 2]))) {
    size_t close = pattern.find(')', i);
    if (close == std::string::npos) break;
    std::string flags = pattern.substr(i + 2, close - i - 2);
    if (flags.find_first_not_of("imsxu") != std::string::npos) break;
    if (flags.find('i') != std::string::npos) ignorecase = true;
    if (flags.find('m') != std::string::npos) multiline = true;
    i = close + 1;
  }
  bool in_class = false;
  for (; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char n = pattern[i + 1];
      if (n == 'A' && !in_class)
        p += "^";
      else if (n == 'Z' && !in_class)
        p += "$";
      else if (n == 'z' && !in_class)
        p += "$";
      else {
        p += c;
        p += n;
      }
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      p += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      p += c;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') p += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') p += "\\]", ++i;
      continue;
    }
    if (c == '(') {
      if (pattern.compare(i, 4, "(?P<") == 0) {
        size_t close = pattern.find('>', i);
        out.group_names[pattern.substr(i + 4, close - i - 4)] = ++group;
        p += "(";
        i = close;
        continue;
      }
      if (pattern.compare(i, 4, "(?P=") == 0) {
        size_t close = pattern.find(')', i);
        std::string name = pattern.substr(i + 4, close - i - 4);
        p += "\\" + std::to_string(out.group_names[name]);
        i = close;
        continue;
      }
      if (pattern.compare(i, 3, "(?<") == 0 && i + 3 < pattern.size() &&
          (pattern[i + 3] == '=' || pattern[i + 3] == '!'))
        fail("regex lookbehind is not supported: " + pattern);
      if (i + 1 >= pattern.size() || pattern[i + 1] != '?') ++group;
      p += c;
      continue;
    }
    p += c;
  }
  auto flags = std::regex::ECMAScript;
  if (ignorecase) flags |= std::regex::icase;
  if (multiline) flags |= std::regex::multiline;
  try {
    out.re = std::regex(p, flags);
  } catch (const std::regex_error& e) {
    fail("invalid regular expression '" + pattern + "': " + e.what());
  }
  return out;
}

std::string expand_replacement(const std::string& repl, const std::smatch& m, const PyRegex& rx) {
  std::string out;
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c != '\\' || i + 1 >= repl.size()) {
      out += c;
      continue;
    }
    char n = repl[i + 1];
    if (std::isdigit(static_cast<unsigned char>(n))) {
      size_t j = i + 1;
      int g = 0;
      while (j < repl.size() && j < i + 3 && std::isdigit(static_cast<unsigned char>(repl[j])))
        g = g * 10 + (repl[j++] - '0');
      if (static_cast<size_t>(g) >= m.size()) fail("invalid group reference " + std::to_string(g));
      out += m[static_cast<size_t>(g)].matched ? m[static_cast<size_t>(g)].str() : "";
      i = j - 1;
    } else if (n == 'g' && i + 2 < repl.size() && repl[i + 2] == '<') {
      size_t close = repl.find('>', i);
      std::string name = repl.substr(i + 3, close - i - 3);
      int g;
      if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
        g = std::stoi(name);
      } else {
        auto it = rx.group_names.find(name);
        if (it == rx.group_names.end()) fail("unknown group name '" + name + "'");
        g = it->second;
      }
      if (static_cast<size_t>(g) >= m.size()) fail("invalid group reference " + std::to_string(g));
      out += m[static_cast<size_t>(g)].str();
      i = close;
    } else if (n == 'n') {
      out += '\n';
      ++i;
    } else if (n == 't') {
      out += '\t';
      ++i;
    } else if (n == '\\') {
      out += '\\';
      ++i;
    } else {
      out += c;
      out += n;
      ++i;
    }
  }
  return out;
}

}  // namespace prov::tmpl
