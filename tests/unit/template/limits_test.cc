// Bounds on runaway templates (src/template/limits.h) and the inputs the fuzzer (tests/fuzz) found: each case
// failed before its fix with a crash, a hang, a sanitizer report or an exception other than TemplateError.
#include <catch2/catch.hpp>
#include <string>

#include "../../../src/template/limits.h"
#include "helpers.h"

using namespace tmpl_test;

namespace {

prov::tmpl::Options named(const std::string& name) {
  prov::tmpl::Options o = opts(true);
  o.name = name;
  return o;
}

/// "file:line: message" of the error rendering raises, or "no error: <output>".
std::string located(const std::string& source, const std::string& name = "limits.j2") {
  try {
    return "no error: " + R(source, "{}", named(name));
  } catch (const prov::tmpl::TemplateError& e) {
    return e.loc().str() + ": " + e.message();
  }
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("limits: nesting of expressions and blocks") {
  // Jinja itself gives up at about 90 parentheses; 80 work here.
  CHECK(R("{{ " + repeat("(", 80) + "1" + repeat(")", 80) + " }}") == "1");
  std::string deep = "{{ " + repeat("(", 100) + "1" + repeat(")", 100) + " }}";
  CHECK(located(deep) ==
        "limits.j2:1:89: template error while templating string: template nested too deeply (more "
        "than 256 levels of expressions and blocks)\n  limits.j2:1:89: " +
            deep);
  // A chain of operators or filters nests the tree too (it used to overflow the evaluator's stack when long).
  CHECK(R("{{ 0" + repeat(" + 1", 200) + " }}") == "200");
  CHECK(E("{{ 0" + repeat(" + 1", 300) + " }}").find("template nested too deeply") != std::string::npos);
  CHECK(E("{{ s" + repeat(" | lower", 300) + " }}", R"({"s": "A"})").find("template nested too deeply") !=
        std::string::npos);
  CHECK(E("{{ d" + repeat(".a", 300) + " }}").find("template nested too deeply") != std::string::npos);
  CHECK(R(repeat("{% if true %}", 100) + "x" + repeat("{% endif %}", 100)) == "x");
  CHECK(E(repeat("{% if true %}", 300) + "x" + repeat("{% endif %}", 300)).find("template nested too deeply") !=
        std::string::npos);
}

TEST_CASE("limits: recursion") {
  const std::string macro = "{% macro m(n) %}{% if n > 0 %}{{ m(n - 1) }}{% else %}end{% endif %}{% endmacro %}";
  const int limit = prov::tmpl::limits::kMaxCallDepth;  // 250 as in Jinja; lower under AddressSanitizer
  const std::string message = "template recursion too deep: more than " + std::to_string(limit) +
                              " nested calls of macros, caller(), loop(), include, import or templated variables";
  CHECK(R(macro + "{{ m(" + std::to_string(limit - 10) + ") }}") == "end");
  CHECK(located(macro + "\n{{ m(1000) }}") == "limits.j2:1: " + message);
  CHECK(located("{% for x in [1] recursive %}\n{{ loop([x]) }}{% endfor %}") == "limits.j2:2: " + message);
}

TEST_CASE("limits: loop iterations and output size") {
  CHECK(located("{% for i in range(10**9) %}{{ i }}{% endfor %}") ==
        "limits.j2:1: range() too long: more than 1000000 items");
  CHECK(located("a\n{% for i in range(3200) %}\n{% for j in range(3200) %}{% endfor %}{% endfor %}") ==
        "limits.j2:3: template runs too long: more than 10000000 loop iterations and macro calls in one render");
  CHECK(located("{{ 'x' * 300000000 }}") == "limits.j2:1: string too large: more than 256 MiB");
  CHECK(located("{{ [1, 2] * 100000000 }}") == "limits.j2:1: list too large: more than 256 MiB");
  CHECK(located("{% set ns = namespace(s='x' * 150000000) %}\n{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                "{% endfor %}") == "limits.j2:2: string too large: more than 256 MiB");
  CHECK(located("{% set x = 'x' * 150000000 %}{{ x }}\n{{ x }}") ==
        "limits.j2:2: rendered text too large: more than 256 MiB");
}

TEST_CASE("fuzz findings: integer arithmetic stays in 64 bits") {
  CHECK(E("{{ 9223372036854775807 + 1 }}") == "integer overflow: 9223372036854775807 + 1 does not fit in 64 bits");
  CHECK(E("{{ -9223372036854775807 - 2 }}") == "integer overflow: -9223372036854775807 - 2 does not fit in 64 bits");
  CHECK(E("{{ 4294967296 * 4294967296 }}") == "integer overflow: 4294967296 * 4294967296 does not fit in 64 bits");
  CHECK(E("{{ 2 ** 64 }}") == "integer overflow: 2 ** 64 does not fit in 64 bits");
  CHECK(R("{{ 2 ** 62 }} {{ (-2) ** 63 }} {{ 1 ** 1000000000000000000 }} {{ 0 ** 0 }}") ==
        "4611686018427387904 -9223372036854775808 1 1");
  CHECK(E("{{ (-9223372036854775807 - 1) // -1 }}") ==
        "integer overflow: -9223372036854775808 // -1 does not fit in 64 bits");
  CHECK(R("{{ (-9223372036854775807 - 1) % -1 }} {{ -7 % -1 }}") == "0 0");
  CHECK(E("{{ -(-9223372036854775807 - 1) }}") == "integer overflow: -(-9223372036854775808) does not fit in 64 bits");
  CHECK(E("{{ 1e300 | int }}") == "cannot convert float 1e+300 to a 64-bit integer");
  CHECK(E("{{ '1e300' | int }}") == "cannot convert float 1e+300 to a 64-bit integer");
  CHECK(R("{{ 'nan' | int }} {{ '2.5e3' | int }}") == "0 2500");
  CHECK(E("{{ range(1e30) }}") == "cannot convert float 1e+30 to a 64-bit integer");
}

TEST_CASE("fuzz findings: wrong argument types are template errors") {
  CHECK(E("{{ 'abc' | center('a') }}") == "'str' object cannot be interpreted as an integer");
  CHECK(E("{{ [1] | round }}") == "must be real number, not list");
  CHECK(E("{{ 'a' is odd }}") == "'str' object cannot be interpreted as an integer");
  CHECK(E("{{ [1, 2] | urlencode }}") == "urlencode: a list must hold (key, value) pairs");
  CHECK(R("{{ [['a', 1]] | urlencode }}") == "a=1");
  CHECK(R("{{ 'ab' | center(-5) }}|{{ 'ab'.ljust(-1) }}|{{ 'a\nb' | indent(-2) }}") == "ab|ab|a\nb");
  CHECK(E("{{ 'ab' | center(10**12) }}") == "padding width too large: more than 256 MiB");
}

TEST_CASE("fuzz findings: str.format widths past 64 bits") {
  // The width wrapped around and asked for endless padding (fifth run); the precision overflowed an int.
  CHECK(E("{{ '{:>533333333333333333333333333333333333333333333333333}|{:<4}'.format('y') }}") ==
        "padding width too large: more than 256 MiB");
  CHECK(E("{{ '{:.99999999999999999999}'.format(1.5) }}") == "Too many decimal digits in format string");
  CHECK(R("{{ '{:>5}|{:<4}|{:.2f}'.format('y', 'z', 3.14159) }}") == "    y|z   |3.14");
}

TEST_CASE("fuzz findings: password_hash of a long password") {
  // The same as glibc's crypt(); the password's square used to be built in memory (10 GB for 100 kB).
  CHECK(R("{{ ('pw' * 100) | password_hash('sha256', 'abcdefgh', rounds=1000) }}") ==
        "$5$rounds=1000$abcdefgh$p9E89XRlnJUxAukV6t6hF8ieRw6o4yjS4izozPiN971");
  CHECK(R("{{ ('x' * 20000) | password_hash('sha256', 'abcdefgh', rounds=1000) }}").size() == 67);
}

TEST_CASE("fuzz findings: bad escapes in string literals are syntax errors") {
  CHECK(E("{{ 'a\\xic' }}") ==
        "template error while templating string: truncated \\xXX escape\n  <template>:1:6: {{ 'a\\xic' }}");
  CHECK(E("{{ '\\u00' }}") ==
        "template error while templating string: truncated \\uXXXX escape\n  <template>:1:5: {{ '\\u00' }}");
  CHECK(E("{{ '\\x+1' }}").find("truncated \\xXX escape") != std::string::npos);
  CHECK(E("{{ '\\U00110000' }}").find("illegal Unicode character") != std::string::npos);
  CHECK(R("{{ '\\x41\\u00e9\\U0001F600' }}") == "A\xc3\xa9\xf0\x9f\x98\x80");
}

TEST_CASE("fuzz findings: float literals out of range are inf") {
  // std::stod threw std::out_of_range; Python reads them as inf.
  CHECK(R("{{ 1e999 }} {{ -1e999 }} {{ 1e999 > 10 }}") == "inf -inf True");
}

TEST_CASE("fuzz findings: numbers past 64 bits in version strings, attribute paths and URLs") {
  CHECK(R("{{ '1.77777777777777777777777' is version('1.0', '>') }}") == "True");
  CHECK_NOTHROW(E("{{ [[1]] | map(attribute='99999999999999999999') | list }}"));
  CHECK(E("{{ 'http://h:99x/' | urlsplit('port') }}") == "Port could not be cast to integer value as '99x'");
}

TEST_CASE("from_json refuses a document nested deeper than the engine's bound") {
  std::string deep(200000, '[');
  deep += std::string(200000, ']');
  prov::tmpl::ValueVars vars(prov::Value{{"doc", deep}});
  CHECK_THROWS_WITH(prov::tmpl::render("{{ doc | from_json }}", vars),
                    Catch::Contains("from_json: nested deeper than"));
  prov::tmpl::ValueVars shallow(prov::Value{{"doc", "[[[1]]]"}});
  CHECK(prov::tmpl::render("{{ (doc | from_json)[0][0][0] }}", shallow) == "1");
}
