// Python methods on str, dict and list values, as templates call them: "a,b".split(","), d.items(), ...
#include <algorithm>
#include <cctype>

#include "eval.h"
#include "strings.h"

namespace prov::tmpl {
namespace {

class BoundMethod : public Object {
 public:
  BoundMethod(RV self, std::string name) : self_rv_(std::move(self)), name_(std::move(name)) {}
  std::string type_name() const override { return "builtin_function_or_method"; }
  bool callable() const override { return true; }
  std::string str() const override {
    return "<built-in method " + name_ + " of " + py_type(self_rv_.raw()) + " object>";
  }
  RV call(Ctx& ctx, Args& args) override;

 private:
  RV self_rv_;  // boxed when it is a template variable, so that mutations reach it (RV::box)
  std::string name_;
  RV mutate_dict(Args& args);
  RV mutate_list(Ctx& ctx, Args& args);
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
  const Value& self_ = self_rv_.raw();
  if (is_mutating_method(name_)) return self_.is_object() ? mutate_dict(args) : mutate_list(ctx, args);
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
  const Value& self_ = self_rv_.raw();
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
  fail("'dict object' has no attribute '" + n + "'");
}

// The mutating methods change the list or dict in place and return None (printed as nothing by Ansible) or what
// Python returns: the removed item for pop and popitem, the value for setdefault.
RV BoundMethod::mutate_dict(Args& args) {
  const std::string& n = name_;
  Value& d = self_rv_.mutable_target();
  if (n == "update") {
    if (args.pos.size() > 1) fail("update expected at most 1 argument, got " + std::to_string(args.pos.size()));
    if (!args.pos.empty()) {
      const Value& other = args.pos[0].val();
      if (other.is_object()) {
        for (const auto& [k, v] : other.items()) d[k] = v;
      } else {
        for (const auto& item : iterate(args.pos[0])) {
          const Value& pair = item.val();
          if (!pair.is_array() || pair.size() != 2)
            fail("dictionary update sequence element has length " + std::to_string(pair.is_array() ? pair.size() : 1) +
                 "; 2 is required");
          d[py_str(pair[0])] = pair[1];
        }
      }
    }
    for (const auto& [k, v] : args.kw) d[k] = to_data(v);
    return Value(nullptr);
  }
  if (n == "clear") {
    d = Value::object();
    return Value(nullptr);
  }
  if (n == "popitem") {
    if (d.empty()) fail("'popitem(): dictionary is empty'");
    auto last = std::prev(d.end());
    std::string key = last.key();  // erase moves the items after it: keep the key out of the dict
    Value pair = Value::array({key, last.value()});
    d.erase(key);
    return RV(std::move(pair)).with_shape(RV::Shape::Tuple);
  }
  std::string key = rv_str(arg(args, 0, "key", n.c_str()));
  auto it = d.find(key);
  if (n == "pop") {
    if (it != d.end()) {
      Value out = *it;
      d.erase(key);
      return out;
    }
    if (const RV* dflt = args.get(1, "default")) return *dflt;
    fail("KeyError: '" + key + "'");
  }
  // setdefault: the value returned is the one in the dict, so that d.setdefault(k, []).append(x) fills d[k].
  if (it == d.end()) {
    const RV* dflt = args.get(1, "default");
    d[key] = dflt ? to_data(*dflt) : Value(nullptr);
  }
  return RV::child(self_rv_, d[key], Value(key));
}

static int64_t list_index(const RV& r, size_t size, bool clamp) {
  int64_t i = as_int(r.val());
  auto n = static_cast<int64_t>(size);
  if (i < 0) i += n;
  if (clamp) return std::clamp<int64_t>(i, 0, n);
  if (i < 0 || i >= n) fail("pop index out of range");
  return i;
}

RV BoundMethod::mutate_list(Ctx& ctx, Args& args) {
  const std::string& n = name_;
  Value& l = self_rv_.mutable_target();
  if (n == "append") {
    l.push_back(to_data(arg(args, 0, "object", "append")));
  } else if (n == "extend") {
    for (const auto& item : iterate(arg(args, 0, "iterable", "extend"))) l.push_back(to_data(item));
  } else if (n == "insert") {
    int64_t i = list_index(arg(args, 0, "index", "insert"), l.size(), true);
    l.insert(l.begin() + i, to_data(arg(args, 1, "object", "insert")));
  } else if (n == "pop") {
    if (l.empty()) fail("pop from empty list");
    const RV* at = args.get(0, "index");
    size_t i = at ? static_cast<size_t>(list_index(*at, l.size(), false)) : l.size() - 1;
    Value out = l[i];
    l.erase(l.begin() + static_cast<std::ptrdiff_t>(i));
    return out;
  } else if (n == "remove") {
    const Value& x = arg(args, 0, "value", "remove").val();
    auto it = std::find_if(l.begin(), l.end(), [&](const Value& e) { return py_eq(e, x); });
    if (it == l.end()) fail("list.remove(x): x not in list");
    l.erase(it);
  } else if (n == "reverse") {
    std::reverse(l.begin(), l.end());
  } else if (n == "clear") {
    l = Value::array();
  } else {  // sort
    if (!args.pos.empty()) fail("sort() takes no positional arguments");
    bool reverse = py_truthy(arg_or(args, 99, "reverse", false));
    // Each item with its sort key: the item itself, or what key(item) gives (a macro, a bound method, ...).
    std::vector<std::pair<Value, Value>> items;
    const RV* key = args.kwarg("key");
    const bool has_key = key && !(key->is_data() && key->raw().is_null());
    if (has_key && (!key->is_object() || !key->obj->callable())) {
      fail("'" + (key->is_object() ? key->obj->type_name() : py_type(key->raw())) + "' object is not callable");
    }
    for (const Value& item : l) {
      Value sort_key = item;
      if (has_key) {
        Args call_args;
        call_args.pos.emplace_back(item);
        sort_key = to_data(key->obj->call(ctx, call_args));
      }
      items.emplace_back(std::move(sort_key), item);
    }
    // Python's sort is stable and compares with <; reverse=True keeps equal items in their order too.
    std::stable_sort(items.begin(), items.end(), [&](const auto& a, const auto& b) {
      return reverse ? py_cmp(b.first, a.first, "<") < 0 : py_cmp(a.first, b.first, "<") < 0;
    });
    l = Value::array();
    for (auto& x : items) l.push_back(std::move(x.second));
  }
  return Value(nullptr);
}

RV BoundMethod::call_list(Args& args) {
  const Value& self_ = self_rv_.raw();
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
  fail("'list object' has no attribute '" + n + "'");
}

}  // namespace

bool find_method(const RV& self, const std::string& name, RV& out) {
  if (!self.is_data()) return false;
  const Value& v = self.raw();
  static const std::set<std::string> str_methods = {
      "split",   "rsplit",  "strip",   "lstrip",  "rstrip",  "startswith", "endswith", "upper",  "lower", "capitalize",
      "title",   "replace", "join",    "format",  "find",    "rfind",      "index",    "rindex", "count", "isdigit",
      "isalpha", "isalnum", "isspace", "islower", "isupper", "splitlines", "zfill",    "center", "ljust", "rjust"};
  static const std::set<std::string> dict_methods = {"items", "keys",   "values",     "get",   "copy",
                                                     "pop",   "update", "setdefault", "clear", "popitem"};
  static const std::set<std::string> list_methods = {"index",  "count", "copy", "append",  "extend", "insert",
                                                     "remove", "pop",   "sort", "reverse", "clear"};
  bool ok = (v.is_string() && str_methods.count(name)) || (v.is_object() && dict_methods.count(name)) ||
            (v.is_array() && list_methods.count(name));
  if (!ok) return false;
  out = RV::object(std::make_shared<BoundMethod>(self, name));
  return true;
}

// A mutating method (l.append(x), d[k].update(v)) on a variable of the play changes this render's copy of it, as in
// Ansible, whose templates see a fresh copy of each variable: the copy goes into the template's top scope, where
// later reads in the same render find it. The next render (task, host) sees the variable unchanged.
void Ctx::prepare_mutation(const Expr& target) {
  const Expr* root = &target;
  while (root->kind == Expr::Kind::GetAttr || root->kind == Expr::Kind::GetItem) root = root->a.get();
  if (root->kind != Expr::Kind::Name) return;
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    auto f = it->find(root->name);
    if (f != it->end()) {
      f->second.make_shared_box(true);
      return;
    }
  }
  const Value* v = resolver.resolve(root->name);
  if (!v || (!v->is_array() && !v->is_object())) return;
  RV copy = RV::borrow(*v);
  copy.make_shared_box(true);
  scopes.front()[root->name] = std::move(copy);
}

bool is_mutating_method(const std::string& name) {
  static const std::set<std::string> names = {"append", "extend",     "insert", "pop",   "remove", "reverse",
                                              "sort",   "setdefault", "update", "clear", "popitem"};
  return names.count(name) > 0;
}

}  // namespace prov::tmpl
