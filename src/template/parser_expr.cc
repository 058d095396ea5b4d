// The parser's expressions, by Jinja2's precedence: condexpr < or < and < not < compare < + - < ~ < * / // % < **
// < unary < postfix (. [] ()) and filters/tests.
#include <set>

#include "eval.h"
#include "parser_impl.h"
#include "provision/core/error.h"

namespace prov::tmpl::detail {

bool Parser::at_tuple_end() const {
  K k = cur().kind;
  return k == K::VarEnd || k == K::BlockEnd || k == K::Eof || (k == K::Op && (cur().text == ")"));
}

ExprPtr Parser::parse_tuple(bool with_condexpr, bool explicit_parens) {
  const Token start = cur();
  std::vector<ExprPtr> items;
  bool saw_comma = false;
  while (true) {
    if (!items.empty()) {
      if (!skip_op(",")) break;
      saw_comma = true;
    }
    if (at_tuple_end()) break;
    items.push_back(parse_expression(with_condexpr));
  }
  if (!saw_comma) {
    if (!items.empty()) return std::move(items[0]);
    if (!explicit_parens) error("Expected an expression, got " + describe_token(cur()));
  }
  auto t = make(Expr::Kind::Tuple, start);
  t->items = std::move(items);
  return t;
}

ExprPtr Parser::parse_expression(bool with_condexpr) { return with_condexpr ? parse_condexpr() : parse_or(); }

ExprPtr Parser::parse_condexpr() {
  Depth depth(*this, 1);
  ExprPtr e = parse_or();
  while (is_name("if")) {
    depth.step();
    const Token at = cur();
    next();
    auto c = make(Expr::Kind::CondExpr, at);
    c->b = parse_or();
    if (skip_name("else")) c->c = parse_condexpr();
    c->a = std::move(e);
    e = std::move(c);
  }
  return e;
}

ExprPtr Parser::binary(const Token& at, const std::string& op, ExprPtr l, ExprPtr r) {
  auto e = make(Expr::Kind::Binary, at);
  e->name = op;
  e->a = std::move(l);
  e->b = std::move(r);
  return e;
}

ExprPtr Parser::parse_or() {
  ExprPtr e = parse_and();
  Depth chain(*this, 0);
  while (is_name("or")) {
    chain.step();
    const Token at = cur();
    next();
    e = binary(at, "or", std::move(e), parse_and());
  }
  return e;
}

ExprPtr Parser::parse_and() {
  ExprPtr e = parse_not();
  Depth chain(*this, 0);
  while (is_name("and")) {
    chain.step();
    const Token at = cur();
    next();
    e = binary(at, "and", std::move(e), parse_not());
  }
  return e;
}

ExprPtr Parser::parse_not() {
  Depth depth(*this, 1);
  if (is_name("not")) {
    const Token at = cur();
    next();
    auto e = make(Expr::Kind::Unary, at);
    e->name = "not";
    e->a = parse_not();
    return e;
  }
  return parse_compare();
}

ExprPtr Parser::parse_compare() {
  const Token at = cur();
  ExprPtr first = parse_math1();
  std::vector<std::string> ops;
  std::vector<ExprPtr> rest;
  while (true) {
    if (cur().kind == K::Op && (cur().text == "==" || cur().text == "!=" || cur().text == "<" || cur().text == ">" ||
                                cur().text == "<=" || cur().text == ">=")) {
      ops.push_back(cur().text);
      next();
    } else if (is_name("in")) {
      ops.push_back("in");
      next();
    } else if (is_name("not") && peek().kind == K::Name && peek().text == "in") {
      ops.push_back("notin");
      next();
      next();
    } else {
      break;
    }
    rest.push_back(parse_math1());
  }
  if (ops.empty()) return first;
  auto e = make(Expr::Kind::Compare, at);
  e->items.push_back(std::move(first));
  for (auto& r : rest) e->items.push_back(std::move(r));
  e->ops = std::move(ops);
  return e;
}

ExprPtr Parser::parse_math1() {
  ExprPtr e = parse_concat();
  Depth chain(*this, 0);
  while (is_op("+") || is_op("-")) {
    chain.step();
    const Token at = cur();
    next();
    e = binary(at, at.text, std::move(e), parse_concat());
  }
  return e;
}

ExprPtr Parser::parse_concat() {
  ExprPtr e = parse_math2();
  Depth chain(*this, 0);
  while (is_op("~")) {
    chain.step();
    const Token at = cur();
    next();
    e = binary(at, "~", std::move(e), parse_math2());
  }
  return e;
}

ExprPtr Parser::parse_math2() {
  ExprPtr e = parse_pow();
  Depth chain(*this, 0);
  while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
    chain.step();
    const Token at = cur();
    next();
    e = binary(at, at.text, std::move(e), parse_pow());
  }
  return e;
}

ExprPtr Parser::parse_pow() {
  ExprPtr e = parse_unary(true);
  Depth chain(*this, 0);
  while (is_op("**")) {
    chain.step();
    const Token at = cur();
    next();
    e = binary(at, "**", std::move(e), parse_unary(true));
  }
  return e;
}

ExprPtr Parser::parse_unary(bool with_filter) {
  Depth depth(*this, 1);
  ExprPtr e;
  if (is_op("-") || is_op("+")) {
    const Token at = cur();
    next();
    e = make(Expr::Kind::Unary, at);
    e->name = at.text;
    e->a = parse_unary(false);
  } else {
    e = parse_primary();
  }
  e = parse_postfix(std::move(e));
  if (with_filter) e = parse_filter_expr(std::move(e));
  return e;
}

ExprPtr Parser::parse_primary() {
  const Token t = cur();
  switch (t.kind) {
    case K::Name: {
      next();
      static const std::set<std::string> trues = {"true", "True"}, falses = {"false", "False"},
                                         nones = {"none", "None"};
      auto e = make(Expr::Kind::Literal, t);
      if (trues.count(t.text))
        e->value = true;
      else if (falses.count(t.text))
        e->value = false;
      else if (nones.count(t.text))
        e->value = nullptr;
      else {
        e->kind = Expr::Kind::Name;
        e->name = t.text;
      }
      return e;
    }
    case K::String: {
      std::string s;
      while (cur().kind == K::String) {
        s += cur().text;
        next();
      }
      auto e = make(Expr::Kind::Literal, t);
      e->value = s;
      return e;
    }
    case K::Int:
    case K::Float: {
      next();
      auto e = make(Expr::Kind::Literal, t);
      e->value = t.number;
      return e;
    }
    case K::Op:
      if (t.text == "(") {
        next();
        ExprPtr e = parse_tuple(true, true);
        expect_op(")");
        return e;
      }
      if (t.text == "[") {
        next();
        auto e = make(Expr::Kind::List, t);
        while (!is_op("]")) {
          if (!e->items.empty()) expect_op(",");
          if (is_op("]")) break;
          e->items.push_back(parse_expression(true));
        }
        next();
        return e;
      }
      if (t.text == "{") {
        next();
        auto e = make(Expr::Kind::Dict, t);
        while (!is_op("}")) {
          if (!e->items.empty()) expect_op(",");
          if (is_op("}")) break;
          e->items.push_back(parse_expression(true));
          expect_op(":");
          e->items.push_back(parse_expression(true));
        }
        next();
        return e;
      }
      break;
    default: break;
  }
  error("unexpected " + describe_token(t));
}

ExprPtr Parser::parse_postfix(ExprPtr e) {
  Depth chain(*this, 0);
  while (true) {
    chain.step();
    if (is_op(".") || is_op("[")) {
      e = parse_subscript(std::move(e));
    } else if (is_op("(")) {
      e = parse_call(std::move(e));
    } else {
      return e;
    }
  }
}

ExprPtr Parser::parse_subscript(ExprPtr e) {
  const Token at = cur();
  if (skip_op(".")) {
    if (cur().kind == K::Name) {
      auto g = make(Expr::Kind::GetAttr, at);
      g->name = cur().text;
      g->a = std::move(e);
      next();
      return g;
    }
    if (cur().kind == K::Int) {
      auto g = make(Expr::Kind::GetItem, at);
      g->a = std::move(e);
      g->b = make(Expr::Kind::Literal, cur());
      g->b->value = cur().number;
      next();
      return g;
    }
    error("expected name or number");
  }
  next();  // '['
  ExprPtr index;
  auto slice = make(Expr::Kind::Slice, at);
  bool is_slice = false;
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      if (!skip_op(":")) break;
      is_slice = true;
    }
    if (is_op(":") || is_op("]")) {
      slice->items.push_back(nullptr);
    } else {
      slice->items.push_back(parse_expression(true));
    }
  }
  expect_op("]");
  if (is_slice) {
    while (slice->items.size() < 3) slice->items.push_back(nullptr);
    slice->a = std::move(e);
    return slice;
  }
  auto g = make(Expr::Kind::GetItem, at);
  g->a = std::move(e);
  g->b = std::move(slice->items[0]);
  if (!g->b) error("expected an expression");
  return g;
}

void Parser::parse_args(CallArgs& args) {
  expect_op("(");
  bool first = true;
  while (!is_op(")")) {
    if (!first) expect_op(",");
    first = false;
    if (is_op(")")) break;
    if (cur().kind == K::Name && peek().kind == K::Op && peek().text == "=") {
      std::string key = cur().text;
      next();
      next();
      args.kw.emplace_back(key, parse_expression(true));
    } else {
      if (!args.kw.empty()) error("invalid syntax for function call expression");
      args.pos.push_back(parse_expression(true));
    }
  }
  next();
}

ExprPtr Parser::parse_call(ExprPtr e) {
  auto c = make(Expr::Kind::Call, cur());
  c->a = std::move(e);
  parse_args(c->args);
  return c;
}

/// Unknown filters and tests are syntax errors, even in branches that never run (as in Jinja).
template <typename Table>
void Parser::check_known(const Table& table, const std::string& name, const char* what, const Token& at) {
  size_t dot = name.rfind('.');
  std::string short_name = dot == std::string::npos ? name : name.substr(dot + 1);
  if (table.count(short_name)) return;
  std::vector<std::string> names;
  for (const auto& [k, v] : table) names.push_back(k);
  error_at(std::string("No ") + what + " named '" + name + "'." + did_you_mean(name, names), at);
}

std::string Parser::dotted_name() {
  std::string n = expect_name();
  while (is_op(".") && peek().kind == K::Name) {
    next();
    n += "." + expect_name();
  }
  return n;
}

/// Parses `| f(args) | g ...`; with start_inline the first filter has no leading pipe (filter blocks).
ExprPtr Parser::parse_filters(ExprPtr e, bool start_inline) {
  Depth chain(*this, 0);
  while (is_op("|") || start_inline) {
    chain.step();
    const Token at = cur();
    if (!start_inline) next();
    start_inline = false;
    auto f = make(Expr::Kind::Filter, at);
    const Token name_at = cur();
    f->name = dotted_name();
    check_known(filters(), f->name, "filter", name_at);
    if (is_op("(")) parse_args(f->args);
    f->a = std::move(e);
    e = std::move(f);
  }
  return e;
}

ExprPtr Parser::parse_filter_expr(ExprPtr e) {
  Depth chain(*this, 0);
  while (true) {
    chain.step();
    if (is_op("|")) {
      e = parse_filters(std::move(e));
    } else if (is_name("is")) {
      e = parse_test(std::move(e));
    } else if (is_op("(")) {
      e = parse_call(std::move(e));
    } else {
      return e;
    }
  }
}

ExprPtr Parser::parse_test(ExprPtr e) {
  auto t = make(Expr::Kind::Test, cur());
  next();  // is
  if (skip_name("not")) t->negated = true;
  const Token name_at = cur();
  t->name = dotted_name();
  check_known(tests(), t->name, "test", name_at);
  if (is_op("(")) {
    parse_args(t->args);
  } else {
    K k = cur().kind;
    bool starts_arg = k == K::Name || k == K::String || k == K::Int || k == K::Float ||
                      (k == K::Op && (cur().text == "(" || cur().text == "[" || cur().text == "{"));
    if (starts_arg && !is_name("else") && !is_name("or") && !is_name("and")) {
      t->args.pos.push_back(parse_postfix(parse_primary()));
    }
  }
  t->a = std::move(e);
  return t;
}

}  // namespace prov::tmpl::detail
