#include "loops.h"

#include <fmt/format.h>
#include <fmt/printf.h>

#include <set>

#include "provision/core/error.h"
#include "provision/core/text.h"
#include "provision/modules/module.h"
#include "task_inputs.h"

namespace prov::exec {

namespace {

// with_sequence's limits: numbers small enough that start + count * stride cannot overflow, and a list a run can
// hold (Ansible has no limit and runs out of memory instead).
constexpr long long kMaxSequenceBound = 1'000'000'000'000LL;
constexpr long kMaxSequenceItems = 1'000'000;

std::vector<Value> as_list(const Value& value) {
  if (value.is_array()) return std::vector<Value>(value.begin(), value.end());
  if (value.is_null()) return {};
  return {value};
}

// The terms of a with_items or with_list lookup as Ansible lists them: a mapping gives its keys (Python iterates a
// dict so), anything that is not a list (none included) is one term.
std::vector<Value> lookup_terms(const Value& value) {
  if (value.is_array()) return std::vector<Value>(value.begin(), value.end());
  if (value.is_object()) {
    std::vector<Value> keys;
    for (auto it = value.begin(); it != value.end(); ++it) keys.emplace_back(it.key());
    return keys;
  }
  return {value};
}

// with_items flattens one level of nested lists; with_list does not.
std::vector<Value> flatten_one(const Value& value) {
  std::vector<Value> out;
  for (const auto& item : lookup_terms(value)) {
    if (item.is_array()) {
      for (const auto& inner : item) out.push_back(inner);
    } else {
      out.push_back(item);
    }
  }
  return out;
}

void flatten_all(const Value& value, std::vector<Value>& out) {
  if (!value.is_array()) {
    out.push_back(value);
    return;
  }
  for (const auto& item : value) flatten_all(item, out);
}

std::vector<Value> dict_items(const Value& value) {
  if (!value.is_object()) throw Error("with_dict expects a dict");
  std::vector<Value> out;
  for (auto it = value.begin(); it != value.end(); ++it) out.push_back({{"key", it.key()}, {"value", it.value()}});
  return out;
}

std::vector<Value> nested(const Value& value) {
  std::vector<Value> out{Value::array()};
  for (const auto& level : as_list(value)) {
    std::vector<Value> next;
    for (const auto& prefix : out) {
      for (const auto& item : as_list(level)) {
        Value combined = prefix;
        combined.push_back(item);
        next.push_back(std::move(combined));
      }
    }
    out = std::move(next);
  }
  return out;
}

std::vector<Value> together(const Value& value) {
  std::vector<Value> lists = as_list(value);
  std::size_t longest = 0;
  for (const auto& l : lists) longest = std::max(longest, as_list(l).size());
  std::vector<Value> out;
  for (std::size_t i = 0; i < longest; ++i) {
    Value row = Value::array();
    for (const auto& l : lists) {
      auto items = as_list(l);
      row.push_back(i < items.size() ? items[i] : Value());
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<Value> subelements(const Value& value) {
  auto args = as_list(value);
  if (args.size() < 2 || !args[1].is_string()) throw Error("with_subelements expects [list, 'key']");
  std::string key = args[1].get<std::string>();
  bool skip_missing = args.size() > 2 && args[2].is_object() && truthy(args[2].value("skip_missing", Value(false)));
  std::vector<Value> out;
  for (const auto& parent : as_list(args[0])) {
    const Value* children = find_key(parent, key);
    if (!children) {
      if (skip_missing) continue;
      throw Error(fmt::format("could not find '{}' key in iterated item", key));
    }
    for (const auto& child : as_list(*children)) out.push_back(Value::array({parent, child}));
  }
  return out;
}

// with_sequence's numbers: decimal, or hexadecimal/octal with a 0x/0o prefix as Python's int(x, 0) reads them.
long sequence_number(const std::string& key, const std::string& text) {
  std::string digits = text;
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative || (!digits.empty() && digits[0] == '+')) digits.erase(0, 1);
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) base = 16;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'o' || digits[1] == 'O')) base = 8;
  if (base != 10) digits.erase(0, 2);
  std::optional<long long> n = parse_int(digits, base);
  if (!n || *n > kMaxSequenceBound) {
    throw Error(fmt::format("can't parse {}={} as integer (with_sequence takes whole numbers up to {})", key, text,
                            kMaxSequenceBound));
  }
  return static_cast<long>(negative ? -*n : *n);
}

// The format of each item: printf-style with exactly one integer conversion, as Python's `format % i` needs.
void check_sequence_format(const std::string& format) {
  int conversions = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 < format.size() && format[i + 1] == '%') {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < format.size() && std::string_view("-+ #0123456789.").find(format[j]) != std::string_view::npos) ++j;
    if (j >= format.size() || std::string_view("diouxXcs").find(format[j]) == std::string_view::npos || j - i > 12) {
      throw Error(fmt::format("bad formatting string: {}", format));
    }
    ++conversions;
    i = j;
  }
  if (conversions != 1) throw Error(fmt::format("bad formatting string: {}", format));
}

std::vector<Value> sequence(const Value& value) {
  // "start=1 end=5 stride=1 format=x%02d" or "1-5" style.
  std::string spec = value.is_array() && !value.empty() ? to_plain_string(value[0]) : to_plain_string(value);
  long start = 1, end = 0, stride = 1;
  std::string format = "%d";
  bool has_count = false;
  long count = 0;
  std::size_t pos = 0;
  while (pos < spec.size()) {
    std::size_t space = spec.find(' ', pos);
    std::string part = spec.substr(pos, space == std::string::npos ? std::string::npos : space - pos);
    pos = space == std::string::npos ? spec.size() : space + 1;
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string::npos) {
      // Ansible's shortcut: [start-]end[/stride][:format]; "4" alone is 1 to 4.
      std::string rest = part;
      if (auto colon = rest.find(':'); colon != std::string::npos) {
        format = rest.substr(colon + 1);
        rest.resize(colon);
      }
      if (auto slash = rest.find('/'); slash != std::string::npos) {
        stride = sequence_number("stride", rest.substr(slash + 1));
        rest.resize(slash);
      }
      auto dash = rest.find('-', 1);
      if (dash != std::string::npos) start = sequence_number("start", rest.substr(0, dash));
      end = sequence_number("end", dash == std::string::npos ? rest : rest.substr(dash + 1));
      continue;
    }
    std::string k = part.substr(0, eq), v = part.substr(eq + 1);
    if (k == "start") start = sequence_number(k, v);
    else if (k == "end") end = sequence_number(k, v);
    else if (k == "stride") stride = sequence_number(k, v);
    else if (k == "count") { has_count = true; count = sequence_number(k, v); }
    else if (k == "format") format = v;
    else throw Error(fmt::format("unknown with_sequence option '{}'", k));
  }
  if (stride == 0) throw Error("with_sequence stride must not be 0");
  check_sequence_format(format);
  // The bounds keep every value in range; the count keeps the list a size a run can hold.
  long length = has_count     ? std::max(0L, count)
                : stride > 0  ? (end >= start ? (end - start) / stride + 1 : 0)
                              : (start >= end ? (start - end) / -stride + 1 : 0);
  if (length > kMaxSequenceItems) {
    throw Error(fmt::format("with_sequence would make {} items; at most {} are allowed", length, kMaxSequenceItems));
  }
  std::vector<Value> out;
  out.reserve(static_cast<std::size_t>(length));
  try {
    for (long i = 0; i < length; ++i) out.push_back(fmt::sprintf(format, start + i * stride));
  } catch (const fmt::format_error&) {
    throw Error(fmt::format("bad formatting string: {}", format));
  }
  return out;
}

// Where a with_<lookup> looks for a relative name, as Ansible's lookups do: in each folder of the task's
// ansible_search_path (its role, the roles that included it, its file's folder, the playbook's), the lookup's
// subfolder first, then the folder itself; the playbook's folder last.
std::vector<std::string> lookup_search_paths(const PlayState& play, const pb::Task& task, const tmpl::Vars& vars,
                                             const std::string& sub) {
  std::vector<std::string> bases;
  const Value* search_path = vars.lookup("ansible_search_path");
  if (search_path && search_path->is_array()) {
    for (const auto& path : *search_path) {
      if (path.is_string()) bases.push_back(path.get<std::string>());
    }
  } else if (task.role) {
    bases.push_back(task.role->path);
  }
  bases.push_back(play.playbook->dir);
  std::vector<std::string> paths;
  for (const auto& base : bases) {
    paths.push_back(base + "/" + sub);
    paths.push_back(base);
  }
  return paths;
}

// The folder a with_<lookup> searches: file and fileglob read files/, template templates/; first_found looks where
// the task's action reads (templates/ for a template, vars/ for include_vars, files/ otherwise), as Ansible does.
std::string lookup_folder(const pb::Task& task) {
  if (task.loop_kind == "template") return "templates";
  if (task.loop_kind != "first_found") return "files";
  if (task.action->has(mod::kTemplateSource)) return "templates";
  if (task.action->kind == mod::ActionKind::IncludeVars) return "vars";
  return "files";
}

}  // namespace

std::vector<Value> loop_items(const std::string& kind, const Value& value) {
  if (kind == "loop") {
    if (!value.is_array()) {
      throw Error(fmt::format("Invalid data passed to 'loop', it requires a list, got this instead: {}.",
                              to_plain_string(value)),
                  {}, "Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup "
                      "invocation or use q/query instead of lookup.");
    }
    return as_list(value);
  }
  if (kind == "items") return flatten_one(value);
  if (kind == "list") return lookup_terms(value);
  if (kind == "flattened") {
    std::vector<Value> out;
    flatten_all(value, out);
    return out;
  }
  if (kind == "dict") return dict_items(value);
  if (kind == "indexed_items") {
    std::vector<Value> out;
    int i = 0;
    for (const auto& item : flatten_one(value)) out.push_back(Value::array({i++, item}));
    return out;
  }
  if (kind == "nested" || kind == "cartesian") return nested(value);
  if (kind == "together") return together(value);
  if (kind == "subelements") return subelements(value);
  if (kind == "sequence") return sequence(value);
  throw Error(fmt::format("the loop lookup 'with_{}' is not supported", kind), {},
              "use `loop:` with a filter instead (docs/differences.md)");
}

bool builtin_loop(const std::string& kind) {
  static const std::set<std::string> kinds = {"loop",     "items",         "list",    "flattened",
                                              "dict",     "indexed_items", "nested",  "cartesian",
                                              "together", "subelements",   "sequence"};
  return kinds.count(kind) > 0;
}

std::vector<Value> task_loop_items(const PlayState& play, const pb::Task& task, const Value& value,
                                   const tmpl::Vars& vars, tmpl::Options options) {
  if (builtin_loop(task.loop_kind)) return loop_items(task.loop_kind, value);
  options.search_paths = lookup_search_paths(play, task, vars, lookup_folder(task));
  if (!options.lookup_hook) add_inventory_lookups(options, play);
  // Ansible hands a with_ lookup its value as a list of terms: a string or a mapping is one term.
  std::vector<Value> terms =
      value.is_array() ? std::vector<Value>(value.begin(), value.end()) : std::vector<Value>{value};
  Value items = tmpl::query(task.loop_kind, terms, vars, options);
  return std::vector<Value>(items.begin(), items.end());
}

}  // namespace prov::exec
