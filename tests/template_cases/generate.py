#!/usr/bin/python3
"""Generates cases.json: templates rendered by Ansible's own Templar (ansible-core 2.14: trim_blocks=True,
keep_trailing_newline=False, trailing newlines of the source put back), the reference the C++ engine is compared against by tests/unit/template/cases_test.cc.

Run with the system python that has ansible: /usr/bin/python3 tests/template_cases/generate.py
Each case: {"template", "vars", "expected"} or {"template", "vars", "error": message}.
"""
import json
import os
import sys

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from case_list import CASES, VARS  # noqa: E402


def render(template, variables):
    templar = Templar(loader=DataLoader(), variables=variables)
    return templar.template(template, preserve_trailing_newlines=True, escape_backslashes=False,
                            convert_data=False)


def main():
    out = []
    for template in CASES:
        case = {"template": template, "vars": VARS}
        try:
            case["expected"] = render(template, VARS)
            if not isinstance(case["expected"], str):
                case["expected"] = str(case["expected"])
        except Exception as e:  # the engine must fail too; messages differ in wrapping
            case["error"] = str(e).split("\n")[0]
        out.append(case)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")
    with open(path, "w") as f:  # one case per line keeps diffs readable
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in out) + "\n]\n")
    print("wrote %d cases to %s" % (len(out), path))


if __name__ == "__main__":
    main()
