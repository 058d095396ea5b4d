// The parser's entry points and its statements: {% if %}, {% for %}, {% set %}, {% macro %}, {% call %},
// {% include %}, {% filter %}, {% import %} and {% with %}. Expressions are in parser_expr.cc.
#include "parser.h"

#include <set>

#include "parser_impl.h"

namespace prov::tmpl {
namespace detail {

std::string Parser::join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (size_t k = 0; k < tags.size(); ++k) out += (k ? " or '" : "'") + tags[k] + "'";
  return out;
}

/// Parses nodes until a block tag named in end_tags; leaves the cursor on that tag's name.
Body Parser::subparse(const std::vector<std::string>& end_tags, const std::string& innermost) {
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

NodePtr Parser::new_node(Node::Kind kind, const Token& at) {
  auto n = std::make_unique<Node>();
  n->kind = kind;
  n->line = at.line;
  return n;
}

NodePtr Parser::statement() {
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
  if (name == "block") return parse_block();
  if (name == "extends") return parse_extends();
  static const std::set<std::string> closers = {"endif",   "endfor",    "else",    "elif",   "endset",  "endmacro",
                                                "endcall", "endfilter", "endwith", "endraw", "endblock"};
  if (closers.count(name)) error("Encountered unknown tag '" + name + "'.");
  error("Encountered unknown tag '" + name + "'.");
}

NodePtr Parser::parse_if() {
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

std::vector<std::string> Parser::assign_targets() {
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

NodePtr Parser::parse_for() {
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

NodePtr Parser::parse_set() {
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

void Parser::parse_params(std::vector<MacroParam>& params) {
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

NodePtr Parser::parse_macro() {
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

NodePtr Parser::parse_call_block() {
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

NodePtr Parser::parse_include() {
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

NodePtr Parser::parse_filter_block() {
  auto n = new_node(Node::Kind::FilterBlock, cur());
  next();
  n->expr = parse_filters(nullptr, true);
  expect_block_end();
  n->body = subparse({"endfilter"}, "filter");
  next();
  expect_block_end();
  return n;
}

NodePtr Parser::parse_import(bool from) {
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

NodePtr Parser::parse_block() {
  auto n = new_node(Node::Kind::Block, cur());
  next();
  n->name = expect_name();
  while (true) {
    if (skip_name("scoped"))
      n->scoped = true;
    else if (skip_name("required"))
      n->required = true;
    else
      break;
  }
  expect_block_end();
  n->body = subparse({"endblock"}, "block");
  next();
  if (cur().kind == K::Name && cur().text != n->name)
    error("mismatching name '" + cur().text + "' for block '" + n->name + "'");
  if (cur().kind == K::Name) next();
  expect_block_end();
  if (n->required) {
    // A required block is a placeholder for the child's: only whitespace (and comments, already gone) may be in it.
    for (const auto& c : n->body)
      if (c->kind != Node::Kind::Text || c->text.find_first_not_of(" \t\r\n") != std::string::npos)
        syntax_error("Required blocks can only contain comments or whitespace", src_, opts_, n->line, 1);
  }
  if (!blocks.emplace(n->name, n.get()).second)
    syntax_error("block '" + n->name + "' defined twice", src_, opts_, n->line, 1);
  return n;
}

NodePtr Parser::parse_extends() {
  auto n = new_node(Node::Kind::Extends, cur());
  next();
  n->expr = parse_expression(true);
  expect_block_end();
  return n;
}

NodePtr Parser::parse_with() {
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

}  // namespace detail

std::shared_ptr<const Template> parse_template(std::string_view source, const Options& options) {
  auto t = std::make_shared<Template>();
  t->name = options.name;
  t->in_value = options.in_value;
  t->source = std::string(source);
  detail::Parser p(tokenize(source, options), source, options);
  t->body = p.parse_all();
  t->blocks = std::move(p.blocks);
  return t;
}

std::shared_ptr<const Expr> parse_expression(std::string_view source, const Options& options) {
  detail::Parser p(tokenize_expression(source, options), source, options);
  return std::shared_ptr<const Expr>(p.parse_bare_expression());
}

}  // namespace prov::tmpl
