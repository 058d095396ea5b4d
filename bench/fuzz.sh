#!/usr/bin/env bash
# Fuzzes provision's parsers with libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer: each target named (all
# when none is) for a given time, one job, one target after the other; then reports speed, coverage and findings.
# Not part of CI (issue 15: ten minutes a target).
#   bench/fuzz.sh [-t SECONDS (600)] [-b BUILD_DIR (build-fuzz)] [TARGET...]
# Targets (tests/fuzz/<target>_fuzz.cc): template, playbook, inventory, literal, kv, module_args.
# Seeds: tests/fuzz/<target>_corpus (checked in; tests/fuzz/make_corpus.py and make_seeds.py regenerate them); new
# inputs go to BUILD_DIR/corpus/<target>, findings to BUILD_DIR/findings/<target>.
# Reproduce one finding: BUILD_DIR/tests/fuzz/fuzz_<target> BUILD_DIR/findings/<target>/crash-...
# Exit status: 1 when any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=600
build=build-fuzz
while getopts t:b: opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    b) build=$OPTARG ;;
    *) sed -n '2,10p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
all=(template playbook inventory literal kv module_args)
targets=("${@:-${all[@]}}")

# Per target: the libFuzzer dictionary (tests/fuzz/<name>.dict, "" for none) and the longest input worth trying.
dict_of() {
  case $1 in
    template) echo template ;;
    playbook | module_args) echo yaml ;;
    inventory) echo inventory ;;
    *) echo "" ;;
  esac
}
max_len_of() {
  case $1 in
    playbook | inventory) echo 4096 ;;
    template | module_args) echo 2048 ;;
    *) echo 1024 ;;
  esac
}

# clang with libFuzzer's runtime (libclang_rt.fuzzer-x86_64.a comes with libclang-rt-14-dev on Debian 12).
if ! command -v clang++ >/dev/null || ! dpkg -s libclang-rt-14-dev >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi

CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROVISION_FUZZ=ON \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}" 2>&1 | tail -1

# -timeout: a single input running longer is a hang; -rss_limit_mb / -malloc_limit_mb: a blow-up is a finding.
limits=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024)
found=0
for target in "${targets[@]}"; do
  binary="$build/tests/fuzz/fuzz_$target"
  corpus="$build/corpus/$target"
  findings="$build/findings/$target"
  log="$build/fuzz-$target.log"
  mkdir -p "$corpus" "$findings" "$build/tmp"
  dict=$(dict_of "$target")
  # One job in fork mode: a crash, hang or out-of-memory is saved and the run goes on until the time is up.
  # The targets that read files write them under TMPDIR; a child killed by a finding leaves its folder there.
  TMPDIR="$build/tmp" "$binary" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" "${limits[@]}" -max_len="$(max_len_of "$target")" ${dict:+-dict=tests/fuzz/$dict.dict} \
    -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" "tests/fuzz/${target}_corpus" >"$log" 2>&1 || true

  rm -rf "$build/tmp"
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  echo "$target: fuzzed for ${seconds}s, one job; last status line:"
  echo "  ${last:-none (see $log)}"
  echo "  seeds: $(ls "tests/fuzz/${target}_corpus" | wc -l), corpus now: $(ls "$corpus" | wc -l) inputs"
  names=$(ls "$findings" | grep -E '^(crash|timeout|oom|leak|slow-unit)-' || true)
  if [ -z "$names" ]; then
    echo "  findings: none"
    continue
  fi
  found=1
  echo "  findings ($(echo "$names" | wc -l)):"
  for f in $names; do
    first=$("$binary" "${limits[@]}" "$findings/$f" 2>&1 |
      grep -m1 -E 'ERROR: |runtime error:|uncaught |ALARM|out-of-memory|malloc\(' || true)
    echo "    $findings/$f ${first}"
  done
done
exit $found
