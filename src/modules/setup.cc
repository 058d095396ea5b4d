// setup: the host's facts, gathered by the one facts probe and picked by gather_subset and filter, as Ansible's
// setup module returns them (ansible_* names, gather_subset, module_setup). Only reads the host.
#include "provision/core/utf8.h"
#include "provision/modules/facts.h"
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

struct SetupArgs {
  std::vector<std::string> gather_subset, filter;
  long long gather_timeout = 10;
  std::string fact_path;

  static void describe(Schema<SetupArgs>& s) {
    s.field("gather_subset", &SetupArgs::gather_subset).elements(ArgType::Str).default_value(Value::array({"all"}));
    s.field("gather_timeout", &SetupArgs::gather_timeout).default_value(10);
    s.field("filter", &SetupArgs::filter).elements(ArgType::Str).default_value(Value::array());
    s.field("fact_path", &SetupArgs::fact_path, ArgType::Path).default_value("/etc/ansible/facts.d");
  }
};

class SetupRun : public Step {
 public:
  SetupRun(SetupArgs args, const Context&) {
    options_.subset = std::move(args.gather_subset);
    options_.timeout = args.gather_timeout;
    options_.filter = std::move(args.filter);
    options_.fact_path = std::move(args.fact_path);
    try {
      collectors_ = facts::resolve_subset(options_.subset);
    } catch (const Error& e) {
      error_ = e.message();  // a bad subset fails the task before the host is read, as Ansible's does
    }
  }

  std::optional<Probe> query() override {
    if (read_ || !error_.empty()) return std::nullopt;
    return shell_read(facts::probe_script(options_, collectors_));
  }
  void parse(const conn::CommandResult& read) override {
    facts_ = facts::setup_facts(facts::parse_facts(read.out, &warnings_), collectors_, options_);
    make_valid_utf8(facts_);
    read_ = true;
  }
  Changes diff(const Plan*) const override {
    if (!error_.empty()) return {false, {{"changed", false}, {"failed", true}, {"msg", error_}}};
    Value result = {{"ansible_facts", facts_}, {"changed", false}};
    if (!warnings_.empty()) result["warnings"] = warnings_;
    return {false, std::move(result)};
  }
  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  facts::GatherOptions options_;
  std::set<std::string> collectors_;
  std::string error_;
  Value facts_ = Value::object();
  std::vector<std::string> warnings_;  ///< local facts that could not be read, as Ansible's setup warns
  bool read_ = false;
};

}  // namespace

const Module& setup_module() {
  static const TypedModule<SetupArgs, SetupRun> module("setup");
  return module;
}

}  // namespace prov::mod
