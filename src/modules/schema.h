#pragma once
// Typed arguments. A module declares the fields of its argument struct once (Args::describe); the spec the loader
// validates against and the struct a step works with both come from that declaration, so a name, alias, type or
// default is written in one place and the module reads members instead of strings.
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "util.h"

namespace prov::mod {

namespace schema_detail {

template <class T>
struct Unwrap {
  using type = T;
};
template <class T>
struct Unwrap<std::optional<T>> {
  using type = T;
};

template <class T>
constexpr ArgType type_of() {
  using Plain = typename Unwrap<T>::type;
  if constexpr (std::is_same_v<Plain, bool>) return ArgType::Bool;
  if constexpr (std::is_integral_v<Plain>) return ArgType::Int;
  if constexpr (std::is_floating_point_v<Plain>) return ArgType::Float;
  if constexpr (std::is_same_v<Plain, std::vector<std::string>>) return ArgType::List;
  if constexpr (std::is_same_v<Plain, Value>) return ArgType::Raw;
  return ArgType::Str;
}

// One validated value into a member: null leaves the member as declared (empty, false, 0, nullopt).
template <class T>
void assign(T& member, const Value& v) {
  if (v.is_null()) return;
  if constexpr (std::is_same_v<T, Value>) {
    member = v;
  } else if constexpr (std::is_same_v<T, std::string>) {
    member = to_plain_string(v);
  } else if constexpr (std::is_same_v<T, bool>) {
    member = ansible_bool(v).value_or(false);
  } else if constexpr (std::is_integral_v<T>) {
    member = static_cast<T>(as_whole_number(v).value_or(0));
  } else if constexpr (std::is_floating_point_v<T>) {
    member = v.is_number() ? v.get<T>() : T{};
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    member.clear();
    for (const Value& item : v.is_array() ? v : Value::array({v})) member.push_back(to_plain_string(item));
  } else {
    typename Unwrap<T>::type plain{};
    assign(plain, v);
    member = std::move(plain);
  }
}

}  // namespace schema_detail

template <class Args>
class Schema {
 public:
  /// Declares a member as an argument; its ArgType follows the member's type unless given (Path, Raw for a mode).
  /// Returns the spec for chaining: .required(), .aliases({...}), .default_value(...), .choices({...}).
  template <class T>
  util::arg& field(std::string name, T Args::*member, std::optional<ArgType> type = std::nullopt) {
    const std::string key = name;
    fields_.push_back({util::arg(std::move(name), type.value_or(schema_detail::type_of<T>())),
                       [member, key](Args& args, const Value& validated) {
                         if (const Value* v = find_key(validated, key)) schema_detail::assign(args.*member, *v);
                       }});
    return fields_.back().spec;
  }

  /// Declares the fields of a part shared by several modules (FileAttributes) as arguments of this struct.
  template <class Part>
  void include(Part Args::*part) {
    Schema<Part> inner;
    Part::describe(inner);
    for (auto& f : inner.fields_) {
      fields_.push_back(
          {f.spec, [part, set = f.set](Args& args, const Value& validated) { set(args.*part, validated); }});
    }
  }

  std::vector<ArgSpec> specs() const {
    std::vector<ArgSpec> out;
    for (const auto& f : fields_) out.push_back(f.spec);
    return out;
  }

  /// The struct from arguments validated against specs().
  Args bind(const Value& validated) const {
    Args args{};
    for (const auto& f : fields_) f.set(args, validated);
    return args;
  }

 private:
  template <class>
  friend class Schema;
  struct Field {
    util::arg spec;
    std::function<void(Args&, const Value&)> set;
  };
  std::deque<Field> fields_;  // a deque keeps the references field() returns valid
};

/// A module whose arguments are the struct Args (with `static void describe(Schema<Args>&)`) and whose runs are
/// the steps Run (constructed from the typed arguments and the context). Subclasses set the name and what the spec
/// holds besides the arguments (other names, mutually exclusive groups, ...) in their constructor.
template <class Args, class Run>
class TypedModule : public Module {
 public:
  explicit TypedModule(std::string name) {
    Args::describe(schema_);
    spec_.name = std::move(name);
    spec_.args = schema_.specs();
  }
  const ModuleSpec& spec() const override { return spec_; }
  std::unique_ptr<Step> start(const Context& ctx) const override {
    return std::make_unique<Run>(schema_.bind(ctx.args), ctx);
  }

 protected:
  ModuleSpec spec_;

 private:
  Schema<Args> schema_;
};

}  // namespace prov::mod
