#pragma once
// The Jinja2 engine, as Ansible runs it. A pure library: it never touches a host.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provision/core/error.h"
#include "provision/core/value.h"

namespace prov::tmpl {

/// Where templates find variables. Values are raw: strings in them may themselves be templates, which the
/// engine renders lazily when they are used (and reports reference loops, naming the chain).
///
/// A variable may be marked as data (Ansible's "unsafe"): facts, registered results, loop items of with_*
/// lookups, anything made from them. Host output is data, never code: a data variable is used as it is, never
/// templated, and a render that reads one (or calls a lookup) is marked as data in turn (`Rendered::data`), so
/// that what is stored from it (set_fact) stays data.
class Vars {
 public:
  virtual ~Vars() = default;
  /// The value of a top-level name, or nullptr when it is not defined; sets *data (when given) to whether the
  /// value is data that must not be templated.
  virtual const Value* find(std::string_view name, bool* data) const = 0;
  const Value* lookup(std::string_view name) const { return find(name, nullptr); }
  /// Every top-level name defined, for the varnames lookup; none unless the Vars can tell.
  virtual std::vector<std::string> names() const { return {}; }
};

/// A Vars over one object Value (keys are the names); handy for tests and simple callers.
class ValueVars : public Vars {
 public:
  explicit ValueVars(Value object) : object_(std::move(object)) {}
  const Value* find(std::string_view name, bool* data) const override;
  std::vector<std::string> names() const override;

 private:
  Value object_;
};

/// A lookup the engine cannot answer alone (inventory_hostnames needs the inventory): the caller's list for the
/// plugin's short name and terms, or nullopt when the caller does not know the plugin either.
using LookupHook = std::function<std::optional<Value>(const std::string& plugin, const std::vector<Value>& terms)>;

/// Settings of one render.
struct Options {
  std::string name;  ///< template file, or with in_value the "file:line:col" of a task or play
  /// The text is a value from a playbook (a task argument, a condition, a keyword), not a file: errors are located
  /// at `name` and give the line and column inside the text in words.
  bool in_value = false;
  bool trim_blocks = false;            ///< the template module turns this on
  bool lstrip_blocks = false;
  bool keep_trailing_newline = false;  ///< the template module turns this on
  /// Backslashes in string literals inside {{ }} are themselves, as in Ansible's templating of playbook values
  /// (`regex_replace('(\d+)', '<\1>')` written once); template files and bare expressions decode them.
  bool escape_backslashes = false;
  /// Folders searched by {% include %}, lookup('file'/'template'/'first_found'); first match wins.
  std::vector<std::string> search_paths;
  /// How template_value (and lazily templated variables) type their results. true: a lone `{{ expr }}` keeps
  /// the expression's type. false: exactly as ansible-core 2.14 does it: a lone `{{ var }}` holding a number,
  /// bool or none keeps it; any other result is text, turned back into a list, dict or bool when it reads as one.
  bool native_types = true;
  /// Lookups raise a TemplateError instead of running (a render made only to look ahead, such as the probes
  /// planned before a task runs, must not run a lookup's program a second time).
  bool disable_lookups = false;
  /// Asked for lookups the engine does not implement itself.
  LookupHook lookup_hook;
};

/// Raised for syntax errors (with template name, line and column) and for evaluation errors.
class TemplateError : public Error {
 public:
  using Error::Error;
};

/// An undefined variable or attribute was used; `name` is what was undefined (e.g. "foo" or "foo.bar").
class UndefinedError : public TemplateError {
 public:
  UndefinedError(std::string name, std::string message, SourceLoc loc = {})
      : TemplateError(std::move(message), std::move(loc)), name_(std::move(name)) {}
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

/// True when text holds any template markup ({{, {% or {#).
bool is_template(std::string_view text);

/// Renders template text to a string.
std::string render(std::string_view source, const Vars& vars, const Options& options = {});

/// A templated value, and whether it was made from data (a data variable, `!unsafe` text or a lookup).
struct Rendered {
  Value value;
  bool data = false;
};

/// Templates a value as Ansible templates task arguments and variables: every string in it is rendered; a string
/// that is exactly one `{{ expr }}` keeps the native type of the result (list, dict, int, bool, none).
Value template_value(const Value& value, const Vars& vars, const Options& options = {});
/// template_value, telling whether the result was made from data.
Rendered template_marked(const Value& value, const Vars& vars, const Options& options = {});

/// Evaluates a bare expression (`when:`, `changed_when:`, `until:`, debug's `var:`) to a value.
Value evaluate(std::string_view expression, const Vars& vars, const Options& options = {});

/// Evaluates a `when`-style condition to a bool (Ansible's rules: a bare expression, or one already in {{ }}).
/// An inline template whose result was made from data is refused, as Ansible refuses it: the text a host sent
/// is never evaluated as an expression.
bool condition(std::string_view expression, const Vars& vars, const Options& options = {});

/// Runs a lookup plugin as query() does (a with_<plugin> loop's items): its list for the terms. Throws
/// TemplateError for an unknown plugin or a failed lookup.
Value query(const std::string& plugin, const std::vector<Value>& terms, const Vars& vars, const Options& options = {});

/// Python's str() of a value as Jinja2 prints it: ['a', 1], {'k': True}, None.
std::string python_str(const Value& value);

/// Python's json.dumps(value) with its defaults: {"k": [1, 2.0]}, non-ASCII text as \u escapes.
std::string python_json(const Value& value);

}  // namespace prov::tmpl
