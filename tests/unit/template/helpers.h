#pragma once
// Shorthands for template unit tests: render with JSON variables, capture error messages.
#include <string>

#include "provision/template/engine.h"

namespace tmpl_test {

inline prov::tmpl::Options opts(bool trim = false, bool lstrip = false, bool keep = false) {
  prov::tmpl::Options o;
  o.trim_blocks = trim;
  o.lstrip_blocks = lstrip;
  o.keep_trailing_newline = keep;
  return o;
}

/// Renders `source` with variables given as JSON text.
inline std::string R(const std::string& source, const std::string& vars = "{}", const prov::tmpl::Options& o = opts()) {
  prov::tmpl::ValueVars v(prov::Value::parse(vars));
  return prov::tmpl::render(source, v, o);
}

/// The message of the error rendering raises, or "no error: <output>".
inline std::string E(const std::string& source, const std::string& vars = "{}", const prov::tmpl::Options& o = opts()) {
  try {
    return "no error: " + R(source, vars, o);
  } catch (const prov::tmpl::TemplateError& e) {
    return e.message();
  }
}

}  // namespace tmpl_test
