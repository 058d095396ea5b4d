// libFuzzer target for free-form task arguments: each input is parsed as Ansible's parse_kv does, as plain
// module arguments and as a command line (check_raw). A prov::Error is the expected outcome of unbalanced quotes
// or Jinja2 blocks; any other exception, a crash, a hang or a sanitizer report is a finding.
// Built only with -DPROVISION_FUZZ=ON (clang); run it with bench/fuzz.sh kv.
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "provision/playbook/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  prov::SourceLoc loc{"play.yml", 3, 5};
  prov::fuzz::expect_only("parse_kv", [&] { prov::pb::parse_kv(text, false, loc); });
  prov::fuzz::expect_only("parse_kv check_raw", [&] { prov::pb::parse_kv(text, true, loc); });
  return 0;
}
