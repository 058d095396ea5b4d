// Expressions: literals, operators with Python semantics, attribute and item access, methods, globals.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "helpers.h"

using namespace tmpl_test;
using prov::Value;

TEST_CASE("expressions: literals and printing") {
  CHECK(R("{{ 1 }} {{ 1.0 }} {{ -0.5 }} {{ 1e3 }} {{ 1_000 }}") == "1 1.0 -0.5 1000.0 1000");
  CHECK(R("{{ [1, 'a', none, true, 2.5] }}") == "[1, 'a', None, True, 2.5]");
  CHECK(R("{{ {'k': True, 'n': None} }}") == "{'k': True, 'n': None}");
  CHECK(R("{{ none }}|{{ True }}|{{ false }}") == "|True|False");  // Ansible prints None as ''
  CHECK(R("{{ 'a\\tb' }}|{{ \"q'\" }}|{{ 'x' 'y' }}") == "a\tb|q'|xy");
  CHECK(R("{{ '\\u00e9' }}") == "\xc3\xa9");
}

TEST_CASE("expressions: arithmetic follows Python") {
  CHECK(R("{{ 10 / 4 }} {{ 10 // 4 }} {{ 10 % 4 }} {{ 2 ** 10 }} {{ 4 / 2 }}") == "2.5 2 2 1024 2.0");
  CHECK(R("{{ -7 // 2 }} {{ -7 % 3 }} {{ 7.5 // 2 }} {{ 0.1 + 0.2 }}") == "-4 2 3.0 0.30000000000000004");
  CHECK(R("{{ 'ab' * 2 }} {{ 2 * [0] }} {{ 'a' + 'b' }} {{ [1] + [2] }} {{ 1 + 2.0 }} {{ true + 1 }}") ==
        "abab [0, 0] ab [1, 2] 3.0 2");
  CHECK(R("{{ 'x' ~ 1 ~ [2] }}") == "x1[2]");
  CHECK(R("{{ '%s-%03d' % ('a', 7) }} {{ '%.2f' % 3.14159 }}") == "a-007 3.14");
  CHECK(E("{{ 1 + 'a' }}") == "unsupported operand type(s) for +: 'int' and 'str'");
  CHECK(E("{{ 'a' + 1 }}") == "can only concatenate str (not \"int\") to str");
  CHECK(E("{{ 1 / 0 }}") == "division by zero");
  CHECK(E("{{ 1 < 'a' }}") == "'<' not supported between instances of 'int' and 'str'");
}

TEST_CASE("expressions: comparison, logic, conditional") {
  CHECK(R("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ [1, 2] == [1, 2] }}") ==
        "True False True True True");
  CHECK(R("{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'a' in {'a': 1} }} {{ 'z' not in 'abc' }}") ==
        "True True True True");
  CHECK(R("{{ 0 or 'x' }} {{ 1 and 'y' }} {{ none or [] }} {{ not '' }} {{ 'a' and 0 }}") == "x y [] True 0");
  CHECK(R("{{ 'y' if 1 else 'n' }} {{ 'y' if 0 else 'n' }} {{ 'y' if 0 }}|") == "y n |");
  CHECK(R("{{ not 1 is number }} {{ -1 | abs }} {{ -2 ** 2 }}") == "False 1 4");
}

TEST_CASE("expressions: access and slicing") {
  const std::string vars = R"({"d": {"a": 1, "c": {"x": [10, 20]}, "items": 5}, "xs": [3, 1, 2], "s": "Hello"})";
  CHECK(R("{{ d.a }} {{ d['a'] }} {{ d.c.x[1] }} {{ d.c.x.0 }} {{ xs[-1] }}", vars) == "1 1 20 10 2");
  CHECK(R("{{ s[1:4] }} {{ xs[::-1] }} {{ s[-3:] }} {{ s[:2] }} {{ xs[1:] }} {{ s[::2] }}", vars) ==
        "ell [2, 1, 3] llo He [1, 2] Hlo");
  CHECK(R("{{ d['items'] }} {{ d.items() | list | length }}", vars) == "5 3");
}

TEST_CASE("expressions: string, dict and list methods") {
  CHECK(
      R("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a.b.c'.rsplit('.', 1) }}") ==
      "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a.b', 'c']");
  CHECK(R("[{{ ' x '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ ' x'.lstrip() }}][{{ 'x '.rstrip() }}]") ==
        "[x][a][x][x]");
  CHECK(R("{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'abc'.upper() }} {{ 'ABC'.lower() }}") ==
        "True True ABC abc");
  CHECK(R("{{ 'hello world'.capitalize() }} {{ 'hello world'.title() }} {{ 'aaa'.replace('a', 'b', 2) }}") ==
        "Hello world Hello World bba");
  CHECK(R("{{ '-'.join(['a', 'b']) }} {{ 'abcb'.find('b') }} {{ 'abcb'.count('b') }} {{ 'x'.find('z') }}") ==
        "a-b 1 2 -1");
  CHECK(R("{{ '{} {}'.format('a', 1) }} {{ '{0}{0}'.format('y') }} {{ '{n}!'.format(n=3) }}") == "a 1 yy 3!");
  CHECK(R("{{ '{:>4}|{:<3}|{:^5}|{:.2f}|{:03d}|{:,}'.format('a', 'b', 'c', 3.14159, 7, 1234567) }}") ==
        "   a|b  |  c  |3.14|007|1,234,567");
  CHECK(R("{{ d.keys() | list }} {{ d.values() | list }} {{ d.get('a') }} {{ d.get('z', 0) }} {{ d.get('z') }}",
          R"({"d": {"a": 1, "b": 2}})") == "['a', 'b'] [1, 2] 1 0 ");
  CHECK(R("{{ [1, 2, 1].count(1) }} {{ [5, 6].index(6) }}") == "2 1");
}

TEST_CASE("expressions: globals") {
  CHECK(R("{{ range(3) }} {{ range(1, 10, 3) | list }} {{ range(5, 0, -2) | list }}") ==
        "[0, 1, 2] [1, 4, 7] [5, 3, 1]");
  CHECK(R("{{ dict(a=1, b='x') }} {{ dict([['k', 'v']]) }}") == "{'a': 1, 'b': 'x'} {'k': 'v'}");
  setenv("PROV_TMPL_TEST", "from-env", 1);
  CHECK(R("{{ lookup('env', 'PROV_TMPL_TEST') }} {{ lookup('env', 'PROV_TMPL_NOPE') }}|") == "from-env |");
  CHECK(R("{{ lookup('pipe', 'echo hi; echo there') }}") == "hi\nthere");
  CHECK(R("{{ query('items', [1, 2]) }} {{ lookup('items', ['a', 'b']) }}") == "[1, 2] a,b");
  CHECK(E("{{ lookup('pipe', 'exit 3') }}") == "lookup_plugin.pipe(exit 3) returned 3");
  CHECK(E("{{ lookup('nosuch', 'x') }}") == "lookup plugin (nosuch) not found");
}

TEST_CASE("expressions: varnames, random_choice and lookups answered by the caller") {
  using prov::tmpl::query;
  prov::tmpl::ValueVars vars(Value::parse(R"({"web_port": 80, "db_port": 5432, "web_host": "w"})"));
  CHECK(query("varnames", {Value("^web_")}, vars) == Value::parse(R"(["web_port", "web_host"])"));
  CHECK(query("varnames", {Value("port$")}, vars) == Value::parse(R"(["web_port", "db_port"])"));
  Value picked = query("random_choice", {Value("a"), Value("b")}, vars);
  REQUIRE(picked.size() == 1);
  CHECK((picked[0] == "a" || picked[0] == "b"));
  CHECK(query("random_choice", {}, vars) == Value::array());
  prov::tmpl::Options o;
  o.lookup_hook = [](const std::string& plugin, const std::vector<Value>& terms) -> std::optional<Value> {
    if (plugin != "inventory_hostnames") return std::nullopt;
    return Value::array({"h-" + terms.at(0).get<std::string>()});
  };
  CHECK(query("inventory_hostnames", {Value("web")}, vars, o) == Value::parse(R"(["h-web"])"));
  CHECK(R("{{ lookup('inventory_hostnames', 'db') }}", "{}", o) == "h-db");
  CHECK(E("{{ lookup('url', 'x') }}", "{}", o) == "lookup plugin (url) not found");
  o.disable_lookups = true;
  CHECK_THROWS_AS(query("varnames", {Value("x")}, vars, o), prov::tmpl::TemplateError);
}

TEST_CASE("expressions: include and file lookups use the search paths") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("prov_tmpl_test_" + std::to_string(getpid()));
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "part.j2") << "[{{ who }}]\n";
  std::ofstream(dir / "sub" / "data.txt") << "file data\n\n";
  prov::tmpl::Options o;
  o.search_paths = {(dir / "missing").string(), dir.string()};
  CHECK(R("a {% include 'part.j2' %} b", R"({"who": "me"})", o) == "a [me] b");
  CHECK(R("{% for who in ['x', 'y'] %}{% include 'part.j2' %}{% endfor %}", "{}", o) == "[x][y]");
  CHECK(R("{% include 'nope.j2' ignore missing %}ok", "{}", o) == "ok");
  CHECK(R("{{ lookup('file', 'sub/data.txt') }}|", "{}", o) == "file data|");
  CHECK(R("{{ lookup('template', 'part.j2') }}", R"({"who": "t"})", o) == "[t]\n");  // as Ansible's templar
  CHECK(R("{{ lookup('first_found', ['nope.txt', 'sub/data.txt']) }}", "{}", o) == (dir / "sub/data.txt").string());
  CHECK(E("{% include 'nope.j2' %}", "{}", o) == "the template file nope.j2 could not be found for the lookup");
  std::ofstream(dir / "macros.j2") << "{% set version = '1.2' %}{% macro kv(k, v) %}{{ k }}={{ v }}{% endmacro %}";
  CHECK(R("{% import 'macros.j2' as m %}{{ m.kv('a', 1) }} {{ m.version }}", "{}", o) == "a=1 1.2");
  CHECK(R("{% from 'macros.j2' import kv, version as ver %}{{ kv('b', 2) }} {{ ver }}", "{}", o) == "b=2 1.2");
  std::ofstream(dir / "bad.j2") << "ok\n{{ x }\n";
  try {  // a template file's line is shown by Error::describe(), not repeated in the message
    R("{% include 'bad.j2' %}", "{}", o);
    FAIL("no error");
  } catch (const prov::tmpl::TemplateError& e) {
    CHECK(e.message() == "template error while templating string: unexpected '}'");
    CHECK(e.loc().str() == (dir / "bad.j2").string() + ":2:6");
  }
  CHECK(E("{% from 'macros.j2' import nope %}", "{}", o) == "the template does not export the requested name 'nope'");
  // first_found's forms: a mapping of files under paths (split on its separators), skip, files replacing names.
  using prov::tmpl::query;
  prov::tmpl::ValueVars none(Value::object());
  const std::string sub = (dir / "sub").string();
  Value paths = Value::parse(R"({"files": "nope.txt,data.txt", "paths": "/nowhere:)" + sub + R"("})");
  CHECK(query("first_found", {paths}, none, o) == Value::array({(dir / "sub/data.txt").string()}));
  CHECK(query("first_found", {Value::parse(R"({"files": ["x", "y"], "skip": true})")}, none, o) == Value::array());
  CHECK(query("first_found", {Value("nope"), Value::parse(R"({"files": ["part.j2"]})")}, none, o) ==
        Value::array({(dir / "part.j2").string()}));
  try {
    query("first_found", {Value("nope")}, none, o);
    FAIL("no error");
  } catch (const prov::tmpl::TemplateError& e) {
    CHECK(e.message() == "No file was found when using first_found.");
  }
  fs::remove_all(dir);
}
