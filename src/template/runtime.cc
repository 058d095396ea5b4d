// Python semantics (str, repr, truth, equality, ordering) over prov::Value, so output matches Jinja2 exactly.
#include "runtime.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace prov::tmpl {

const RV* Args::get(size_t i, const std::string& name) const {
  if (i < pos.size()) return &pos[i];
  return kwarg(name);
}

const RV* Args::kwarg(const std::string& name) const {
  for (const auto& [k, v] : kw)
    if (k == name) return &v;
  return nullptr;
}

bool Object::getattr(const std::string&, RV&) const { return false; }
bool Object::setattr(const std::string&, const RV&) { return false; }
RV Object::call(Ctx&, Args&) { fail("'" + type_name() + "' object is not callable"); }
std::string Object::str() const { return "<" + type_name() + ">"; }

void fail(const std::string& message) { throw TemplateError(message); }

void RV::raise_undefined() const { throw UndefinedError(undef_name, undef_message); }

const Value& RV::val() const {
  if (kind == Kind::Undefined) raise_undefined();
  if (kind == Kind::Object) fail("'" + obj->type_name() + "' object cannot be used as data");
  return raw();
}

// The value at path inside root, or nullptr when a mutation has removed it.
static Value* box_find(Value& root, const std::vector<Value>& path) {
  Value* cur = &root;
  for (const auto& key : path) {
    if (key.is_string() && cur->is_object()) {
      auto it = cur->find(key.get<std::string>());
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (key.is_number_integer() && cur->is_array() && key.get<size_t>() < cur->size()) {
      cur = &(*cur)[key.get<size_t>()];
    } else {
      return nullptr;
    }
  }
  return cur;
}

const Value& RV::boxed() const {
  if (box_path.empty()) return *box;
  const Value* v = box_find(*box, box_path);
  return v ? *v : data;
}

Value& RV::mutable_target() {
  if (box) {
    if (box_path.empty()) return *box;
    if (Value* v = box_find(*box, box_path)) return *v;
    box.reset();
  }
  if (ref) {
    data = *ref;
    ref = nullptr;
  }
  return data;
}

Value to_data(const RV& v) {
  if (v.is_object()) return v.obj->str();
  return v.val();
}

bool is_number(const Value& v) { return v.is_number() || v.is_boolean(); }

double as_double(const Value& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number_float()) return v.get<double>();
  if (v.is_number_unsigned()) return static_cast<double>(v.get<uint64_t>());
  if (!v.is_number_integer()) fail("must be real number, not " + py_type(v));
  return static_cast<double>(v.get<int64_t>());
}

int64_t as_int(const Value& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isnan(d)) fail("cannot convert float NaN to integer");
    // Python has big integers; ours are 64 bits, and converting a larger float is undefined behaviour.
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
      fail("cannot convert float " + py_float_repr(d) + " to a 64-bit integer");
    return static_cast<int64_t>(d);
  }
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) fail("integer " + std::to_string(u) + " is too large (64 bits)");
    return static_cast<int64_t>(u);
  }
  if (!v.is_number_integer()) fail("'" + py_type(v) + "' object cannot be interpreted as an integer");
  return v.get<int64_t>();
}

std::string py_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then laid out with Python's repr rule: fixed for 1e-4 <= |d| < 1e16.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) {
      out = "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
      out = digits + std::string(static_cast<size_t>(exp) + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<size_t>(exp) + 1) + "." + digits.substr(static_cast<size_t>(exp) + 1);
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += eb;
  }
  return neg ? "-" + out : out;
}

static std::string repr_string(const std::string& s) {
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char q = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, q);
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c == static_cast<unsigned char>(q)) {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
          char b[8];
          std::snprintf(b, sizeof b, "\\x%02x", c);
          out += b;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += q;
  return out;
}

std::string py_repr(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "None";
    case Value::value_t::boolean:
      return v.get<bool>() ? "True" : "False";
    case Value::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case Value::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case Value::value_t::number_float:
      return py_float_repr(v.get<double>());
    case Value::value_t::string:
      return repr_string(v.get_ref<const std::string&>());
    case Value::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ", ";
        first = false;
        out += py_repr(e);
      }
      return out + "]";
    }
    case Value::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        if (!first) out += ", ";
        first = false;
        out += repr_string(k) + ": " + py_repr(e);
      }
      return out + "}";
    }
    case Value::value_t::binary:
      return "b''";
    case Value::value_t::discarded:
      return "None";
  }
  return "None";
}

std::string py_str(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  return py_repr(v);
}

std::string py_repr_shaped(const Value& v, RV::Shape shape) {
  if (shape == RV::Shape::Plain || !v.is_array()) return py_repr(v);
  std::string out = shape == RV::Shape::Tuple ? "(" : "[";
  bool first = true;
  for (const auto& e : v) {
    if (!first) out += ", ";
    first = false;
    out += shape == RV::Shape::Tuple ? py_repr(e) : py_repr_shaped(e, RV::Shape::Tuple);
  }
  if (shape == RV::Shape::Tuple && v.size() == 1) out += ",";
  return out + (shape == RV::Shape::Tuple ? ")" : "]");
}

std::string rv_str(const RV& v) {
  if (v.is_object()) return v.obj->str();
  if (v.shape != RV::Shape::Plain) return py_repr_shaped(v.val(), v.shape);
  return py_str(v.val());
}

bool py_truthy(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return false;
    case Value::value_t::boolean:
      return v.get<bool>();
    case Value::value_t::number_integer:
      return v.get<int64_t>() != 0;
    case Value::value_t::number_unsigned:
      return v.get<uint64_t>() != 0;
    case Value::value_t::number_float:
      return v.get<double>() != 0.0;
    case Value::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case Value::value_t::array:
    case Value::value_t::object:
      return !v.empty();
    default:
      return false;
  }
}

bool rv_truthy(const RV& v) {
  if (v.is_object()) return true;
  return py_truthy(v.val());
}

bool py_eq(const Value& a, const Value& b) {
  if (is_number(a) && is_number(b)) {
    if (a.is_number_float() || b.is_number_float()) return as_double(a) == as_double(b);
    return as_int(a) == as_int(b);
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!py_eq(a[i], b[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, e] : a.items()) {
      auto it = b.find(k);
      if (it == b.end() || !py_eq(e, *it)) return false;
    }
    return true;
  }
  return a == b;
}

std::string py_type(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "NoneType";
    case Value::value_t::boolean:
      return "bool";
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned:
      return "int";
    case Value::value_t::number_float:
      return "float";
    case Value::value_t::string:
      return "str";
    case Value::value_t::array:
      return "list";
    case Value::value_t::object:
      return "dict";
    default:
      return "object";
  }
}

std::string jinja_object_name(const Value& v) { return py_type(v) + " object"; }

int py_cmp(const Value& a, const Value& b, const char* op) {
  if (is_number(a) && is_number(b)) {
    if (a.is_number_float() || b.is_number_float()) {
      double x = as_double(a), y = as_double(b);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    int64_t x = as_int(a), y = as_int(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.is_array() && b.is_array()) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (py_eq(a[i], b[i])) continue;
      return py_cmp(a[i], b[i], op);
    }
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
  }
  fail(std::string("'") + op + "' not supported between instances of '" + py_type(a) + "' and '" + py_type(b) + "'");
}

std::vector<std::string> utf8_chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace prov::tmpl
