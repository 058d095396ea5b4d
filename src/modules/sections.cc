#include "sections.h"

#include "provision/connection/connection.h"

namespace prov::mod {

std::vector<Section> read_sections(std::string_view out) {
  std::vector<Section> sections;
  while (!out.empty()) {
    size_t end = out.find('\n');
    std::string_view line = out.substr(0, end);
    out.remove_prefix(end == std::string_view::npos ? out.size() : end + 1);
    if (line.substr(0, 2) == "@@") {
      size_t space = line.find(' ');
      Section s;
      s.name = std::string(line.substr(2, space == std::string_view::npos ? std::string_view::npos : space - 2));
      if (space != std::string_view::npos) s.head = std::string(line.substr(space + 1));
      sections.push_back(std::move(s));
    } else if (!sections.empty()) {
      sections.back().body.append(line).push_back('\n');
    }
  }
  return sections;
}

const Section* find_section(const std::vector<Section>& sections, std::string_view name) {
  for (const Section& s : sections) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string section_marker(std::string_view name, const std::string& head) {
  std::string marker = "@@" + std::string(name);
  if (!head.empty()) marker += " " + head;
  return "echo " + conn::shell_quote(marker);
}

}  // namespace prov::mod
