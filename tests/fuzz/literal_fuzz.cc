// libFuzzer target for the inventory's small languages: each input is read as an INI value (Python's literal_eval),
// split as a shell-like line, expanded as a host range and split as a host pattern. A prov::Error is the expected
// outcome of a bad input; any other exception, a crash, a hang or a sanitizer report is a finding.
// Built only with -DPROVISION_FUZZ=ON (clang); run it with bench/fuzz.sh literal.
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "provision/inventory/inventory.h"
#include "provision/inventory/syntax.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  prov::fuzz::expect_only("parse_ini_value", [&] { prov::inv::parse_ini_value(text); });
  prov::fuzz::expect_only("split_words", [&] { prov::inv::split_words(text); });
  prov::fuzz::expect_only("expand_host_range", [&] { prov::inv::expand_host_range(text); });
  prov::fuzz::expect_only("split_host_pattern", [&] { prov::inv::split_host_pattern(text); });
  return 0;
}
