// Ansible's smaller filters: strftime, human_readable, human_to_bytes, to_uuid, log, pow, root.
#include <openssl/evp.h>

#include <cmath>
#include <cstdio>
#include <ctime>

#include "filters.h"
#include "strings.h"

namespace prov::tmpl {
namespace {

// The format is the user's, as with Python's time.strftime; the compiler cannot check it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
std::string format_time(const std::string& fmt, double seconds, bool utc) {
  auto t = static_cast<time_t>(seconds);
  struct tm parts {};
  if (utc)
    gmtime_r(&t, &parts);
  else
    localtime_r(&t, &parts);
  char buf[512];
  size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &parts);
  return std::string(buf, n);
}
#pragma GCC diagnostic pop

RV f_strftime(Ctx&, const RV& in, Args& a) {
  Value second = arg_or(a, 0, "second", nullptr);
  bool utc = py_truthy(arg_or(a, 1, "utc", false));
  double when;
  if (second.is_null()) {
    when = static_cast<double>(std::time(nullptr));
  } else if (is_number(second)) {
    when = as_double(second);
  } else {
    try {
      when = std::stod(py_str(second));
    } catch (const std::exception&) {
      fail("Invalid value for epoch value (" + py_str(second) + ")");
    }
  }
  return Value(format_time(rv_str(in), when, utc));
}

const std::pair<char, double> kSizes[] = {
    {'Y', std::ldexp(1.0, 80)}, {'Z', std::ldexp(1.0, 70)}, {'E', std::ldexp(1.0, 60)},
    {'P', std::ldexp(1.0, 50)}, {'T', std::ldexp(1.0, 40)}, {'G', std::ldexp(1.0, 30)},
    {'M', std::ldexp(1.0, 20)}, {'K', std::ldexp(1.0, 10)}, {'B', 1.0}};

RV f_human_readable(Ctx&, const RV& in, Args& a) {
  double size = as_double(in.val());
  bool isbits = py_truthy(arg_or(a, 0, "isbits", false));
  Value unit = arg_or(a, 1, "unit", nullptr);
  std::string base = isbits ? "bits" : "Bytes";
  char suffix = 'B';
  double limit = 1;
  for (const auto& [s, l] : kSizes) {
    suffix = s;
    limit = l;
    if (unit.is_null() ? size >= l : std::toupper(static_cast<unsigned char>(py_str(unit)[0])) == s) break;
  }
  std::string label = limit != 1 ? std::string(1, suffix) + base[0] : base;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %s", size / limit, label.c_str());
  return Value(std::string(buf));
}

RV f_human_to_bytes(Ctx&, const RV& in, Args& a) {
  std::string s = strip_chars(rv_str(in), " \t", true, true);
  Value default_unit = arg_or(a, 0, "default_unit", nullptr);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) fail("human_to_bytes() can't interpret following string: " + s);
  double num = std::stod(s.substr(0, i));
  std::string unit = strip_chars(s.substr(i), " \t", true, true);
  if (unit.empty() && !default_unit.is_null()) unit = py_str(default_unit);
  if (unit.empty()) return Value(static_cast<int64_t>(num));
  char u = static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0])));
  for (const auto& [sfx, limit] : kSizes)
    if (sfx == u) return Value(static_cast<int64_t>(std::llround(num * limit)));
  fail("human_to_bytes() failed to convert " + s + ". Value is not a valid string (expected unit like KB, MB)");
}

RV f_to_uuid(Ctx&, const RV& in, Args& a) {
  std::string ns = py_str(arg_or(a, 0, "namespace", "361E6D51-FAEC-444A-9079-341386DA8E2E"));
  std::string bytes;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (ns[i] == '-') continue;
    if (i + 1 >= ns.size()) fail("Invalid value '" + ns + "' for 'namespace'");
    bytes += static_cast<char>(std::stoi(ns.substr(i, 2), nullptr, 16));
    ++i;
  }
  if (bytes.size() != 16) fail("Invalid value '" + ns + "' for 'namespace'");
  std::string data = bytes + rv_str(in);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr);
  md[6] = static_cast<unsigned char>((md[6] & 0x0f) | 0x50);
  md[8] = static_cast<unsigned char>((md[8] & 0x3f) | 0x80);
  std::string out;
  char b[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(b, sizeof b, "%02x", md[i]);
    out += b;
  }
  return Value(out);
}

RV f_log(Ctx&, const RV& in, Args& a) {
  double x = as_double(in.val());
  Value base = arg_or(a, 0, "base", nullptr);
  if (base.is_null()) return Value(std::log(x));
  return Value(std::log(x) / std::log(as_double(base)));
}

RV f_pow(Ctx&, const RV& in, Args& a) {
  return Value(std::pow(as_double(in.val()), as_double(arg(a, 0, "y", "pow").val())));
}

RV f_root(Ctx&, const RV& in, Args& a) {
  double base = as_double(arg_or(a, 0, "base", 2));
  double x = as_double(in.val());
  if (base == 2) return Value(std::sqrt(x));
  return Value(std::pow(x, 1.0 / base));
}

}  // namespace

std::string now_string(bool utc, const std::string& fmt) {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  if (!fmt.empty()) return format_time(fmt, static_cast<double>(ts.tv_sec), utc);
  char micro[32];
  std::snprintf(micro, sizeof micro, ".%06ld", static_cast<long>(ts.tv_nsec / 1000) % 1000000);
  return format_time("%Y-%m-%d %H:%M:%S", static_cast<double>(ts.tv_sec), utc) + micro;
}

void register_misc_filters(FilterTable& t) {
  t["strftime"] = f_strftime;
  t["human_readable"] = f_human_readable;
  t["human_to_bytes"] = f_human_to_bytes;
  t["to_uuid"] = f_to_uuid;
  t["log"] = f_log;
  t["pow"] = f_pow;
  t["root"] = f_root;
}

}  // namespace prov::tmpl
