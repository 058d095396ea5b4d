#!/usr/bin/env bash
# Fuzzes the template engine (issue 3) with libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, one job,
# for a given time, then reports speed, coverage and what it found. Not part of CI.
#   bench/fuzz_template.sh [SECONDS (600)] [BUILD_DIR (build-fuzz)]
# Seeds: tests/fuzz/template_corpus (checked in); new inputs go to BUILD_DIR/corpus, findings to BUILD_DIR/findings.
# Reproduce one finding: BUILD_DIR/tests/fuzz/fuzz_template BUILD_DIR/findings/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
build=${2:-build-fuzz}

# clang with libFuzzer's runtime (libclang_rt.fuzzer-x86_64.a comes with libclang-rt-14-dev on Debian 12).
if ! command -v clang++ >/dev/null || ! dpkg -s libclang-rt-14-dev >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi

CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROVISION_FUZZ=ON \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 --target fuzz_template 2>&1 | tail -3

mkdir -p "$build/corpus" "$build/findings"
log="$build/fuzz.log"
# One job in fork mode: a crash, hang or out-of-memory is saved and the run goes on until the time is up.
# -timeout: a single input running longer is a hang; -rss_limit_mb / -malloc_limit_mb: a blow-up is a finding.
"$build/tests/fuzz/fuzz_template" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=2048 \
  -dict=tests/fuzz/template.dict -artifact_prefix="$build/findings/" -print_final_stats=1 \
  "$build/corpus" tests/fuzz/template_corpus >"$log" 2>&1 || true

last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
echo "fuzzed for ${seconds}s, one job; last status line:"
echo "  ${last:-none (see $log)}"
echo "seeds: $(ls tests/fuzz/template_corpus | wc -l), corpus now: $(ls "$build/corpus" | wc -l) inputs"
findings=$(ls "$build/findings" 2>/dev/null | grep -E '^(crash|timeout|oom|leak|slow-unit)-' || true)
if [ -z "$findings" ]; then
  echo "findings: none"
else
  echo "findings ($(echo "$findings" | wc -l)):"
  for f in $findings; do
    first=$("$build/tests/fuzz/fuzz_template" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 "$build/findings/$f" 2>&1 |
      grep -m1 -E 'ERROR: |runtime error:|uncaught |ALARM|out-of-memory|malloc\(' || true)
    echo "  $build/findings/$f ${first}"
  done
  exit 1
fi
