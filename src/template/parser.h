#pragma once
// Tokens -> syntax tree, following Jinja2's grammar and operator precedence.
#include <memory>
#include <string_view>

#include "ast.h"
#include "provision/template/engine.h"

namespace prov::tmpl {

/// Parses a whole template; syntax errors name options.name, line and column.
std::shared_ptr<const Template> parse_template(std::string_view source, const Options& options);

/// Parses a bare expression (no {{ }}).
std::shared_ptr<const Expr> parse_expression(std::string_view source, const Options& options);

}  // namespace prov::tmpl
