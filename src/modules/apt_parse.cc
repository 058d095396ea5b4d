#include "apt_parse.h"

#include <fnmatch.h>

#include <cctype>
#include <sstream>
#include <stdexcept>

#include "provision/core/text.h"
#include "sections.h"

namespace prov::mod::apt {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// "Inst name [old] (new ...)" -> name (without ":arch").
std::string sim_name(const std::string& line) {
  size_t start = 5;
  size_t end = line.find(' ', start);
  std::string name = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
  return name;
}

}  // namespace

std::map<std::string, std::string> sections(const std::string& out) {
  std::map<std::string, std::string> found;
  for (const Section& s : read_sections(out)) found[s.name] = (s.head.empty() ? "" : s.head + "\n") + s.body;
  return found;
}

long long to_number(const std::string& text) {
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return 0;
  }
}

bool lock_failure(const std::string& err) {
  return err.find("Could not get lock") != std::string::npos ||
         err.find("Unable to acquire the dpkg frontend lock") != std::string::npos;
}

std::string first_error(const std::string& err) {
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("E: ", 0) == 0) return line;
  }
  return rtrim(err, "\n ");
}

PackageSpec split_spec(const std::string& spec) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos) return {spec, ""};
  return {spec.substr(0, eq), spec.substr(eq + 1)};
}

bool has_wildcard(const std::string& text) { return text.find_first_of("*?[]!") != std::string::npos; }

bool fnmatch(const std::string& pattern, const std::string& text) {
  // Python's fnmatch knows no backslash escapes: FNM_NOESCAPE matches that.
  return ::fnmatch(pattern.c_str(), text.c_str(), FNM_NOESCAPE) == 0;
}

std::map<std::string, DpkgState> parse_dpkg_query(const std::string& out) {
  std::map<std::string, DpkgState> states;
  for (const auto& line : split_lines(out)) {
    size_t tab1 = line.find('\t');
    if (tab1 == std::string::npos) continue;
    size_t tab2 = line.find('\t', tab1 + 1);
    std::string name = line.substr(0, tab1);
    std::string status = line.substr(tab1 + 1, tab2 == std::string::npos ? std::string::npos : tab2 - tab1 - 1);
    DpkgState st;
    std::istringstream words(status);
    std::string flag;
    words >> st.want >> flag >> st.status;
    if (st.installed() || st.status == "config-files" || st.status == "half-configured" || st.status == "unpacked") {
      st.version = tab2 == std::string::npos ? "" : line.substr(tab2 + 1);
    }
    auto it = states.find(name);
    if (it != states.end() && it->second.installed()) continue;  // keep the installed architecture
    states[name] = st;
  }
  return states;
}

std::map<std::string, Policy> parse_policy(const std::string& out) {
  std::map<std::string, Policy> policies;
  Policy* current = nullptr;
  bool in_table = false;
  for (const auto& line : split_lines(out)) {
    if (line.empty()) continue;
    if (line[0] != ' ') {
      // "name:" starts a package (a name may carry ":arch" itself, so drop only the last colon).
      if (line.back() != ':') {
        current = nullptr;
        continue;
      }
      current = &policies[line.substr(0, line.size() - 1)];
      in_table = false;
      continue;
    }
    if (current == nullptr) continue;
    std::string t = trim(line);
    auto value = [&](const std::string& key) {
      std::string v = trim(t.substr(key.size()));
      return v == "(none)" ? std::string() : v;
    };
    if (starts_with(t, "Installed:")) {
      current->installed = value("Installed:");
    } else if (starts_with(t, "Candidate:")) {
      current->candidate = value("Candidate:");
    } else if (starts_with(t, "Version table:")) {
      in_table = true;
    } else if (in_table) {
      // Version lines are indented 5 ("     1.0 500" or " *** 1.0 100"), origin lines 8.
      size_t indent = line.find_first_not_of(' ');
      if (starts_with(t, "*** "))
        t = trim(t.substr(4));
      else if (indent >= 8)
        continue;
      std::string version = t.substr(0, t.find(' '));
      if (!version.empty()) current->versions.push_back(version);
    }
  }
  return policies;
}

Simulation parse_simulation(const std::string& out) {
  Simulation sim;
  for (const auto& line : split_lines(out)) {
    if (starts_with(line, "Inst "))
      sim.installed.push_back(sim_name(line));
    else if (starts_with(line, "Remv ") || starts_with(line, "Purg "))
      sim.removed.push_back(sim_name(line));
  }
  return sim;
}

std::string prepared_text(const std::string& out) {
  std::vector<std::string> lines = split_lines(out);
  size_t start = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == "Reading state information...") {
      start = i + 1;
      break;
    }
  }
  size_t end = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    size_t digits = l.find_first_not_of("0123456789");
    if (digits > 0 && digits != std::string::npos &&
        (starts_with(l.substr(digits), " upgraded") || starts_with(l.substr(digits), " packages upgraded"))) {
      end = i + 1;
      break;
    }
  }
  std::string text;
  for (size_t i = start; i < end && i < lines.size(); ++i) {
    if (i > start) text += "\n";
    text += lines[i];
  }
  return text;
}

std::vector<std::string> missing_packages(const std::string& err) {
  std::vector<std::string> names;
  for (const auto& line : split_lines(err)) {
    if (starts_with(line, "E: Unable to locate package ")) {
      names.push_back(trim(line.substr(28)));
    } else if (starts_with(line, "E: Package '")) {
      size_t end = line.find('\'', 12);
      if (end != std::string::npos && line.find("has no installation candidate") != std::string::npos) {
        names.push_back(line.substr(12, end - 12));
      }
    } else if (starts_with(line, "E: Version '") && line.find("' was not found") != std::string::npos) {
      size_t q = line.find("for '");
      if (q != std::string::npos) names.push_back(line.substr(q + 5, line.find('\'', q + 5) - q - 5));
    }
  }
  return names;
}

std::vector<std::string> parse_auto_installed(const std::string& extended_states) {
  std::vector<std::string> names;
  std::string current;
  for (const auto& line : split_lines(extended_states)) {
    if (starts_with(line, "Package:"))
      current = trim(line.substr(8));
    else if (line.empty())
      current.clear();
    else if (starts_with(line, "Auto-Installed:") && trim(line.substr(15)) == "1" && !current.empty()) {
      names.push_back(current);
    }
  }
  return names;
}

SourceLine parse_source_line(const std::string& text) {
  SourceLine line;
  line.raw = text;
  std::string rest = trim(text);
  if (!rest.empty() && rest[0] == '#') {
    line.enabled = false;
    rest = rest.substr(1);
  }
  size_t hash = rest.find('#');
  if (hash != std::string::npos && hash > 0) {
    line.comment = trim(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  std::istringstream words(rest);
  std::vector<std::string> chunks;
  for (std::string w; words >> w;) chunks.push_back(w);
  if (!chunks.empty() && (chunks[0] == "deb" || chunks[0] == "deb-src")) {
    line.valid = true;
    std::string source;
    for (const auto& c : chunks) source += (source.empty() ? "" : " ") + c;
    line.source = source;
  } else {
    line.source = trim(rest);
  }
  return line;
}

std::string render_source_line(const SourceLine& line) {
  if (!line.valid) return line.raw;
  std::string out = line.enabled ? "" : "# ";
  out += line.source;
  if (!line.comment.empty()) out += " # " + line.comment;
  return out;
}

std::string suggest_sources_filename(const std::string& repo) {
  std::string line;
  // Options in brackets and URI schemes are dropped.
  for (size_t i = 0; i < repo.size(); ++i) {
    if (repo[i] == '[') {
      size_t end = repo.find(']', i);
      if (end != std::string::npos && end > i + 1) {
        i = end;
        continue;
      }
    }
    line += repo[i];
  }
  for (size_t pos; (pos = line.find("://")) != std::string::npos;) {
    size_t start = pos;
    while (start > 0 && (std::isalnum(static_cast<unsigned char>(line[start - 1])) || line[start - 1] == '_')) --start;
    if (start == pos) break;
    line.erase(start, pos + 3 - start);
  }
  std::istringstream words(line);
  std::string uri;
  for (std::string w; words >> w;) {
    if (w == "deb" || w == "deb-src") continue;
    uri = w;
    break;
  }
  if (size_t at = uri.find('@'); at != std::string::npos) uri = uri.substr(at + 1);
  std::string name, word;
  for (char c : uri + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += c;
    } else if (!word.empty()) {
      name += (name.empty() ? "" : "_") + word;
      word.clear();
    }
  }
  return name + ".list";
}

}  // namespace prov::mod::apt
