// package: the portable front of the host's package manager, as Ansible's. provision's hosts are Debian's, so it
// is apt: the task's arguments go to apt as they are (apt's own options work through it, as they do through
// Ansible's package), without `use`.
#include "provision/modules/module.h"

namespace prov::mod {

const Module& apt_module();

namespace {

class PackageModule : public Module {
 public:
  PackageModule() : spec_(apt_module().spec()) {
    spec_.name = "package";
    spec_.other_names.clear();
    ArgSpec use;
    use.name = "use";
    use.default_value = "auto";
    spec_.args.push_back(std::move(use));
  }

  const ModuleSpec& spec() const override { return spec_; }

  std::unique_ptr<Step> start(const Context& ctx) const override {
    const std::string use = ctx.args.value("use", std::string("auto"));
    if (use != "auto" && use != "apt" && use != "ansible.builtin.apt" && use != "ansible.legacy.apt") {
      throw ArgError("the package manager '" + use + "' is not supported by provision: its hosts use apt");
    }
    Context for_apt = ctx;
    for_apt.args.erase("use");
    return apt_module().start(for_apt);
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& package_module() {
  static const PackageModule module;
  return module;
}

}  // namespace prov::mod
