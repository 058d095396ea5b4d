// set_fact: names given as arguments become host facts (result.ansible_facts). Runs on the controller.
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

bool is_identifier(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

struct SetFactArgs {
  bool cacheable = false;

  static void describe(Schema<SetFactArgs>& s) { s.field("cacheable", &SetFactArgs::cacheable).default_value(false); }
};

// The facts are the task's arguments themselves (any names), so the step keeps them besides the typed options.
class SetFactRun : public Step {
 public:
  SetFactRun(SetFactArgs args, const Context& ctx) : args_(args), given_(ctx.args) {}

  Changes diff(const Plan*) const override { return {false, facts()}; }
  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  Result facts() const {
    Value facts = Value::object();
    for (const auto& [name, value] : given_.items()) {
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
    if (facts.empty()) {
      return util::failed("No key/value pairs provided, at least one is required for this action to succeed");
    }
    return {{"ansible_facts", facts}, {"_ansible_facts_cacheable", args_.cacheable}, {"changed", false}};
  }

  SetFactArgs args_;
  Value given_;
};

class SetFactModule : public TypedModule<SetFactArgs, SetFactRun> {
 public:
  SetFactModule() : TypedModule("set_fact") {
    spec_.runs_on_controller = true;
    spec_.any_keys = true;
  }
};

}  // namespace

const Module& set_fact_module() {
  static const SetFactModule module;
  return module;
}

}  // namespace prov::mod
