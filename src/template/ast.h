#pragma once
// The syntax tree of a template: expressions (Expr) and statements (Node). The parser builds it once; the
// evaluator walks it for every render.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "provision/core/value.h"

namespace prov::tmpl {

struct Expr;
struct Node;
using ExprPtr = std::unique_ptr<Expr>;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct CallArgs {
  std::vector<ExprPtr> pos;
  std::vector<std::pair<std::string, ExprPtr>> kw;
};

struct Expr {
  enum class Kind {
    Literal,   // value
    Name,      // name
    List,      // items
    Tuple,     // items
    Dict,      // items (key, value pairs alternate)
    GetAttr,   // a.name
    GetItem,   // a[b]
    Slice,     // a[b:c:d] (items: start, stop, step; null when omitted)
    Call,      // a(args)
    Filter,    // a | name(args)
    Test,      // a is [not] name(args)
    Unary,     // op a   ("not", "-", "+")
    Binary,    // a op b (+ - * / // % ** ~ and or)
    Compare,   // a op b op c ... (ops + items)
    CondExpr,  // a if b else c
  };
  Kind kind;
  int line = 0;
  int column = 0;
  Value value;                   // Literal
  std::string name;              // Name, GetAttr, Filter, Test, Unary/Binary op
  bool negated = false;          // Test: `is not`
  ExprPtr a, b, c;               // operands
  std::vector<ExprPtr> items;    // List/Tuple/Dict/Slice/Compare operands
  std::vector<std::string> ops;  // Compare operators
  CallArgs args;                 // Call/Filter/Test
};

struct MacroParam {
  std::string name;
  ExprPtr default_value;  // null when required
};

struct Node {
  enum class Kind {
    Text,         // text
    Output,       // {{ expr }}
    If,           // branches: (cond, body)..., else_body
    For,          // targets, expr (iterable), cond (filter), body, else_body
    Set,          // targets / attr target, expr, or body (block set)
    Macro,        // name, params, body
    CallBlock,    // expr (the call), params (caller's), body
    Include,      // expr, ignore_missing
    FilterBlock,  // expr (filter chain on a placeholder), body
    With,         // targets/exprs, body
    Import,       // expr (template name); attr = alias of `import ... as x`, or imports for `from ... import`
    Block,        // name, body; scoped, required
    Extends,      // expr (parent template name)
  };
  Kind kind;
  int line = 0;
  std::string text;                                // Text
  ExprPtr expr;                                    // Output, For iterable, Set value, CallBlock, Include, Filter
  ExprPtr cond;                                    // For filter
  std::vector<std::pair<ExprPtr, Body>> branches;  // If
  Body body, else_body;
  std::vector<std::string> targets;                          // For/Set names
  std::string attr;                                          // Set ns.attr
  std::string name;                                          // Macro name
  std::vector<MacroParam> params;                            // Macro/CallBlock
  std::vector<ExprPtr> with_values;                          // With
  bool ignore_missing = false;                               // Include
  bool recursive = false;                                    // For
  bool scoped = false, required = false;                     // Block
  std::vector<std::pair<std::string, std::string>> imports;  // from-import: (name, alias)
};

/// A parsed template.
struct Template {
  Body body;
  std::string name;
  bool in_value = false;  ///< name is the place of the playbook value holding the text (Options::in_value)
  std::string source;
  std::map<std::string, const Node*> blocks;  ///< every {% block %} by name, nested ones too (they point into body)
};

}  // namespace prov::tmpl
