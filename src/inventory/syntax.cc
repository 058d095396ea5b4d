// Lexical helpers of the inventory language; see syntax.h. Python literal parsing lives in python_literal.cc.
#include "provision/inventory/syntax.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "provision/core/error.h"

namespace prov::inv {

namespace {

// The pieces below follow the shapes Ansible accepts for host identifiers (parsing/utils/addresses.py):
// hostnames made of labels, IPv4 and IPv6 addresses, each optionally holding [x:y(:z)] ranges.
const std::string kNumericRange = R"(\[[0-9]+:[0-9]+(?::[0-9]+)?\])";
const std::string kHexRange = R"(\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\])";
const std::string kAlnumRange = R"(\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\])";

std::string with_range(const std::string& plain, const std::string& range, bool allow_ranges) {
  return allow_ranges ? "(?:" + plain + "|" + range + ")" : "(?:" + plain + ")";
}

struct AddressShapes {
  std::regex hostname;
  std::regex ipv4;
  std::regex ipv6;
};

AddressShapes make_shapes(bool allow_ranges) {
  // A label starts with a word character, may hold dashes, and does not end with '-' or '_'.
  std::string first = with_range("[a-z0-9_]", kAlnumRange, allow_ranges);
  std::string middle = with_range("[a-z0-9_-]", kAlnumRange, allow_ranges);
  std::string last = with_range("[a-z0-9]", kAlnumRange, allow_ranges);
  std::string label = "(?:" + first + "(?:" + middle + "*" + last + ")?)";
  std::string v4 = with_range("[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]", kNumericRange, allow_ranges);
  std::string v6 = with_range("[0-9a-f]{1,4}", kHexRange, allow_ranges);
  auto flags = std::regex::ECMAScript | std::regex::icase;
  return AddressShapes{
      std::regex("^" + label + "(?:\\." + label + ")*$", flags),
      std::regex("^(?:" + v4 + "\\.){3}" + v4 + "$", flags),
      // Loose IPv6: hex groups and colons with at least two colons, optionally ending in an IPv4 quad.
      std::regex("^(?:" + v6 + ")?(?::(?:" + v6 + ")?){2,7}(?::(?:[0-9]{1,3}\\.){3}[0-9]{1,3})?$", flags),
  };
}

const AddressShapes& shapes(bool allow_ranges) {
  static const AddressShapes with = make_shapes(true);
  static const AddressShapes without = make_shapes(false);
  return allow_ranges ? with : without;
}

bool is_host_identifier(const std::string& text, bool allow_ranges) {
  const auto& s = shapes(allow_ranges);
  return std::regex_match(text, s.ipv4) || std::regex_match(text, s.ipv6) || std::regex_match(text, s.hostname);
}

int to_port(const std::string& digits) {
  // Ports are at most 5 digits in practice; longer strings are not addresses.
  if (digits.size() > 5) return -1;
  return std::stoi(digits);
}

}  // namespace

std::optional<Address> parse_address(std::string_view text, bool allow_ranges) {
  static const std::regex bracketed(R"(^\[(.+)\]:([0-9]+)$)");
  static const std::regex hostport(R"(^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$)");
  // std::regex recurses per character; no address (a DNS name has at most 253) comes near this length.
  constexpr std::size_t kMaxAddressText = 1024;
  if (text.size() > kMaxAddressText) return std::nullopt;
  std::string s(text);
  Address out;
  std::smatch m;
  if (std::regex_match(s, m, bracketed) || std::regex_match(s, m, hostport)) {
    int port = to_port(m[2].str());
    if (port < 0) return std::nullopt;
    out.host = m[1].str();
    out.port = port;
  } else {
    out.host = s;
  }
  if (out.host.empty() || !is_host_identifier(out.host, allow_ranges)) return std::nullopt;
  return out;
}

bool has_host_range(std::string_view text) {
  auto open = text.find('[');
  return open != std::string_view::npos && text.find(']', open) != std::string_view::npos;
}

namespace {

const std::string kLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

long long to_number(const std::string& s, const char* what) {
  if (!all_digits(s) || s.size() > 12) {
    throw Error(fmt::format("host range {} '{}' is not a number or a single letter", what, s));
  }
  return std::stoll(s);
}

// More names than any inventory holds: a range past it is a mistake (web[1:4000000000]) that would exhaust memory.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr size_t kMaxRangeNames = 10000;
#else
constexpr size_t kMaxRangeNames = 1000000;
#endif

Error too_many_names() { return Error("host range expands to more than " + std::to_string(kMaxRangeNames) + " names"); }

// The items of one `begin:end[:step]` range, at most `room` of them (else too_many_names()).
std::vector<std::string> range_items(const std::string& spec, size_t room) {
  std::vector<std::string> bounds;
  std::size_t start = 0;
  for (std::size_t colon; (colon = spec.find(':', start)) != std::string::npos; start = colon + 1) {
    bounds.push_back(spec.substr(start, colon - start));
  }
  bounds.push_back(spec.substr(start));
  if (bounds.size() != 2 && bounds.size() != 3) throw Error("host range must be begin:end or begin:end:step");
  std::string begin = bounds[0].empty() ? "0" : bounds[0];
  const std::string& end = bounds[1];
  if (end.empty()) throw Error("host range must specify end value");
  long long step = bounds.size() == 3 ? to_number(bounds[2], "step") : 1;
  if (step <= 0) throw Error("host range step must be a positive number");

  std::vector<std::string> items;
  auto b_letter = begin.size() == 1 ? kLetters.find(begin[0]) : std::string::npos;
  auto e_letter = end.size() == 1 ? kLetters.find(end[0]) : std::string::npos;
  if (b_letter != std::string::npos && e_letter != std::string::npos) {
    if (b_letter > e_letter) throw Error("host range must have begin <= end");
    for (auto i = b_letter; i <= e_letter; i += static_cast<std::size_t>(step)) items.emplace_back(1, kLetters[i]);
    return items;
  }
  // A leading zero asks for zero-padded names of the same width as the bounds.
  std::size_t width = 0;
  if (begin.size() > 1 && begin[0] == '0') {
    if (begin.size() != end.size()) throw Error("host range must specify equal-length begin and end formats");
    width = begin.size();
  }
  long long first = to_number(begin, "begin");
  long long last = to_number(end, "end");
  if (last >= first && static_cast<unsigned long long>(last - first) / static_cast<unsigned long long>(step) >= room) {
    throw too_many_names();
  }
  for (long long i = first; i <= last; i += step) {
    std::string n = std::to_string(i);
    if (n.size() < width) n.insert(0, width - n.size(), '0');
    items.push_back(std::move(n));
  }
  return items;
}

// Appends the names `text` expands to. `visited` counts every item of every range, partial names included (a last
// range that is empty makes none of them a name): past kMaxRangeNames, too_many_names().
void expand_into(const std::string& text, std::vector<std::string>& out, size_t& visited) {
  auto open = text.find('[');
  auto close = open == std::string::npos ? std::string::npos : text.find(']', open);
  if (close == std::string::npos) {
    out.push_back(text);
    return;
  }
  std::string head = text.substr(0, open);
  std::string tail = text.substr(close + 1);
  for (const auto& item : range_items(text.substr(open + 1, close - open - 1), kMaxRangeNames - visited)) {
    if (++visited > kMaxRangeNames) throw too_many_names();
    std::string name = head + item + tail;
    if (has_host_range(name)) {
      expand_into(name, out, visited);
    } else {
      out.push_back(std::move(name));
    }
  }
}

}  // namespace

std::vector<std::string> expand_host_range(std::string_view pattern) {
  std::vector<std::string> out;
  size_t visited = 0;
  expand_into(std::string(pattern), out, visited);
  return out;
}

std::vector<Word> split_words(std::string_view line) {
  std::vector<Word> words;
  std::size_t i = 0;
  const std::size_t n = line.size();
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (i < n) {
    if (is_space(line[i])) {
      ++i;
      continue;
    }
    if (line[i] == '#') break;  // a comment runs to the end of the line
    Word word;
    word.column = static_cast<int>(i) + 1;
    bool comment = false;
    while (i < n && !is_space(line[i])) {
      char c = line[i];
      if (c == '#') {
        comment = true;  // shlex ends the word and drops the rest of the line
        break;
      }
      if (c == '\'' || c == '"') {
        std::size_t close = i + 1;
        std::string piece;
        for (; close < n && line[close] != c; ++close) {
          if (c == '"' && line[close] == '\\' && close + 1 < n && (line[close + 1] == '"' || line[close + 1] == '\\')) {
            ++close;
          }
          piece += line[close];
        }
        if (close >= n) throw Error("No closing quotation");
        word.text += piece;
        i = close + 1;
        continue;
      }
      if (c == '\\') {
        if (i + 1 >= n) throw Error("No escaped character");
        word.text += line[i + 1];
        i += 2;
        continue;
      }
      word.text += c;
      ++i;
    }
    words.push_back(std::move(word));
    if (comment) break;
  }
  return words;
}

bool is_localhost_name(std::string_view name) { return name == "localhost" || name == "127.0.0.1" || name == "::1"; }

}  // namespace prov::inv
