#!/usr/bin/env bash
# Template rendering (issue 3): a generated 10,000-line nginx-like template (upstreams, server blocks, locations
# from a variables file, with loops, conditionals and filters) rendered by provision's engine (bench_template) and by
# Debian's python3-jinja2 with Ansible's template settings and filters, in the same run. The outputs must be
# byte-identical. Prints a Markdown table of median times; not part of CI.
#   bench/template_render.sh [BUILD_DIR (build)] [RUNS (9)] [COLD_RUNS (3)]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-9}
cold_runs=${3:-3}
py=/usr/bin/python3  # Debian's interpreter, with Debian's jinja2 and ansible-core

if ! "$py" -c 'import jinja2, ansible' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-jinja2 ansible-core >/dev/null
fi
[ -f "$build/build.ninja" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target bench_template 2>&1 | tail -1
work=$(mktemp -d /tmp/provision-tmplbench.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$py" bench/template_render.py gen "$work"
read -r p_cold p_warm < <("$build/bench_template" "$work/nginx.conf.j2" "$work/vars.json" "$runs" "$work/out.provision")
read -r j_cold j_warm < <("$py" bench/template_render.py render "$work" "$runs" "$work/out.jinja2" "$cold_runs")
if ! cmp -s "$work/out.provision" "$work/out.jinja2"; then
  echo "outputs differ:" >&2
  diff "$work/out.jinja2" "$work/out.provision" | head -20 >&2
  exit 1
fi
ratio() { echo "$1 / $2" | bc -l | xargs printf %.1f; }
echo "template: $(wc -l <"$work/nginx.conf.j2") lines, output: $(wc -l <"$work/out.provision") lines," \
  "$(wc -c <"$work/out.provision") bytes, byte-identical"
echo
echo "| engine | parse + render (ms, median of cold runs) | render of a parsed template (ms, median of $runs) |"
echo "|---|---|---|"
echo "| provision | $p_cold ($runs runs) | $p_warm |"
echo "| python3-jinja2 $("$py" -c 'import jinja2; print(jinja2.__version__)') | $j_cold ($cold_runs runs) | $j_warm |"
echo "| ratio jinja2 / provision | $(ratio "$j_cold" "$p_cold") | $(ratio "$j_warm" "$p_warm") |"
