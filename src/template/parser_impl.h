#pragma once
// The parser class: token cursor, error reporting and nesting limit, shared by its statement and expression halves.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "ast.h"
#include "lexer.h"
#include "limits.h"
#include "provision/template/engine.h"

namespace prov::tmpl::detail {

class Parser {
  using K = Token::Kind;

 public:
  Parser(std::vector<Token> tokens, std::string_view source, const Options& options)
      : toks_(std::move(tokens)), src_(source), opts_(options) {}

  Body parse_all() {
    Body body = subparse({}, "");
    return body;
  }
  /// The blocks parse_all met, by name.
  std::map<std::string, const Node*> blocks;

  ExprPtr parse_bare_expression() {
    ExprPtr e = parse_tuple(true);
    if (cur().kind != K::Eof) error("unexpected " + describe_token(cur()));
    return e;
  }

 private:
  std::vector<Token> toks_;
  size_t i_ = 0;
  int depth_ = 0;  // nesting of the tree being built, bounded by limits::kMaxNesting
  std::string_view src_;
  const Options& opts_;

  const Token& cur() const { return toks_[i_]; }
  const Token& peek(size_t n = 1) const { return toks_[std::min(i_ + n, toks_.size() - 1)]; }
  void next() {
    if (i_ + 1 < toks_.size()) ++i_;
  }
  bool is_op(const char* op) const { return cur().kind == K::Op && cur().text == op; }
  bool is_name(const char* name) const { return cur().kind == K::Name && cur().text == name; }
  bool skip_op(const char* op) {
    if (!is_op(op)) return false;
    next();
    return true;
  }
  bool skip_name(const char* name) {
    if (!is_name(name)) return false;
    next();
    return true;
  }

  [[noreturn]] void error(const std::string& message) const {
    syntax_error(message, src_, opts_, cur().line, cur().column);
  }
  [[noreturn]] void error_at(const std::string& message, const Token& t) const {
    syntax_error(message, src_, opts_, t.line, t.column);
  }

  /// Holds `steps` levels of nesting for as long as it lives; raises a syntax error past limits::kMaxNesting. A chain
  /// of operators, attribute lookups or filters nests the tree one level per link, so each link is a step: the tree
  /// stays shallow enough for the recursive evaluator and destructor.
  class Depth {
   public:
    Depth(Parser& p, int steps) : p_(p) {
      for (int k = 0; k < steps; ++k) step();
    }
    ~Depth() { p_.depth_ -= n_; }
    Depth(const Depth&) = delete;
    Depth& operator=(const Depth&) = delete;
    void step() {
      ++n_;
      if (++p_.depth_ > limits::kMaxNesting)
        p_.error("template nested too deeply (more than " + std::to_string(limits::kMaxNesting) +
                 " levels of expressions and blocks)");
    }

   private:
    Parser& p_;
    int n_ = 0;
  };

  void expect_op(const char* op) {
    if (!skip_op(op)) error("expected token '" + std::string(op) + "', got " + describe_token(cur()));
  }
  void expect(K kind, const std::string& what) {
    if (cur().kind != kind) error("expected token '" + what + "', got " + describe_token(cur()));
    next();
  }
  void expect_block_end() { expect(K::BlockEnd, "end of statement block"); }
  std::string expect_name() {
    if (cur().kind != K::Name) error("expected token 'name', got " + describe_token(cur()));
    std::string n = cur().text;
    next();
    return n;
  }

  ExprPtr make(Expr::Kind kind, const Token& at) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = at.line;
    e->column = at.column;
    return e;
  }

  // ---- statements (parser.cc) ----

  static std::string join_tags(const std::vector<std::string>& tags);
  Body subparse(const std::vector<std::string>& end_tags, const std::string& innermost);
  NodePtr new_node(Node::Kind kind, const Token& at);
  NodePtr statement();
  NodePtr parse_if();
  std::vector<std::string> assign_targets();
  NodePtr parse_for();
  NodePtr parse_set();
  void parse_params(std::vector<MacroParam>& params);
  NodePtr parse_macro();
  NodePtr parse_call_block();
  NodePtr parse_include();
  NodePtr parse_filter_block();
  NodePtr parse_import(bool from);
  NodePtr parse_with();
  NodePtr parse_block();
  NodePtr parse_extends();

  // ---- expressions (parser_expr.cc) ----

  bool at_tuple_end() const;
  ExprPtr parse_tuple(bool with_condexpr, bool explicit_parens = false);
  ExprPtr parse_expression(bool with_condexpr);
  ExprPtr parse_condexpr();
  ExprPtr binary(const Token& at, const std::string& op, ExprPtr l, ExprPtr r);
  ExprPtr parse_or();
  ExprPtr parse_and();
  ExprPtr parse_not();
  ExprPtr parse_compare();
  ExprPtr parse_math1();
  ExprPtr parse_concat();
  ExprPtr parse_math2();
  ExprPtr parse_pow();
  ExprPtr parse_unary(bool with_filter);
  ExprPtr parse_primary();
  ExprPtr parse_postfix(ExprPtr e);
  ExprPtr parse_subscript(ExprPtr e);
  void parse_args(CallArgs& args);
  ExprPtr parse_call(ExprPtr e);
  template <typename Table>
  void check_known(const Table& table, const std::string& name, const char* what, const Token& at);
  std::string dotted_name();
  ExprPtr parse_filters(ExprPtr e, bool start_inline = false);
  ExprPtr parse_filter_expr(ExprPtr e);
  ExprPtr parse_test(ExprPtr e);
};

}  // namespace prov::tmpl::detail
