// Local facts (ansible_local): each fact_path/*.fact file read as JSON, else as an INI file the way Python's
// configparser reads it; an executable's output likewise. A file that is neither gives Ansible's message instead.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "facts_internal.h"
#include "provision/core/utf8.h"

namespace prov::facts::detail {

namespace {

std::string decode_hex(const std::string& hex) {
  std::string bytes;
  for (const auto& word : split_words(hex)) {
    if (word.size() == 2) bytes += static_cast<char>(std::stoi(word, nullptr, 16));
  }
  return bytes;
}

// configparser's BasicInterpolation: %(name)s from the same section (or DEFAULT), %% for a percent sign.
std::optional<std::string> interpolate(const std::string& value, const std::map<std::string, std::string>& options,
                                       int depth = 0) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
      continue;
    }
    if (i + 1 < value.size() && value[i + 1] == '%') {
      out += '%';
      ++i;
      continue;
    }
    auto close = value.find(")s", i);
    if (i + 1 >= value.size() || value[i + 1] != '(' || close == std::string::npos || depth > 10) return std::nullopt;
    auto it = options.find(lower(value.substr(i + 2, close - i - 2)));
    if (it == options.end()) return std::nullopt;
    auto inner = interpolate(it->second, options, depth + 1);
    if (!inner) return std::nullopt;
    out += *inner;
    i = close + 1;
  }
  return out;
}

struct IniSection {
  std::string name;
  std::vector<std::pair<std::string, std::string>> options;
};

// configparser with its defaults (strict, '=' or ':', '#' and ';' comments, indented continuation lines, option
// names lower-cased). nullopt where configparser raises an error.
std::optional<Value> parse_ini(const std::string& text) {
  std::vector<IniSection> sections;
  IniSection defaults{"DEFAULT", {}};
  IniSection* current = nullptr;
  std::string* last_value = nullptr;
  int last_indent = 0;
  for (const std::string& raw : split_lines(text)) {
    std::string line = rtrim(raw);
    std::string stripped = trim(line);
    int indent = static_cast<int>(line.find_first_not_of(" \t"));
    if (stripped.empty() || stripped[0] == '#' || stripped[0] == ';') {
      if (stripped.empty() && last_value) *last_value += "\n";
      if (stripped.empty()) continue;
      continue;
    }
    if (last_value && indent > last_indent) {
      *last_value = rtrim(*last_value, "\n") + "\n" + stripped;
      continue;
    }
    if (last_value) *last_value = rtrim(*last_value, "\n");
    last_value = nullptr;
    if (stripped[0] == '[' && stripped.back() == ']' && stripped.size() > 2) {
      const std::string name = stripped.substr(1, stripped.size() - 2);
      if (name == "DEFAULT") {
        current = &defaults;
        continue;
      }
      for (const auto& existing : sections) {
        if (existing.name == name) return std::nullopt;  // DuplicateSectionError
      }
      sections.push_back({name, {}});
      current = &sections.back();
      continue;
    }
    if (!current) return std::nullopt;  // MissingSectionHeaderError
    auto delimiter = stripped.find_first_of("=:");
    if (delimiter == std::string::npos || delimiter == 0) return std::nullopt;  // ParsingError
    std::string key = lower(trim(stripped.substr(0, delimiter)));
    for (const auto& [k, v] : current->options) {
      if (k == key) return std::nullopt;  // DuplicateOptionError
    }
    current->options.emplace_back(key, trim(stripped.substr(delimiter + 1)));
    last_value = &current->options.back().second;
    last_indent = indent;
  }
  if (last_value) *last_value = rtrim(*last_value, "\n");
  Value out = Value::object();
  for (const auto& section_ : sections) {
    std::map<std::string, std::string> lookup;
    for (const auto& [k, v] : defaults.options) lookup[k] = v;
    for (const auto& [k, v] : section_.options) lookup[k] = v;
    Value values = Value::object();
    auto add = [&](const std::string& key) -> bool {
      auto value = interpolate(lookup[key], lookup);
      if (!value) return false;
      values[key] = *value;
      return true;
    };
    for (const auto& [k, v] : section_.options) {
      if (!add(k)) return std::nullopt;
    }
    for (const auto& [k, v] : defaults.options) {
      if (!values.contains(k) && !add(k)) return std::nullopt;
    }
    out[section_.name] = values;
  }
  return out;
}

// The facts of a file or a script's output, or the message Ansible puts in their place (and warns with).
struct FactValue {
  Value value;
  bool failed = false;
};

FactValue fact_value(const std::string& path, const std::string& text) {
  if (!is_valid_utf8(text)) return {"error loading fact - output of running \"" + path + "\" was not utf-8", true};
  try {
    return {Value::parse(text)};
  } catch (const std::exception&) {}
  if (auto ini = parse_ini(text)) return {*ini};
  return {"error loading facts as JSON or ini - please check content: " + path, true};
}

}  // namespace

void add_local_facts(const Sections& s, Value& facts, std::vector<std::string>* warnings) {
  if (!s.count("local")) return;
  Value local = Value::object();
  const std::string& all = section(s, "local");
  const std::string fact_path = all.substr(0, all.find('\n'));
  const std::string text = all.find('\n') == std::string::npos ? "" : all.substr(all.find('\n') + 1);
  std::string name, mode, hex;
  auto flush = [&]() {
    if (name.empty()) return;
    std::string key = name;
    for (std::size_t at; (at = key.find(".fact")) != std::string::npos;) key.erase(at, 5);
    const std::string path = fact_path + "/" + name;
    std::string bytes = decode_hex(hex);
    if (mode == "exec") {
      // output \001 exit status \002 standard error
      const auto status_end = bytes.rfind('\002');
      const std::string err = status_end == std::string::npos ? "" : bytes.substr(status_end + 1);
      if (status_end != std::string::npos) bytes.resize(status_end);
      auto mark = bytes.rfind('\001');
      std::string rc = mark == std::string::npos ? "" : bytes.substr(mark + 1);
      bytes = bytes.substr(0, mark == std::string::npos ? bytes.size() : mark);
      if (rc != "0") {
        local[key] = "Failure executing fact script (" + path + "), rc: " + rc + ", err: " + err;
        if (warnings) warnings->push_back(local[key].get<std::string>());
        name.clear();
        return;
      }
    }
    FactValue read = fact_value(path, bytes);
    // A file that gave no facts is named in a warning too, as Ansible's module warns.
    if (read.failed && warnings) warnings->push_back(read.value.get<std::string>());
    local[key] = std::move(read.value);
    name.clear();
  };
  for (const auto& line : split_lines(text)) {
    auto words = split_words(line);
    bool header = words.size() == 2 && (words[1] == "exec" || words[1] == "file") && words[0].size() > 2 &&
                  words[0].find_first_not_of("0123456789abcdef") != std::string::npos;
    if (header) {
      flush();
      name = words[0];
      mode = words[1];
      hex.clear();
    } else {
      hex += line + "\n";
    }
  }
  flush();
  facts["local"] = local;
}

}  // namespace prov::facts::detail
