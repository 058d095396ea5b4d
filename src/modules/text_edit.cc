#include "text_edit.h"

#include <algorithm>

#include "provision/core/error.h"
#include "provision/template/engine.h"

namespace prov::mod::text {

namespace {

bool ends_with_newline(const std::string& s) { return !s.empty() && s.back() == '\n'; }

// bytes.rstrip(b'\r\n')
std::string rstrip_newlines(const std::string& s) {
  size_t end = s.find_last_not_of("\r\n");
  return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

// Ansible compiles the pattern from bytes and searches bytes: ASCII classes and case folding.
LineRegex::LineRegex(const std::string& pattern) : rx_(compile(pattern)) {}

tmpl::PyRegex LineRegex::compile(const std::string& pattern) {
  try {
    return tmpl::PyRegex(pattern, false, false, tmpl::RegexText::Bytes);
  } catch (const tmpl::TemplateError& e) {
    throw Error(e.message());
  }
}

bool LineRegex::search(const std::string& text, tmpl::RegexMatch* match) const {
  tmpl::RegexMatch local;
  try {
    return rx_.search(text, match != nullptr ? *match : local);
  } catch (const tmpl::TemplateError& e) {
    throw Error(e.message());
  }
}

std::string LineRegex::expand(const std::string& replacement, const tmpl::RegexMatch& match) const {
  try {
    return rx_.expand(replacement, match);
  } catch (const tmpl::TemplateError& e) {
    throw Error(std::string("invalid backreference in line: ") + e.message());
  }
}

std::vector<std::string> readlines(const std::string& content) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < content.size()) {
    size_t nl = content.find('\n', start);
    size_t end = nl == std::string::npos ? content.size() : nl + 1;
    lines.push_back(content.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::vector<std::string> splitlines_keepends(const std::string& content) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find_first_of("\r\n", start);
    if (end == std::string::npos) {
      end = content.size();
    } else if (content[end] == '\r' && end + 1 < content.size() && content[end + 1] == '\n') {
      end += 2;
    } else {
      end += 1;
    }
    lines.push_back(content.substr(start, end - start));
    start = end;
  }
  return lines;
}

EditResult lineinfile_present(const std::string& content, const LineEdit& edit) {
  std::vector<std::string> lines = readlines(content);
  const std::string line = edit.line.value_or("");
  std::optional<std::string> insertafter = edit.insertafter, insertbefore = edit.insertbefore;
  if (!insertafter && !insertbefore) insertafter = "EOF";

  std::optional<LineRegex> rx;
  if (edit.regexp) rx.emplace(*edit.regexp);
  std::optional<LineRegex> insert_rx;
  if (insertafter && *insertafter != "BOF" && *insertafter != "EOF") {
    insert_rx.emplace(*insertafter);
  } else if (insertbefore && *insertbefore != "BOF") {
    insert_rx.emplace(*insertbefore);
  }

  // Where regexp (or search_string, or the line itself) was found, and where to insert otherwise. Like Ansible,
  // the last match wins unless firstmatch is set; regexp or search_string decide before the line itself does.
  long found_at = -1, insert_at = -1;
  bool matched = false;
  tmpl::RegexMatch match;
  for (size_t i = 0; rx && i < lines.size(); ++i) {
    tmpl::RegexMatch m;
    if (rx->search(lines[i], &m)) {
      found_at = static_cast<long>(i);
      match = m;
      matched = true;
      if (edit.firstmatch) break;
    }
  }
  for (size_t i = 0; edit.search_string && i < lines.size(); ++i) {
    if (lines[i].find(*edit.search_string) != std::string::npos) {
      found_at = static_cast<long>(i);
      matched = true;
      if (edit.firstmatch) break;
    }
  }
  if (!matched) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (rstrip_newlines(lines[i]) == line) {
        found_at = static_cast<long>(i);
      } else if (insert_rx && insert_rx->search(lines[i])) {
        insert_at = static_cast<long>(insertafter ? i + 1 : i);
        if (edit.firstmatch) break;
      }
    }
  }

  EditResult r;
  auto insert = [&](long at, const std::string& text) {
    lines.insert(lines.begin() + at, text);
    r.msg = "line added";
    r.changed = true;
  };
  if (found_at != -1) {
    std::string new_line = edit.backrefs && matched && rx ? rx->expand(line, match) : line;
    if (!ends_with_newline(new_line)) new_line += '\n';
    if (lines[static_cast<size_t>(found_at)] != new_line) {
      lines[static_cast<size_t>(found_at)] = new_line;
      r.msg = "line replaced";
      r.changed = true;
    }
  } else if (edit.backrefs) {
    // Without a match there is nothing to fill the backreferences with: Ansible leaves the file alone.
  } else if (insertbefore == "BOF" || insertafter == "BOF") {
    insert(0, line + "\n");
  } else if (insertafter == "EOF" || insert_at == -1) {
    if (!lines.empty() && lines.back().back() != '\n' && lines.back().back() != '\r') lines.push_back("\n");
    insert(static_cast<long>(lines.size()), line + "\n");
  } else if (insertafter) {
    // Ansible adds no newline to a last line that lacks one here: the new line is glued to it.
    if (static_cast<size_t>(insert_at) == lines.size()) {
      if (rstrip_newlines(lines[static_cast<size_t>(insert_at) - 1]) != line) insert(insert_at, line + "\n");
    } else if (rstrip_newlines(lines[static_cast<size_t>(insert_at)]) != line) {
      insert(insert_at, line + "\n");
    }
  } else {
    insert(insert_at, line + "\n");
  }
  r.content = join(lines);
  return r;
}

EditResult lineinfile_absent(const std::string& content, const LineEdit& edit) {
  std::optional<LineRegex> rx;
  if (edit.regexp) rx.emplace(*edit.regexp);
  EditResult r;
  for (const auto& l : readlines(content)) {
    bool hit = rx                   ? rx->search(l)
               : edit.search_string ? l.find(*edit.search_string) != std::string::npos
                                    : rstrip_newlines(l) == edit.line.value_or("");
    if (hit) {
      ++r.found;
    } else {
      r.content += l;
    }
  }
  r.changed = r.found > 0;
  if (r.changed) r.msg = std::to_string(r.found) + " line(s) removed";
  return r;
}

EditResult blockinfile_edit(const std::optional<std::string>& original, const BlockEdit& edit) {
  std::vector<std::string> lines = original ? splitlines_keepends(*original) : std::vector<std::string>{};
  std::optional<std::string> insertafter = edit.insertafter, insertbefore = edit.insertbefore;
  if (!insertafter && !insertbefore) insertafter = "EOF";
  std::optional<LineRegex> insert_rx;
  if (insertafter && *insertafter != "EOF") {
    insert_rx.emplace(*insertafter);
  } else if (insertbefore && *insertbefore != "BOF") {
    insert_rx.emplace(*insertbefore);
  }

  const std::string begin = replace_all(edit.marker, "{mark}", edit.marker_begin) + "\n";
  const std::string end = replace_all(edit.marker, "{mark}", edit.marker_end) + "\n";
  std::vector<std::string> block_lines;
  if (edit.present && !edit.block.empty()) {
    std::string block = edit.block;
    if (!ends_with_newline(block)) block += '\n';
    block_lines.push_back(begin);
    for (auto& l : splitlines_keepends(block)) block_lines.push_back(std::move(l));
    block_lines.push_back(end);
  }

  // The last line equal to each marker (with its newline) locates an existing block.
  std::optional<size_t> n0, n1;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == begin) n0 = i;
    if (lines[i] == end) n1 = i;
  }
  size_t at = 0;
  if (!n0 || !n1) {
    std::optional<size_t> hit;
    if (insert_rx) {
      if (insert_rx->multiline()) {
        tmpl::RegexMatch m;
        if (original && insert_rx->search(*original, &m)) {
          size_t offset = insertafter ? m.end() : m.start();
          hit = static_cast<size_t>(std::count(original->begin(), original->begin() + static_cast<long>(offset), '\n'));
        }
      } else {
        for (size_t i = 0; i < lines.size(); ++i) {
          if (insert_rx->search(lines[i])) hit = i;
        }
      }
      if (!hit) {
        at = lines.size();
      } else {
        at = *hit + (insertafter ? 1 : 0);
      }
    } else if (insertbefore) {
      at = 0;  // BOF
    } else {
      at = lines.size();  // EOF
    }
  } else {
    size_t from = std::min(*n0, *n1), to = std::max(*n0, *n1);
    lines.erase(lines.begin() + static_cast<long>(from), lines.begin() + static_cast<long>(to) + 1);
    at = from;
  }
  at = std::min(at, lines.size());
  // The line before the block always ends with a newline, even when the block is being removed.
  if (at > 0 && !ends_with_newline(lines[at - 1])) lines[at - 1] += '\n';
  lines.insert(lines.begin() + static_cast<long>(at), block_lines.begin(), block_lines.end());

  EditResult r;
  r.content = join(lines);
  if (original && *original == r.content) return r;
  r.changed = true;
  r.msg = !original ? "File created" : block_lines.empty() ? "Block removed" : "Block inserted";
  return r;
}

}  // namespace prov::mod::text
