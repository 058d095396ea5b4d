// Argument validation with Ansible's rules and messages, so a mistyped key or value reads the same as there.
#include <algorithm>
#include <set>

#include "provision/core/text.h"
#include "provision/modules/module.h"

namespace prov::mod {

namespace {

std::string python_type(const Value& v) {
  switch (v.type()) {
    case Value::value_t::string: return "<class 'str'>";
    case Value::value_t::boolean: return "<class 'bool'>";
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned: return "<class 'int'>";
    case Value::value_t::number_float: return "<class 'float'>";
    case Value::value_t::array: return "<class 'list'>";
    case Value::value_t::object: return "<class 'dict'>";
    default: return "<class 'NoneType'>";
  }
}

// Python's str() of a scalar, for values converted to strings.
std::string scalar_text(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_null()) return "None";
  return v.dump();
}

struct ConvertError {
  std::string reason;
};

Value to_bool(const Value& v) {
  if (std::optional<bool> b = ansible_bool(v)) return *b;
  if (v.is_string()) {
    throw ConvertError{"The value '" + v.get<std::string>() +
                       "' is not a valid boolean.  Valid booleans include: 'y', 'yes', 'on', '1', 'true', 't', "
                       "'n', 'no', 'off', '0', 'false', 'f'"};
  }
  throw ConvertError{python_type(v) + " cannot be converted to a bool"};
}

Value to_int(const Value& v) {
  if (v.is_number_integer()) return v;
  if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>()))) {
    return static_cast<long long>(v.get<double>());
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    size_t used = 0;
    try {
      long long n = std::stoll(s, &used, 10);
      if (used == s.size()) return n;
    } catch (const std::exception&) {}
  }
  throw ConvertError{python_type(v) + " cannot be converted to an int"};
}

Value to_float(const Value& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    size_t used = 0;
    try {
      double d = std::stod(s, &used);
      if (used == s.size()) return d;
    } catch (const std::exception&) {}
  }
  throw ConvertError{python_type(v) + " cannot be converted to a float"};
}

Value to_str(const Value& v) {
  if (v.is_string()) return v;
  if (v.is_structured()) throw ConvertError{python_type(v) + " cannot be converted to a str"};
  return scalar_text(v);
}

Value to_list(const Value& v) {
  if (v.is_array()) return v;
  if (v.is_string()) {
    Value out = Value::array();
    const std::string& s = v.get_ref<const std::string&>();
    size_t start = 0;
    for (;;) {
      size_t comma = s.find(',', start);
      out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }
  if (v.is_number() || v.is_boolean()) return Value::array({scalar_text(v)});
  throw ConvertError{python_type(v) + " cannot be converted to a list"};
}

Value to_dict(const Value& v) {
  if (v.is_object()) return v;
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (!s.empty() && s[0] == '{') {
      Value parsed = Value::parse(s, nullptr, false);
      if (parsed.is_object()) return parsed;
    } else {
      // key=value pairs separated by spaces or commas.
      Value out = Value::object();
      size_t i = 0;
      while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
        if (i >= s.size()) break;
        size_t end = s.find_first_of(" ,", i);
        std::string pair = s.substr(i, end == std::string::npos ? std::string::npos : end - i);
        size_t eq = pair.find('=');
        if (eq == std::string::npos) break;
        out[pair.substr(0, eq)] = pair.substr(eq + 1);
        i = end == std::string::npos ? s.size() : end;
      }
      if (!out.empty()) return out;
    }
    throw ConvertError{"dictionary requested, could not parse JSON or key=value"};
  }
  throw ConvertError{python_type(v) + " cannot be converted to a dict"};
}

const char* type_name(ArgType t) {
  switch (t) {
    case ArgType::Str: return "str";
    case ArgType::Int: return "int";
    case ArgType::Float: return "float";
    case ArgType::Bool: return "bool";
    case ArgType::List: return "list";
    case ArgType::Dict: return "dict";
    case ArgType::Path: return "path";
    case ArgType::Raw: return "raw";
  }
  return "raw";
}

Value convert(ArgType t, const Value& v) {
  switch (t) {
    case ArgType::Str:
    case ArgType::Path: return to_str(v);
    case ArgType::Int: return to_int(v);
    case ArgType::Float: return to_float(v);
    case ArgType::Bool: return to_bool(v);
    case ArgType::List: return to_list(v);
    case ArgType::Dict: return to_dict(v);
    case ArgType::Raw: return v;
  }
  return v;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

}  // namespace

Value validate_args(const ModuleSpec& spec, const Value& raw) {
  // Which spec entry each accepted key (name or alias) stands for.
  std::map<std::string, const ArgSpec*> by_key;
  for (const auto& arg : spec.args) {
    by_key[arg.name] = &arg;
    for (const auto& alias : arg.aliases) by_key[alias] = &arg;
  }
  Value given = Value::object();  // canonical name -> raw value
  Value extra = Value::object();  // any_keys modules: names outside the spec
  std::vector<std::string> unsupported;
  if (raw.is_object()) {
    for (const auto& [key, value] : raw.items()) {
      auto it = by_key.find(key);
      if (it != by_key.end()) {
        if (!value.is_null() || it->second->keeps_null) given[it->second->name] = value;
      } else if (key == "_raw_params" && spec.free_form) {
        given["_raw_params"] = value;
      } else if (spec.any_keys) {
        extra[key] = value;
      } else {
        unsupported.push_back(key);
      }
    }
  } else if (!raw.is_null()) {
    throw ArgError("arguments of module " + spec.name + " must be a mapping, got " + python_type(raw));
  }

  if (!unsupported.empty()) {
    std::sort(unsupported.begin(), unsupported.end());
    std::vector<std::string> names, aliases;
    for (const auto& arg : spec.args) {
      names.push_back(arg.name);
      aliases.insert(aliases.end(), arg.aliases.begin(), arg.aliases.end());
    }
    std::sort(names.begin(), names.end());
    std::sort(aliases.begin(), aliases.end());
    std::string supported = join(names, ", ");
    if (!aliases.empty()) supported += " (" + join(aliases, ", ") + ")";
    std::vector<std::string> candidates = names;
    candidates.insert(candidates.end(), aliases.begin(), aliases.end());
    throw ArgError("Unsupported parameters for (" + spec.name + ") module: " + join(unsupported, ", ") +
                   ". Supported parameters include: " + supported + "." +
                   did_you_mean(unsupported.front(), candidates));
  }

  std::vector<std::string> clashes;
  for (const auto& group : spec.mutually_exclusive) {
    int count = 0;
    for (const auto& name : group) count += given.contains(name) ? 1 : 0;
    if (count > 1) clashes.push_back(join(group, "|"));
  }
  if (!clashes.empty()) throw ArgError("parameters are mutually exclusive: " + join(clashes, ", "));

  for (const auto& group : spec.required_one_of) {
    bool any = std::any_of(group.begin(), group.end(), [&](const std::string& n) { return given.contains(n); });
    if (!any) throw ArgError("one of the following is required: " + join(group, ", "));
  }

  std::vector<std::string> missing;
  for (const auto& arg : spec.args) {
    if (arg.required && !given.contains(arg.name)) missing.push_back(arg.name);
  }
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end());
    throw ArgError("missing required arguments: " + join(missing, ", "));
  }

  Value out = Value::object();
  for (const auto& arg : spec.args) {
    if (!given.contains(arg.name)) {
      out[arg.name] = arg.default_value;
      continue;
    }
    const Value& value = given[arg.name];
    if (value.is_null()) {  // keeps_null: Ansible's module sees None
      out[arg.name] = value;
      continue;
    }
    Value converted;
    try {
      converted = convert(arg.type, value);
      if (arg.type == ArgType::List && arg.elements != ArgType::Raw) {
        for (auto& element : converted) element = convert(arg.elements, element);
      }
    } catch (const ConvertError& e) {
      throw ArgError("argument '" + arg.name + "' is of type " + python_type(value) +
                     " and we were unable to convert to " + type_name(arg.type) + ": " + e.reason);
    }
    if (!arg.choices.empty()) {
      std::string text = scalar_text(converted);
      if (std::find(arg.choices.begin(), arg.choices.end(), text) == arg.choices.end()) {
        throw ArgError("value of " + arg.name + " must be one of: " + join(arg.choices, ", ") + ", got: " + text);
      }
    }
    out[arg.name] = converted;
  }
  if (spec.free_form) out["_raw_params"] = given.contains("_raw_params") ? given["_raw_params"] : Value();
  for (const auto& [key, value] : extra.items()) out[key] = value;
  return out;
}

}  // namespace prov::mod
