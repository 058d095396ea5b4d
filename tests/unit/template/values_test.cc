// template_value, evaluate, condition, python_str, lazy variables and undefined values.
#include <catch2/catch.hpp>

#include "helpers.h"

using namespace tmpl_test;
using prov::Value;
using namespace prov::tmpl;

namespace {

Value TV(const Value& v, const std::string& vars) {
  ValueVars vv(Value::parse(vars));
  return template_value(v, vv);
}

Value EV(const std::string& expr, const std::string& vars = "{}") {
  ValueVars vv(Value::parse(vars));
  return evaluate(expr, vv);
}

bool C(const std::string& expr, const std::string& vars = "{}") {
  ValueVars vv(Value::parse(vars));
  return condition(expr, vv);
}

}  // namespace

TEST_CASE("template_value: a lone expression keeps its native type") {
  const std::string vars = R"({"xs": [1, 2], "n": 3, "d": {"a": true}, "s": "x"})";
  CHECK(TV("{{ xs }}", vars) == Value::parse("[1, 2]"));
  CHECK(TV("{{ n + 1 }}", vars) == Value(4));
  CHECK(TV("{{ d }}", vars) == Value::parse(R"({"a": true})"));
  CHECK(TV("{{ none }}", vars) == Value(nullptr));
  CHECK(TV("{{ n > 1 }}", vars) == Value(true));
  CHECK(TV("n={{ n }}", vars) == Value("n=3"));
  CHECK(TV(" {{ n }}", vars) == Value(" 3"));
  CHECK(TV("plain", vars) == Value("plain"));
  CHECK(TV(Value(5), vars) == Value(5));
  // Ansible reads rendered text that looks like a list, dict or bool back as one.
  CHECK(TV("[{{ n }}, '{{ s }}']", vars) == Value::parse(R"([3, "x"])"));
  CHECK(TV("{{ s }}{{ 'rue' }}", R"({"s": "T"})") == Value(true));
  CHECK(TV(Value::parse(R"({"k": ["{{ s }}", "{{ n }}"], "{{ s }}key": 1})"), vars) ==
        Value::parse(R"({"k": ["x", 3], "xkey": 1})"));
}

TEST_CASE("evaluate and condition") {
  CHECK(EV("1 + 2 * 3") == Value(7));
  CHECK(EV("xs | length > 1", R"({"xs": [1, 2]})") == Value(true));
  CHECK(EV("x", R"({"x": {"a": [1]}})") == Value::parse(R"({"a": [1]})"));
  CHECK(EV("'a' ~ 1") == Value("a1"));
  CHECK(C("x == 'a'", R"({"x": "a"})"));
  CHECK_FALSE(C("x is not defined", R"({"x": 1})"));
  CHECK(C("missing is not defined"));
  CHECK(C("{{ x }}", R"({"x": true})"));
  CHECK_FALSE(C("{{ x }}", R"({"x": false})"));
  CHECK(C("{{ expr }}", R"({"expr": "1 < 2"})"));  // rendered text is evaluated again, as Ansible does
  CHECK_FALSE(C("{{ '' }}"));
  CHECK(C("True"));
  CHECK_FALSE(C("xs", R"({"xs": []})"));
  CHECK(C("result is changed", R"({"result": {"changed": true}})"));
}

TEST_CASE("python_str prints values as Python does") {
  CHECK(python_str(Value::parse(R"(["a", 1])")) == "['a', 1]");
  CHECK(python_str(Value::parse(R"({"k": true, "n": null})")) == "{'k': True, 'n': None}");
  CHECK(python_str(Value(nullptr)) == "None");
  CHECK(python_str(Value(1.0)) == "1.0");
  CHECK(python_str(Value(0.1)) == "0.1");
  CHECK(python_str(Value(1e16)) == "1e+16");
  CHECK(python_str(Value(1e15)) == "1000000000000000.0");
  CHECK(python_str(Value(1.5e-5)) == "1.5e-05");
  CHECK(python_str(Value(0.0001)) == "0.0001");
  CHECK(python_str(Value(-2.5)) == "-2.5");
  CHECK(python_str(Value("it's")) == "it's");
  CHECK(python_str(Value::parse(R"(["it's", "a\"b", "x\ny"])")) == R"(["it's", 'a"b', 'x\ny'])");
  CHECK(python_str(Value::parse(R"([[], {}])")) == "[[], {}]");
}

TEST_CASE("lazy variables are templated when used") {
  const std::string vars = R"({"a": "{{ b }}-a", "b": "{{ c | upper }}", "c": "x",
                               "list": ["{{ c }}", {"k": "{{ a }}"}], "n": "{{ 2 + 3 }}"})";
  CHECK(R("{{ a }}", vars) == "X-a");
  CHECK(R("{{ list }}", vars) == "['x', {'k': 'X-a'}]");
  CHECK(R("{{ list[1].k }}", vars) == "X-a");
  CHECK(R("{{ n + 1 }}", vars) == "6");
  CHECK(E("{{ a }}", R"({"a": "{{ b }}", "b": "{{ a }}"})") == "recursive loop detected in template: a -> b -> a");
  CHECK(E("{{ x }}", R"({"x": "{{ y }}", "y": "{{ z }}", "z": "{{ y }}"})") ==
        "recursive loop detected in template: y -> z -> y");
  CHECK(E("{{ x }}", R"({"x": "{{ x }}"})") == "recursive loop detected in template: x -> x");
}

TEST_CASE("undefined variables behave like Ansible's strict undefined") {
  CHECK(E("{{ foo }}") == "'foo' is undefined");
  CHECK(E("{{ d.bar }}", R"({"d": {}})") == "'dict object' has no attribute 'bar'");
  CHECK(E("{{ d['bar'] }}", R"({"d": {}})") == "'dict object' has no attribute 'bar'");
  CHECK(E("{{ s.bar }}", R"({"s": "x"})") == "'str object' has no attribute 'bar'");
  CHECK(E("{{ foo.bar.baz }}") == "'foo' is undefined");
  CHECK(E("{% for x in foo %}{% endfor %}") == "'foo' is undefined");
  CHECK(E("{{ foo + 1 }}") == "'foo' is undefined");
  CHECK(E("{{ foo ~ 'x' }}") == "'foo' is undefined");
  CHECK(E("{% if foo %}{% endif %}") == "'foo' is undefined");
  CHECK(E("{{ foo | mandatory }}") == "Mandatory variable 'foo'  not defined.");
  CHECK(E("{{ foo | mandatory('say foo') }}") == "say foo");
  CHECK(R("{{ foo is defined }} {{ foo is undefined }} {{ foo.bar is defined }} {{ d.x is defined }}",
          R"({"d": {}})") == "False True False False");
  CHECK(R("{{ foo | default('a') }} {{ foo.bar | d('b') }} {{ d.x | default(1) }} {{ '' | default('e', true) }}",
          R"({"d": {}})") == "a b 1 e");
  CHECK(E("{{ foo == 1 }}") == "'foo' is undefined");
  CHECK(E("{{ 1 != d.x }}", R"({"d": {}})") == "'dict object' has no attribute 'x'");
  try {
    R("{{ missing_var }}");
    FAIL("no error");
  } catch (const UndefinedError& e) {
    CHECK(e.name() == "missing_var");
  }
  prov::tmpl::Options o;
  o.name = "t.j2";
  try {
    R("line\n{{ x }}", "{}", o);
    FAIL("no error");
  } catch (const UndefinedError& e) {
    CHECK(e.loc().str() == "t.j2:2");
  }
}

TEST_CASE("template_value: ansible-core 2.14 typing when native_types is off") {
  Options o;
  o.native_types = false;
  ValueVars vv(Value::parse(R"({"n": 5, "l": [1], "x": null, "s": "[1, 2]", "t": "{{ n * 2 }}"})"));
  CHECK(template_value(Value("{{ n }}"), vv, o) == Value(5));
  CHECK(template_value(Value("{{ x }}"), vv, o) == Value(nullptr));
  CHECK(template_value(Value("{{ 5 }}"), vv, o) == Value("5"));
  CHECK(template_value(Value("{{ 1.5 }}"), vv, o) == Value("1.5"));
  CHECK(template_value(Value("{{ none }}"), vv, o) == Value(""));
  CHECK(template_value(Value("{{ l }}"), vv, o) == Value::parse("[1]"));
  CHECK(template_value(Value("{{ s }}"), vv, o) == Value::parse("[1, 2]"));
  CHECK(template_value(Value("{{ n > 1 }}"), vv, o) == Value(true));
  CHECK(template_value(Value(" {{ l }}"), vv, o) == Value(" [1]"));
  CHECK(template_value(Value("{{ t }}"), vv, o) == Value("10"));
  CHECK(render("{{ t | int + 1 }}", vv, o) == "11");
}
