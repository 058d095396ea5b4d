#pragma once
// The values a template works with while it runs. prov::Value covers data; templates also need undefined values
// that remember their name, callables (macros, bound methods, caller) and objects with attributes (loop,
// namespace). Conversion to prov::Value happens at the engine boundary.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "provision/core/value.h"
#include "provision/template/engine.h"

namespace prov::tmpl {

struct RV;
class Ctx;

/// Positional and keyword arguments of a call, filter or test.
struct Args {
  std::vector<RV> pos;
  std::vector<std::pair<std::string, RV>> kw;

  /// The argument at position i, or the keyword `name`, or nullptr.
  const RV* get(size_t i, const std::string& name) const;
  const RV* kwarg(const std::string& name) const;
};

/// Something with attributes or that can be called: macros, loop, namespace, bound methods.
class Object {
 public:
  virtual ~Object() = default;
  virtual std::string type_name() const = 0;
  /// The attribute `name`; returns false when there is none.
  virtual bool getattr(const std::string& name, RV& out) const;
  virtual bool setattr(const std::string& name, const RV& value);
  virtual bool callable() const { return false; }
  virtual RV call(Ctx& ctx, Args& args);
  /// What str() of the object prints.
  virtual std::string str() const;
};

/// One runtime value.
struct RV {
  enum class Kind { Data, Undefined, Object };
  Kind kind = Kind::Data;
  Value data;                   // owned data when ref is null
  const Value* ref = nullptr;   // borrowed data that outlives the render (variables)
  // A list or dict of a template scope, shared by every copy of the RV so that list.append() and the other mutating
  // methods are seen through all names bound to it, as Python's objects are. The value is the part of *box at
  // box_path; data keeps a copy of a part for when a mutation has taken it out of the box.
  std::shared_ptr<Value> box;
  std::vector<Value> box_path;
  std::shared_ptr<Object> obj;  // Kind::Object
  std::string undef_name;       // Kind::Undefined: what was undefined ("foo", "foo.bar")
  std::string undef_message;    // Kind::Undefined: the error to raise when it is used
  /// Python tuples print as (a, b) but are lists here; this remembers the shape for printing only.
  enum class Shape : uint8_t { Plain, Tuple, ListOfTuples };
  Shape shape = Shape::Plain;

  RV() = default;
  RV(Value v) : data(std::move(v)) {}  // NOLINT: implicit on purpose, data is the common case
  static RV borrow(const Value& v) {
    RV r;
    r.ref = &v;
    return r;
  }
  /// A child of parent's data: borrowed when the parent is borrowed, else copied.
  static RV borrow_or_copy(const RV& parent, const Value& child) {
    if (parent.ref) return borrow(child);
    return RV(child);
  }
  /// The element `key` (dict key or list index) of parent: borrow_or_copy, remembering where it lives in a box.
  static RV child(const RV& parent, const Value& child, Value key) {
    RV r = borrow_or_copy(parent, child);
    if (parent.box) {
      r.box = parent.box;
      r.box_path = parent.box_path;
      r.box_path.push_back(std::move(key));
    }
    return r;
  }
  /// Moves owned list or dict data into a box (borrowed data too, copied, with copy_borrowed); others stay as they are.
  void make_shared_box(bool copy_borrowed) {
    if (kind != Kind::Data || box || (ref && !copy_borrowed)) return;
    const Value& v = raw();
    if (!v.is_array() && !v.is_object()) return;
    box = std::make_shared<Value>(ref ? *ref : std::move(data));
    box_path.clear();
    data = Value();
    ref = nullptr;
  }
  static RV undefined(std::string name, std::string message) {
    RV r;
    r.kind = Kind::Undefined;
    r.undef_name = std::move(name);
    r.undef_message = std::move(message);
    return r;
  }
  static RV object(std::shared_ptr<Object> o) {
    RV r;
    r.kind = Kind::Object;
    r.obj = std::move(o);
    return r;
  }

  bool is_undefined() const { return kind == Kind::Undefined; }
  bool is_object() const { return kind == Kind::Object; }
  bool is_data() const { return kind == Kind::Data; }
  /// The data; raises UndefinedError for undefined values and TemplateError for objects.
  const Value& val() const;
  /// Data without checks; only valid when is_data().
  const Value& raw() const { return ref ? *ref : box ? boxed() : data; }
  /// Takes ownership of the data (copies borrowed data).
  Value take() const { return val(); }
  /// The data a mutating method changes: the boxed value or its part, else this RV's own copy.
  Value& mutable_target();
  RV& with_shape(Shape s) {
    shape = s;
    return *this;
  }
  /// The part of *box at box_path, or data when it is no longer there.
  const Value& boxed() const;
  /// Raises the UndefinedError this value stands for; only valid when is_undefined().
  [[noreturn]] void raise_undefined() const;
};

// ---- Python semantics over prov::Value (runtime.cc) ----

/// Python's repr() of data.
std::string py_repr(const Value& v);
/// Python's str() of data.
std::string py_str(const Value& v);
/// repr() of data printed with a tuple shape.
std::string py_repr_shaped(const Value& v, RV::Shape shape);
/// str() of a runtime value (raises for undefined).
std::string rv_str(const RV& v);
/// Python's repr() of a float.
std::string py_float_repr(double d);
/// Python's truth value; raises for undefined.
bool rv_truthy(const RV& v);
bool py_truthy(const Value& v);
/// Python == between data (1 == 1.0 == True).
bool py_eq(const Value& a, const Value& b);
/// Python ordering: negative, zero or positive; raises TemplateError when the types cannot be ordered.
int py_cmp(const Value& a, const Value& b, const char* op);
/// Python's type name ("str", "int", "dict", "list", "NoneType", ...).
std::string py_type(const Value& v);
/// Jinja's object description for attribute errors ("dict object", "str object").
std::string jinja_object_name(const Value& v);
bool is_number(const Value& v);  // int, float or bool
double as_double(const Value& v);
int64_t as_int(const Value& v);

// ---- UTF-8 strings indexed by code point, as Python does ----
std::vector<std::string> utf8_chars(const std::string& s);
size_t utf8_length(const std::string& s);

/// Raises a TemplateError with a message.
[[noreturn]] void fail(const std::string& message);

/// Converts a runtime value to data for a list or a result; undefined raises, objects become their str().
Value to_data(const RV& v);

}  // namespace prov::tmpl
