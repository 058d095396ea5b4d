// Python methods on str, dict and list values, as templates call them: "a,b".split(","), d.items(), ...
#include <algorithm>
#include <cctype>

#include "eval.h"
#include "strings.h"

namespace prov::tmpl {
namespace {

class BoundMethod : public Object {
 public:
  BoundMethod(Value self, std::string name) : self_(std::move(self)), name_(std::move(name)) {}
  std::string type_name() const override { return "builtin_function_or_method"; }
  bool callable() const override { return true; }
  std::string str() const override { return "<built-in method " + name_ + " of " + py_type(self_) + " object>"; }
  RV call(Ctx& ctx, Args& args) override;

 private:
  Value self_;
  std::string name_;
  RV call_str(const std::string& s, Args& args);
  RV call_dict(Ctx& ctx, Args& args);
  RV call_list(Args& args);
};

std::string opt_str(const Args& a, size_t i, const std::string& name, const std::string& fallback) {
  const RV* r = a.get(i, name);
  if (!r || (r->is_data() && r->raw().is_null())) return fallback;
  return rv_str(*r);
}

RV BoundMethod::call(Ctx& ctx, Args& args) {
  if (self_.is_string()) return call_str(self_.get<std::string>(), args);
  if (self_.is_object()) return call_dict(ctx, args);
  return call_list(args);
}

RV BoundMethod::call_str(const std::string& s, Args& args) {
  const std::string& n = name_;
  if (n == "split" || n == "rsplit") {
    const RV* sep = args.get(0, "sep");
    int64_t maxsplit = as_int(arg_or(args, 1, "maxsplit", -1));
    Value out = Value::array();
    std::vector<std::string> parts;
    if (!sep || (sep->is_data() && sep->raw().is_null()))
      parts = split_whitespace(s, maxsplit, n == "rsplit");
    else
      parts = split_on(s, rv_str(*sep), maxsplit, n == "rsplit");
    for (auto& p : parts) out.push_back(p);
    return out;
  }
  if (n == "strip" || n == "lstrip" || n == "rstrip") {
    const RV* chars = args.get(0, "chars");
    std::string set = chars && !(chars->is_data() && chars->raw().is_null()) ? rv_str(*chars) : " \t\n\r\v\f";
    return Value(strip_chars(s, set, n != "rstrip", n != "lstrip"));
  }
  if (n == "startswith" || n == "endswith") {
    const Value& p = arg(args, 0, "prefix", n.c_str()).val();
    std::vector<std::string> cands;
    if (p.is_array()) {
      for (const auto& x : p) cands.push_back(py_str(x));
    } else {
      cands.push_back(py_str(p));
    }
    for (const auto& c : cands) {
      bool ok = n == "startswith" ? s.rfind(c, 0) == 0
                                  : (s.size() >= c.size() && s.compare(s.size() - c.size(), c.size(), c) == 0);
      if (ok) return Value(true);
    }
    return Value(false);
  }
  if (n == "upper") return Value(to_upper(s));
  if (n == "lower") return Value(to_lower(s));
  if (n == "capitalize") return Value(capitalize(s));
  if (n == "title") return Value(title_case(s));
  if (n == "replace") {
    int64_t count = as_int(arg_or(args, 2, "count", -1));
    return Value(replace_all(s, rv_str(arg(args, 0, "old", "replace")), rv_str(arg(args, 1, "new", "replace")), count));
  }
  if (n == "join") {
    std::string out;
    bool first = true;
    for (const auto& item : iterate(arg(args, 0, "iterable", "join"))) {
      if (!first) out += s;
      first = false;
      out += rv_str(item);
    }
    return Value(out);
  }
  if (n == "format") return Value(python_format(s, args));
  if (n == "find" || n == "rfind" || n == "index" || n == "rindex") {
    std::string sub = rv_str(arg(args, 0, "sub", n.c_str()));
    size_t p = (n == "find" || n == "index") ? s.find(sub) : s.rfind(sub);
    if (p == std::string::npos) {
      if (n == "index" || n == "rindex") fail("substring not found");
      return Value(-1);
    }
    return Value(static_cast<int64_t>(utf8_length(s.substr(0, p))));
  }
  if (n == "count") {
    std::string sub = rv_str(arg(args, 0, "sub", "count"));
    if (sub.empty()) return Value(static_cast<int64_t>(utf8_length(s) + 1));
    int64_t c = 0;
    for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++c;
    return Value(c);
  }
  auto all_of = [&](int (*pred)(int)) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)); });
  };
  if (n == "isdigit") return Value(all_of(::isdigit));
  if (n == "isalpha") return Value(all_of(::isalpha));
  if (n == "isalnum") return Value(all_of(::isalnum));
  if (n == "isspace") return Value(all_of(::isspace));
  if (n == "islower") return Value(to_lower(s) == s && to_upper(s) != s);
  if (n == "isupper") return Value(to_upper(s) == s && to_lower(s) != s);
  if (n == "splitlines") {
    Value out = Value::array();
    for (auto& l : split_lines(s)) out.push_back(l);
    return out;
  }
  if (n == "zfill") {
    size_t width = as_width(arg(args, 0, "width", "zfill").val());
    size_t len = utf8_length(s);
    if (len >= width) return Value(s);
    std::string pad(width - len, '0');
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) return Value(s.substr(0, 1) + pad + s.substr(1));
    return Value(pad + s);
  }
  if (n == "center" || n == "ljust" || n == "rjust") {
    size_t width = as_width(arg(args, 0, "width", n.c_str()).val());
    std::string fill = opt_str(args, 1, "fillchar", " ");
    return Value(justify(s, width, fill, n == "center" ? 'C' : n == "ljust" ? '<' : '>'));
  }
  fail("'str object' has no attribute '" + n + "'");
}

RV BoundMethod::call_dict(Ctx& ctx, Args& args) {
  const std::string& n = name_;
  if (n == "items") {
    Value out = Value::array();
    for (const auto& [k, v] : self_.items()) out.push_back(Value::array({k, v}));
    return RV(std::move(out)).with_shape(RV::Shape::ListOfTuples);
  }
  if (n == "keys") {
    Value out = Value::array();
    for (const auto& [k, v] : self_.items()) out.push_back(k);
    return out;
  }
  if (n == "values") {
    Value out = Value::array();
    for (const auto& [k, v] : self_.items()) out.push_back(v);
    return out;
  }
  if (n == "get") {
    RV key = arg(args, 0, "key", "get");
    RV found = ctx.getitem(RV(self_), key);
    if (!found.is_undefined()) return found;
    const RV* d = args.get(1, "default");
    return d ? *d : RV(Value(nullptr));
  }
  if (n == "copy") return self_;
  if (n == "pop") {
    std::string key = rv_str(arg(args, 0, "key", "pop"));
    auto it = self_.find(key);
    if (it != self_.end()) return *it;
    if (const RV* d = args.get(1, "default")) return *d;
    fail("KeyError: '" + key + "'");
  }
  fail("dict.update() and other mutating methods are not supported in templates");
}

RV BoundMethod::call_list(Args& args) {
  const std::string& n = name_;
  if (n == "index") {
    const Value& x = arg(args, 0, "value", "index").val();
    for (size_t i = 0; i < self_.size(); ++i)
      if (py_eq(self_[i], x)) return Value(static_cast<int64_t>(i));
    fail(py_repr(x) + " is not in list");
  }
  if (n == "count") {
    const Value& x = arg(args, 0, "value", "count").val();
    int64_t c = 0;
    for (const auto& e : self_)
      if (py_eq(e, x)) ++c;
    return Value(c);
  }
  if (n == "copy") return self_;
  fail("list.append() and other mutating methods are not supported in templates");
}

}  // namespace

bool find_method(const RV& self, const std::string& name, RV& out) {
  if (!self.is_data()) return false;
  const Value& v = self.raw();
  static const std::set<std::string> str_methods = {
      "split",   "rsplit",  "strip",   "lstrip",  "rstrip",  "startswith", "endswith", "upper",  "lower", "capitalize",
      "title",   "replace", "join",    "format",  "find",    "rfind",      "index",    "rindex", "count", "isdigit",
      "isalpha", "isalnum", "isspace", "islower", "isupper", "splitlines", "zfill",    "center", "ljust", "rjust"};
  static const std::set<std::string> dict_methods = {"items", "keys", "values", "get",
                                                     "copy",  "pop",  "update", "setdefault"};
  static const std::set<std::string> list_methods = {"index",  "count",  "copy", "append", "extend",
                                                     "insert", "remove", "pop",  "sort",   "reverse"};
  bool ok = (v.is_string() && str_methods.count(name)) || (v.is_object() && dict_methods.count(name)) ||
            (v.is_array() && list_methods.count(name));
  if (!ok) return false;
  out = RV::object(std::make_shared<BoundMethod>(v, name));
  return true;
}

}  // namespace prov::tmpl
