// set_fact: names given as arguments become host facts (result.ansible_facts). Runs on the controller.
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

bool is_identifier(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

class SetFactModule : public Module {
 public:
  SetFactModule() {
    spec_.name = "set_fact";
    spec_.runs_on_controller = true;
    spec_.any_keys = true;
    spec_.args = {util::arg("cacheable", ArgType::Bool).default_value(false)};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    Value facts = Value::object();
    for (const auto& [name, value] : ctx.args.items()) {
      if (name == "cacheable") continue;
      if (!is_identifier(name)) {
        return util::failed("The variable name '" + name +
                            "' is not valid. Variables must start with a letter or underscore character, and "
                            "contain only letters, numbers and underscores.");
      }
      facts[name] = value;
      // As Ansible (without jinja2_native) does: boolean words given as strings become booleans.
      if (value.is_string()) {
        std::string lower = value.get<std::string>();
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "true" || lower == "yes") facts[name] = true;
        if (lower == "false" || lower == "no") facts[name] = false;
      }
    }
    if (facts.empty()) return util::failed("No key/value pairs provided, at least one is required for this action to succeed");
    return {{"ansible_facts", facts}, {"_ansible_facts_cacheable", util::flag(ctx.args, "cacheable")},
            {"changed", false}};
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& set_fact_module() {
  static const SetFactModule module;
  return module;
}

}  // namespace prov::mod
