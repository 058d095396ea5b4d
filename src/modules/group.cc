// group: a group's presence and gid, with groupadd, groupmod and groupdel; one probe (getent group) reads it.
#include "accounts.h"
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

struct GroupArgs {
  std::string name;
  std::optional<long long> gid;
  std::string state;
  bool system = false, local = false, non_unique = false;

  static void describe(Schema<GroupArgs>& s) {
    s.field("name", &GroupArgs::name).required();
    s.field("gid", &GroupArgs::gid);
    s.field("state", &GroupArgs::state).choices({"absent", "present"}).default_value("present");
    s.field("system", &GroupArgs::system).default_value(false);
    s.field("local", &GroupArgs::local).default_value(false);
    s.field("non_unique", &GroupArgs::non_unique).default_value(false);
  }
};

class GroupRun : public Step {
 public:
  GroupRun(GroupArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (read_ || !refusal().empty()) return std::nullopt;
    return shell_read(group_lookup_command(args_.name));
  }
  void parse(const conn::CommandResult& read) override {
    current_ = parse_group_lookup(read, args_.name);
    read_ = true;
  }

  Changes diff(const Plan*) const override {
    Changes c;
    if (std::string refused = refusal(); !refused.empty()) {
      c.result = util::failed(refused);
      return c;
    }
    if (args_.state == "absent" ? current_.has_value() : !current_.has_value()) {
      c.changed = true;
      c.result = {{"changed", true}};
      if (!current_) c.predicted.groups.insert(args_.name);
      return c;
    }
    c.changed = args_.state == "present" && args_.gid && *args_.gid != current_->gid;
    c.result = described(c.changed);
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    std::string command;
    if (args_.state == "absent") {
      command = "groupdel";
    } else if (!current_) {
      command = "groupadd";
      if (args_.gid) command += gid_option();
      if (args_.system) command += " -r";
    } else {
      command = "groupmod" + gid_option();
    }
    conn::CommandResult done = util::run(ctx, command + " -- " + shell_quote(args_.name));
    if (done.rc != 0) return Value{{"failed", true}, {"name", args_.name}, {"msg", done.err}, {"changed", false}};
    current_ = parse_group_lookup(util::run(ctx, group_lookup_command(args_.name)), args_.name);
    return described(true, done);
  }

 private:
  std::string refusal() const {
    if (args_.local) return "local: true is not supported; groups are managed with groupadd";
    if (args_.non_unique && !args_.gid) return "non_unique is True but all of the following are missing: gid";
    return "";
  }

  std::string gid_option() const { return " -g " + std::to_string(*args_.gid) + (args_.non_unique ? " -o" : ""); }

  Result described(bool changed, const conn::CommandResult& done = {}) const {
    Result r = {{"name", args_.name}, {"state", args_.state}, {"changed", changed}};
    if (!done.out.empty()) r["stdout"] = done.out;
    if (!done.err.empty()) r["stderr"] = done.err;
    if (current_) {
      r["system"] = args_.system;
      r["gid"] = current_->gid;
    }
    return r;
  }

  GroupArgs args_;
  std::optional<GroupEntry> current_;
  bool read_ = false;
};

}  // namespace

const Module& group_module() {
  static const TypedModule<GroupArgs, GroupRun> module("group");
  return module;
}

}  // namespace prov::mod
