// Mutating methods of lists and dicts: Ansible's templates allow them, and the change is seen through every name bound
// to the same object for the rest of the render (expectations from ansible-playbook 2.14).
#include <catch2/catch.hpp>

#include "helpers.h"

using namespace tmpl_test;

TEST_CASE("mutating methods: list") {
  CHECK(R("{% set l = [] %}{% for x in xs %}{{ l.append(x) }}{% endfor %}{{ l }}", R"({"xs": [1, 2, 3]})") ==
        "[1, 2, 3]");
  CHECK(R("{% set m = [3,1,2] %}{% set n = m %}{{ n.sort() }}{{ m }} {{ m.pop() }} {{ m.pop(0) }} {{ m }} "
          "{{ m.insert(0, 9) }}{{ m.extend([7,7]) }}{{ m.remove(7) }}{{ m.reverse() }}{{ m }}{{ m.clear() }}{{ m }}") ==
        "[1, 2, 3] 3 1 [2] [7, 2, 9][]");
  CHECK(R("{% set l = [1, 3, 2] %}{{ l.sort(reverse=true) }}{{ l }} {{ l.insert(-1, 0) }}{{ l }} "
          "{{ l.insert(99, 8) }}{{ l.pop(-2) }} {{ l }}") == "[3, 2, 1] [3, 2, 0, 1] 1 [3, 2, 0, 8]");
  CHECK(R("{% set l=[] %}{{ l.append(1) or 'x' }}{{ l.append(2) is none }}{{ l }}") == "xTrue[1, 2]");
  CHECK(R("{{ [1].append(2) }}|{{ [3,1].sort(reverse=true) }}") == "|");
  CHECK(R("{% set l=[1] %}{% set l2 = l + [2] %}{{ l2.append(3) }}{{ l }}{{ l2 }}") == "[1][1, 2, 3]");
}

TEST_CASE("mutating methods: dict") {
  CHECK(R("{{ pd.update({'z': 2}) }}{{ pd }} {{ pd.setdefault('q', 5) }} {{ pd.pop('k') }} {{ pd.popitem() }} {{ pd }}",
          R"({"pd": {"k": 1}})") == "{'k': 1, 'z': 2} 5 1 ('q', 5) {'z': 2}");
  CHECK(R("{% set d = {} %}{{ d.update(a=1) }}{{ d.update([['b', 2]]) }}{{ d }}{{ d.clear() }}{{ d }}") ==
        "{'a': 1, 'b': 2}{}");
  // The grouping idiom: setdefault returns the list inside the dict.
  CHECK(R("{% set g = {} %}{% for u in users %}{{ g.setdefault(u.group, []).append(u.name) }}{% endfor %}{{ g }}",
          R"({"users": [{"name": "a", "group": "x"}, {"name": "b", "group": "y"}, {"name": "c", "group": "x"}]})") ==
        "{'x': ['a', 'c'], 'y': ['b']}");
  CHECK(R("{{ d.pop('x', 7) }}{{ d }}", R"({"d": {"x2": 1}})") == "7{'x2': 1}");
}

TEST_CASE("mutating methods: through attributes, items, loops and macros") {
  CHECK(R("{% set d = {'a': []} %}{{ d.a.append(1) }}{{ d['a'].append(2) }}{{ d }}") == "{'a': [1, 2]}");
  CHECK(R("{% set ds = [{'a': 1}] %}{% for i in ds %}{{ i.update({'b': 2}) }}{% endfor %}{{ ds }}") ==
        "[{'a': 1, 'b': 2}]");
  CHECK(R("{% macro add(lst, v) %}{{ lst.append(v) }}{% endmacro %}{% set m = [] %}{{ add(m, 1) }}{{ m }}") == "[1]");
  CHECK(R("{% set ns = namespace(l=[]) %}{{ ns.l.append(1) }}{{ ns.l }}") == "[1]");
}

TEST_CASE("mutating methods: a variable of the play changes for the rest of the render only") {
  prov::tmpl::ValueVars vars(prov::Value::parse(R"({"pl": ["a"], "xs": [1, 2]})"));
  CHECK(prov::tmpl::render("[{{ pl.append('b') }}]{{ pl }}", vars, opts()) == "[]['a', 'b']");
  CHECK(prov::tmpl::render("{% for x in xs %}{{ pl.append(x) }}{% endfor %}{{ pl }}", vars, opts()) == "['a', 1, 2]");
  CHECK(prov::tmpl::render("{{ pl }}", vars, opts()) == "['a']");
}

TEST_CASE("mutating methods: errors") {
  CHECK(E("{{ [].pop() }}") == "pop from empty list");
  CHECK(E("{{ [1].pop(3) }}") == "pop index out of range");
  CHECK(E("{{ {}.popitem() }}") == "'popitem(): dictionary is empty'");
  CHECK(E("{{ {}.pop('x') }}") == "KeyError: 'x'");
  CHECK(E("{% set l=[1] %}{{ l.remove(5) }}") == "list.remove(x): x not in list");
  CHECK(E("{% set l=[3,'a'] %}{{ l.sort() }}") == "'<' not supported between instances of 'str' and 'int'");
  CHECK(E("{% set l=[1] %}{% do l.append(2) %}{{ l }}").find("unknown tag 'do'") != std::string::npos);
}
