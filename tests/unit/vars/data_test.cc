// Host data is never code: variables marked as data (tmpl::Vars), `!unsafe` text and lookup results are used as
// they are, and what is rendered from them is marked in turn.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "provision/core/yaml.h"
#include "provision/template/engine.h"
#include "provision/vars/scope.h"

using prov::Value;
using prov::tmpl::template_marked;
using prov::vars::Level;
using prov::vars::Scope;
using prov::vars::Trust;

namespace {

// Where a rendered payload would leave its mark: a pipe lookup that creates this file.
std::filesystem::path canary() {
  return std::filesystem::temp_directory_path() / ("provision-data-test-" + std::to_string(::getpid()));
}

std::string payload() { return "{{ lookup('pipe', 'touch " + canary().string() + "') }}"; }

prov::tmpl::Options ansible() {
  prov::tmpl::Options o;
  o.native_types = false;
  return o;
}

}  // namespace

TEST_CASE("a data variable is used as it is and marks what is made from it") {
  std::filesystem::remove(canary());
  Value registered = {{"r", {{"stdout", payload()}, {"rc", 0}}}};
  Value play = {{"indirect", "{{ r.stdout }}"}, {"greeting", "hello {{ name }}"}, {"name", "world"}};
  Scope scope;
  scope.add(Level::PlayVars, &play);
  scope.add(Level::HostFacts, &registered, Trust::Data);

  auto direct = template_marked(Value("{{ r.stdout }}"), scope, ansible());
  CHECK(direct.value == payload());
  CHECK(direct.data);
  auto through = template_marked(Value("{{ indirect }}"), scope, ansible());
  CHECK(through.value == payload());
  CHECK(through.data);
  auto trusted = template_marked(Value("{{ greeting }}"), scope, ansible());
  CHECK(trusted.value == "hello world");
  CHECK_FALSE(trusted.data);
  // Reading a number out of data marks the render too, as Ansible's context does.
  CHECK(template_marked(Value("{{ r.rc + 1 }}"), scope, ansible()).data);
  CHECK_FALSE(std::filesystem::exists(canary()));
}

TEST_CASE("names marked in a layer are data, the others are templates") {
  std::filesystem::remove(canary());
  Value facts = {{"registered", payload()}, {"from_play", "{{ 1 + 1 }}"}};
  prov::vars::NameSet data = {"registered"};
  Scope scope;
  scope.add(Level::HostFacts, &facts, &data);
  bool is_data = false;
  CHECK(scope.find("registered", &is_data) != nullptr);
  CHECK(is_data);
  CHECK(scope.find("from_play", &is_data) != nullptr);
  CHECK_FALSE(is_data);
  CHECK(template_marked(Value("{{ registered }}"), scope, ansible()).value == payload());
  CHECK(template_marked(Value("{{ from_play }}"), scope, ansible()).value == "2");
  CHECK_FALSE(std::filesystem::exists(canary()));
}

TEST_CASE("a condition whose inline template read data is refused") {
  Value registered = {{"r", {{"stdout", "1 == 1"}}}};
  Scope scope;
  scope.add(Level::HostFacts, &registered, Trust::Data);
  CHECK_THROWS_WITH(prov::tmpl::condition("{{ r.stdout }}", scope, ansible()),
                    "Conditional is marked as unsafe, and cannot be evaluated.");
  // The same data compared in a bare expression is fine; so is an inline template that gives a bool.
  CHECK(prov::tmpl::condition("r.stdout == '1 == 1'", scope, ansible()));
  CHECK(prov::tmpl::condition("{{ r.stdout == '1 == 1' }}", scope, ansible()));
}

TEST_CASE("lookup results are data unless allow_unsafe=True") {
  prov::tmpl::ValueVars vars(Value::object());
  CHECK(template_marked(Value("{{ lookup('env', 'HOME') }}"), vars, ansible()).data);
  CHECK(template_marked(Value("{{ query('items', [1]) }}"), vars, ansible()).data);
  CHECK_FALSE(template_marked(Value("{{ lookup('env', 'HOME', allow_unsafe=True) }}"), vars, ansible()).data);
  CHECK_FALSE(template_marked(Value("{{ [1, 2] | length }}"), vars, ansible()).data);
}

TEST_CASE("!unsafe text comes back exactly, never rendered, and marks what is made from it") {
  std::filesystem::remove(canary());
  Value loaded = prov::yaml::to_value(prov::yaml::load_string("plain: !unsafe \"" + payload() + "\"\n"
                                                              "number: !unsafe 'True'\n"
                                                              "list: !unsafe ['{{ a }}', '{% b %}']\n",
                                                              "test.yml"),
                                      "test.yml");
  Scope scope;
  scope.add(Level::PlayVars, &loaded);
  auto plain = template_marked(Value("{{ plain }}"), scope, ansible());
  CHECK(plain.value == payload());
  CHECK(plain.data);
  // Text that reads as a Python literal stays text.
  CHECK(template_marked(loaded["number"], scope, ansible()).value == "True");
  CHECK(template_marked(loaded["list"], scope, ansible()).value == Value::array({"{{ a }}", "{% b %}"}));
  CHECK(prov::tmpl::render(loaded["plain"].get<std::string>(), scope) == payload());
  CHECK_FALSE(std::filesystem::exists(canary()));
}
