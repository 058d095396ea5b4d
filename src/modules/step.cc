// The module contract's driver: reads the host, compares, and changes only the difference, never past the
// comparison in check mode. Modules describe the phases (Step); the order and the modes live here, once.
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

conn::CommandResult read_host(const Context& ctx, const Probe& read) {
  if (read.fetched_path.empty()) return util::run(ctx, read.command, read.stdin_data);
  conn::CommandResult fetched;
  fetched.out = ctx.conn->fetch_file(read.fetched_path, ctx.become);
  return fetched;
}

}  // namespace

Result execute(const Module& module, Context& ctx) {
  std::unique_ptr<Step> step = module.start(ctx);
  while (std::optional<Probe> read = step->query()) step->parse(read_host(ctx, *read));
  // diff() is told check mode by a plan: the host's predictions, or an empty one when the caller keeps none.
  Plan no_predictions;
  Changes changes = step->diff(!ctx.check_mode ? nullptr : ctx.plan != nullptr ? ctx.plan : &no_predictions);
  Result result;
  if (changes.changed && !ctx.check_mode && !changes.result.contains("failed")) {
    result = step->apply(ctx, changes);
    if (result.is_null()) result = Result::object();
    // A diff apply found while acting (the attributes of what it just made) is shown, as any diff, only under --diff.
    if (!ctx.diff_mode) result.erase("diff");
    // A failed change (a validate command refusing the new content) reports only what failed.
    if (!result.contains("failed")) {
      for (auto& [key, value] : changes.result.items()) {
        if (!result.contains(key)) result[key] = value;
      }
    }
  } else {
    result = std::move(changes.result);
    if (ctx.check_mode && ctx.plan != nullptr) {
      ctx.plan->forget(changes.removed);
      if (changes.changed) ctx.plan->merge(changes.predicted);
    }
  }
  if (!result.contains("changed")) result["changed"] = changes.changed && !result.contains("failed");
  if (ctx.diff_mode && !changes.diff.is_null() && !result.contains("diff")) result["diff"] = std::move(changes.diff);
  return result;
}

std::optional<Probe> first_query(const Module& module, const Context& ctx) {
  std::unique_ptr<Step> step;
  try {
    step = module.start(ctx);
  } catch (const Error&) {
    return std::nullopt;  // execute() starts it again and reports the error where the task runs
  }
  std::optional<Probe> first = step->query();
  if (first && (!first->stdin_data.empty() || !first->fetched_path.empty())) return std::nullopt;
  return first;
}

Probe shell_read(std::string command) {
  Probe probe;
  probe.command = std::move(command);
  return probe;
}

}  // namespace prov::mod
