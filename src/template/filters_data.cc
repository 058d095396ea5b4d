// Filters over collections: sort, unique, set operations, map/select, combine, zip, flatten, batch, random.
#include <algorithm>
#include <random>

#include "filters.h"
#include "pyrandom.h"
#include "strings.h"

namespace prov::tmpl {
namespace {

Value fold_case(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return to_lower(v.get<std::string>());
  return v;
}

std::vector<Value> items_of(const RV& in) {
  std::vector<Value> out;
  for (const auto& x : iterate(in)) out.push_back(to_data(x));
  return out;
}

Value to_array(const std::vector<Value>& v) {
  Value out = Value::array();
  for (const auto& x : v) out.push_back(x);
  return out;
}

/// The key an item is ordered or compared by: itself or its attribute(s).
Value key_of(Ctx& ctx, const Value& item, const Value& attribute, bool case_sensitive) {
  if (attribute.is_null()) return fold_case(item, case_sensitive);
  auto paths = split_on(py_str(attribute), ",", -1, false);
  if (paths.size() == 1) return fold_case(attr_path(ctx, RV(item), paths[0]).val(), case_sensitive);
  Value out = Value::array();
  for (const auto& p : paths) out.push_back(fold_case(attr_path(ctx, RV(item), p).val(), case_sensitive));
  return out;
}

RV minmax(Ctx& ctx, const RV& in, Args& a, bool want_max) {
  auto items = items_of(in);
  if (items.empty()) return RV::undefined("", std::string("No aggregated item, sequence was empty."));
  bool cs = py_truthy(arg_or(a, 0, "case_sensitive", false));
  Value attr = arg_or(a, 1, "attribute", nullptr);
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    int c = py_cmp(key_of(ctx, items[i], attr, cs), key_of(ctx, items[best], attr, cs), want_max ? ">" : "<");
    if (want_max ? c > 0 : c < 0) best = i;
  }
  return items[best];
}
RV f_min(Ctx& ctx, const RV& in, Args& a) { return minmax(ctx, in, a, false); }
RV f_max(Ctx& ctx, const RV& in, Args& a) { return minmax(ctx, in, a, true); }

RV f_sum(Ctx& ctx, const RV& in, Args& a) {
  Value attr = arg_or(a, 0, "attribute", nullptr);
  Value total = arg_or(a, 1, "start", 0);
  for (const auto& x : items_of(in)) total = arith("+", total, attr.is_null() ? x : key_of(ctx, x, attr, true));
  return total;
}

RV f_sort(Ctx& ctx, const RV& in, Args& a) {
  bool reverse = py_truthy(arg_or(a, 0, "reverse", false));
  bool cs = py_truthy(arg_or(a, 1, "case_sensitive", false));
  Value attr = arg_or(a, 2, "attribute", nullptr);
  auto items = items_of(in);
  std::vector<std::pair<Value, Value>> keyed;
  for (auto& x : items) keyed.emplace_back(key_of(ctx, x, attr, cs), x);
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& l, const auto& r) {
    return reverse ? py_cmp(r.first, l.first, "<") < 0 : py_cmp(l.first, r.first, "<") < 0;
  });
  Value out = Value::array();
  for (auto& [k, x] : keyed) out.push_back(x);
  return RV(std::move(out)).with_shape(in.shape == RV::Shape::ListOfTuples ? in.shape : RV::Shape::Plain);
}

std::vector<Value> unique_of(Ctx& ctx, const std::vector<Value>& items, bool cs, const Value& attr) {
  std::vector<Value> out, seen;
  for (const auto& x : items) {
    Value k = key_of(ctx, x, attr, cs);
    if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return py_eq(s, k); })) continue;
    seen.push_back(k);
    out.push_back(x);
  }
  return out;
}

// Jinja's unique keeps its keys in a set, so a list or mapping among them fails it; Ansible then compares the items
// with == itself, unless case_sensitive=False or an attribute was given, which its own version cannot do.
RV f_unique(Ctx& ctx, const RV& in, Args& a) {
  const RV* case_arg = a.get(0, "case_sensitive");
  const bool cs = case_arg && py_truthy(case_arg->val());
  const Value attr = arg_or(a, 1, "attribute", nullptr);
  const std::vector<Value> items = items_of(in);
  for (const auto& x : items) {
    Value key = key_of(ctx, x, attr, cs);
    if (!key.is_array() && !key.is_object()) continue;
    const bool case_false = case_arg && case_arg->val().is_boolean() && !case_arg->val().get<bool>();
    if (case_false || py_truthy(attr)) {
      fail(
          "Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the "
          "parameters supplied. unhashable type: '" +
          py_type(key) + "'");
    }
    return to_array(unique_of(ctx, items, true, nullptr));
  }
  return to_array(unique_of(ctx, items, cs, attr));
}

bool member(const std::vector<Value>& list, const Value& x) {
  return std::any_of(list.begin(), list.end(), [&](const Value& y) { return py_eq(x, y); });
}

RV f_union(Ctx& ctx, const RV& in, Args& a) {
  auto items = items_of(in);
  for (auto& x : items_of(arg(a, 0, "b", "union"))) items.push_back(x);
  return to_array(unique_of(ctx, items, true, nullptr));
}

RV f_intersect(Ctx& ctx, const RV& in, Args& a) {
  auto b = items_of(arg(a, 0, "b", "intersect"));
  std::vector<Value> out;
  for (auto& x : items_of(in))
    if (member(b, x)) out.push_back(x);
  return to_array(unique_of(ctx, out, true, nullptr));
}

RV f_difference(Ctx& ctx, const RV& in, Args& a) {
  auto b = items_of(arg(a, 0, "b", "difference"));
  std::vector<Value> out;
  for (auto& x : items_of(in))
    if (!member(b, x)) out.push_back(x);
  return to_array(unique_of(ctx, out, true, nullptr));
}

RV f_symmetric_difference(Ctx& ctx, const RV& in, Args& a) {
  auto left = items_of(in), right = items_of(arg(a, 0, "b", "symmetric_difference"));
  std::vector<Value> both;
  for (auto& x : left)
    if (member(right, x)) both.push_back(x);
  std::vector<Value> all = left;
  for (auto& x : right) all.push_back(x);
  std::vector<Value> out;
  for (auto& x : unique_of(ctx, all, true, nullptr))
    if (!member(both, x)) out.push_back(x);
  return to_array(out);
}

/// Splits map/select arguments into the filter or test name and its own arguments.
Args rest_args(const Args& a, size_t from) {
  Args out;
  for (size_t i = from; i < a.pos.size(); ++i) out.pos.push_back(a.pos[i]);
  out.kw = a.kw;
  return out;
}

RV f_map(Ctx& ctx, const RV& in, Args& a) {
  Value out = Value::array();
  if (const RV* attr = a.kwarg("attribute")) {
    const RV* dflt = a.kwarg("default");
    for (const auto& x : iterate(in)) {
      RV v = attr_path(ctx, x, rv_str(*attr));
      if (v.is_undefined() && dflt) v = *dflt;
      out.push_back(to_data(v));
    }
    return out;
  }
  std::string name = rv_str(arg(a, 0, "filter", "map"));
  for (const auto& x : iterate(in)) {
    Args fa = rest_args(a, 1);
    out.push_back(to_data(ctx.filter(name, x, fa)));
  }
  return out;
}

RV select_impl(Ctx& ctx, const RV& in, Args& a, bool by_attr, bool keep) {
  Value out = Value::array();
  size_t next = 0;
  std::string attr;
  if (by_attr) attr = rv_str(arg(a, next++, "attribute", "selectattr"));
  std::string test = a.pos.size() > next ? rv_str(a.pos[next]) : "";
  for (const auto& x : iterate(in)) {
    RV subject = by_attr ? attr_path(ctx, x, attr) : x;
    bool ok;
    if (test.empty()) {
      ok = rv_truthy(subject);
    } else {
      Args ta = rest_args(a, next + 1);
      ok = ctx.test(test, subject, ta);
    }
    if (ok == keep) out.push_back(to_data(x));
  }
  return RV(std::move(out)).with_shape(in.shape == RV::Shape::ListOfTuples ? in.shape : RV::Shape::Plain);
}
RV f_select(Ctx& ctx, const RV& in, Args& a) { return select_impl(ctx, in, a, false, true); }
RV f_reject(Ctx& ctx, const RV& in, Args& a) { return select_impl(ctx, in, a, false, false); }
RV f_selectattr(Ctx& ctx, const RV& in, Args& a) { return select_impl(ctx, in, a, true, true); }
RV f_rejectattr(Ctx& ctx, const RV& in, Args& a) { return select_impl(ctx, in, a, true, false); }

RV f_join(Ctx& ctx, const RV& in, Args& a) {
  std::string sep = py_str(arg_or(a, 0, "d", ""));
  Value attr = arg_or(a, 1, "attribute", nullptr);
  std::string out;
  bool first = true;
  for (const auto& x : iterate(in)) {
    if (!first) out += sep;
    first = false;
    out += attr.is_null() ? rv_str(x) : rv_str(attr_path(ctx, x, py_str(attr)));
  }
  return Value(out);
}

RV zip_impl(const RV& in, Args& a, bool longest) {
  std::vector<std::vector<Value>> lists{items_of(in)};
  for (const auto& p : a.pos) lists.push_back(items_of(p));
  Value fill = arg_or(a, 99, "fillvalue", nullptr);
  size_t n = longest ? 0 : SIZE_MAX;
  for (auto& l : lists) n = longest ? std::max(n, l.size()) : std::min(n, l.size());
  Value out = Value::array();
  for (size_t i = 0; i < n; ++i) {
    Value row = Value::array();
    for (auto& l : lists) row.push_back(i < l.size() ? l[i] : fill);
    out.push_back(row);
  }
  return RV(std::move(out)).with_shape(RV::Shape::ListOfTuples);
}
RV f_zip(Ctx&, const RV& in, Args& a) { return zip_impl(in, a, false); }
RV f_zip_longest(Ctx&, const RV& in, Args& a) { return zip_impl(in, a, true); }

void flatten_into(const Value& v, Value& out, int64_t levels, bool skip_nulls) {
  for (const auto& x : v) {
    if (skip_nulls && (x.is_null() || (x.is_string() && (x == "None" || x == "null")))) continue;
    if (x.is_array() && levels != 0)
      flatten_into(x, out, levels - 1, skip_nulls);
    else
      out.push_back(x);
  }
}

RV f_flatten(Ctx&, const RV& in, Args& a) {
  Value levels = arg_or(a, 0, "levels", nullptr);
  bool skip_nulls = py_truthy(arg_or(a, 1, "skip_nulls", true));
  Value out = Value::array();
  flatten_into(in.val(), out, levels.is_null() ? -1 : as_int(levels), skip_nulls);
  return out;
}

RV f_dictsort(Ctx&, const RV& in, Args& a) {
  bool cs = py_truthy(arg_or(a, 0, "case_sensitive", false));
  std::string by = py_str(arg_or(a, 1, "by", "key"));
  bool reverse = py_truthy(arg_or(a, 2, "reverse", false));
  std::vector<Value> pairs;
  for (const auto& [k, v] : in.val().items()) pairs.push_back(Value::array({k, v}));
  size_t idx = by == "value" ? 1 : 0;
  if (by != "key" && by != "value") fail("You can only sort by either \"key\" or \"value\"");
  std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& l, const Value& r) {
    int c = py_cmp(fold_case(l[idx], cs), fold_case(r[idx], cs), "<");
    return reverse ? c > 0 : c < 0;
  });
  return RV(to_array(pairs)).with_shape(RV::Shape::ListOfTuples);
}

RV f_batch(Ctx&, const RV& in, Args& a) {
  int64_t size = as_int(arg(a, 0, "linecount", "batch").val());
  if (size <= 0) fail("batch size must be positive");
  const RV* fill = a.get(1, "fill_with");
  Value out = Value::array(), row = Value::array();
  for (auto& x : items_of(in)) {
    row.push_back(x);
    if (static_cast<int64_t>(row.size()) == size) {
      out.push_back(row);
      row = Value::array();
    }
  }
  if (!row.empty()) {
    if (fill && !(fill->is_data() && fill->raw().is_null()))
      while (static_cast<int64_t>(row.size()) < size) row.push_back(fill->val());
    out.push_back(row);
  }
  return out;
}

Value merge(const Value& a, const Value& b, bool recursive, const std::string& list_merge) {
  Value out = a;
  for (const auto& [k, v] : b.items()) {
    auto it = out.find(k);
    if (it == out.end()) {
      out[k] = v;
    } else if (recursive && it->is_object() && v.is_object()) {
      *it = merge(*it, v, recursive, list_merge);
    } else if (it->is_array() && v.is_array() && list_merge != "replace") {
      Value merged = Value::array();
      auto add = [&](const Value& l) {
        for (const auto& x : l) merged.push_back(x);
      };
      if (list_merge == "keep") continue;
      if (list_merge == "append")
        add(*it), add(v);
      else if (list_merge == "prepend")
        add(v), add(*it);
      else if (list_merge == "append_rp") {
        for (const auto& x : *it)
          if (!contains(v, x)) merged.push_back(x);
        add(v);
      } else if (list_merge == "prepend_rp") {
        add(v);
        for (const auto& x : *it)
          if (!contains(v, x)) merged.push_back(x);
      } else {
        fail("'" + list_merge + "' is not a valid list_merge value");
      }
      *it = merged;
    } else {
      *it = v;
    }
  }
  return out;
}

RV f_combine(Ctx&, const RV& in, Args& a) {
  bool recursive = py_truthy(arg_or(a, 99, "recursive", false));
  std::string list_merge = py_str(arg_or(a, 99, "list_merge", "replace"));
  std::vector<Value> dicts;
  auto add = [&](const Value& v) {
    if (v.is_array()) {
      for (const auto& x : v) dicts.push_back(x);
    } else {
      dicts.push_back(v);
    }
  };
  add(in.val());
  for (const auto& p : a.pos) add(p.val());
  Value out = Value::object();
  for (const auto& d : dicts) {
    if (!d.is_object()) fail("failed to combine variables, expected dicts but got a '" + py_type(d) + "'");
    out = merge(out, d, recursive, list_merge);
  }
  return out;
}

PyRandom rng_for(const Args& a) {
  Value seed = arg_or(a, 99, "seed", nullptr);
  if (seed.is_null()) return PyRandom(std::random_device{}() | (static_cast<uint64_t>(std::random_device{}()) << 32));
  if (seed.is_number_integer()) return PyRandom(static_cast<uint64_t>(std::llabs(as_int(seed))));
  return PyRandom(py_str(seed));
}

// Ansible's random: randrange(start, end, step) for a number, choice() for a sequence.
RV f_random(Ctx&, const RV& in, Args& a) {
  PyRandom rng = rng_for(a);
  const Value& v = in.val();
  if (v.is_number_integer()) {
    int64_t start = as_int(arg_or(a, 0, "start", 0)), step = as_int(arg_or(a, 1, "step", 1));
    if (step == 0) step = 1;
    int64_t width = as_int(v) - start;
    int64_t count = step > 0 ? (width + step - 1) / step : (width + step + 1) / step;
    if (count <= 0) fail("empty range for randrange() (" + std::to_string(start) + ", " + py_str(v) + ")");
    return Value(start + step * static_cast<int64_t>(rng.below(static_cast<uint64_t>(count))));
  }
  auto items = items_of(in);
  if (items.empty()) fail("Cannot choose from an empty sequence");
  return items[rng.below(items.size())];
}

RV f_shuffle(Ctx&, const RV& in, Args& a) {
  PyRandom rng = rng_for(a);
  auto items = items_of(in);
  for (size_t i = items.size(); i-- > 1;) std::swap(items[i], items[rng.below(i + 1)]);
  return to_array(items);
}

RV f_product(Ctx&, const RV& in, Args& a) {
  Value out = Value::array({Value::array()});
  std::vector<std::vector<Value>> lists{items_of(in)};
  for (const auto& p : a.pos) lists.push_back(items_of(p));
  for (auto& l : lists) {
    Value next = Value::array();
    for (const auto& prefix : out)
      for (const auto& x : l) {
        Value row = prefix;
        row.push_back(x);
        next.push_back(row);
      }
    out = next;
  }
  return RV(std::move(out)).with_shape(RV::Shape::ListOfTuples);
}

RV f_subelements(Ctx& ctx, const RV& in, Args& a) {
  std::string path = rv_str(arg(a, 0, "subelements", "subelements"));
  bool skip_missing = py_truthy(arg_or(a, 1, "skip_missing", false));
  Value out = Value::array();
  for (const auto& item : items_of(in)) {
    RV sub = attr_path(ctx, RV(item), path);
    if (sub.is_undefined()) {
      if (skip_missing) continue;
      fail("could not find '" + path + "' key in iterated item '" + py_repr(item) + "'");
    }
    for (const auto& x : sub.val()) out.push_back(Value::array({item, x}));
  }
  return out;
}

RV f_groupby(Ctx& ctx, const RV& in, Args& a) {
  std::string attr = rv_str(arg(a, 0, "attribute", "groupby"));
  const RV* dflt = a.get(1, "default");
  bool cs = py_truthy(arg_or(a, 2, "case_sensitive", false));
  std::vector<std::pair<Value, Value>> keyed;
  for (const auto& x : iterate(in)) {
    RV k = attr_path(ctx, x, attr);
    if (k.is_undefined() && dflt) k = *dflt;
    keyed.emplace_back(fold_case(k.val(), cs), to_data(x));
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& l, const auto& r) { return py_cmp(l.first, r.first, "<") < 0; });
  Value out = Value::array();
  for (auto& [k, x] : keyed) {
    if (out.empty() || !py_eq(out.back()[0], k)) out.push_back(Value::array({k, Value::array()}));
    out.back()[1].push_back(x);
  }
  return RV(std::move(out)).with_shape(RV::Shape::ListOfTuples);
}

}  // namespace

void register_data_filters(FilterTable& t) {
  t["min"] = f_min;
  t["max"] = f_max;
  t["sum"] = f_sum;
  t["sort"] = f_sort;
  t["unique"] = f_unique;
  t["union"] = f_union;
  t["intersect"] = f_intersect;
  t["difference"] = f_difference;
  t["symmetric_difference"] = f_symmetric_difference;
  t["map"] = f_map;
  t["select"] = f_select;
  t["reject"] = f_reject;
  t["selectattr"] = f_selectattr;
  t["rejectattr"] = f_rejectattr;
  t["join"] = f_join;
  t["zip"] = f_zip;
  t["zip_longest"] = f_zip_longest;
  t["flatten"] = f_flatten;
  t["dictsort"] = f_dictsort;
  t["batch"] = f_batch;
  t["combine"] = f_combine;
  t["random"] = f_random;
  t["shuffle"] = f_shuffle;
  t["product"] = f_product;
  t["subelements"] = f_subelements;
  t["groupby"] = f_groupby;
}

}  // namespace prov::tmpl
