// with_sequence as Ansible's sequence lookup: each term is `start=1 end=5 stride=1 format=x%02d` or the shortcut
// `[start-]end[/stride][:format]`, checked and counted as Ansible does, with its messages.
#include <fmt/format.h>
#include <fmt/printf.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>

#include "loops.h"
#include "provision/core/error.h"
#include "provision/core/text.h"
#include "provision/core/utf8.h"
#include "provision/playbook/model.h"
#include "provision/template/engine.h"

namespace prov::exec {

namespace {

// Limits: numbers small enough that start + count * stride cannot overflow, and a list a run can hold (Ansible has
// no limit and runs out of memory instead).
constexpr long long kMaxBound = 1'000'000'000'000LL;
constexpr long long kMaxItems = 1'000'000;

// Python's int(text, 0): an optional sign, then decimal without leading zeros, or 0x/0o/0b and digits of that base;
// single underscores may separate digits. `too_large` tells a valid number past a long long from no number.
std::optional<long long> python_int(std::string_view text, bool& too_large) {
  too_large = false;
  std::string digits = trim(text);
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.erase(0, 1);
  }
  int base = 10;
  if (digits.size() > 1 && digits[0] == '0') {
    const char kind = static_cast<char>(std::tolower(static_cast<unsigned char>(digits[1])));
    base = kind == 'x' ? 16 : kind == 'o' ? 8 : kind == 'b' ? 2 : 10;
    if (base != 10) digits.erase(0, 2);
    if (base != 10 && !digits.empty() && digits[0] == '_') digits.erase(0, 1);
  }
  if (digits.empty() || digits[0] == '_' || digits.back() == '_' || digits.find("__") != std::string::npos) {
    return std::nullopt;
  }
  std::erase(digits, '_');
  const std::string_view allowed = std::string_view("0123456789abcdef").substr(0, static_cast<std::size_t>(base));
  if (lower(digits).find_first_not_of(allowed) != std::string::npos) return std::nullopt;
  if (base == 10 && digits.size() > 1 && digits[0] == '0' && digits.find_first_not_of('0') != std::string::npos) {
    return std::nullopt;
  }
  std::optional<long long> n = parse_int(digits, base);
  if (!n) {
    too_large = true;
    return std::nullopt;
  }
  return negative ? -*n : *n;
}

long long number(const std::string& key, const std::string& text) {
  bool too_large = false;
  std::optional<long long> n = python_int(text, too_large);
  if (!n && !too_large) throw Error(fmt::format("can't parse {}={} as integer", key, text));
  if (!n || *n > kMaxBound || *n < -kMaxBound) {
    throw Error(fmt::format("{}={} is out of range: with_sequence takes whole numbers up to {}", key, text, kMaxBound));
  }
  return *n;
}

struct Spec {
  long long start = 1;
  std::optional<long long> count, end;
  long long stride = 1;
  std::string format = "%d";
};

// The shortcut form; false when the term is not one.
bool read_shortcut(const std::string& term, Spec& spec) {
  static const std::regex shortcut("^((0?x?[0-9a-f]+)-)?(0?x?[0-9a-f]+)(/(0?x?[0-9a-f]+))?(:(.+))?$",
                                   std::regex::icase);
  std::smatch m;
  if (!std::regex_match(term, m, shortcut)) return false;
  if (m[2].matched) spec.start = number("start", m[2].str());
  spec.end = number("end", m[3].str());
  if (m[5].matched) spec.stride = number("stride", m[5].str());
  if (m[7].matched) spec.format = m[7].str();
  return true;
}

void read_key_values(const std::string& term, Spec& spec) {
  Value args = pb::parse_kv(term, false);
  for (const char* key : {"start", "end", "count", "stride"}) {
    const Value* raw = find_key(args, key);
    if (!raw) continue;
    long long n = number(key, to_plain_string(*raw));
    if (std::string_view(key) == "start") spec.start = n;
    if (std::string_view(key) == "end") spec.end = n;
    if (std::string_view(key) == "count") spec.count = n;
    if (std::string_view(key) == "stride") spec.stride = n;
    args.erase(key);
  }
  if (const Value* format = find_key(args, "format")) {
    spec.format = to_plain_string(*format);
    args.erase("format");
  }
  if (!args.empty()) {
    Value keys = Value::array();
    for (auto it = args.begin(); it != args.end(); ++it) keys.push_back(it.key());
    throw Error("unrecognized arguments to with_sequence: " + tmpl::python_str(keys));
  }
}

// `format % i` as Python formats one integer; nullopt where Python raises.
std::optional<std::string> python_format(const std::string& format, long long i) {
  const std::size_t at = format.find('%');
  std::size_t conv = format.find_first_not_of("-+ #0123456789.*hlL", at + 1);
  if (conv == std::string::npos) return std::nullopt;
  std::string flags = format.substr(at, conv - at);
  std::erase_if(flags, [](char c) { return c == 'h' || c == 'l' || c == 'L'; });
  if (flags.find('*') != std::string::npos) return std::nullopt;
  const char type = format[conv];
  const std::string before = format.substr(0, at), after = format.substr(conv + 1);
  try {
    switch (type) {
      case 'd':
      case 'i':
      case 'u': return before + fmt::sprintf(flags + "lld", i) + after;
      case 'o':
      case 'x':
      case 'X': return before + fmt::sprintf(flags + "ll" + type, i) + after;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G': return before + fmt::sprintf(flags + type, static_cast<double>(i)) + after;
      case 's':
      case 'r':
      case 'a': return before + fmt::sprintf(flags + "s", std::to_string(i)) + after;
      case 'c':
        if (i < 0 || i > 0x10FFFF) return std::nullopt;
        {
          std::string character;
          append_utf8(character, static_cast<std::uint32_t>(i));
          return before + fmt::sprintf(flags + "s", character) + after;
        }
      default: return std::nullopt;
    }
  } catch (const fmt::format_error&) {
    return std::nullopt;
  }
}

void add_items(Spec spec, std::vector<Value>& out) {
  if (!spec.count && !spec.end) throw Error("must specify count or end in with_sequence");
  if (spec.count && spec.end) throw Error("can't specify both count and end in with_sequence");
  if (spec.count) {
    // Our limit, checked first so that count * stride stays in range.
    if (*spec.count > kMaxItems || *spec.count < -kMaxItems) {
      throw Error(fmt::format("with_sequence would make {} items; at most {} are allowed", *spec.count, kMaxItems));
    }
    if (*spec.count != 0) {
      spec.end = spec.start + *spec.count * spec.stride - 1;
    } else {
      spec.start = spec.stride = 0;
      spec.end = 0;
    }
  }
  const long long end = *spec.end;
  if (spec.stride > 0 && end < spec.start) throw Error("to count backwards make stride negative");
  if (spec.stride < 0 && end > spec.start) throw Error("to count forward don't make stride negative");
  if (std::count(spec.format.begin(), spec.format.end(), '%') != 1) {
    throw Error("bad formatting string: " + spec.format);
  }
  if (spec.stride == 0) return;
  // Python's range(start, end + 1, stride) (end - 1 for a negative stride).
  const long long stop = spec.stride > 0 ? end + 1 : end - 1;
  const long long span = spec.stride > 0 ? stop - spec.start : spec.start - stop;
  const long long step = spec.stride > 0 ? spec.stride : -spec.stride;
  const long long length = span <= 0 ? 0 : (span + step - 1) / step;
  if (length + static_cast<long long>(out.size()) > kMaxItems) {
    throw Error(fmt::format("with_sequence would make {} items; at most {} are allowed", length, kMaxItems));
  }
  for (long long k = 0; k < length; ++k) {
    const long long i = spec.start + k * spec.stride;
    std::optional<std::string> item = python_format(spec.format, i);
    if (!item) {
      const std::string listed = tmpl::python_str(Value::array({spec.format}));  // ['...']: the repr inside
      throw Error(fmt::format("problem formatting {} with {}", i, listed.substr(1, listed.size() - 2)));
    }
    out.push_back(*item);
  }
}

}  // namespace

std::vector<Value> sequence_items(const Value& value) {
  std::vector<Value> terms = value.is_array() ? std::vector<Value>(value.begin(), value.end()) : std::vector{value};
  std::vector<Value> out;
  for (const auto& term : terms) {
    const std::string text = to_plain_string(term);
    Spec spec;
    if (!read_shortcut(text, spec)) read_key_values(text, spec);
    add_items(std::move(spec), out);
  }
  return out;
}

}  // namespace prov::exec
