// Recursive-descent parser with Jinja2's precedence: condexpr < or < and < not < compare < + - < ~ < * / // %
// < ** < unary < postfix (. [] ()) and filters/tests.
#include "parser.h"

#include <set>

#include "eval.h"
#include "lexer.h"
#include "limits.h"
#include "provision/core/error.h"

namespace prov::tmpl {
namespace {

using K = Token::Kind;

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view source, const Options& options)
      : toks_(std::move(tokens)), src_(source), opts_(options) {}

  Body parse_all() {
    Body body = subparse({}, "");
    return body;
  }

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

  // ---- statements ----

  static std::string join_tags(const std::vector<std::string>& tags) {
    std::string out;
    for (size_t k = 0; k < tags.size(); ++k) out += (k ? " or '" : "'") + tags[k] + "'";
    return out;
  }

  /// Parses nodes until a block tag named in end_tags; leaves the cursor on that tag's name.
  Body subparse(const std::vector<std::string>& end_tags, const std::string& innermost) {
    Depth depth(*this, 1);
    Body body;
    while (true) {
      const Token& t = cur();
      if (t.kind == K::Eof) {
        if (end_tags.empty()) return body;
        error("Unexpected end of template. Jinja was looking for the following tags: " + join_tags(end_tags) +
              ". The innermost block that needs to be closed is '" + innermost + "'.");
      }
      if (t.kind == K::Data) {
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::Text;
        n->text = t.text;
        n->line = t.line;
        body.push_back(std::move(n));
        next();
      } else if (t.kind == K::VarBegin) {
        next();
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::Output;
        n->line = t.line;
        n->expr = parse_tuple(true);
        expect(K::VarEnd, "end of print statement");
        body.push_back(std::move(n));
      } else if (t.kind == K::BlockBegin) {
        next();
        if (cur().kind != K::Name) error("tag name expected");
        for (const auto& tag : end_tags)
          if (cur().text == tag) return body;
        body.push_back(statement());
      } else {
        error("unexpected " + describe_token(t));
      }
    }
  }

  NodePtr new_node(Node::Kind kind, const Token& at) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->line = at.line;
    return n;
  }

  NodePtr statement() {
    const Token tag = cur();
    const std::string& name = tag.text;
    if (name == "if") return parse_if();
    if (name == "for") return parse_for();
    if (name == "set") return parse_set();
    if (name == "macro") return parse_macro();
    if (name == "call") return parse_call_block();
    if (name == "include") return parse_include();
    if (name == "filter") return parse_filter_block();
    if (name == "with") return parse_with();
    if (name == "import" || name == "from") return parse_import(name == "from");
    static const std::set<std::string> closers = {"endif",    "endfor",  "else",      "elif",    "endset",
                                                  "endmacro", "endcall", "endfilter", "endwith", "endraw"};
    if (closers.count(name)) error("Encountered unknown tag '" + name + "'.");
    error("Encountered unknown tag '" + name + "'.");
  }

  NodePtr parse_if() {
    auto n = new_node(Node::Kind::If, cur());
    next();
    while (true) {
      ExprPtr cond = parse_tuple(false);
      expect_block_end();
      Body body = subparse({"elif", "else", "endif"}, "if");
      n->branches.emplace_back(std::move(cond), std::move(body));
      std::string t = cur().text;
      next();
      if (t == "elif") continue;
      if (t == "else") {
        expect_block_end();
        n->else_body = subparse({"endif"}, "if");
        next();
      }
      expect_block_end();
      return n;
    }
  }

  std::vector<std::string> assign_targets() {
    std::vector<std::string> names;
    bool paren = skip_op("(");
    names.push_back(expect_name());
    while (skip_op(",")) {
      if (cur().kind != K::Name) break;
      names.push_back(expect_name());
    }
    if (paren) expect_op(")");
    return names;
  }

  NodePtr parse_for() {
    auto n = new_node(Node::Kind::For, cur());
    next();
    n->targets = assign_targets();
    if (!skip_name("in")) error("expected token 'in', got " + describe_token(cur()));
    n->expr = parse_tuple(false);
    if (skip_name("if")) n->cond = parse_expression(true);
    if (skip_name("recursive")) n->recursive = true;
    expect_block_end();
    n->body = subparse({"endfor", "else"}, "for");
    if (cur().text == "else") {
      next();
      expect_block_end();
      n->else_body = subparse({"endfor"}, "for");
    }
    next();
    expect_block_end();
    return n;
  }

  NodePtr parse_set() {
    auto n = new_node(Node::Kind::Set, cur());
    next();
    std::string first = expect_name();
    if (skip_op(".")) {
      n->targets = {first};
      n->attr = expect_name();
    } else {
      n->targets = {first};
      while (skip_op(",")) n->targets.push_back(expect_name());
    }
    if (skip_op("=")) {
      n->expr = parse_tuple(true);
      expect_block_end();
      return n;
    }
    if (is_op("|")) n->cond = parse_filters(nullptr);  // {% set x | filter %} applies to the block
    expect_block_end();
    n->body = subparse({"endset"}, "set");
    next();
    expect_block_end();
    return n;
  }

  void parse_params(std::vector<MacroParam>& params) {
    expect_op("(");
    while (!is_op(")")) {
      if (!params.empty()) expect_op(",");
      if (is_op(")")) break;
      MacroParam p;
      p.name = expect_name();
      if (skip_op("=")) p.default_value = parse_expression(true);
      params.push_back(std::move(p));
    }
    next();
  }

  NodePtr parse_macro() {
    auto n = new_node(Node::Kind::Macro, cur());
    next();
    n->name = expect_name();
    parse_params(n->params);
    expect_block_end();
    n->body = subparse({"endmacro"}, "macro");
    next();
    expect_block_end();
    return n;
  }

  NodePtr parse_call_block() {
    auto n = new_node(Node::Kind::CallBlock, cur());
    next();
    if (is_op("(")) parse_params(n->params);
    n->expr = parse_expression(true);
    if (n->expr->kind != Expr::Kind::Call) error("expected call");
    expect_block_end();
    n->body = subparse({"endcall"}, "call");
    next();
    expect_block_end();
    return n;
  }

  NodePtr parse_include() {
    auto n = new_node(Node::Kind::Include, cur());
    next();
    n->expr = parse_expression(true);
    if (is_name("ignore") && peek().kind == K::Name && peek().text == "missing") {
      next();
      next();
      n->ignore_missing = true;
    }
    if ((is_name("with") || is_name("without")) && peek().kind == K::Name && peek().text == "context") {
      next();
      next();
    }
    expect_block_end();
    return n;
  }

  NodePtr parse_filter_block() {
    auto n = new_node(Node::Kind::FilterBlock, cur());
    next();
    n->expr = parse_filters(nullptr, true);
    expect_block_end();
    n->body = subparse({"endfilter"}, "filter");
    next();
    expect_block_end();
    return n;
  }

  NodePtr parse_import(bool from) {
    auto n = new_node(Node::Kind::Import, cur());
    next();
    n->expr = parse_expression(true);
    if (from) {
      if (!skip_name("import")) error("expected token 'import', got " + describe_token(cur()));
      do {
        if (is_name("with") || is_name("without")) break;
        std::string name = expect_name();
        std::string alias = skip_name("as") ? expect_name() : name;
        n->imports.emplace_back(name, alias);
      } while (skip_op(","));
    } else {
      if (!skip_name("as")) error("expected token 'as', got " + describe_token(cur()));
      n->attr = expect_name();
    }
    if ((is_name("with") || is_name("without")) && peek().kind == K::Name && peek().text == "context") {
      next();
      next();
    }
    expect_block_end();
    return n;
  }

  NodePtr parse_with() {
    auto n = new_node(Node::Kind::With, cur());
    next();
    while (cur().kind != K::BlockEnd) {
      if (!n->targets.empty()) expect_op(",");
      n->targets.push_back(expect_name());
      expect_op("=");
      n->with_values.push_back(parse_expression(true));
    }
    expect_block_end();
    n->body = subparse({"endwith"}, "with");
    next();
    expect_block_end();
    return n;
  }

  // ---- expressions ----

  bool at_tuple_end() const {
    K k = cur().kind;
    return k == K::VarEnd || k == K::BlockEnd || k == K::Eof || (k == K::Op && (cur().text == ")"));
  }

  ExprPtr parse_tuple(bool with_condexpr, bool explicit_parens = false) {
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

  ExprPtr parse_expression(bool with_condexpr) { return with_condexpr ? parse_condexpr() : parse_or(); }

  ExprPtr parse_condexpr() {
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

  ExprPtr binary(const Token& at, const std::string& op, ExprPtr l, ExprPtr r) {
    auto e = make(Expr::Kind::Binary, at);
    e->name = op;
    e->a = std::move(l);
    e->b = std::move(r);
    return e;
  }

  ExprPtr parse_or() {
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

  ExprPtr parse_and() {
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

  ExprPtr parse_not() {
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

  ExprPtr parse_compare() {
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

  ExprPtr parse_math1() {
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

  ExprPtr parse_concat() {
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

  ExprPtr parse_math2() {
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

  ExprPtr parse_pow() {
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

  ExprPtr parse_unary(bool with_filter) {
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

  ExprPtr parse_primary() {
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
      default:
        break;
    }
    error("unexpected " + describe_token(t));
  }

  ExprPtr parse_postfix(ExprPtr e) {
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

  ExprPtr parse_subscript(ExprPtr e) {
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

  void parse_args(CallArgs& args) {
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

  ExprPtr parse_call(ExprPtr e) {
    auto c = make(Expr::Kind::Call, cur());
    c->a = std::move(e);
    parse_args(c->args);
    return c;
  }

  /// Unknown filters and tests are syntax errors, even in branches that never run (as in Jinja).
  template <typename Table>
  void check_known(const Table& table, const std::string& name, const char* what, const Token& at) {
    size_t dot = name.rfind('.');
    std::string short_name = dot == std::string::npos ? name : name.substr(dot + 1);
    if (table.count(short_name)) return;
    std::vector<std::string> names;
    for (const auto& [k, v] : table) names.push_back(k);
    error_at(std::string("No ") + what + " named '" + name + "'." + did_you_mean(name, names), at);
  }

  std::string dotted_name() {
    std::string n = expect_name();
    while (is_op(".") && peek().kind == K::Name) {
      next();
      n += "." + expect_name();
    }
    return n;
  }

  /// Parses `| f(args) | g ...`; with start_inline the first filter has no leading pipe (filter blocks).
  ExprPtr parse_filters(ExprPtr e, bool start_inline = false) {
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

  ExprPtr parse_filter_expr(ExprPtr e) {
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

  ExprPtr parse_test(ExprPtr e) {
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
};

}  // namespace

std::shared_ptr<const Template> parse_template(std::string_view source, const Options& options) {
  auto t = std::make_shared<Template>();
  t->name = options.name;
  t->source = std::string(source);
  Parser p(tokenize(source, options), source, options);
  t->body = p.parse_all();
  return t;
}

std::shared_ptr<const Expr> parse_expression(std::string_view source, const Options& options) {
  Parser p(tokenize_expression(source, options), source, options);
  return std::shared_ptr<const Expr>(p.parse_bare_expression());
}

}  // namespace prov::tmpl
