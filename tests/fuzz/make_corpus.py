#!/usr/bin/env python3
"""Regenerates tests/fuzz/template_corpus: the differential suite's templates, the repository's real templates, and
one small template per statement, filter, test, global and method, so the fuzzer starts from every construct."""
import hashlib
import json
import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "fuzz", "template_corpus")


def names(path, pattern):
    with open(os.path.join(ROOT, path)) as f:
        return set(re.findall(pattern, f.read()))


def main():
    seeds = []
    with open(os.path.join(ROOT, "tests", "template_cases", "cases.json")) as f:
        seeds += [c["template"] for c in json.load(f)]
    for dirpath, _, files in os.walk(os.path.join(ROOT, "tests")):
        for name in files:
            if name.endswith(".j2"):
                with open(os.path.join(dirpath, name)) as f:
                    seeds.append(f.read())
    filters = set()
    for name in os.listdir(os.path.join(ROOT, "src", "template")):
        if name.startswith("filters_"):
            filters |= names(os.path.join("src", "template", name), r't\["([a-z_0-9]+)"\]')
    tests = names(os.path.join("src", "template", "tests.cc"), r'\{"([a-z_0-9]+)", t_')
    seeds += ["{{ xs | %s }}" % f for f in sorted(filters)]
    seeds += ["{{ s | %s('a', 1) }}" % f for f in sorted(filters)]
    seeds += ["{{ users | %s(attribute='name') }}" % f for f in sorted(filters)]
    seeds += ["{{ s is %s }}{{ xs is not %s(2) }}" % (t, t) for t in sorted(tests)]
    seeds += [
        "{% if n > 3 %}a{% elif n %}b{% else %}c{% endif %}",
        "{% for k, v in d.items() if v is number %}{{ loop.index }}{{ k }}={{ v }}{% else %}none{% endfor %}",
        "{% for x in nested recursive %}{% if x is iterable %}[{{ loop(x) }}]{% else %}{{ x }}{{ loop.depth }}{% endif %}"
        "{% endfor %}",
        "{% for u in users %}{{ loop.cycle('a', 'b') }}{{ loop.changed(u.admin) }}{{ loop.previtem }}"
        "{{ loop.nextitem }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{% endfor %}",
        "{% set a, b = 1, 2 %}{% set ns = namespace(c=0) %}{% set ns.c = ns.c + a %}{{ ns.c }}{{ b }}",
        "{% set block %}x{{ n }}{% endset %}{% set f | upper %}y{% endset %}{{ block }}{{ f }}",
        "{% macro m(a, b=2) %}{{ a }}{{ b }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}",
        "{% macro list(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}"
        "{% call(x) list(xs) %}<{{ x }}>{% endcall %}",
        "{% filter upper %}text {{ name }}{% endfilter %}",
        "{% with a = 1, b = n %}{{ a + b }}{% endwith %}",
        "{% raw %}{{ not rendered }}{% endraw %}",
        "{# comment #}{%- if t -%}  x  {%+ endif %}",
        "{% include 'missing.j2' ignore missing %}",
        "{% import 'macros.j2' as m %}{% from 'macros.j2' import a as b %}",
        "{{ lookup('env', 'HOME') }}{{ query('items', [1, 2]) }}{{ q('vars', 'name') }}",
        "{{ lookup('dict', d) }}{{ lookup('indexed_items', xs) }}{{ lookup('list', xs) }}",
        "{{ range(3) | list }}{{ dict(a=1) }}{{ undef('hint') is undefined }}{{ now(utc=true, fmt='%Y') }}",
        "{{ (1, 2) }}{{ [1, 2][::-1] }}{{ {'a': 1}['a'] }}{{ s[1:3] }}{{ 2 ** 10 }}{{ 7 // 2 }}{{ 7 % 3 }}"
        "{{ -n }}{{ 'a' ~ 1 }}{{ 'a' if t else 'b' }}{{ 1 < n <= 10 }}{{ 'a' in s }}{{ 'x' not in s }}",
        "{{ '%s-%05d' % (name, n) }}{{ 'a' * 3 }}{{ [1] * 2 }}{{ 1.5e3 }}{{ 1_000 }}{{ '\\x41\\u00e9' }}",
        "{{ s.split(' ') }}{{ s.lower().upper() }}{{ d.get('a') }}{{ d.keys() | list }}{{ s.startswith('H') }}",
        "{{ loop_a }}{{ ref_chain }}{{ deep.a.b.c[1].d }}{{ hostvars['web1'].port }}{{ groups.all | length }}",
        "n > 1 and t or not no",
        "xs | length > 2",
    ]
    seeds += ["{{ s.%s() }}" % m for m in sorted(names(os.path.join("src", "template", "methods.cc"), r'"([a-z_]+)"'))]
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    for s in seeds:
        data = s.encode()
        with open(os.path.join(OUT, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
            f.write(data)
    print(f"{len(set(seeds))} seeds in tests/fuzz/template_corpus")


if __name__ == "__main__":
    main()
