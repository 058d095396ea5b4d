// Python's string methods on UTF-8 text (case mapping is ASCII-only, which covers configuration files).
#include "strings.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "eval.h"
#include "limits.h"

namespace prov::tmpl {

static bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::vector<std::string> split_whitespace(const std::string& s, int64_t maxsplit, bool from_right) {
  std::vector<std::string> parts;
  if (!from_right) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && is_space(s[i])) ++i;
      if (i >= s.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        size_t e = s.size();
        while (e > i && is_space(s[e - 1])) --e;
        parts.push_back(s.substr(i, e - i));
        break;
      }
      size_t j = i;
      while (j < s.size() && !is_space(s[j])) ++j;
      parts.push_back(s.substr(i, j - i));
      i = j;
    }
    return parts;
  }
  size_t i = s.size();
  while (true) {
    while (i > 0 && is_space(s[i - 1])) --i;
    if (i == 0) break;
    if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
      size_t b = 0;
      while (b < i && is_space(s[b])) ++b;
      parts.insert(parts.begin(), s.substr(b, i - b));
      break;
    }
    size_t j = i;
    while (j > 0 && !is_space(s[j - 1])) --j;
    parts.insert(parts.begin(), s.substr(j, i - j));
    i = j;
  }
  return parts;
}

std::vector<std::string> split_on(const std::string& s, const std::string& sep, int64_t maxsplit, bool from_right) {
  if (sep.empty()) fail("empty separator");
  std::vector<std::string> parts;
  if (!from_right) {
    size_t start = 0;
    while (true) {
      size_t p = s.find(sep, start);
      if (p == std::string::npos || (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit)) break;
      parts.push_back(s.substr(start, p - start));
      start = p + sep.size();
    }
    parts.push_back(s.substr(start));
    return parts;
  }
  size_t end = s.size();
  while (true) {
    if (end < sep.size()) break;
    size_t p = s.rfind(sep, end - sep.size());
    if (p == std::string::npos || (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit)) break;
    parts.insert(parts.begin(), s.substr(p + sep.size(), end - p - sep.size()));
    end = p;
  }
  parts.insert(parts.begin(), s.substr(0, end));
  return parts;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') {
      out.push_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

std::string strip_chars(const std::string& s, const std::string& chars, bool left, bool right) {
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && chars.find(s[b]) != std::string::npos) ++b;
  if (right)
    while (e > b && chars.find(s[e - 1]) != std::string::npos) --e;
  return s.substr(b, e - b);
}

// Case mapping for ASCII, Latin-1 letters and basic Cyrillic: the letters configuration text uses.
static std::string map_case(const std::string& s, bool upper) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(upper ? std::toupper(c) : std::tolower(c));
      continue;
    }
    if ((c == 0xC3 || c == 0xD0 || c == 0xD1) && i + 1 < s.size()) {
      unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      if (upper && cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
        cp -= 0x20;
      else if (!upper && cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        cp += 0x20;
      else if (upper && cp >= 0x430 && cp <= 0x44F)
        cp -= 0x20;
      else if (!upper && cp >= 0x410 && cp <= 0x42F)
        cp += 0x20;
      else if (upper && cp >= 0x450 && cp <= 0x45F)
        cp -= 0x50;
      else if (!upper && cp >= 0x400 && cp <= 0x40F)
        cp += 0x50;
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
      ++i;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

std::string to_upper(std::string s) { return map_case(s, true); }

std::string to_lower(std::string s) { return map_case(s, false); }

std::string capitalize(const std::string& s) {
  std::string out = to_lower(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string title_case(const std::string& s) {
  std::string out = s;
  bool prev_letter = false;
  for (auto& c : out) {
    auto u = static_cast<unsigned char>(c);
    bool letter = std::isalpha(u) != 0;
    if (letter) c = static_cast<char>(prev_letter ? std::tolower(u) : std::toupper(u));
    prev_letter = letter || u >= 0x80;
  }
  return out;
}

std::string replace_all(const std::string& s, const std::string& from, const std::string& to, int64_t count) {
  std::string out;
  if (from.empty()) {
    // Python inserts `to` between every character and at both ends.
    auto chars = utf8_chars(s);
    int64_t done = 0;
    for (auto& c : chars) {
      if (count < 0 || done < count) {
        out += to;
        ++done;
      }
      out += c;
    }
    if (count < 0 || done < count) out += to;
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t p = s.find(from, start);
    if (p == std::string::npos) break;
    out += s.substr(start, p - start) + to;
    start = p + from.size();
    ++done;
  }
  return out + s.substr(start);
}

std::string justify(const std::string& s, size_t width, const std::string& fill, char align) {
  size_t len = utf8_length(s);
  if (len >= width) return s;
  size_t pad = width - len;
  auto rep = [&](size_t n) {
    std::string r;
    for (size_t i = 0; i < n; ++i) r += fill;
    return r;
  };
  if (align == '<') return s + rep(pad);
  if (align == '>') return rep(pad) + s;
  if (align == 'C') {  // str.center
    size_t left = pad / 2 + (pad & width & 1);
    return rep(left) + s + rep(pad - left);
  }
  return rep(pad / 2) + s + rep(pad - pad / 2);
}

constexpr int kMaxPrecision = 1'000'000;

// Formats are built from the template's own spec, checked above; the compiler cannot see that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
std::string format_spec(const Value& v, const std::string& spec) {
  if (spec.empty()) return py_str(v);
  size_t i = 0;
  std::string fill = " ";
  char align = '\0';
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (spec.size() >= 2 && is_align(spec[1])) {
    fill = spec.substr(0, 1);
    align = spec[1];
    i = 2;
  } else if (is_align(spec[0])) {
    align = spec[0];
    i = 1;
  }
  std::string sign;
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) sign = spec.substr(i++, 1);
  bool zero = false;
  if (i < spec.size() && spec[i] == '0') {
    zero = true;
    ++i;
  }
  // Widths and precisions saturate instead of wrapping: a 50-digit width asked for endless padding (fuzzer).
  size_t width = 0;
  while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i])))
    width = std::min<size_t>(width * 10 + static_cast<size_t>(spec[i++] - '0'), limits::kMaxSize + 1);
  check_size(width, "padding width");
  bool comma = i < spec.size() && spec[i] == ',';
  if (comma) ++i;
  int precision = -1;
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    precision = 0;
    while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i])))
      precision = std::min(precision * 10 + (spec[i++] - '0'), kMaxPrecision + 1);
    if (precision > kMaxPrecision) fail("Too many decimal digits in format string");
  }
  char type = i < spec.size() ? spec[i] : '\0';
  std::string body;
  char buf[512];
  if (type == 'd' || (type == '\0' && (v.is_number_integer() || v.is_boolean()) && precision < 0)) {
    if (!is_number(v)) fail("Unknown format code 'd' for object of type '" + py_type(v) + "'");
    body = v.is_boolean() && type == '\0' ? py_str(v) : std::to_string(as_int(v));
  } else if (type == 'f' || type == 'F' || type == 'e' || type == 'g' || type == '%' ||
             (type == '\0' && v.is_number_float())) {
    if (!is_number(v)) fail(std::string("Unknown format code '") + type + "' for object of type '" + py_type(v) + "'");
    double d = as_double(v);
    if (type == '%') d *= 100;
    if (type == '\0' && precision < 0) {
      body = py_float_repr(d);
    } else {
      char t = type == '%' || type == '\0' ? 'f' : type;
      std::snprintf(buf, sizeof buf, ("%." + std::to_string(precision < 0 ? 6 : precision) + t).c_str(), d);
      body = buf;
      if (type == '%') body += '%';
    }
  } else if (type == 'x' || type == 'X' || type == 'o' || type == 'b') {
    int64_t n = as_int(v);
    if (type == 'b') {
      uint64_t u = static_cast<uint64_t>(n < 0 ? -n : n);
      do {
        body.insert(body.begin(), static_cast<char>('0' + (u & 1)));
        u >>= 1;
      } while (u);
      if (n < 0) body = "-" + body;
    } else {
      std::snprintf(buf, sizeof buf, (std::string("%ll") + type).c_str(), static_cast<long long>(n));
      body = buf;
    }
  } else {
    body = py_str(v);
    if (precision >= 0) {
      auto chars = utf8_chars(body);
      if (chars.size() > static_cast<size_t>(precision)) {
        body.clear();
        for (int k = 0; k < precision; ++k) body += chars[static_cast<size_t>(k)];
      }
    }
  }
  if (comma) {
    size_t start = body[0] == '-' ? 1 : 0;
    size_t dot = body.find('.');
    size_t end = dot == std::string::npos ? body.size() : dot;
    for (size_t k = end; k > start + 3; k -= 3) body.insert(k - 3, ",");
  }
  bool numeric = is_number(v) && !v.is_string();
  if (numeric && sign == "+" && body[0] != '-') body = "+" + body;
  if (numeric && sign == " " && body[0] != '-') body = " " + body;
  if (zero && align == '\0') {
    fill = "0";
    align = '=';
  }
  if (align == '\0') align = numeric ? '>' : '<';
  if (align == '=') {
    size_t len = utf8_length(body);
    if (len >= width) return body;
    size_t sign_len = (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) ? 1 : 0;
    std::string pad;
    for (size_t k = 0; k < width - len; ++k) pad += fill;
    return body.substr(0, sign_len) + pad + body.substr(sign_len);
  }
  return justify(body, width, fill, align);
}
#pragma GCC diagnostic pop

std::string python_format(const std::string& fmt, const Args& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '{') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
        out += '{';
        ++i;
        continue;
      }
      size_t close = fmt.find('}', i);
      if (close == std::string::npos) fail("Single '{' encountered in format string");
      std::string field = fmt.substr(i + 1, close - i - 1);
      std::string spec;
      size_t colon = field.find(':');
      if (colon != std::string::npos) {
        spec = field.substr(colon + 1);
        field = field.substr(0, colon);
      }
      bool repr = false;
      if (field.size() >= 2 && field[field.size() - 2] == '!') {
        repr = field.back() == 'r';
        field.resize(field.size() - 2);
      }
      const RV* v;
      if (field.empty()) {
        if (auto_index >= args.pos.size()) fail("Replacement index " + std::to_string(auto_index) + " out of range");
        v = &args.pos[auto_index++];
      } else if (std::isdigit(static_cast<unsigned char>(field[0]))) {
        size_t k = std::stoul(field);
        if (k >= args.pos.size()) fail("Replacement index " + std::to_string(k) + " out of range");
        v = &args.pos[k];
      } else {
        v = args.kwarg(field);
        if (!v) fail("KeyError: '" + field + "'");
      }
      out += repr ? py_repr(v->val()) : (v->is_object() ? v->obj->str() : format_spec(v->val(), spec));
      i = close;
    } else if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') ++i;
      out += '}';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace prov::tmpl
