// The pure parts of the pip module: PEP 440 versions and specifiers, requirement parsing, freeze listings.
#include <catch2/catch.hpp>
#include <deque>

#include "../../../src/modules/pep440.h"
#include "helpers.h"
#include "scripted_host.h"

namespace pep = prov::mod::pep440;

TEST_CASE("pep440 versions parse into their normalized parts", "[pip]") {
  auto v = pep::parse_version("1!2.3.4rc1.post2.dev3+Ubuntu-1");
  REQUIRE(v.has_value());
  CHECK(v->epoch == 1);
  CHECK(v->release == std::vector<long long>{2, 3, 4});
  CHECK(v->pre_kind == 2);
  CHECK(v->pre_num == 1);
  CHECK(v->post == 2);
  CHECK(v->dev == 3);
  CHECK(v->local == std::vector<std::string>{"ubuntu", "1"});
  CHECK(pep::parse_version("v1.0-1")->post == 1);        // "-1" is a post release
  CHECK(pep::parse_version("1.0alpha")->pre_kind == 0);  // alternative spelling, implicit 0
  CHECK(pep::parse_version("1.0-preview.2")->pre_kind == 2);
  CHECK_FALSE(pep::parse_version("1.0-foo").has_value());
  CHECK_FALSE(pep::parse_version("").has_value());
  CHECK_FALSE(pep::parse_version("latest").has_value());
}

TEST_CASE("pep440 ordering", "[pip]") {
  // Each version is older than the next, as PEP 440's example list orders them.
  std::vector<std::string> ordered = {"1.0.dev456",    "1.0a1",         "1.0a2.dev456", "1.0a12.dev456",
                                      "1.0a12",        "1.0b1.dev456",  "1.0b2",        "1.0b2.post345.dev456",
                                      "1.0b2.post345", "1.0rc1.dev456", "1.0rc1",       "1.0",
                                      "1.0+abc.5",     "1.0+abc.7",     "1.0+5",        "1.0.post456.dev34",
                                      "1.0.post456",   "1.1.dev1",      "1!0.1"};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    INFO(ordered[i] << " < " << ordered[i + 1]);
    CHECK(pep::compare(*pep::parse_version(ordered[i]), *pep::parse_version(ordered[i + 1])) < 0);
    CHECK(pep::compare(*pep::parse_version(ordered[i + 1]), *pep::parse_version(ordered[i])) > 0);
  }
  CHECK(pep::compare(*pep::parse_version("1.0"), *pep::parse_version("1.0.0")) == 0);
  CHECK(pep::compare(*pep::parse_version("1.0RC1"), *pep::parse_version("1.0c1")) == 0);
  CHECK(pep::compare(*pep::parse_version("1.10"), *pep::parse_version("1.9")) > 0);  // not string order
}

TEST_CASE("pep440 specifier clauses", "[pip]") {
  struct Case {
    const char* version;
    const char* clause;
    bool expected;
  };
  const Case cases[] = {
      {"4.2.1", ">=4", true},         {"3.9", ">=4", false},
      {"4.2.1", "<5", true},          {"5.0", "<5", false},
      {"5.0rc1", "<5", false},        {"4.9", "<5", true},
      {"5.0rc1", "<5.0rc2", true},    {"1.0", "==1.0.0", true},
      {"1.0+local", "==1.0", true},   {"1.0+local", "==1.0+other", false},
      {"1.0.post1", "==1.0", false},  {"1.2.3", "==1.2.*", true},
      {"1.3", "==1.2.*", false},      {"1.2", "==1.2.*", true},
      {"1.2", "==1.2.0.*", true},     {"1.5", "!=1.5", false},
      {"1.5.1", "!=1.5", true},       {"1.5.1", "!=1.5.*", false},
      {"2.2.9", "~=2.2", true},       {"3.0", "~=2.2", false},
      {"2.1", "~=2.2", false},        {"1.4.9", "~=1.4.5", true},
      {"1.5.0", "~=1.4.5", false},    {"1.4.5", "~=1.4.5a4", true},
      {"1.4.5a5", "~=1.4.5a4", true}, {"2.0", "~=2", false},
      {"1.0.post1", ">1.0", false},   {"1.0+local", ">1.0", false},
      {"1.1", ">1.0", true},          {"1.0", "<=1.0", true},
      {"1.0+l", "<=1.0", true},       {"1.0", ">1.0.dev1", true},
      {"2.0", "> 1.0", true},         {"1.0", "===1.0", true},
      {"1.0.0", "===1.0", false},     {"garbage", ">=1", false},
      {"1.0", "=>1", false},          {"1.0a1", ">=1.0a1", true},
  };
  for (const auto& c : cases) {
    INFO(c.version << " " << c.clause);
    CHECK(pep::satisfies(c.version, c.clause) == c.expected);
  }
}

TEST_CASE("pip requirements: names, extras, specifiers, urls", "[pip]") {
  auto r = pep::parse_requirement("Django>=4,<5");
  CHECK(r.plain);
  CHECK(r.name == "django");
  CHECK(r.specs == std::vector<std::string>{">=4", "<5"});
  CHECK(r.satisfied_by("4.2.7"));
  CHECK_FALSE(r.satisfied_by("5.0"));
  CHECK_FALSE(r.satisfied_by("3.2"));

  r = pep::parse_requirement(" requests[security,socks] (>=2.0) ; python_version > '3' ");
  CHECK(r.plain);
  CHECK(r.name == "requests");
  CHECK(r.specs == std::vector<std::string>{">=2.0"});

  r = pep::parse_requirement("Foo_Bar.baz");
  CHECK(r.plain);
  CHECK(r.name == "foo-bar-baz");
  CHECK(r.specs.empty());
  CHECK(r.satisfied_by("0.0.1"));

  CHECK_FALSE(pep::parse_requirement("git+https://example.org/x.git#egg=x").plain);
  CHECK_FALSE(pep::parse_requirement("./pkg").plain);
  CHECK_FALSE(pep::parse_requirement("/srv/wheels/x-1.0-py3-none-any.whl").plain);
  CHECK_FALSE(pep::parse_requirement("x @ https://example.org/x.whl").plain);
  CHECK(pep::parse_requirement("x; touch /tmp/pwned").name == "x");  // a marker is not evaluated
  CHECK_FALSE(pep::parse_requirement("x >= 1 $(id)").plain);
}

TEST_CASE("pip name lists are rebuilt as Ansible does", "[pip]") {
  using V = std::vector<std::string>;
  CHECK(pep::join_requirements({"django>1.11.1", "<1.11.3", "ipaddress", "simpleproject>1.1.0", "<2.0.0"}) ==
        V{"django>1.11.1,<1.11.3", "ipaddress", "simpleproject>1.1.0,<2.0.0"});
  CHECK(pep::join_requirements({"django>1.11.1,<1.11.3,ipaddress", "simpleproject>1.1.0,<2.0.0"}) ==
        V{"django>1.11.1,<1.11.3", "ipaddress", "simpleproject>1.1.0,<2.0.0"});
  CHECK(pep::join_requirements({"Django>=4,<5"}) == V{"Django>=4,<5"});
  CHECK(pep::join_requirements({"requests[security,socks]>=2", "six"}) == V{"requests[security,socks]>=2", "six"});
}

TEST_CASE("pip freeze output is read into canonical names", "[pip]") {
  const std::string freeze =
      "# Editable install with no version control (proj==0.1)\n"
      "-e /srv/proj\n"
      "Django==4.2.7\n"
      "python_dateutil==2.8.2\n"
      "zope.interface==6.0\n"
      "pkg @ file:///srv/wheels/pkg-1.0-py3-none-any.whl\n"
      "weird===1.0-custom\n"
      "\n"
      "six==1.16.0\r\n";
  auto pkgs = pep::parse_freeze(freeze);
  CHECK(pkgs.size() == 4);
  CHECK(pkgs["django"] == "4.2.7");
  CHECK(pkgs["python-dateutil"] == "2.8.2");
  CHECK(pkgs["zope-interface"] == "6.0");
  CHECK(pkgs["six"] == "1.16.0");
  CHECK(pep::canonical_name("Foo__Bar--.Baz") == "foo-bar-baz");
}

namespace {

using test::ScriptedHost;

prov::Value run_pip(ScriptedHost& host, const prov::Value& args, bool check) {
  return test::run_module("pip", host, args, {check, false, nullptr});
}

using test::answer;

}  // namespace

TEST_CASE("pip: satisfied requirements are one read; check mode asks pip's dry run where it cannot judge", "[pip]") {
  ScriptedHost host;
  host.answers = {answer("@pip /usr/bin/pip3\n@f requests==2.31.0\n")};
  prov::Value r = run_pip(host, {{"name", prov::Value::array({"requests>=2"})}}, false);
  CHECK(r["changed"] == false);
  CHECK(r["cmd"] == prov::Value::array({"/usr/bin/pip3", "install", "requests>=2"}));
  CHECK(host.commands.size() == 1);

  host = {};
  host.answers = {answer("@pip /usr/bin/pip3\n@f requests==2.31.0\n")};
  r = run_pip(host, {{"name", prov::Value::array({"requests>=3"})}}, true);
  CHECK(r == prov::Value{{"changed", true},
                         {"cmd", "/usr/bin/pip3 list --format=freeze"},
                         {"stdout", "requests==2.31.0\n"},
                         {"stderr", ""}});

  host = {};
  host.answers = {answer("@pip /usr/bin/pip3\n"), answer("@pip /usr/bin/pip3\n@rc 0\n@out\nWould install x-1.0\n")};
  r = run_pip(host, {{"name", prov::Value::array({"git+https://example.org/x.git"})}}, true);
  CHECK(r["changed"] == true);
  REQUIRE(host.commands.size() == 2);
  CHECK(host.commands[1].find("--dry-run") != std::string::npos);

  host = {};
  host.answers = {answer("@pip /usr/bin/pip3\n@rc 0\n@out\nSuccessfully installed x-1.0\n")};
  r = run_pip(host, {{"name", prov::Value::array({"x"})}, {"state", "latest"}}, false);
  CHECK(r["changed"] == true);
  CHECK(host.commands.size() == 1);  // pip judges latest itself: no read first
}
