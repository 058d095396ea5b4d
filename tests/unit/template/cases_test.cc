// The differential suite: templates rendered by Ansible itself (tests/template_cases/generate.py) must render the
// same here, with the settings of Ansible's templar (trim_blocks on, keep_trailing_newline off, lost trailing newlines
// put back).
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "provision/template/engine.h"

using prov::Value;

namespace {

/// Cases we do not match yet, by template text. Keep this list short and say why for each.
const std::set<std::string> kKnownFailing = {};

}  // namespace

TEST_CASE("differential: templates rendered by Ansible") {
  std::ifstream in(std::string(PROVISION_SOURCE_DIR) + "/tests/template_cases/cases.json");
  REQUIRE(in.good());
  Value cases = Value::parse(in);
  REQUIRE(cases.size() > 100);
  int known = 0;
  for (const auto& c : cases) {
    const std::string tpl = c.at("template").get<std::string>();
    if (kKnownFailing.count(tpl)) {
      ++known;
      continue;
    }
    INFO("template: " << tpl);
    prov::tmpl::Options o;
    o.trim_blocks = true;
    o.keep_trailing_newline = false;  // Ansible's templar and template module default; it re-adds lost newlines
    o.native_types = false;           // ansible-core 2.14 typing of templated variables
    prov::tmpl::ValueVars vars(c.at("vars"));
    if (c.contains("error")) {
      INFO("Ansible fails with: " << c.at("error").get<std::string>());
      CHECK_THROWS_AS(prov::tmpl::render(tpl, vars, o), prov::tmpl::TemplateError);
    } else {
      std::string got;
      try {
        got = prov::tmpl::render(tpl, vars, o);
      } catch (const std::exception& e) {
        got = std::string("error: ") + e.what();
      }
      CHECK(got == c.at("expected").get<std::string>());
    }
  }
  if (known > 0) WARN(known << " differential cases are in the known-failing list");
}
