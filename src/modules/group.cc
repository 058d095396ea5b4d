// group: a group's presence and gid, with groupadd, groupmod and groupdel; one probe (getent group) reads it.
#include "accounts.h"
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

class GroupModule : public Module {
 public:
  GroupModule() {
    using util::arg;
    spec_.name = "group";
    spec_.args = {
        arg("name").required(),
        arg("gid", ArgType::Int),
        arg("state").choices({"absent", "present"}).default_value("present"),
        arg("system", ArgType::Bool).default_value(false),
        arg("local", ArgType::Bool).default_value(false),
        arg("non_unique", ArgType::Bool).default_value(false),
    };
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string name = util::str(args, "name");
    const std::string state = util::str(args, "state");
    if (util::flag(args, "local"))
      return util::failed("local: true is not supported; groups are managed with groupadd");

    if (util::flag(args, "non_unique") && args["gid"].is_null()) {
      return util::failed("non_unique is True but all of the following are missing: gid");
    }
    std::optional<GroupEntry> current = lookup(ctx, name);
    Result r = {{"name", name}, {"state", state}};
    conn::CommandResult done;
    bool acted = false;
    if (state == "absent") {
      if (current) {
        if (ctx.check_mode) {
          if (ctx.plan != nullptr) ctx.plan->groups.erase(name);
          return Value{{"changed", true}};
        }
        done = util::run(ctx, "groupdel -- " + shell_quote(name));
        acted = true;
      }
    } else if (!current) {
      if (ctx.check_mode) {
        if (ctx.plan != nullptr) ctx.plan->groups.insert(name);
        return Value{{"changed", true}};
      }
      std::string command = "groupadd";
      if (!args["gid"].is_null()) {
        command += " -g " + std::to_string(args["gid"].get<long long>());
        if (util::flag(args, "non_unique")) command += " -o";
      }
      if (util::flag(args, "system")) command += " -r";
      done = util::run(ctx, command + " -- " + shell_quote(name));
      acted = true;
    } else if (!args["gid"].is_null() && args["gid"].get<long long>() != current->gid) {
      acted = true;
      if (!ctx.check_mode) {
        std::string command = "groupmod -g " + std::to_string(args["gid"].get<long long>());
        if (util::flag(args, "non_unique")) command += " -o";
        done = util::run(ctx, command + " -- " + shell_quote(name));
      }
    }
    if (acted && done.rc != 0) return Value{{"failed", true}, {"name", name}, {"msg", done.err}, {"changed", false}};
    r["changed"] = acted;
    if (!done.out.empty()) r["stdout"] = done.out;
    if (!done.err.empty()) r["stderr"] = done.err;
    if (acted && !ctx.check_mode) current = lookup(ctx, name);
    if (current) {
      r["system"] = util::flag(args, "system");
      r["gid"] = current->gid;
    }
    return r;
  }

 private:
  static std::optional<GroupEntry> lookup(const Context& ctx, const std::string& name) {
    conn::CommandResult probe = util::run(ctx, "getent group -- " + shell_quote(name) + "; [ $? -le 2 ]");
    if (probe.rc != 0) throw Error("getent group failed: " + probe.err.substr(0, probe.err.find('\n')));
    std::string line = probe.out.substr(0, probe.out.find('\n'));
    if (line.empty()) return std::nullopt;
    std::optional<GroupEntry> g = parse_group_line(line);
    if (!g) throw Error("unexpected group entry: " + line);
    if (g->name != name) return std::nullopt;  // getent takes a number as a gid; Ansible looks up names only
    return g;
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& group_module() {
  static const GroupModule module;
  return module;
}

}  // namespace prov::mod
