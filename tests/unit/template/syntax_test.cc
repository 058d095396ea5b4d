// Delimiters, whitespace control, statements and syntax errors.
#include <catch2/catch.hpp>

#include "helpers.h"

using namespace tmpl_test;

TEST_CASE("template: text, output and comments") {
  CHECK(R("plain") == "plain");
  CHECK(R("Hello {{ name }}!", R"({"name": "world"})") == "Hello world!");
  CHECK(R("a{# note #}b") == "ab");
  CHECK(R("{{ '}}' }}") == "}}");
  CHECK(R("{{ {'a': {'b': 1}} }}") == "{'a': {'b': 1}}");
  CHECK(R("{% raw %}{{ x }}{% if %}{% endraw %}") == "{{ x }}{% if %}");
}

TEST_CASE("template: whitespace control") {
  CHECK(R("a  {{- 1 -}}  b") == "a1b");
  CHECK(R("a\n  {%- if true %}x{% endif -%}\n  b") == "axb");
  CHECK(R("{% if true %}\nyes\n{% endif %}\n") == "\nyes\n");
  CHECK(R("{% if true %}\nyes\n{% endif %}\n", "{}", opts(true)) == "yes\n");
  CHECK(R("x\n  {% if true %}\ny\n  {% endif %}\nz", "{}", opts(true, true)) == "x\ny\nz");
  CHECK(R("  {%+ if true %}y{% endif %}", "{}", opts(false, true)) == "  y");
  CHECK(R("{# c #}\nz", "{}", opts(true)) == "z");
}

TEST_CASE("template: trailing newlines") {
  CHECK(R("a\n") == "a\n");  // Jinja drops one, Ansible's templar puts it back
  CHECK(R("a\n\n") == "a\n\n");
  CHECK(R("{{ 'a' }}\n", "{}", opts(true, false, true)) == "a\n");
  CHECK(R("{% if true %}y{% endif %}\n", "{}", opts(true)) == "y\n");
  CHECK(R("{{ x }}\n", R"({"x": "v\n"})", opts(false, false, true)) == "v\n\n");
}

TEST_CASE("template: if / elif / else") {
  const std::string t = "{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %}";
  CHECK(R(t, R"({"n": 7})") == "big");
  CHECK(R(t, R"({"n": 3})") == "mid");
  CHECK(R(t, R"({"n": 1})") == "small");
}

TEST_CASE("template: for loops") {
  CHECK(R("{% for x in xs %}{{ x }},{% endfor %}", R"({"xs": [1, 2, 3]})") == "1,2,3,");
  CHECK(R("{% for x in [] %}a{% else %}none{% endfor %}") == "none");
  CHECK(R("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", R"({"d": {"b": 1, "a": 2}})") == "b=1;a=2;");
  CHECK(R("{% for k in d %}{{ k }}{% endfor %}", R"({"d": {"b": 1, "a": 2}})") == "ba");
  CHECK(R("{% for c in 'abc' %}{{ c }}.{% endfor %}") == "a.b.c.");
  CHECK(R("{% for x in range(5) if x is odd %}{{ loop.index }}/{{ loop.length }}:{{ x }} {% endfor %}") ==
        "1/2:1 2/2:3 ");
  CHECK(R("{% for x in 'abc' %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}"
          "{{ loop.last }} {% endfor %}") == "032TrueFalse 121FalseFalse 210FalseTrue ");
  CHECK(R("{% for x in [1, 2, 3] %}{{ loop.cycle('a', 'b') }}{% endfor %}") == "aba");
  CHECK(R("{% for x in [1, 2] %}{{ loop.previtem | default('-') }}{{ loop.nextitem | default('-') }}{% endfor %}") ==
        "-21-");
  CHECK(R("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}") == "3 7 ");
  CHECK(R("{% for x in [[1, 2], [3]] %}{% for y in x %}{{ loop.index }}{% endfor %}|{% endfor %}") == "12|1|");
}

TEST_CASE("template: set, block set, namespace, scoping") {
  CHECK(R("{% set a = 5 %}{% set b, c = 1, 2 %}{{ a + b + c }}") == "8");
  CHECK(R("{% set x %}in {{ 1 + 1 }}{% endset %}[{{ x }}]") == "[in 2]");
  CHECK(R("{% set x | upper %}abc{% endset %}{{ x }}") == "ABC");
  CHECK(R("{% set ns = namespace(total=0) %}{% for x in [1, 2, 3] %}{% set ns.total = ns.total + x %}"
          "{% endfor %}{{ ns.total }}") == "6");
  CHECK(R("{% set v = 1 %}{% for x in [5] %}{% set v = x %}{% endfor %}{{ v }}") == "1");
  CHECK(R("{% set v = 1 %}{% if true %}{% set v = 2 %}{% endif %}{{ v }}") == "2");
}

TEST_CASE("template: macros, call blocks, filter and with blocks") {
  CHECK(R("{% macro greet(who, greeting='Hello') %}{{ greeting }}, {{ who }}!{% endmacro %}"
          "{{ greet('bob') }} {{ greet('amy', greeting='Hi') }} {{ greet(who='z', greeting='Yo') }}") ==
        "Hello, bob! Hi, amy! Yo, z!");
  CHECK(R("{% macro box(t) %}[{{ t }}:{{ caller() }}]{% endmacro %}{% call box('x') %}in{% endcall %}") == "[x:in]");
  CHECK(R("{% macro li(xs) %}{% for x in xs %}<{{ caller(x) }}>{% endfor %}{% endmacro %}"
          "{% call(item) li([1, 2]) %}{{ item * 10 }}{% endcall %}") == "<10><20>");
  CHECK(R("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}{% endmacro %}"
          "{{ fact(5) }}") == "120");
  CHECK(R("{% filter upper %}shout {{ 'it' }}{% endfilter %}") == "SHOUT IT");
  CHECK(R("{% filter replace('a', 'o') | upper %}banana{% endfilter %}") == "BONONO");
  CHECK(R("{% with x = 3, y = 4 %}{{ x * y }}{% endwith %}") == "12");
}

TEST_CASE("template: syntax errors name the template, line and column") {
  prov::tmpl::Options o;
  o.name = "site.j2";
  CHECK(E("line one\n{{ foo }", "{}", o) ==
        "template error while templating string: unexpected '}'\n  site.j2:2:8: {{ foo }");
  CHECK(E("{% if %}x{% endif %}") ==
        "template error while templating string: Expected an expression, got 'end of "
        "statement block'\n  <template>:1:7: {% if %}x{% endif %}");
  CHECK(E("{% for x in xs %}no end") ==
        "template error while templating string: Unexpected end of template. Jinja was looking for the following "
        "tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.\n  <template>:1:24: "
        "{% for x in xs %}no end");
  CHECK(E("{% bogus %}") ==
        "template error while templating string: Encountered unknown tag 'bogus'.\n"
        "  <template>:1:4: {% bogus %}");
  CHECK(E("{{ foo bar }}") ==
        "template error while templating string: expected token 'end of print statement', "
        "got 'bar'\n  <template>:1:8: {{ foo bar }}");
  try {
    prov::tmpl::ValueVars v(prov::Value::object());
    prov::tmpl::render("a\n\n  {{ 1 +", v, o);
    FAIL("no error");
  } catch (const prov::tmpl::TemplateError& e) {
    CHECK(e.loc().str() == "site.j2:3:9");
  }
}

TEST_CASE("template: errors in text from a playbook value are located at its task, the position given in words") {
  prov::tmpl::Options o;
  o.name = "site.yml:6:7";
  o.in_value = true;
  auto located = [&](const std::string& source) {
    try {
      prov::tmpl::ValueVars v(prov::Value::parse(R"({"foo": {}})"));
      prov::tmpl::template_value(source, v, o);
    } catch (const prov::tmpl::TemplateError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(located("{{ foo bar }}") ==
        "site.yml:6:7: template error while templating string: expected token 'end of print statement', got 'bar' "
        "at line 1, column 8 of the expression: {{ foo bar }}");
  CHECK(located("first\n{% if foo %}{{ foo }{% endif %}") ==
        "site.yml:6:7: template error while templating string: unexpected '}' at line 2, column 20 of the "
        "expression: {% if foo %}{{ foo }{% endif %}");
  // An error found while rendering keeps the task's place too, not a line of the value glued onto it.
  CHECK(located("a\n{{ foo.bar }}") == "site.yml:6:7: 'dict object' has no attribute 'bar'");
}

TEST_CASE("template: recursive loops and loop helpers") {
  const std::string tree =
      R"({"tree": [{"n": "a", "kids": [{"n": "b", "kids": []}, {"n": "c", "kids": [{"n": "d", "kids": []}]}]}]})";
  CHECK(R("{% for x in tree recursive %}{{ x.n }}{{ loop.depth }}{% if x.kids %}({{ loop(x.kids) }}){% endif %}"
          "{% endfor %}",
          tree) == "a1(b2c2(d3))");
  CHECK(R("{% for x in [1, 1, 2, 2, 1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}") == "121");
  CHECK(R("{% for x in 'ab' %}{{ loop.depth0 }}{% endfor %}") == "00");
  CHECK(E("{% for x in [1] %}{{ loop(x) }}{% endfor %}") == "'LoopContext' object is not callable");
}
