// Jinja2 and Ansible tests (`x is defined`, `result is failed`, `v is version('2.0', '>=')`), one table.
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>

#include "eval.h"
#include "pyregex.h"

namespace prov::tmpl {
namespace {

const Value& data(const RV& v) { return v.val(); }

bool t_defined(Ctx&, const RV& v, Args&) { return !v.is_undefined(); }
bool t_undefined(Ctx&, const RV& v, Args&) { return v.is_undefined(); }
bool t_none(Ctx&, const RV& v, Args&) { return v.is_data() && data(v).is_null(); }
bool t_string(Ctx&, const RV& v, Args&) { return v.is_data() && data(v).is_string(); }
bool t_number(Ctx&, const RV& v, Args&) { return v.is_data() && is_number(data(v)); }
bool t_integer(Ctx&, const RV& v, Args&) { return v.is_data() && data(v).is_number_integer(); }
bool t_float(Ctx&, const RV& v, Args&) { return v.is_data() && data(v).is_number_float(); }
bool t_boolean(Ctx&, const RV& v, Args&) { return v.is_data() && data(v).is_boolean(); }
// Jinja's `is true` / `is false` are Python's `is True` / `is False`: only the booleans, never 1 or "yes".
bool t_true(Ctx&, const RV& v, Args&) { return v.is_data() && data(v).is_boolean() && data(v).get<bool>(); }
bool t_false(Ctx&, const RV& v, Args&) { return v.is_data() && data(v).is_boolean() && !data(v).get<bool>(); }
bool t_mapping(Ctx&, const RV& v, Args&) { return v.is_data() && data(v).is_object(); }
bool t_sequence(Ctx&, const RV& v, Args&) {
  return v.is_data() && (data(v).is_array() || data(v).is_string() || data(v).is_object());
}
bool t_iterable(Ctx& c, const RV& v, Args& a) { return t_sequence(c, v, a); }
bool t_callable(Ctx&, const RV& v, Args&) { return v.is_object() && v.obj->callable(); }
bool t_lower(Ctx&, const RV& v, Args&) {
  std::string s = rv_str(v);
  for (char ch : s)
    if (std::isupper(static_cast<unsigned char>(ch))) return false;
  return true;
}
bool t_upper(Ctx&, const RV& v, Args&) {
  std::string s = rv_str(v);
  for (char ch : s)
    if (std::islower(static_cast<unsigned char>(ch))) return false;
  return true;
}
bool t_even(Ctx&, const RV& v, Args&) { return as_int(data(v)) % 2 == 0; }
bool t_odd(Ctx&, const RV& v, Args&) { return as_int(data(v)) % 2 != 0; }
bool t_divisibleby(Ctx&, const RV& v, Args& a) {
  int64_t n = as_int(arg(a, 0, "num", "divisibleby").val());
  return n != 0 && as_int(data(v)) % n == 0;
}
bool t_sameas(Ctx&, const RV& v, Args& a) {
  const RV& o = arg(a, 0, "other", "sameas");
  if (v.is_object() || o.is_object()) return v.obj == o.obj;
  const Value& x = data(v);
  const Value& y = o.val();
  // Identity holds for the singletons None, True and False.
  return x.type() == y.type() && (x.is_null() || x.is_boolean()) && x == y;
}
bool t_eq(Ctx&, const RV& v, Args& a) { return py_eq(data(v), arg(a, 0, "other", "eq").val()); }
bool t_ne(Ctx&, const RV& v, Args& a) { return !py_eq(data(v), arg(a, 0, "other", "ne").val()); }
bool t_lt(Ctx&, const RV& v, Args& a) { return py_cmp(data(v), arg(a, 0, "other", "lt").val(), "<") < 0; }
bool t_le(Ctx&, const RV& v, Args& a) { return py_cmp(data(v), arg(a, 0, "other", "le").val(), "<=") <= 0; }
bool t_gt(Ctx&, const RV& v, Args& a) { return py_cmp(data(v), arg(a, 0, "other", "gt").val(), ">") > 0; }
bool t_ge(Ctx&, const RV& v, Args& a) { return py_cmp(data(v), arg(a, 0, "other", "ge").val(), ">=") >= 0; }
bool t_in(Ctx&, const RV& v, Args& a) { return contains(arg(a, 0, "seq", "in").val(), data(v)); }
bool t_contains(Ctx&, const RV& v, Args& a) { return contains(data(v), arg(a, 0, "seq", "contains").val()); }
bool t_truthy(Ctx&, const RV& v, Args&) { return rv_truthy(v); }
bool t_falsy(Ctx&, const RV& v, Args&) { return !rv_truthy(v); }

bool regex_test(const RV& v, Args& a, const char* mode) {
  std::string s = rv_str(v);
  PyRegex rx = compile_regex(rv_str(arg(a, 0, "pattern", mode)), py_truthy(arg_or(a, 1, "ignorecase", false)),
                             py_truthy(arg_or(a, 2, "multiline", false)));
  std::string m(mode);
  if (m == "regex") m = py_str(arg_or(a, 3, "match_type", "search"));
  RegexMatch found;
  if (m == "match") return rx.search(s, found, 0, PyRegex::Anchor::Match);
  if (m == "fullmatch") return rx.search(s, found, 0, PyRegex::Anchor::FullMatch);
  return rx.search(s, found);
}
bool t_match(Ctx&, const RV& v, Args& a) { return regex_test(v, a, "match"); }
bool t_search(Ctx&, const RV& v, Args& a) { return regex_test(v, a, "search"); }
bool t_regex(Ctx&, const RV& v, Args& a) { return regex_test(v, a, "regex"); }

// LooseVersion: numbers compare as numbers, letters as text.
std::vector<Value> loose_parts(const std::string& s) {
  std::vector<Value> out;
  for (size_t i = 0; i < s.size();) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      // Past 64 bits (std::stoll threw; found by the fuzzer) a double keeps the order.
      std::string digits = s.substr(i, j - i);
      if (j - i < 19)
        out.push_back(std::stoll(digits));
      else
        out.push_back(std::strtod(digits.c_str(), nullptr));
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(s[i]))) {
      size_t j = i;
      while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
      out.push_back(s.substr(i, j - i));
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

int version_cmp(const std::string& a, const std::string& b) {
  auto x = loose_parts(a), y = loose_parts(b);
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (x[i].is_number() != y[i].is_number()) return x[i].is_number() ? 1 : -1;
    int c = py_cmp(x[i], y[i], "<");
    if (c) return c;
  }
  return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
}

bool t_version(Ctx&, const RV& v, Args& a) {
  std::string other = rv_str(arg(a, 0, "version", "version"));
  std::string op = py_str(arg_or(a, 1, "operator", "eq"));
  int c = version_cmp(rv_str(v), other);
  if (op == "<" || op == "lt") return c < 0;
  if (op == "<=" || op == "le") return c <= 0;
  if (op == ">" || op == "gt") return c > 0;
  if (op == ">=" || op == "ge") return c >= 0;
  if (op == "==" || op == "=" || op == "eq") return c == 0;
  if (op == "!=" || op == "<>" || op == "ne") return c != 0;
  fail("Invalid operator type (" + op + ")");
}

const Value& result_dict(const RV& v, const char* test) {
  const Value& r = data(v);
  if (!r.is_object()) fail(std::string("The '") + test + "' test expects a dictionary");
  return r;
}
bool flag(const Value& r, const char* key) {
  auto it = r.find(key);
  return it != r.end() && py_truthy(*it);
}
bool t_failed(Ctx&, const RV& v, Args&) { return flag(result_dict(v, "failed"), "failed"); }
bool t_succeeded(Ctx&, const RV& v, Args&) { return !flag(result_dict(v, "succeeded"), "failed"); }
bool t_skipped(Ctx&, const RV& v, Args&) { return flag(result_dict(v, "skipped"), "skipped"); }
bool t_changed(Ctx&, const RV& v, Args&) {
  const Value& r = result_dict(v, "changed");
  if (!r.contains("changed")) {
    auto it = r.find("results");
    if (it != r.end() && it->is_array() && !it->empty() && (*it)[0].is_object()) {
      for (const auto& res : *it)
        if (flag(res, "changed")) return true;
    }
    return false;
  }
  return flag(r, "changed");
}
bool t_finished(Ctx&, const RV& v, Args&) { return flag(result_dict(v, "finished"), "finished"); }

bool stat_is(const RV& v, int kind) {
  struct stat st {};
  if (stat(rv_str(v).c_str(), &st) != 0) return false;
  if (kind == 1) return S_ISREG(st.st_mode);
  if (kind == 2) return S_ISDIR(st.st_mode);
  return true;
}
bool t_file(Ctx&, const RV& v, Args&) { return stat_is(v, 1); }
bool t_directory(Ctx&, const RV& v, Args&) { return stat_is(v, 2); }
bool t_exists(Ctx&, const RV& v, Args&) { return stat_is(v, 0); }
bool t_abs(Ctx&, const RV& v, Args&) { return rv_str(v).rfind('/', 0) == 0; }

bool t_subset(Ctx&, const RV& v, Args& a) {
  const Value& big = arg(a, 0, "superset", "subset").val();
  for (const auto& x : data(v))
    if (!contains(big, x)) return false;
  return true;
}
bool t_superset(Ctx&, const RV& v, Args& a) {
  const Value& small = arg(a, 0, "subset", "superset").val();
  for (const auto& x : small)
    if (!contains(data(v), x)) return false;
  return true;
}
bool t_any(Ctx&, const RV& v, Args&) {
  for (const auto& x : data(v))
    if (py_truthy(x)) return true;
  return false;
}
bool t_all(Ctx&, const RV& v, Args&) {
  for (const auto& x : data(v))
    if (!py_truthy(x)) return false;
  return true;
}
bool t_nan(Ctx&, const RV& v, Args&) { return data(v).is_number_float() && std::isnan(data(v).get<double>()); }

}  // namespace

const TestTable& tests() {
  static const TestTable table = {
      {"defined", t_defined},
      {"undefined", t_undefined},
      {"none", t_none},
      {"string", t_string},
      {"number", t_number},
      {"integer", t_integer},
      {"float", t_float},
      {"boolean", t_boolean},
      {"true", t_true},
      {"false", t_false},
      {"mapping", t_mapping},
      {"sequence", t_sequence},
      {"iterable", t_iterable},
      {"callable", t_callable},
      {"lower", t_lower},
      {"upper", t_upper},
      {"even", t_even},
      {"odd", t_odd},
      {"divisibleby", t_divisibleby},
      {"sameas", t_sameas},
      {"eq", t_eq},
      {"equalto", t_eq},
      {"==", t_eq},
      {"ne", t_ne},
      {"!=", t_ne},
      {"lt", t_lt},
      {"lessthan", t_lt},
      {"<", t_lt},
      {"le", t_le},
      {"<=", t_le},
      {"gt", t_gt},
      {"greaterthan", t_gt},
      {">", t_gt},
      {"ge", t_ge},
      {">=", t_ge},
      {"in", t_in},
      {"contains", t_contains},
      {"truthy", t_truthy},
      {"falsy", t_falsy},
      {"match", t_match},
      {"search", t_search},
      {"regex", t_regex},
      {"version", t_version},
      {"version_compare", t_version},
      {"failed", t_failed},
      {"failure", t_failed},
      {"succeeded", t_succeeded},
      {"success", t_succeeded},
      {"successful", t_succeeded},
      {"changed", t_changed},
      {"change", t_changed},
      {"skipped", t_skipped},
      {"skip", t_skipped},
      {"finished", t_finished},
      {"file", t_file},
      {"directory", t_directory},
      {"exists", t_exists},
      {"link_exists", t_exists},
      {"abs", t_abs},
      {"subset", t_subset},
      {"superset", t_superset},
      {"issubset", t_subset},
      {"issuperset", t_superset},
      {"any", t_any},
      {"all", t_all},
      {"nan", t_nan},
  };
  return table;
}

}  // namespace prov::tmpl
