// libFuzzer target for inventory files: each input is an inventory source without an extension, so the loader
// decides between YAML (a mapping) and INI as it does for a user's file, then host patterns are matched against what
// loaded and every host's variables are merged. A prov::Error is the expected outcome of a bad inventory; any other
// exception, a crash, a hang or a sanitizer report is a finding.
// Built only with -DPROVISION_FUZZ=ON (clang); run it with bench/fuzz.sh inventory.
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "provision/inventory/inventory.h"

namespace {

/// Patterns of every kind: groups, intersection and exclusion, globs, a regex, a range, a subscript.
const char* const kPatterns[] = {"all", "web:&prod:!web3", "*.example.com", "~db\\d+", "web[0:2]", "db[1]", "a,b"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path =
      prov::fuzz::write_file("inventory/hosts", std::string_view(reinterpret_cast<const char*>(data), size));
  prov::fuzz::expect_only("load_inventory", [&] {
    prov::inv::Inventory inventory = prov::inv::load_inventory({path}, "");
    for (const char* pattern : kPatterns) prov::fuzz::expect_only("match", [&] { inventory.match(pattern); });
    for (const prov::inv::Host* host : inventory.hosts()) inventory.host_vars(host->name);
    inventory.groups();
  });
  return 0;
}
