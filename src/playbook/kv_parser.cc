// Ansible's free-form argument strings: `copy: src=a dest="b c"` and `command: ls -l chdir=/tmp`.
// Splitting follows Ansible's split_args: spaces inside quotes or Jinja2 blocks do not split, newlines are kept.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "provision/playbook/model.h"
#include "provision/core/utf8.h"

namespace prov::pb {
namespace {

// The options command/shell/raw/script take as k=v; any other k=v word belongs to the command line.
constexpr std::array<const char*, 8> kCommandOptions = {"creates", "removes", "chdir", "executable",
                                                         "warn", "stdin", "stdin_add_newline", "strip_empty_ends"};

// The quote still open after `token`, starting from `open` (0 when none); a backslash escapes a quote.
char quote_state_after(const std::string& token, char open) {
  for (std::size_t i = 0; i < token.size(); ++i) {
    char c = token[i];
    bool escaped = i > 0 && token[i - 1] == '\\';
    if ((c == '"' || c == '\'') && !escaped) {
      if (open == 0) {
        open = c;
      } else if (c == open) {
        open = 0;
      }
    }
  }
  return open;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

// Jinja2 nesting depth after `token`, for one kind of delimiter pair.
int depth_after(const std::string& token, int depth, const char* open, const char* close) {
  auto opened = static_cast<int>(count_of(token, open));
  auto closed = static_cast<int>(count_of(token, close));
  if (opened != closed) depth = std::max(0, depth + opened - closed);
  return depth;
}

std::vector<std::string> split_on(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = text.find(sep, start);
    parts.push_back(text.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return parts;
    start = pos + 1;
  }
}

bool all_hex(const std::string& s, std::size_t from, std::size_t count) {
  if (from + count > s.size()) return false;
  for (std::size_t i = from; i < from + count; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// Python string escapes as Ansible decodes them in k=v words: \n \t \\ \" \' \xHH \uHHHH \UHHHHHHHH.
std::string decode_escapes(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char e = s[i + 1];
    std::size_t hex_len = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (hex_len && all_hex(s, i + 2, hex_len)) {
      append_utf8(out, std::stoul(s.substr(i + 2, hex_len), nullptr, 16));
      i += 1 + hex_len;
      continue;
    }
    static const std::string simple = "\\'\"abfnrtv";
    static const std::string decoded = "\\'\"\a\b\f\n\r\t\v";
    std::size_t k = simple.find(e);
    if (k != std::string::npos) {
      out += decoded[k];
      ++i;
      continue;
    }
    out += s[i];
  }
  return out;
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string unquote(const std::string& s) {
  bool quoted =
      s.size() > 1 && s.front() == s.back() && (s.front() == '"' || s.front() == '\'') && s[s.size() - 2] != '\\';
  return quoted ? s.substr(1, s.size() - 2) : s;
}

bool is_command_option(const std::string& key) {
  for (const char* option : kCommandOptions) {
    if (key == option) return true;
  }
  return false;
}

}  // namespace

namespace detail {

std::vector<std::string> split_args(const std::string& args, const SourceLoc& loc) {
  std::vector<std::string> params;
  std::vector<std::string> lines = split_on(args, '\n');
  char quote = 0;
  int print_depth = 0, block_depth = 0, comment_depth = 0;
  for (std::size_t line_index = 0; line_index < lines.size(); ++line_index) {
    std::vector<std::string> tokens = split_on(lines[line_index], ' ');
    bool continuation = false;
    for (std::size_t idx = 0; idx < tokens.size(); ++idx) {
      const std::string& token = tokens[idx];
      if (token.empty() && idx != 0) {
        // Consecutive spaces are kept so that quoted text survives unchanged.
        if (!params.empty()) params.back() += ' ';
        continue;
      }
      bool inside_quotes = quote != 0;
      if (token == "\\" && !inside_quotes) {
        continuation = true;
        continue;
      }
      bool was_inside_quotes = inside_quotes;
      quote = quote_state_after(token, quote);
      inside_quotes = quote != 0;
      bool in_jinja = print_depth || block_depth || comment_depth;
      bool appended = false;
      if (inside_quotes && !was_inside_quotes && !in_jinja) {
        params.push_back(token);
        appended = true;
      } else if ((in_jinja || inside_quotes || was_inside_quotes) && !params.empty()) {
        if (idx == 0 && was_inside_quotes) {
          params.back() += token;
        } else if (tokens.size() > 1) {
          params.back() += (idx > 0 ? " " : "") + token;
        } else {
          params.back() += "\n" + token;
        }
        appended = true;
      }
      auto track = [&](int& depth, const char* open, const char* close) {
        int before = depth;
        depth = depth_after(token, depth, open, close);
        if (depth != before && !appended) {
          params.push_back(token);
          appended = true;
        }
      };
      track(print_depth, "{{", "}}");
      track(block_depth, "{%", "%}");
      track(comment_depth, "{#", "#}");
      if (!(print_depth || block_depth || comment_depth) && !inside_quotes && !appended && !token.empty()) {
        params.push_back(token);
      }
    }
    if (lines.size() > 1 && line_index + 1 != lines.size() && !continuation && !params.empty()) params.back() += '\n';
  }
  if (print_depth || block_depth || comment_depth || quote != 0) {
    throw Error(fmt::format("unbalanced quotes or Jinja2 block in arguments: {}", args), loc,
                "quote the whole value, or close the quote or '{{ }}'");
  }
  return params;
}

}  // namespace detail

Value parse_kv(const std::string& text, bool check_raw, const SourceLoc& loc) {
  Value options = Value::object();
  std::vector<std::string> raw;
  for (const std::string& word : detail::split_args(text, loc)) {
    std::string decoded = decode_escapes(word);
    // The first '=' that is not escaped (and not the first character) separates key and value.
    std::size_t eq = std::string::npos;
    for (std::size_t pos = decoded.find('=', 1); pos != std::string::npos; pos = decoded.find('=', pos + 1)) {
      if (decoded[pos - 1] != '\\') {
        eq = pos;
        break;
      }
    }
    if (eq == std::string::npos) {
      if (decoded.find('=') != std::string::npos) {
        std::string unescaped;
        for (std::size_t i = 0; i < decoded.size(); ++i) {
          if (decoded[i] == '\\' && i + 1 < decoded.size() && decoded[i + 1] == '=') continue;
          unescaped += decoded[i];
        }
        raw.push_back(unescaped);
      } else {
        raw.push_back(word);
      }
      continue;
    }
    std::string key = decoded.substr(0, eq);
    if (check_raw && !is_command_option(key)) {
      raw.push_back(word);
      continue;
    }
    options[trim(key)] = unquote(trim(decoded.substr(eq + 1)));
  }
  if (!raw.empty()) {
    std::string joined;
    for (const std::string& part : raw) {
      if (!joined.empty() && joined.back() != '\n') joined += ' ';
      joined += part;
    }
    options["_raw_params"] = joined;
  }
  return options;
}

}  // namespace prov::pb
