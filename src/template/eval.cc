// Expression evaluation with Python semantics and Ansible's undefined rules: an undefined value may be passed
// around, tested and defaulted, and raises only when it is used.
#include "eval.h"

#include <cmath>

#include "limits.h"
#include "provision/core/error.h"
#include "strings.h"

namespace prov::tmpl {

void Resolver::step() {
  if (++steps > limits::kMaxSteps)
    fail("template runs too long: more than " + std::to_string(limits::kMaxSteps) +
         " loop iterations and macro calls in one render");
}

CallDepth::CallDepth(Resolver& resolver) : resolver_(resolver) {
  if (resolver_.call_depth >= limits::kMaxCallDepth)
    fail("template recursion too deep: more than " + std::to_string(limits::kMaxCallDepth) +
         " nested calls of macros, caller(), loop(), include, import or templated variables");
  ++resolver_.call_depth;
}

void check_size(size_t size, const char* what) {
  if (size > limits::kMaxSize)
    fail(std::string(what) + " too large: more than " + std::to_string(limits::kMaxSize >> 20) + " MiB");
}

size_t as_width(const Value& v) {
  int64_t n = as_int(v);
  if (n <= 0) return 0;
  check_size(static_cast<uint64_t>(n), "padding width");
  return static_cast<size_t>(n);
}

Ctx::Ctx(Resolver& r, std::shared_ptr<const Template> t) : resolver(r), tmpl(std::move(t)) { scopes.emplace_back(); }

const RV* Ctx::find_local(const std::string& name) {
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    auto f = it->find(name);
    if (f != it->end()) {
      f->second.make_shared_box(false);
      return &f->second;
    }
  }
  return nullptr;
}

RV Ctx::lookup(const std::string& name) {
  if (const RV* local = find_local(name)) return *local;
  if (const Value* v = resolver.resolve(name)) return RV::borrow(*v);
  RV g;
  if (find_global(name, g)) return g;
  return RV::undefined(name, "'" + name + "' is undefined");
}

static RV undefined_attr(const RV& obj, const std::string& name) {
  std::string what = obj.is_object() ? obj.obj->type_name() + " object" : jinja_object_name(obj.raw());
  return RV::undefined(name, "'" + what + "' has no attribute '" + name + "'");
}

static bool is_dict_method(const std::string& name) {
  static const std::set<std::string> names = {"items", "keys",       "values", "get",   "copy",
                                              "pop",   "setdefault", "update", "clear", "popitem"};
  return names.count(name) > 0;
}

RV Ctx::getattr(const RV& obj, const std::string& name) {
  if (obj.is_undefined()) return obj;  // Ansible's undefined chains: foo.bar stays "foo is undefined"
  if (obj.is_object()) {
    RV out;
    if (obj.obj->getattr(name, out)) return out;
    return undefined_attr(obj, name);
  }
  const Value& v = obj.raw();
  RV method;
  if (v.is_object()) {
    if (!is_dict_method(name)) {
      auto it = v.find(name);
      if (it != v.end()) return RV::child(obj, *it, Value(name));
    }
    if (find_method(obj, name, method)) return method;
    return undefined_attr(obj, name);
  }
  if (find_method(obj, name, method)) return method;
  return undefined_attr(obj, name);
}

static int64_t normalize_index(int64_t i, size_t size) { return i < 0 ? i + static_cast<int64_t>(size) : i; }

RV Ctx::getitem(const RV& obj, const RV& key) {
  if (obj.is_undefined()) return obj;
  const Value& k = key.val();
  if (obj.is_object()) {
    RV out;
    if (k.is_string() && obj.obj->getattr(k.get<std::string>(), out)) return out;
    return undefined_attr(obj, py_str(k));
  }
  const Value& v = obj.raw();
  if (v.is_object()) {
    std::string ks = k.is_string() ? k.get<std::string>() : py_str(k);
    auto it = v.find(ks);
    if (it != v.end()) return RV::child(obj, *it, Value(ks));
    RV method;
    if (k.is_string() && find_method(obj, ks, method)) return method;
    return undefined_attr(obj, ks);
  }
  if ((v.is_array() || v.is_string()) && (k.is_number_integer() || k.is_boolean())) {
    if (v.is_array()) {
      int64_t i = normalize_index(as_int(k), v.size());
      if (i >= 0 && static_cast<size_t>(i) < v.size()) {
        RV item = RV::child(obj, v[static_cast<size_t>(i)], Value(i));
        if (obj.shape == RV::Shape::ListOfTuples) item.shape = RV::Shape::Tuple;
        return item;
      }
      return RV::undefined(py_str(k), "list object has no element " + py_str(k));
    }
    auto chars = utf8_chars(v.get<std::string>());
    int64_t i = normalize_index(as_int(k), chars.size());
    if (i >= 0 && static_cast<size_t>(i) < chars.size()) return Value(chars[static_cast<size_t>(i)]);
    return RV::undefined(py_str(k), "str object has no element " + py_str(k));
  }
  if (k.is_string()) {
    RV method;
    if (find_method(obj, k.get<std::string>(), method)) return method;
  }
  return RV::undefined(py_str(k), "'" + jinja_object_name(v) + "' has no attribute '" + py_str(k) + "'");
}

static Value slice_value(const Value& v, const Value& start, const Value& stop, const Value& step) {
  int64_t st = step.is_null() ? 1 : as_int(step);
  if (st == 0) fail("slice step cannot be zero");
  std::vector<std::string> chars;
  size_t n;
  if (v.is_string()) {
    chars = utf8_chars(v.get<std::string>());
    n = chars.size();
  } else if (v.is_array()) {
    n = v.size();
  } else {
    fail("'" + py_type(v) + "' object is not subscriptable");
  }
  auto sn = static_cast<int64_t>(n);
  auto clamp = [&](const Value& x, int64_t dflt) {
    if (x.is_null()) return dflt;
    int64_t i = as_int(x);
    if (i < 0) i += sn;
    if (st > 0) return std::clamp<int64_t>(i, 0, sn);
    return std::clamp<int64_t>(i, -1, sn - 1);
  };
  int64_t b = clamp(start, st > 0 ? 0 : sn - 1);
  int64_t e = clamp(stop, st > 0 ? sn : -1);
  Value out = v.is_string() ? Value("") : Value::array();
  std::string s;
  for (int64_t i = b; st > 0 ? i < e : i > e; i += st) {
    if (v.is_string())
      s += chars[static_cast<size_t>(i)];
    else
      out.push_back(v[static_cast<size_t>(i)]);
  }
  if (v.is_string()) return s;
  return out;
}

Args Ctx::eval_args(const CallArgs& args) {
  Args out;
  for (const auto& p : args.pos) out.pos.push_back(eval(*p));
  for (const auto& [k, e] : args.kw) out.kw.emplace_back(k, eval(*e));
  return out;
}

RV Ctx::call(const RV& callee, Args& args) {
  if (callee.is_undefined()) callee.raise_undefined();
  if (callee.is_object() && callee.obj->callable()) return callee.obj->call(*this, args);
  fail("'" + (callee.is_object() ? callee.obj->type_name() : py_type(callee.raw())) + "' object is not callable");
}

static std::string short_name(const std::string& name) {
  // Fully qualified names (ansible.builtin.to_json, community.general.json_query) map to the short name.
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

static std::vector<std::string> keys_of(const auto& table) {
  std::vector<std::string> out;
  for (const auto& [k, v] : table) out.push_back(k);
  return out;
}

RV Ctx::filter(const std::string& name, const RV& input, Args& args) {
  const auto& table = filters();
  auto it = table.find(short_name(name));
  if (it == table.end()) fail("No filter named '" + name + "'." + did_you_mean(name, keys_of(table)));
  return it->second(*this, input, args);
}

bool Ctx::test(const std::string& name, const RV& input, Args& args) {
  const auto& table = tests();
  auto it = table.find(short_name(name));
  if (it == table.end()) fail("No test named '" + name + "'." + did_you_mean(name, keys_of(table)));
  return it->second(*this, input, args);
}

RV Ctx::eval(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Literal:
      return RV::borrow(e.value);
    case Expr::Kind::Name:
      return lookup(e.name);
    case Expr::Kind::List:
    case Expr::Kind::Tuple: {
      Value out = Value::array();
      for (const auto& item : e.items) out.push_back(to_data(eval(*item)));
      RV r(std::move(out));
      if (e.kind == Expr::Kind::Tuple) r.shape = RV::Shape::Tuple;
      return r;
    }
    case Expr::Kind::Dict: {
      Value out = Value::object();
      for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
        RV k = eval(*e.items[i]);
        out[rv_str(k)] = to_data(eval(*e.items[i + 1]));
      }
      return out;
    }
    case Expr::Kind::GetAttr:
      // `loc.path` on a local variable reads it in place: copying the whole value out of its scope first was the
      // largest cost of rendering loops over filter results (docs/benchmarks.md).
      if (e.a->kind == Expr::Kind::Name)
        if (const RV* local = find_local(e.a->name)) return getattr(*local, e.name);
      return getattr(eval(*e.a), e.name);
    case Expr::Kind::GetItem: {
      if (e.a->kind == Expr::Kind::Name) {
        RV key = eval(*e.b);  // first: evaluating it may push or pop scopes
        if (const RV* local = find_local(e.a->name)) return getitem(*local, key);
        return getitem(lookup(e.a->name), key);
      }
      RV obj = eval(*e.a);
      return getitem(obj, eval(*e.b));
    }
    case Expr::Kind::Slice: {
      RV v = eval(*e.a);
      Value parts[3];
      for (int i = 0; i < 3; ++i)
        if (e.items[static_cast<size_t>(i)]) parts[i] = eval(*e.items[static_cast<size_t>(i)]).val();
      return slice_value(v.val(), parts[0], parts[1], parts[2]);
    }
    case Expr::Kind::Call: {
      if (e.a->kind == Expr::Kind::GetAttr && is_mutating_method(e.a->name)) prepare_mutation(*e.a->a);
      RV callee = eval(*e.a);
      Args args = eval_args(e.args);
      return call(callee, args);
    }
    case Expr::Kind::Filter: {
      RV input = eval(*e.a);
      Args args = eval_args(e.args);
      return filter(e.name, input, args);
    }
    case Expr::Kind::Test: {
      RV input = eval(*e.a);
      Args args = eval_args(e.args);
      return Value(test(e.name, input, args) != e.negated);
    }
    case Expr::Kind::Unary: {
      RV v = eval(*e.a);
      if (e.name == "not") return Value(!rv_truthy(v));
      const Value& x = v.val();
      if (!is_number(x)) fail("bad operand type for unary " + e.name + ": '" + py_type(x) + "'");
      if (e.name == "+") return x.is_boolean() ? Value(as_int(x)) : x;
      if (x.is_number_float()) return Value(-x.get<double>());
      if (as_int(x) == INT64_MIN) fail("integer overflow: -(" + py_str(x) + ") does not fit in 64 bits");
      return Value(-as_int(x));
    }
    case Expr::Kind::Binary:
      return eval_binary(e);
    case Expr::Kind::Compare:
      return eval_compare(e);
    case Expr::Kind::CondExpr: {
      if (rv_truthy(eval(*e.b))) return eval(*e.a);
      if (e.c) return eval(*e.c);
      return Value(nullptr);  // Ansible prints a false inline-if without else as nothing
    }
  }
  fail("unknown expression");
}

RV Ctx::eval_binary(const Expr& e) {
  const std::string& op = e.name;
  if (op == "and") {
    RV a = eval(*e.a);
    return rv_truthy(a) ? eval(*e.b) : a;
  }
  if (op == "or") {
    RV a = eval(*e.a);
    return rv_truthy(a) ? a : eval(*e.b);
  }
  RV a = eval(*e.a);
  RV b = eval(*e.b);
  if (op == "~") {
    if (a.is_data() && b.is_data() && a.raw().is_string() && b.raw().is_string()) {
      const auto& l = a.raw().get_ref<const std::string&>();
      const auto& r = b.raw().get_ref<const std::string&>();
      check_size(l.size() + r.size(), "string");
      std::string out;
      out.reserve(l.size() + r.size());
      out.append(l).append(r);
      return Value(std::move(out));
    }
    std::string l = rv_str(a), r = rv_str(b);
    check_size(l.size() + r.size(), "string");
    return Value(l + r);
  }
  if (op == "%" && a.val().is_string()) {
    // Only a tuple spreads into several arguments; a list is one argument, as in Python.
    std::vector<Value> args;
    if (b.shape == RV::Shape::Tuple) {
      for (const auto& x : b.val()) args.push_back(x);
    } else {
      args.push_back(b.val());
    }
    const Value* mapping = b.shape != RV::Shape::Tuple && b.val().is_object() ? &b.val() : nullptr;
    return Value(percent_format(a.val().get<std::string>(), args, mapping));
  }
  return arith(op, a.val(), b.val());
}

bool contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string()) fail("'in <string>' requires string as left operand, not " + py_type(item));
    return container.get_ref<const std::string&>().find(item.get_ref<const std::string&>()) != std::string::npos;
  }
  if (container.is_array()) {
    for (const auto& x : container)
      if (py_eq(x, item)) return true;
    return false;
  }
  if (container.is_object()) {
    if (!item.is_string() && !is_number(item)) return false;
    return container.contains(item.is_string() ? item.get<std::string>() : py_str(item));
  }
  fail("argument of type '" + py_type(container) + "' is not iterable");
}

RV Ctx::eval_compare(const Expr& e) {
  RV left = eval(*e.items[0]);
  for (size_t i = 0; i < e.ops.size(); ++i) {
    RV right = eval(*e.items[i + 1]);
    const std::string& op = e.ops[i];
    bool ok;
    if (op == "==" || op == "!=") {
      // Comparing an undefined value raises, as Ansible's undefined (a StrictUndefined) does: `when: x == 1` fails
      // for an undefined x instead of being false.
      if (left.is_undefined()) left.raise_undefined();
      if (right.is_undefined()) right.raise_undefined();
      bool eq;
      if (left.is_object() || right.is_object())
        eq = left.obj == right.obj;
      else
        eq = py_eq(left.raw(), right.raw());
      ok = op == "==" ? eq : !eq;
    } else if (op == "in" || op == "notin") {
      ok = contains(right.val(), left.val()) == (op == "in");
    } else {
      int c = py_cmp(left.val(), right.val(), op.c_str());
      ok = op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0;
    }
    if (!ok) return Value(false);
    left = std::move(right);
  }
  return Value(true);
}

static int64_t floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

Value arith(const std::string& op, const Value& a, const Value& b) {
  auto unsupported = [&]() -> Value {
    std::string sym = op;
    fail("unsupported operand type(s) for " + sym + ": '" + py_type(a) + "' and '" + py_type(b) + "'");
  };
  // Python's integers have no bound; ours are 64 bits, and overflowing them is undefined behaviour.
  auto overflow = [&]() -> Value {
    fail("integer overflow: " + py_str(a) + " " + op + " " + py_str(b) + " does not fit in 64 bits");
  };
  auto int_op = [&](bool (*f)(int64_t, int64_t, int64_t*)) -> Value {
    int64_t r;
    if (f(as_int(a), as_int(b), &r)) return overflow();
    return r;
  };
  static constexpr auto add = [](int64_t x, int64_t y, int64_t* r) { return __builtin_add_overflow(x, y, r); };
  static constexpr auto sub = [](int64_t x, int64_t y, int64_t* r) { return __builtin_sub_overflow(x, y, r); };
  static constexpr auto mul = [](int64_t x, int64_t y, int64_t* r) { return __builtin_mul_overflow(x, y, r); };
  bool nums = is_number(a) && is_number(b);
  bool floats = nums && (a.is_number_float() || b.is_number_float());
  if (op == "+") {
    if (nums) return floats ? Value(as_double(a) + as_double(b)) : int_op(add);
    if (a.is_string() && b.is_string()) {
      check_size(a.get_ref<const std::string&>().size() + b.get_ref<const std::string&>().size(), "string");
      return a.get<std::string>() + b.get<std::string>();
    }
    if (a.is_array() && b.is_array()) {
      check_size((a.size() + b.size()) * sizeof(Value), "list");
      Value out = a;
      for (const auto& x : b) out.push_back(x);
      return out;
    }
    if (a.is_string()) fail("can only concatenate str (not \"" + py_type(b) + "\") to str");
    if (a.is_array()) fail("can only concatenate list (not \"" + py_type(b) + "\") to list");
    return unsupported();
  }
  if (op == "-") {
    if (!nums) return unsupported();
    return floats ? Value(as_double(a) - as_double(b)) : int_op(sub);
  }
  if (op == "*") {
    if (nums) return floats ? Value(as_double(a) * as_double(b)) : int_op(mul);
    const Value* seq = (a.is_string() || a.is_array()) ? &a : (b.is_string() || b.is_array()) ? &b : nullptr;
    const Value* count = seq == &a ? &b : &a;
    if (!seq || !(count->is_number_integer() || count->is_boolean())) {
      if (seq) fail("can't multiply sequence by non-int of type '" + py_type(*count) + "'");
      return unsupported();
    }
    int64_t n = as_int(*count);
    size_t unit = seq->is_string() ? seq->get_ref<const std::string&>().size() : seq->size() * sizeof(Value);
    if (n > 0 && unit > 0)
      check_size(
          static_cast<uint64_t>(n) > limits::kMaxSize / unit ? limits::kMaxSize + 1 : unit * static_cast<size_t>(n),
          seq->is_string() ? "string" : "list");
    if (seq->is_string()) {
      std::string out;
      for (int64_t i = 0; i < n; ++i) out += seq->get_ref<const std::string&>();
      return out;
    }
    Value out = Value::array();
    for (int64_t i = 0; i < n; ++i)
      for (const auto& x : *seq) out.push_back(x);
    return out;
  }
  if (op == "/") {
    if (!nums) return unsupported();
    if (as_double(b) == 0) fail(floats ? "float division by zero" : "division by zero");
    return as_double(a) / as_double(b);
  }
  if (op == "//") {
    if (!nums) return unsupported();
    if (floats) {
      if (as_double(b) == 0) fail("float floor division by zero");
      return std::floor(as_double(a) / as_double(b));
    }
    if (as_int(b) == 0) fail("integer division or modulo by zero");
    if (as_int(a) == INT64_MIN && as_int(b) == -1) return overflow();
    return floordiv(as_int(a), as_int(b));
  }
  if (op == "%") {
    if (!nums) return unsupported();
    if (floats) {
      double y = as_double(b);
      if (y == 0) fail("float modulo");
      double r = std::fmod(as_double(a), y);
      if (r != 0 && ((r < 0) != (y < 0))) r += y;
      return r;
    }
    if (as_int(b) == 0) fail("integer division or modulo by zero");
    if (as_int(b) == -1) return int64_t{0};  // also INT64_MIN % -1, which C++ leaves undefined
    return as_int(a) - floordiv(as_int(a), as_int(b)) * as_int(b);
  }
  if (op == "**") {
    if (!nums) return unsupported();
    if (!floats && as_int(b) >= 0) {
      // Square and multiply: 64 steps at most, whatever the exponent (1 ** 10**18 is quick).
      int64_t r = 1, base = as_int(a), e = as_int(b);
      while (e > 0) {
        if ((e & 1) && __builtin_mul_overflow(r, base, &r)) return overflow();
        e >>= 1;
        if (e > 0 && __builtin_mul_overflow(base, base, &base)) return overflow();
      }
      return r;
    }
    return std::pow(as_double(a), as_double(b));
  }
  fail("unknown operator " + op);
}

// printf-style `"%s-%d" % (a, b)`: the common conversions only.
// Formats are built from the template's own spec, checked above; the compiler cannot see that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
std::string percent_format(const std::string& fmt, const std::vector<Value>& list, const Value* mapping) {
  size_t next = 0;
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) fail("incomplete format");
    if (fmt[i] == '%') {
      out += '%';
      continue;
    }
    const Value* keyed = nullptr;
    if (fmt[i] == '(') {
      // %(name)s: the name ends at the matching parenthesis, as in Python.
      if (!mapping) fail("format requires a mapping");
      size_t start = ++i;
      for (int depth = 1; i < fmt.size(); ++i) {
        if (fmt[i] == '(') ++depth;
        if (fmt[i] == ')' && --depth == 0) break;
      }
      if (i >= fmt.size()) fail("incomplete format key");
      std::string key = fmt.substr(start, i - start);
      auto it = mapping->find(key);
      if (it == mapping->end()) fail("KeyError: '" + key + "'");
      keyed = &*it;
      ++i;
    }
    std::string spec = "%";
    while (i < fmt.size() && std::string("-+ #0123456789.").find(fmt[i]) != std::string::npos) spec += fmt[i++];
    if (i >= fmt.size()) fail("incomplete format");
    char conv = fmt[i];
    if (!keyed && next >= list.size()) fail("not enough arguments for format string");
    const Value& v = keyed ? *keyed : list[next++];
    char buf[512];
    if (conv == 's') {
      std::string s = py_str(v);
      std::snprintf(buf, sizeof buf, (spec + "s").c_str(), s.c_str());
    } else if (conv == 'r') {
      std::string s = py_repr(v);
      std::snprintf(buf, sizeof buf, (spec + "s").c_str(), s.c_str());
    } else if (conv == 'd' || conv == 'i' || conv == 'x' || conv == 'X' || conv == 'o') {
      if (!is_number(v)) fail("%" + std::string(1, conv) + " format: a real number is required, not " + py_type(v));
      std::snprintf(buf, sizeof buf, (spec + "ll" + std::string(1, conv == 'i' ? 'd' : conv)).c_str(),
                    static_cast<long long>(as_int(v)));
    } else if (conv == 'f' || conv == 'F' || conv == 'e' || conv == 'g') {
      if (!is_number(v)) fail("must be real number, not " + py_type(v));
      std::snprintf(buf, sizeof buf, (spec + std::string(1, conv)).c_str(), as_double(v));
    } else {
      fail(std::string("unsupported format character '") + conv + "'");
    }
    out += buf;
  }
  if (!mapping && next < list.size()) fail("not all arguments converted during string formatting");
  return out;
}
#pragma GCC diagnostic pop

std::vector<RV> iterate(const RV& v) {
  std::vector<RV> out;
  if (v.is_object()) fail("'" + v.obj->type_name() + "' object is not iterable");
  const Value& x = v.val();
  if (x.is_array()) {
    for (const auto& e : x) {
      out.push_back(RV::child(v, e, Value(out.size())));
      if (v.shape == RV::Shape::ListOfTuples) out.back().shape = RV::Shape::Tuple;
    }
  } else if (x.is_object()) {
    for (const auto& [k, e] : x.items()) out.push_back(Value(k));
  } else if (x.is_string()) {
    for (auto& c : utf8_chars(x.get<std::string>())) out.push_back(Value(c));
  } else {
    fail("'" + py_type(x) + "' object is not iterable");
  }
  return out;
}

const RV& arg(const Args& args, size_t i, const std::string& name, const char* who) {
  const RV* r = args.get(i, name);
  if (!r) fail(std::string(who) + "() missing required argument '" + name + "'");
  return *r;
}

Value arg_or(const Args& args, size_t i, const std::string& name, Value fallback) {
  const RV* r = args.get(i, name);
  if (!r) return fallback;
  return r->val();
}

}  // namespace prov::tmpl
