// The public entry points: render, template_value, evaluate, condition; lazy variables and the parse cache.
#include "provision/template/engine.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <unordered_map>

#include "eval.h"
#include "filters.h"
#include "parser.h"
#include "strings.h"

namespace prov::tmpl {

const Value* ValueVars::find(std::string_view name, bool* data) const {
  if (data) *data = false;
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(std::string(name));
  return it == object_.end() ? nullptr : &*it;
}

std::vector<std::string> ValueVars::names() const {
  std::vector<std::string> out;
  if (object_.is_object())
    for (auto it = object_.begin(); it != object_.end(); ++it) out.push_back(it.key());
  return out;
}

bool is_template(std::string_view text) {
  for (size_t i = 0; i + 1 < text.size(); ++i)
    if (text[i] == '{' && (text[i + 1] == '{' || text[i + 1] == '%' || text[i + 1] == '#')) return true;
  return false;
}

std::string python_str(const Value& value) { return py_str(value); }

std::string python_json(const Value& value) { return json_dumps(value, -1, false, true, ", ", ": "); }

static bool is_marked_unsafe(std::string_view text) { return text.substr(0, kUnsafeMark.size()) == kUnsafeMark; }

static bool has_markup(const Value& v) {
  if (v.is_string()) return is_template(v.get_ref<const std::string&>());
  if (v.is_array()) return std::any_of(v.begin(), v.end(), [](const Value& e) { return has_markup(e); });
  if (v.is_object()) {
    for (const auto& [k, e] : v.items())
      if (has_markup(e)) return true;
  }
  return false;
}

namespace {

/// Parsed templates by source and options, so a template rendered for every host is parsed once.
std::shared_ptr<const Template> cached_template(const std::string& source, const Options& options) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const Template>> cache;
  std::string key = options.name + '\0' + (options.in_value ? '1' : '0') + (options.trim_blocks ? '1' : '0') +
                    (options.lstrip_blocks ? '1' : '0') + (options.escape_backslashes ? '1' : '0') + '\0' + source;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto t = parse_template(source, options);
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() > 20000) cache.clear();
  cache[key] = t;
  return t;
}

std::string prepare_source(std::string_view source, const Options& options) {
  std::string s(source);
  // Jinja drops one trailing newline unless told to keep it.
  if (!options.keep_trailing_newline && !s.empty() && s.back() == '\n') {
    s.pop_back();
    if (!s.empty() && s.back() == '\r') s.pop_back();
  }
  return s;
}

size_t trailing_newlines(const std::string& s) {
  size_t n = 0;
  while (n < s.size() && s[s.size() - 1 - n] == '\n') ++n;
  return n;
}

/// Ansible's templar puts back trailing newlines of the source that the render lost (trim_blocks, Jinja's own
/// dropping of the last newline).
void preserve_trailing_newlines(const std::string& source, std::string& out) {
  size_t want = trailing_newlines(source), have = trailing_newlines(out);
  if (want > have) out.append(want - have, '\n');
}

std::string render_with(const std::string& source, Resolver& resolver) {
  auto t = cached_template(prepare_source(source, resolver.options), resolver.options);
  Ctx ctx(resolver, t);
  std::string out;
  ctx.render_template(out);
  preserve_trailing_newlines(source, out);
  return out;
}

/// Ansible turns rendered text that reads as a Python literal list, dict or bool back into that value.
bool literal_only(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Literal:
      return true;
    case Expr::Kind::Name:  // Ansible reads JSON's names too: {"a": null, "b": true}
      return e.name == "null" || e.name == "true" || e.name == "false";
    case Expr::Kind::List:
    case Expr::Kind::Tuple:
    case Expr::Kind::Dict:
      return std::all_of(e.items.begin(), e.items.end(), [](const ExprPtr& x) { return x && literal_only(*x); });
    case Expr::Kind::Unary:
      return (e.name == "-" || e.name == "+") && e.a->kind == Expr::Kind::Literal && e.a->value.is_number();
    default:
      return false;
  }
}

/// Ansible's string-type filters (its STRING_TYPE_FILTERS setting) mark their result as text that is never read
/// back as a literal, when it is the template's only output: "{{ d | to_json }}" stays a string.
bool keeps_text(const Template& t) {
  static const std::set<std::string, std::less<>> kTextFilters = {"string",       "to_json", "to_nice_json", "to_yaml",
                                                                  "to_nice_yaml", "ppretty", "json"};
  if (t.body.size() != 1 || t.body[0]->kind != Node::Kind::Output) return false;
  const Expr& e = *t.body[0]->expr;
  return e.kind == Expr::Kind::Filter && kTextFilters.count(e.name) > 0;
}

Value literal_convert(const std::string& text) {
  bool looks = (!text.empty() && (text[0] == '{' || text[0] == '[')) || text == "True" || text == "False";
  if (!looks) return text;
  try {
    Options o;
    auto e = parse_expression(text, o);
    if (!literal_only(*e)) return text;
    ValueVars json_names(Value{{"null", nullptr}, {"true", true}, {"false", false}});
    Resolver literal(json_names, o);
    Ctx ctx(literal, nullptr);
    return to_data(ctx.eval(*e));
  } catch (const TemplateError&) {
    return text;
  }
}

}  // namespace

const Value* Resolver::resolve(const std::string& name) {
  auto it = resolved.find(name);
  if (it != resolved.end()) return it->second.get();
  bool data = false;
  const Value* raw = vars.find(name, &data);
  if (!raw || plain.count(name)) return raw;
  if (data) read_data = true;
  if (data || !has_markup(*raw)) {
    plain.insert(name);
    return raw;
  }
  auto loop = std::find(resolving.begin(), resolving.end(), name);
  if (loop != resolving.end()) {
    std::string chain;
    for (auto p = loop; p != resolving.end(); ++p) chain += *p + " -> ";
    throw TemplateError("recursive loop detected in template: " + chain + name);
  }
  CallDepth nested(*this);
  resolving.push_back(name);
  Value v;
  try {
    v = template_data(*raw, *this);
  } catch (...) {
    resolving.pop_back();
    throw;
  }
  resolving.pop_back();
  auto owned = std::make_unique<Value>(std::move(v));
  const Value* out = owned.get();
  resolved[name] = std::move(owned);
  return out;
}

/// ansible-core 2.14 returns a lone `{{ name }}` holding a number, bool or none as it is, without rendering (its
/// pattern ends in Python's `$`, which also matches before one final newline).
bool single_plain_var(const std::string& text, Resolver& resolver, Value& out) {
  const std::string_view s(text.data(), !text.empty() && text.back() == '\n' ? text.size() - 1 : text.size());
  if (s.size() < 5 || s.substr(0, 2) != "{{" || s.substr(s.size() - 2) != "}}") return false;
  std::string inner = strip_chars(std::string(s.substr(2, s.size() - 4)), " \t\n\r\v\f", true, true);
  if (inner.empty() || std::any_of(inner.begin(), inner.end(),
                                   [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_'); }))
    return false;
  const Value* v = resolver.resolve(inner);
  if (!v || !(v->is_number() || v->is_boolean() || v->is_null())) return false;
  out = *v;
  return true;
}

Value template_data(const Value& value, Resolver& resolver) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (!is_template(s)) return value;
    if (is_marked_unsafe(s)) {
      resolver.read_data = true;
      return s.substr(kUnsafeMark.size());
    }
    auto t = cached_template(prepare_source(s, resolver.options), resolver.options);
    if (!resolver.options.native_types) {
      Value plain;
      if (single_plain_var(s, resolver, plain)) return plain;
      Ctx ctx(resolver, t);
      std::string out;
      ctx.exec(t->body, out);
      // The text is read as a literal before the source's trailing newlines are put back: "{{ 'True' }}\n" is
      // a bool, as in ansible-core 2.14.
      Value v = keeps_text(*t) ? Value(std::move(out)) : literal_convert(out);
      if (v.is_string()) preserve_trailing_newlines(s, v.get_ref<std::string&>());
      return v;
    }
    if (t->body.size() == 1 && t->body[0]->kind == Node::Kind::Output) {
      Ctx ctx(resolver, t);
      return to_data(ctx.eval(*t->body[0]->expr));
    }
    Ctx ctx(resolver, t);
    std::string out;
    ctx.exec(t->body, out);
    preserve_trailing_newlines(s, out);
    return literal_convert(out);
  }
  if (value.is_array()) {
    Value out = Value::array();
    for (const auto& e : value) out.push_back(template_data(e, resolver));
    return out;
  }
  if (value.is_object()) {
    Value out = Value::object();
    for (const auto& [k, e] : value.items()) {
      std::string key = is_template(k) ? py_str(template_data(Value(k), resolver)) : k;
      out[key] = template_data(e, resolver);
    }
    return out;
  }
  return value;
}

std::string render(std::string_view source, const Vars& vars, const Options& options) {
  if (is_marked_unsafe(source)) return std::string(source.substr(kUnsafeMark.size()));
  Resolver resolver(vars, options);
  return render_with(std::string(source), resolver);
}

Value template_value(const Value& value, const Vars& vars, const Options& options) {
  Resolver resolver(vars, options);
  return template_data(value, resolver);
}

Rendered template_marked(const Value& value, const Vars& vars, const Options& options) {
  Resolver resolver(vars, options);
  Rendered out;
  out.value = template_data(value, resolver);
  out.data = resolver.read_data;
  return out;
}

Value evaluate(std::string_view expression, const Vars& vars, const Options& options) {
  Resolver resolver(vars, options);
  auto e = parse_expression(expression, options);
  Ctx ctx(resolver, nullptr);
  return to_data(ctx.eval(*e));
}

bool condition(std::string_view expression, const Vars& vars, const Options& options) {
  Resolver resolver(vars, options);
  std::string expr(expression);
  if (is_template(expr)) {
    // Ansible first renders an inline template, then evaluates what it produced as an expression.
    Value v = template_data(Value(expr), resolver);
    if (!v.is_string()) return py_truthy(v);
    expr = v.get<std::string>();
    if (expr.empty()) return false;
    if (resolver.read_data) throw TemplateError("Conditional is marked as unsafe, and cannot be evaluated.");
  }
  auto e = parse_expression(expr, options);
  Ctx ctx(resolver, nullptr);
  return rv_truthy(ctx.eval(*e));
}

std::string find_file(const std::string& name, const Options& options) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  // A fuzzer must not read devices or the machine's files (include '/dev/zero' never ends).
  if (name.find('/') != std::string::npos) return "";
#endif
  auto exists = [](const std::string& p) {
    std::ifstream f(p);
    return f.good();
  };
  if (!name.empty() && name[0] == '/') return exists(name) ? name : "";
  for (const auto& dir : options.search_paths) {
    std::string p = dir + "/" + name;
    if (exists(p)) return p;
  }
  return "";
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw TemplateError("could not read file " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace prov::tmpl
