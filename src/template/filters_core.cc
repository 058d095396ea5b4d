// Filters about values and types: default, mandatory, int, bool, length, first, ternary, ... and the table that
// collects every filter.
#include <cmath>

#include "eval.h"
#include "filters.h"
#include "strings.h"

namespace prov::tmpl {

RV attr_path(Ctx& ctx, const RV& item, const std::string& path) {
  RV cur = item;
  for (const auto& part : split_on(path, ".", -1, false)) {
    bool digits = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    if (digits && part.size() < 19 && cur.is_data() && cur.raw().is_array())
      cur = ctx.getitem(cur, Value(std::stoll(part)));
    else
      cur = ctx.getitem(cur, Value(part));
  }
  return cur;
}

namespace {

RV f_default(Ctx&, const RV& in, Args& a) {
  const RV* dflt = a.get(0, "default_value");
  bool boolean = py_truthy(arg_or(a, 1, "boolean", false));
  if (in.is_undefined() || (boolean && !rv_truthy(in))) return dflt ? *dflt : RV(Value(""));
  return in;
}

RV f_mandatory(Ctx&, const RV& in, Args& a) {
  if (!in.is_undefined()) return in;
  if (const RV* msg = a.get(0, "msg"); msg && !(msg->is_data() && msg->raw().is_null())) fail(rv_str(*msg));
  std::string name = in.undef_name.empty() ? "" : "'" + in.undef_name + "' ";
  fail("Mandatory variable " + name + " not defined.");
}

RV f_string(Ctx&, const RV& in, Args&) { return Value(rv_str(in)); }

bool parse_int(const std::string& text, int base, int64_t& out) {
  std::string s = strip_chars(text, " \t\n\r\v\f", true, true);
  std::string digits;
  for (char c : s)
    if (c != '_') digits += c;
  if (digits.empty()) return false;
  size_t start = (digits[0] == '-' || digits[0] == '+') ? 1 : 0;
  if (base == 16 && digits.compare(start, 2, "0x") == 0) digits.erase(start, 2);
  if (base == 8 && digits.compare(start, 2, "0o") == 0) digits.erase(start, 2);
  if (base == 2 && digits.compare(start, 2, "0b") == 0) digits.erase(start, 2);
  try {
    size_t used = 0;
    out = std::stoll(digits, &used, base);
    return used == digits.size();
  } catch (const std::exception&) {
    return false;
  }
}

bool parse_float(const std::string& text, double& out) {
  std::string s = strip_chars(text, " \t\n\r\v\f", true, true);
  if (s.empty()) return false;
  try {
    size_t used = 0;
    out = std::stod(s, &used);
    return used == s.size();
  } catch (const std::exception&) {
    return false;
  }
}

RV f_int(Ctx&, const RV& in, Args& a) {
  Value dflt = arg_or(a, 0, "default", 0);
  int base = static_cast<int>(as_int(arg_or(a, 1, "base", 10)));
  const Value& v = in.val();
  if (is_number(v)) return Value(as_int(v));
  if (v.is_string()) {
    int64_t n;
    if (parse_int(v.get<std::string>(), base, n)) return Value(n);
    double d;
    // int(float('nan')) is a ValueError, which Jinja's int filter turns into the default.
    if (parse_float(v.get<std::string>(), d)) return std::isnan(d) ? dflt : Value(as_int(Value(d)));
  }
  return dflt;
}

RV f_float(Ctx&, const RV& in, Args& a) {
  Value dflt = arg_or(a, 0, "default", 0.0);
  const Value& v = in.val();
  if (is_number(v)) return Value(as_double(v));
  double d;
  if (v.is_string() && parse_float(v.get<std::string>(), d)) return Value(d);
  return dflt;
}

RV f_bool(Ctx&, const RV& in, Args&) {
  const Value& v = in.val();
  if (v.is_null() || v.is_boolean()) return v;
  if (v.is_string()) {
    std::string s = to_lower(v.get<std::string>());
    return Value(s == "yes" || s == "on" || s == "1" || s == "true");
  }
  if (is_number(v)) return Value(as_double(v) == 1);
  return Value(false);
}

RV f_list(Ctx&, const RV& in, Args&) {
  Value out = Value::array();
  for (const auto& x : iterate(in)) out.push_back(to_data(x));
  return RV(std::move(out)).with_shape(in.shape == RV::Shape::ListOfTuples ? in.shape : RV::Shape::Plain);
}

RV f_length(Ctx&, const RV& in, Args&) {
  const Value& v = in.val();
  if (v.is_string()) return Value(static_cast<int64_t>(utf8_length(v.get<std::string>())));
  if (v.is_array() || v.is_object()) return Value(static_cast<int64_t>(v.size()));
  fail("object of type '" + py_type(v) + "' has no len()");
}

RV f_first(Ctx&, const RV& in, Args&) {
  auto items = iterate(in);
  if (items.empty()) return RV::undefined("", "No first item, sequence was empty.");
  return items.front();
}

RV f_last(Ctx&, const RV& in, Args&) {
  auto items = iterate(in);
  if (items.empty()) return RV::undefined("", "No last item, sequence was empty.");
  return items.back();
}

RV f_reverse(Ctx&, const RV& in, Args&) {
  const Value& v = in.val();
  if (v.is_string()) {
    auto chars = utf8_chars(v.get<std::string>());
    std::string out;
    for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += *it;
    return Value(out);
  }
  Value out = Value::array();
  auto items = iterate(in);
  for (auto it = items.rbegin(); it != items.rend(); ++it) out.push_back(to_data(*it));
  return RV(std::move(out)).with_shape(in.shape == RV::Shape::ListOfTuples ? in.shape : RV::Shape::Plain);
}

RV f_ternary(Ctx&, const RV& in, Args& a) {
  const RV* none_val = a.get(2, "none_val");
  if (in.is_data() && in.raw().is_null() && none_val && !(none_val->is_data() && none_val->raw().is_null()))
    return *none_val;
  return rv_truthy(in) ? arg(a, 0, "true_val", "ternary") : arg(a, 1, "false_val", "ternary");
}

RV f_abs(Ctx&, const RV& in, Args&) {
  const Value& v = in.val();
  if (v.is_number_float()) return Value(std::fabs(v.get<double>()));
  if (!is_number(v)) fail("bad operand type for abs(): '" + py_type(v) + "'");
  return Value(std::llabs(as_int(v)));
}

RV f_round(Ctx&, const RV& in, Args& a) {
  double v = as_double(in.val());
  int64_t precision = as_int(arg_or(a, 0, "precision", 0));
  std::string method = py_str(arg_or(a, 1, "method", "common"));
  double scale = std::pow(10.0, static_cast<double>(precision));
  if (method == "ceil") return Value(std::ceil(v * scale) / scale);
  if (method == "floor") return Value(std::floor(v * scale) / scale);
  if (method != "common") fail("method must be 'common', 'ceil' or 'floor'");
  // Python's round() goes to the even neighbour on ties; integers stay integers.
  if (in.val().is_number_integer() && precision >= 0) return in.val();
  return Value(std::nearbyint(v * scale) / scale);
}

RV f_type_debug(Ctx&, const RV& in, Args&) {
  if (in.is_object()) return Value(in.obj->type_name());
  if (in.shape == RV::Shape::Tuple) return Value("tuple");
  return Value(py_type(in.val()));
}

RV f_dict2items(Ctx&, const RV& in, Args& a) {
  const Value& v = in.val();
  if (!v.is_object()) fail("dict2items requires a dictionary, got " + py_type(v) + " instead.");
  std::string key = py_str(arg_or(a, 0, "key_name", "key"));
  std::string value = py_str(arg_or(a, 1, "value_name", "value"));
  Value out = Value::array();
  for (const auto& [k, x] : v.items()) {
    Value item = Value::object();
    item[key] = k;
    item[value] = x;
    out.push_back(item);
  }
  return out;
}

RV f_items2dict(Ctx&, const RV& in, Args& a) {
  Value key = arg_or(a, 0, "key_name", "key");
  Value value = arg_or(a, 1, "value_name", "value");
  const Value& v = in.val();
  if (!v.is_array()) fail("items2dict requires a list, got " + py_type(v) + " instead.");
  Value out = Value::object();
  // Elements are dicts, or lists indexed by integer key/value names.
  auto field = [&](const Value& item, const Value& name) -> const Value* {
    if (item.is_object() && name.is_string()) return find_key(item, name.get<std::string>());
    if (item.is_array() && name.is_number_integer()) {
      int64_t i = as_int(name);
      if (i >= 0 && static_cast<size_t>(i) < item.size()) return &item[static_cast<size_t>(i)];
    }
    return nullptr;
  };
  for (const auto& item : v) {
    const Value* k = field(item, key);
    const Value* x = field(item, value);
    if (!k || !x)
      fail("items2dict requires each element to have '" + py_str(key) + "' and '" + py_str(value) + "' keys");
    out[py_str(*k)] = *x;
  }
  return out;
}

RV f_extract(Ctx& ctx, const RV& in, Args& a) {
  RV container = arg(a, 0, "container", "extract");
  RV out = ctx.getitem(container, in);
  if (const RV* more = a.get(1, "morekeys")) {
    if (more->val().is_array()) {
      for (const auto& k : more->val()) out = ctx.getitem(out, RV(k));
    } else {
      out = ctx.getitem(out, *more);
    }
  }
  return out;
}

}  // namespace

void register_core_filters(FilterTable& t) {
  t["default"] = f_default;
  t["d"] = f_default;
  t["mandatory"] = f_mandatory;
  t["string"] = f_string;
  t["int"] = f_int;
  t["float"] = f_float;
  t["bool"] = f_bool;
  t["list"] = f_list;
  t["length"] = f_length;
  t["count"] = f_length;
  t["first"] = f_first;
  t["last"] = f_last;
  t["reverse"] = f_reverse;
  t["ternary"] = f_ternary;
  t["abs"] = f_abs;
  t["round"] = f_round;
  t["type_debug"] = f_type_debug;
  t["dict2items"] = f_dict2items;
  t["items2dict"] = f_items2dict;
  t["extract"] = f_extract;
}

const FilterTable& filters() {
  static const FilterTable table = [] {
    FilterTable t;
    register_core_filters(t);
    register_data_filters(t);
    register_text_filters(t);
    register_format_filters(t);
    register_misc_filters(t);
    return t;
  }();
  return table;
}

}  // namespace prov::tmpl
