#pragma once
// The evaluator: walks the syntax tree with a stack of scopes over the caller's Vars.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast.h"
#include "runtime.h"

namespace prov::tmpl {

/// State shared by one top-level engine call and every nested render it triggers: the caller's variables, the
/// lazily templated variables already resolved, and the chain of names being resolved (to report loops).
struct Resolver {
  const Vars& vars;
  Options options;
  std::unordered_map<std::string, std::unique_ptr<Value>> resolved;
  std::vector<std::string> resolving;
  std::set<std::string> plain;  // names whose values hold no template markup (checked once)
  int call_depth = 0;           // nested calls now (CallDepth), bounded by limits::kMaxCallDepth
  int64_t steps = 0;            // loop iterations and calls so far, bounded by limits::kMaxSteps
  bool read_data = false;       // a data variable, unsafe text or a lookup went into this render (Vars)

  Resolver(const Vars& v, Options o) : vars(v), options(std::move(o)) {}
  /// A top-level variable with its template strings rendered; nullptr when undefined.
  const Value* resolve(const std::string& name);
  /// Counts one loop iteration or call; raises TemplateError past limits::kMaxSteps.
  void step();
};

/// One nested call (macro, caller, loop(), include, import, lazily templated variable) for as long as it lives;
/// raises TemplateError past limits::kMaxCallDepth, before the stack runs out.
class CallDepth {
 public:
  explicit CallDepth(Resolver& resolver);
  ~CallDepth() { --resolver_.call_depth; }
  CallDepth(const CallDepth&) = delete;
  CallDepth& operator=(const CallDepth&) = delete;

 private:
  Resolver& resolver_;
};

/// Raises TemplateError when a text or value of `size` bytes would pass limits::kMaxSize.
void check_size(size_t size, const char* what);
/// A padding width argument (center, ljust, indent, zfill): negative is 0 as in Python; raises past limits::kMaxSize.
size_t as_width(const Value& v);

/// Templates a data value: strings with markup are rendered (a lone `{{ expr }}` keeps its native type).
Value template_data(const Value& value, Resolver& resolver);

using Scope = std::unordered_map<std::string, RV>;

/// The blocks of one render's chain of templates ({% extends %}): for each name, its definitions from the most
/// derived template to the base.
struct Inheritance {
  struct Layer {
    const Node* node;
    std::shared_ptr<const Template> tmpl;
  };
  std::map<std::string, std::vector<Layer>> chains;
  std::shared_ptr<const Template> parent;  // set by {% extends %} while the current template runs
  std::vector<std::string> files;          // the templates of the chain so far, to report a cycle

  void add(const std::shared_ptr<const Template>& t) {
    for (const auto& [name, node] : t->blocks) chains[name].push_back({node, t});
  }
};

class Ctx {
 public:
  Ctx(Resolver& resolver, std::shared_ptr<const Template> tmpl);

  Resolver& resolver;
  std::shared_ptr<const Template> tmpl;  // keeps the tree alive for macros defined in it
  std::vector<Scope> scopes;

  /// Evaluates an expression.
  RV eval(const Expr& e);
  /// Runs statements, appending output.
  void exec(const Body& body, std::string& out);
  /// Renders tmpl whole: its blocks, and the templates it extends (inherit.cc).
  void render_template(std::string& out);
  /// Renders definition `layer` (0: the most derived) of block `name`; scoped blocks see the enclosing loop.
  void render_block_layer(const std::string& name, size_t layer, bool scoped, std::string& out);
  /// The block chains of this render; null outside template files.
  std::shared_ptr<Inheritance> inh;

  RV lookup(const std::string& name);
  /// The variable `name` of a template scope, in place (valid until scopes change), or nullptr. A list or dict
  /// is boxed on the way, so that what mutating methods do to it is seen through every name bound to it.
  const RV* find_local(const std::string& name);
  void assign(const std::string& name, RV value) { scopes.back()[name] = std::move(value); }

  RV getattr(const RV& obj, const std::string& name);
  RV getitem(const RV& obj, const RV& key);
  RV call(const RV& callee, Args& args);
  RV filter(const std::string& name, const RV& input, Args& args);
  bool test(const std::string& name, const RV& input, Args& args);

  /// Runs a for loop's body over seq (depth counts recursive loop() calls).
  void run_loop(const Node& n, const RV& seq, int depth, std::string& out);
  /// loop.changed() remembers the previous value per loop.
  std::map<const void*, Value> loop_changed_last;

  /// Runs a template file for its macros and top-level variables ({% import %}).
  Scope import_file(const std::string& name);
  /// Renders another template file found through options.search_paths (include, lookup('template')).
  std::string render_file(const std::string& name, bool ignore_missing);

 private:
  Args eval_args(const CallArgs& args);
  RV eval_binary(const Expr& e);
  void prepare_mutation(const Expr& target);
  RV eval_compare(const Expr& e);
  void exec_node(const Node& n, std::string& out);
  void exec_for(const Node& n, std::string& out);
  void exec_set(const Node& n, std::string& out);
  void exec_call_block(const Node& n, std::string& out);
  void exec_block(const Node& n, std::string& out);
  void exec_extends(const Node& n);
};

/// The items a for loop visits: list elements, dict keys, string characters. Raises for other values.
std::vector<RV> iterate(const RV& v);

/// Python binary arithmetic (+ - * / // % **) on data.
Value arith(const std::string& op, const Value& a, const Value& b);

/// Python's `a in b`.
bool contains(const Value& container, const Value& item);

/// Finds a file in the search paths (absolute names are used as they are); "" when missing.
std::string find_file(const std::string& name, const Options& options);

/// Reads a whole file; raises TemplateError when it cannot.
std::string read_file(const std::string& path);

/// Parses the template file at `path`, which an include, import or extends of a template rendered with `options`
/// names: errors name the file, and its last newline is dropped unless keep_trailing_newline, as Jinja's loader does.
std::shared_ptr<const Template> parse_template_file(const std::string& path, const Options& options);

/// Filter and test tables; a filter or test is one function plus one line in a register function.
using FilterFn = RV (*)(Ctx& ctx, const RV& input, Args& args);
using TestFn = bool (*)(Ctx& ctx, const RV& input, Args& args);
using FilterTable = std::map<std::string, FilterFn>;
using TestTable = std::map<std::string, TestFn>;

const FilterTable& filters();
const TestTable& tests();
void register_core_filters(FilterTable& t);
void register_data_filters(FilterTable& t);
void register_text_filters(FilterTable& t);
void register_format_filters(FilterTable& t);
void register_misc_filters(FilterTable& t);

/// The time now as Python's str(datetime.now()), or formatted with strftime when fmt is given.
std::string now_string(bool utc, const std::string& fmt);

/// Globals: range, dict, lookup, query, namespace. Returns false when `name` is not a global.
bool find_global(const std::string& name, RV& out);

/// Bound methods of str, dict and list values (`s.split(',')`); false when there is no such method.
bool find_method(const RV& self, const std::string& name, RV& out);
/// Whether `name` is a method that changes its list or dict (append, update, ...).
bool is_mutating_method(const std::string& name);

/// Argument helpers for filters and globals.
const RV& arg(const Args& args, size_t i, const std::string& name, const char* who);
Value arg_or(const Args& args, size_t i, const std::string& name, Value fallback);

}  // namespace prov::tmpl
