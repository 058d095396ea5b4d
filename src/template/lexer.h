#pragma once
// Splits template source into text and the tokens inside {{ }} and {% %} tags, applying Jinja's whitespace
// rules (-/+ markers, trim_blocks, lstrip_blocks) and {% raw %} sections on the way.
#include <string>
#include <string_view>
#include <vector>

#include "provision/core/value.h"
#include "provision/template/engine.h"

namespace prov::tmpl {

struct Token {
  enum class Kind { Data, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof };
  Kind kind = Kind::Eof;
  std::string text;  // Data text, Name, Op, decoded String
  Value number;      // Int / Float
  int line = 1;
  int column = 1;
};

/// Tokenizes a whole template; raises TemplateError (with name, line, column and the line) on lexical errors.
std::vector<Token> tokenize(std::string_view source, const Options& options);

/// Tokenizes a bare expression (as in `when:`), ending with Eof.
std::vector<Token> tokenize_expression(std::string_view source, const Options& options);

/// Raises a syntax error at a 1-based line and column of source.
[[noreturn]] void syntax_error(const std::string& message, std::string_view source, const Options& options, int line,
                               int column);

/// How a token is named in error messages ("end of print statement", "'foo'").
std::string describe_token(const Token& t);

}  // namespace prov::tmpl
