#!/usr/bin/env python3
"""Regenerates the seed corpora of the parser fuzz targets (bench/fuzz.sh) from the repository's own inputs:
playbook_corpus (test fixtures, parity cases, the deployment's playbook and task files), inventory_corpus (the
inventories and the inventories written in the unit tests), literal_corpus and kv_corpus (the values the unit
tests parse), module_args_corpus (every task's module and arguments, as "<module>\\n<YAML arguments>").
tests/fuzz/make_corpus.py does the same for the template target."""
import ast
import glob
import hashlib
import os
import re
import shutil

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MAX_SEED = 4096
KEYWORDS = {"name", "when", "loop", "loop_control", "register", "notify", "listen", "become", "become_user",
            "become_method", "tags", "check_mode", "diff", "ignore_errors", "ignore_unreachable", "failed_when",
            "changed_when", "until", "retries", "delay", "run_once", "delegate_to", "delegate_facts", "environment",
            "args", "vars", "no_log", "any_errors_fatal", "timeout", "throttle", "block", "rescue", "always"}


def read(path):
    with open(path, "rb") as f:
        return f.read()


def files(*patterns):
    out = []
    for pattern in patterns:
        out += sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True))
    return [p for p in out if os.path.isfile(p) and "/build" not in p]


def c_strings(paths, call):
    """The string literals passed as first argument to `call(...)` in C++ test files, unescaped."""
    found = []
    for path in paths:
        text = read(path).decode()
        for m in re.finditer(re.escape(call) + r'\(("(?:[^"\\]|\\.)*")', text):
            try:
                found.append(ast.literal_eval(m.group(1)).encode())
            except (ValueError, SyntaxError):
                pass
    return found


def raw_strings(paths):
    """The C++ raw string literals R"(...)" in test files."""
    found = []
    for path in paths:
        found += [m.group(2).encode() for m in re.finditer(r'R"(\w*)\((.*?)\)\1"', read(path).decode(), re.S)]
    return found


def tasks_of(node):
    if isinstance(node, list):
        for item in node:
            yield from tasks_of(item)
    elif isinstance(node, dict):
        for key in ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always"):
            if key in node:
                yield from tasks_of(node[key])
        yield node


class Loader(yaml.SafeLoader):
    pass


Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))
Loader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))


def module_args(paths):
    seeds = []
    for path in paths:
        try:
            doc = yaml.load(read(path), Loader=Loader)
        except yaml.YAMLError:
            continue
        for task in tasks_of(doc):
            for key, value in task.items():
                if key in KEYWORDS or key.startswith("with_") or not isinstance(value, (dict, str)):
                    continue
                body = yaml.safe_dump(value, default_flow_style=False) if isinstance(value, dict) else value + "\n"
                seeds.append((key.split(".")[-1] + "\n" + body).encode())
                break
    return seeds


def write(target, seeds):
    out = os.path.join(ROOT, "tests", "fuzz", target + "_corpus")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    kept = {hashlib.sha1(s).hexdigest()[:16]: s for s in seeds if 0 < len(s) <= MAX_SEED}
    for name, seed in kept.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(seed)
    print(f"{target}_corpus: {len(kept)} seeds")


def main():
    playbooks = files("tests/fixtures/playbook/**/*.yml", "tests/parity/cases/*/*.yml", "site.yml",
                      "roles/*/tasks/*.yml", "roles/*/handlers/*.yml", "tests/host_parity/**/*.yml")
    write("playbook", [read(p) for p in playbooks])
    inventory_tests = files("tests/unit/inventory/*.cc")
    write("inventory", [read(p) for p in files("inventory/*/hosts", "tests/**/inventory*.yml", "tests/**/hosts")] +
          [s for s in raw_strings(inventory_tests) if b"\n" in s])
    write("literal", c_strings(inventory_tests, "parse_ini_value") + c_strings(inventory_tests, "split_words") +
          c_strings(inventory_tests, "expand_host_range") + c_strings(inventory_tests, "split_host_pattern") +
          [b"[1, (2, 3), {'a': None}]", b"u'\\x41\\n'", b"-0x1F", b"1_000.5e-3", b"True", b"{1: [2]}"])
    write("kv", c_strings(files("tests/unit/playbook/*.cc"), "parse_kv") +
          [b"echo {{ a | default('x y') }} chdir=/tmp creates=\"/a b\"", b"msg='it''s' x=\"\\u00e9\""])
    write("module_args", module_args(playbooks))


if __name__ == "__main__":
    main()
