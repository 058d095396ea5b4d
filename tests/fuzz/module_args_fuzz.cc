// libFuzzer target for module argument checks: the input's first line names a module (one is picked by hash when
// no module has that name), the rest is its arguments as YAML (a mapping, or a free-form string read as k=v), which
// are then checked against the module's spec as a task's arguments are. A prov::Error (an ArgError for the module's
// rules, a located YAML error) is the expected outcome; anything else, a crash, a hang or a sanitizer report is a
// finding. Built only with -DPROVISION_FUZZ=ON (clang); run it with bench/fuzz.sh module_args.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "provision/core/yaml.h"
#include "provision/modules/module.h"
#include "provision/playbook/model.h"

namespace {

const prov::mod::Module& pick_module(std::string_view name) {
  if (const prov::mod::Module* found = prov::mod::find_module(name)) return *found;
  static const std::vector<std::string> names = prov::mod::module_names();
  return *prov::mod::find_module(names[std::hash<std::string_view>{}(name) % names.size()]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view name = input.substr(0, newline);
  std::string args_text(newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1));
  const prov::mod::Module& module = pick_module(name);

  prov::fuzz::expect_only("validate_args", [&] {
    prov::Value args = prov::yaml::to_value(prov::yaml::load_string(args_text, "args.yml"), "args.yml");
    if (args.is_string()) args = prov::pb::parse_kv(args.get<std::string>(), module.spec().free_form);
    if (args.is_null()) args = prov::Value::object();
    if (args.is_object()) prov::mod::validate_args(module.spec(), args);
  });
  return 0;
}
