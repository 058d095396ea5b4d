#include "provision/core/value.h"

#include <cmath>
#include <limits>

#include "provision/core/text.h"

namespace prov {

bool truthy(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
    case Value::value_t::discarded:
      return false;
    case Value::value_t::boolean:
      return v.get<bool>();
    case Value::value_t::number_integer:
      return v.get<std::int64_t>() != 0;
    case Value::value_t::number_unsigned:
      return v.get<std::uint64_t>() != 0;
    case Value::value_t::number_float:
      return v.get<double>() != 0.0;
    case Value::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case Value::value_t::array:
    case Value::value_t::object:
    case Value::value_t::binary:
      return !v.empty();
  }
  return false;
}

std::string to_plain_string(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, Value::error_handler_t::replace);
}

const Value* find_key(const Value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  auto it = v.find(key);
  return it == v.end() ? nullptr : &*it;
}

std::optional<bool> ansible_bool(const Value& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) {
    double d = v.get<double>();
    if (d == 1.0) return true;
    if (d == 0.0) return false;
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "y" || s == "yes" || s == "on" || s == "1" || s == "true" || s == "t") return true;
  if (s == "n" || s == "no" || s == "off" || s == "0" || s == "false" || s == "f") return false;
  return std::nullopt;
}

std::optional<long long> as_whole_number(const Value& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(std::numeric_limits<long long>::max())) return std::nullopt;
    return static_cast<long long>(u);
  }
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return std::nullopt;
    return static_cast<long long>(d);
  }
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_string()) return parse_int(v.get_ref<const std::string&>());
  return std::nullopt;
}

Value mark_unsafe(Value v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.compare(0, kUnsafeMark.size(), kUnsafeMark) != 0) return std::string(kUnsafeMark) + s;
    return v;
  }
  if (v.is_array()) {
    for (auto& e : v) e = mark_unsafe(std::move(e));
  } else if (v.is_object()) {
    Value out = Value::object();
    for (auto& [k, e] : v.items()) out[k] = mark_unsafe(std::move(e));
    return out;
  }
  return v;
}

}  // namespace prov

#include <algorithm>
#include <cmath>
#include <vector>

namespace prov {

namespace {

void json_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string python_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  // Python's repr: the shortest text that reads back the same, always with a '.' or an exponent.
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

void dump(std::string& out, const Value& v, int indent, int depth, bool sort_keys) {
  auto newline = [&](int d) {
    if (indent >= 0) {
      out += '\n';
      out.append(static_cast<std::size_t>(indent * d), ' ');
    }
  };
  switch (v.type()) {
    case Value::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      std::vector<std::string> keys;
      for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
      if (sort_keys) std::sort(keys.begin(), keys.end());
      out += '{';
      bool first = true;
      for (const auto& k : keys) {
        if (!first) out += indent >= 0 ? "," : ", ";
        first = false;
        newline(depth + 1);
        json_string(out, k);
        out += ": ";
        dump(out, v.at(k), indent, depth + 1, sort_keys);
      }
      newline(depth);
      out += '}';
      return;
    }
    case Value::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += indent >= 0 ? "," : ", ";
        first = false;
        newline(depth + 1);
        dump(out, item, indent, depth + 1, sort_keys);
      }
      newline(depth);
      out += ']';
      return;
    }
    case Value::value_t::string:
      json_string(out, v.get_ref<const std::string&>());
      return;
    case Value::value_t::number_float:
      out += python_float(v.get<double>());
      return;
    default:
      out += v.dump();
  }
}

}  // namespace

std::string python_json(const Value& v, int indent, bool sort_keys) {
  std::string out;
  dump(out, v, indent, 0, sort_keys);
  return out;
}

}  // namespace prov
