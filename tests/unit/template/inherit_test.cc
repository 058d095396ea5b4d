// Template inheritance ({% extends %}, {% block %}, super(), self) and the format filter's keyword arguments, with
// expectations from ansible-playbook 2.14 (tests/parity/cases/jinja_inherit has the same templates).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "helpers.h"

using namespace tmpl_test;
namespace fs = std::filesystem;

namespace {

struct Files {
  fs::path dir = fs::temp_directory_path() / ("prov_inherit_test_" + std::to_string(getpid()));
  Files() {
    fs::create_directories(dir / "sub");
    std::ofstream(dir / "base.j2") << "head {{ title | default('none') }}\n{% set top = 'T' %}\n"
                                      "{% block header %}H-base {{ top }}{% endblock %}\n"
                                      "{% for i in [1, 2] %}\n{% block item scoped %}item {{ i }}{% endblock %}\n"
                                      "{% endfor %}\n"
                                      "{% block body %}B-base{% block inner %}I-base{% endblock %}{% endblock body %}\n"
                                      "self: {{ self.header() }}\ntail\n";
    std::ofstream(dir / "child.j2") << "before extends\n{% extends \"base.j2\" %}\n{% set title = 'child-title' %}\n"
                                       "ignored text\n{% block header %}H-child [{{ super() }}]{% endblock %}\n"
                                       "{% block item %}child-item {{ i }}{% endblock %}\n"
                                       "{% block inner %}I-child {{ cvar }}{% endblock %}\n";
    std::ofstream(dir / "grand.j2") << "{% extends \"child.j2\" %}\n"
                                       "{% block header %}H-grand <{{ super() }}>{% endblock %}\n";
    std::ofstream(dir / "sub" / "other.j2") << "{% extends \"base.j2\" %}\n"
                                               "{% block body %}sub body {{ super() }}{% endblock %}\n";
    std::ofstream(dir / "cycle_a.j2") << "{% extends \"cycle_b.j2\" %}\n";
    std::ofstream(dir / "cycle_b.j2") << "{% extends \"cycle_a.j2\" %}\n";
    std::ofstream(dir / "no_parent.j2") << "{% extends \"absent.j2\" %}\n";
  }
  ~Files() { fs::remove_all(dir); }

  std::string render(const std::string& name) const {
    prov::tmpl::Options o = opts(true);
    o.search_paths = {dir.string()};
    o.name = (dir / name).string();
    std::ifstream in(dir / name);
    std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    prov::tmpl::ValueVars v(prov::Value::parse(R"({"cvar": "C"})"));
    return prov::tmpl::render(source, v, o);
  }
  std::string error(const std::string& name) const {
    try {
      return "no error: " + render(name);
    } catch (const prov::tmpl::TemplateError& e) {
      return e.message();
    }
  }
};

}  // namespace

TEST_CASE("inheritance: extends, blocks, super and self") {
  Files f;
  CHECK(f.render("child.j2") ==
        "before extends\nhead child-title\n"
        "H-child [H-base T]child-item 1child-item 2B-baseI-child Cself: H-child [H-base T]\ntail\n");
  CHECK(
      f.render("grand.j2") ==
      "before extends\nhead child-title\n"
      "H-grand <H-child [H-base T]>child-item 1child-item 2B-baseI-child Cself: H-grand <H-child [H-base T]>\ntail\n");
  CHECK(f.render("sub/other.j2") == "head none\nH-base Titem 1item 2sub body B-baseI-baseself: H-base T\ntail\n");
}

TEST_CASE("inheritance: blocks in place, scoping and errors") {
  CHECK(R("{% for i in [1] %}{% block b %}[{{ i | default('undef') }}]{% endblock %}{% endfor %}") == "[undef]");
  CHECK(R("{% for i in [1] %}{% block b scoped %}[{{ i }}]{% endblock %}{% endfor %}") == "[1]");
  CHECK(E("{% block r required %}x{% endblock %}").find("Required blocks can only contain comments or whitespace") !=
        std::string::npos);
  CHECK(E("{% block r required %} {% endblock %}") == "Required block 'r' not found");
  CHECK(E("{% block a %}{% endblock %}{% block a %}{% endblock %}").find("block 'a' defined twice") !=
        std::string::npos);
  CHECK(E("{% block a %}{% endblock b %}").find("mismatching name 'b' for block 'a'") != std::string::npos);
  Files f;
  CHECK(f.error("no_parent.j2") ==
        "the template file absent.j2 could not be found for the extends in " + (f.dir / "no_parent.j2").string());
  CHECK(f.error("cycle_a.j2").find("template inheritance cycle: ") == 0);
}

TEST_CASE("format filter: keyword arguments and mappings") {
  CHECK(
      R("{{ '%(a)s-%(b)d' | format(a='x', b=1) }}|{{ '%(a)5s|%(b)-4d|%(c).2f|%(a)r' | format(a='x', b=1, c=3.14159) }}"
        "|{{ '%s' | format(a=1) }}|{{ '%(a)s %%' % {'a': 2} }}|{{ '%s' % {'a': 2} }}") ==
      "x-1|    x|1   |3.14|'x'|{'a': 1}|2 %|{'a': 2}");
  CHECK(R("{{ '%(a)s' % {'a': 1, 'b': 2} }}|{{ '%(a)s %(a)s' | format(a=[1,'b']) }}") == "1|[1, 'b'] [1, 'b']");
  CHECK(E("{{ '%(a)s' | format(5) }}") == "format requires a mapping");
  CHECK(E("{{ '%(zz)s' | format(a=2) }}") == "KeyError: 'zz'");
  CHECK(E("{{ '%(a)s %s' | format(1, a=2) }}") == "can't handle positional and keyword arguments at the same time");
}

TEST_CASE("password_hash: md5_crypt as glibc's crypt") {
  CHECK(R("{{ 'secret' | password_hash('md5', 'saltsalt') }}|{{ 'secret' | password_hash('md5_crypt', 'abc') }}") ==
        "$1$saltsalt$9xy1btjgzLYfb7hivXtC//|$1$abc$iCQ2D3nhptRYi27fDYv2s1");
  CHECK(R("{{ '' | password_hash('md5', 'x') }}|{{ ('p' * 40) | password_hash('md5', 'abcdefgh') }}|"
          "{{ 'secret' | password_hash('md5') | length }}") ==
        "$1$x$fwjfZtMwarkdetsjiQreU1|$1$abcdefgh$uVk50XsvnejAhX.uVYQEU1|34");
  CHECK(R("{{ 'secret' | password_hash('md5', 'abc', rounds=2000) }}") == "$1$rounds=2$RedfZoUmJ3W6TR6gQIhYa1");
  CHECK(R("{{ 'secret' | password_hash('sha256_crypt', 'abcdefgh', rounds=5000) }}") ==
        "$5$abcdefgh$gruCpC7VkOTspMQTTSAR8mtlO9Upms.fwqE5y16JVM.");
  CHECK(E("{{ 'secret' | password_hash('md5', 'saltsaltsalt') }}") == "invalid salt size");
  CHECK(E("{{ 'secret' | password_hash('sha512', 'abcdefghijklmnopqrs') }}") == "invalid salt size");
  CHECK(E("{{ 'secret' | password_hash('md5', 'a$b') }}") == "invalid characters in salt");
  CHECK(E("{{ 'secret' | password_hash('des_crypt', 'ab') }}") == "crypt.crypt does not support 'des_crypt' algorithm");
}
