// Ansible wraps its warnings with Python's textwrap to the terminal's width (79 columns off a terminal); the same
// rules here, so that warnings read as Ansible's do.
#include "provision/output/text_wrap.h"

#include <vector>

namespace prov::out {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// A letter for textwrap's hyphen rule ([^\d\W]): ASCII letters, the underscore, and any non-ASCII byte.
bool is_letter(const std::string& s, std::size_t i) {
  if (i >= s.size()) return false;
  auto c = static_cast<unsigned char>(s[i]);
  return c >= 0x80 || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The byte offset just after the first `n` code points of s.
std::size_t prefix_bytes(const std::string& s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) break;
  }
  return i;
}

// A hyphen at i ends a chunk when letters come before it ("ab-" or "a-b-") and after it ("c", "c-d").
bool hyphen_breaks(const std::string& word, std::size_t i) {
  bool before = (i >= 2 && is_letter(word, i - 1) && is_letter(word, i - 2)) ||
                (i >= 3 && is_letter(word, i - 1) && word[i - 2] == '-' && is_letter(word, i - 3));
  bool after = is_letter(word, i + 1) &&
               (is_letter(word, i + 2) || (i + 3 < word.size() && word[i + 2] == '-' && is_letter(word, i + 3)));
  return before && after;
}

// Runs of spaces, and words split after the hyphens that may end a line.
std::vector<std::string> chunks_of(const std::string& text) {
  std::vector<std::string> chunks;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    if (text[i] == ' ') {
      while (j < text.size() && text[j] == ' ') ++j;
    } else {
      while (j < text.size() && text[j] != ' ') {
        ++j;
        if (text[j - 1] == '-' && hyphen_breaks(text, j - 1)) break;
      }
    }
    chunks.push_back(text.substr(i, j - i));
    i = j;
  }
  return chunks;
}

}  // namespace

std::string wrap_text(const std::string& text, std::size_t width) {
  // Tabs to the next multiple of 8 columns (str.expandtabs), then every whitespace character to a space.
  std::string flat;
  std::size_t column = 0;
  for (char c : text) {
    if (c == '\t') {
      flat.append(8 - column % 8, ' ');
      column += 8 - column % 8;
      continue;
    }
    column = c == '\n' || c == '\r' ? 0 : column + ((static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0);
    flat += is_space(c) ? ' ' : c;
  }
  std::vector<std::string> chunks = chunks_of(flat);
  std::vector<std::string> lines;
  std::size_t next = 0;
  while (next < chunks.size()) {
    if (chunks[next].front() == ' ' && !lines.empty()) ++next;  // no line starts with spaces but the first
    std::vector<std::string> line;
    std::size_t length = 0;
    while (next < chunks.size() && length + text_width(chunks[next]) <= width) {
      length += text_width(chunks[next]);
      line.push_back(chunks[next++]);
    }
    if (next < chunks.size() && text_width(chunks[next]) > width) {
      // A chunk longer than a whole line: cut it to the space left (after a hyphen there, when there is one).
      std::string& chunk = chunks[next];
      std::size_t left = width > length ? width - length : 1;
      std::size_t end = prefix_bytes(chunk, left);
      if (std::size_t hyphen = chunk.rfind('-', end == 0 ? 0 : end - 1);
          hyphen != std::string::npos && hyphen > 0 && hyphen < end && chunk.find_first_not_of('-') < hyphen) {
        end = hyphen + 1;
      }
      line.push_back(chunk.substr(0, end));
      chunk.erase(0, end);
    }
    if (!line.empty() && line.back().front() == ' ') line.pop_back();
    if (!line.empty()) {
      std::string joined;
      for (const auto& part : line) joined += part;
      lines.push_back(joined);
    }
  }
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

std::size_t text_width(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string warning_text(const std::string& message) { return wrap_text("[WARNING]: " + message, 79); }

}  // namespace prov::out
