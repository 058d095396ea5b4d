#include "provision/graph/role_identity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace prov::graph {

namespace {

bool is_scalar(const Value& value) { return !value.is_object() && !value.is_array(); }

// Every form is self-delimiting, so forms joined with commas never run into each other.
std::string text_form(std::string_view text) {
  if (text.substr(0, kUnsafeMark.size()) == kUnsafeMark) text.remove_prefix(kUnsafeMark.size());
  return fmt::format("s{}:{}", text.size(), text);
}

// Python's equality of scalars: booleans are the integers 0 and 1, a float equal to an integer is that integer.
std::string scalar_form(const Value& value) {
  switch (value.type()) {
    case Value::value_t::null: return "N";
    case Value::value_t::boolean: return value.get<bool>() ? "#1" : "#0";
    case Value::value_t::number_integer: return fmt::format("#{}", value.get<long long>());
    case Value::value_t::number_unsigned: return fmt::format("#{}", value.get<unsigned long long>());
    case Value::value_t::number_float: {
      double number = value.get<double>();
      if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.2e18) {
        return fmt::format("#{}", static_cast<long long>(number));
      }
      return fmt::format("#{}", number);
    }
    case Value::value_t::string: return text_form(value.get_ref<const std::string&>());
    default: return text_form(value.dump());
  }
}

std::string set_form(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return fmt::format("{{{}}}", fmt::join(items, ","));
}

}  // namespace

std::string hashed_params(const Value& value) {
  if (is_scalar(value)) return set_form({scalar_form(value)});
  // Ansible first tries the container's items as they are, which works when they are all scalars; otherwise it
  // makes each item hashable in turn, and a scalar item then becomes a one-item set.
  bool flat = std::all_of(value.begin(), value.end(), is_scalar);
  std::vector<std::string> items;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      std::string item = flat ? scalar_form(it.value()) : hashed_params(it.value());
      items.push_back(fmt::format("({},{})", text_form(it.key()), item));
    }
  } else {
    for (const auto& item : value) items.push_back(flat ? scalar_form(item) : hashed_params(item));
  }
  return set_form(std::move(items));
}

std::string role_key(const RoleUse& use) {
  // The parameters Ansible hashes for its cache of role objects, under the same names.
  Value params = use.params.is_object() ? use.params : Value::object();
  params["when"] = use.when;
  params["tags"] = use.tags;
  params["from_files"] = use.from_files;
  if (use.vars.is_object() && !use.vars.empty()) params["vars"] = use.vars;
  params["from_include"] = use.from_include;
  return fmt::format("{}\n{}\n{}", use.name, use.path, hashed_params(params));
}

}  // namespace prov::graph
