// libFuzzer target for the template engine (lexer, parser, evaluator) through its public entry points. Every input
// is used as a whole template (with the template module's settings, then with lstrip_blocks and kept newlines), as
// a bare expression, as a condition and as a task argument. A TemplateError is the expected outcome of a bad
// input; any other exception, a crash, a hang or a sanitizer report is a finding.
// Built only with -DPROVISION_FUZZ=ON (clang); run it with bench/fuzz.sh template.
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "provision/template/engine.h"

namespace {

prov::Value* g_vars = nullptr;

/// The differential suite's variables, plus variables that reference each other (lazy templating, loops).
prov::Value load_vars() {
  std::ifstream in(std::string(PROVISION_SOURCE_DIR) + "/tests/template_cases/cases.json");
  prov::Value vars = prov::Value::object();
  if (in.good()) {
    prov::Value cases = prov::Value::parse(in);
    if (cases.is_array() && !cases.empty()) vars = cases[0].at("vars");
  }
  vars["loop_a"] = "{{ loop_b }}";
  vars["loop_b"] = "{{ loop_a }}";
  vars["deep"] = prov::Value::parse(R"({"a": {"b": {"c": [1, {"d": "{{ n }}"}]}}})");
  vars["hostvars"] = prov::Value::parse(R"({"web1": {"ansible_host": "10.0.0.1", "port": 80}})");
  vars["groups"] = prov::Value::parse(R"({"all": ["web1", "db1"], "web": ["web1"]})");
  return vars;
}

template <typename F>
void run(F&& f) {
  prov::fuzz::expect_only<prov::tmpl::TemplateError>("template", f);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_vars = new prov::Value(load_vars());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  prov::tmpl::ValueVars vars(*g_vars);

  prov::tmpl::Options module;  // the template module: Ansible's templar settings
  module.name = "fuzz.j2";
  module.trim_blocks = true;
  module.native_types = false;
  run([&] { prov::tmpl::render(text, vars, module); });

  prov::tmpl::Options lstrip = module;
  lstrip.lstrip_blocks = true;
  lstrip.keep_trailing_newline = true;
  lstrip.native_types = true;
  lstrip.name.clear();
  run([&] { prov::tmpl::render(text, vars, lstrip); });

  prov::tmpl::Options task;
  task.name = "play.yml:3";
  run([&] { prov::tmpl::evaluate(text, vars, task); });
  run([&] { prov::tmpl::condition(text, vars, task); });
  run([&] {
    prov::Value args = prov::Value::object();
    args["msg"] = std::string(text);
    args["list"] = prov::Value::array({std::string(text), 1});
    prov::tmpl::template_value(args, vars, module);
  });
  return 0;
}
