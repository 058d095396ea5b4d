#include "task_runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "async_job.h"
#include "connect.h"
#include "include_vars.h"
#include "provision/connection/become.h"
#include "provision/core/utf8.h"
#include "provision/modules/async.h"
#include "provision/modules/module.h"
#include "provision/modules/result_keys.h"
#include "provision/template/engine.h"
#include "scope.h"
#include "task_report.h"

namespace prov::exec {

namespace {

// Sets the host connection's deadline for one run of the action and clears it afterwards, however the run ends.
class DeadlineGuard {
 public:
  DeadlineGuard(TracedConnection* connection, long long seconds) : connection_(seconds > 0 ? connection : nullptr) {
    if (connection_) connection_->set_deadline(std::chrono::steady_clock::now() + std::chrono::seconds(seconds));
  }
  ~DeadlineGuard() {
    if (connection_) connection_->set_deadline(std::nullopt);
  }
  DeadlineGuard(const DeadlineGuard&) = delete;
  DeadlineGuard& operator=(const DeadlineGuard&) = delete;

 private:
  TracedConnection* connection_;
};

Value skipped_result() {
  return {{"changed", false}, {"skip_reason", "Conditional result was False"}, {"skipped", true}};
}

// An error in rendering the task's own arguments: it fails the whole task, not one loop item.
class TaskInputError : public Error {
 public:
  using Error::Error;
};

// One task on one host: the steps in order, each responsibility in its own piece (inputs, loop, result policy,
// report).
class TaskRun {
 public:
  TaskRun(PlayState& play, HostState& host, const graph::Node& node, const Frame& frame)
      : play_(play), host_(host), task_(*node.task), frame_(frame), scope_(play, host, frame, node.task),
        options_(template_options(play, task_, &scope_.scope())), inputs_(play, host, frame, task_, scope_, options_),
        policy_(task_, scope_, options_, frame.notify), report_(play, host, task_) {}

  TaskOutcome run() {
    Value result;
    try {
      no_log_ = as_bool(inputs_.templated_keyword(&pb::Keywords::no_log), false);
      report_.set_no_log(no_log_);
      ignore_errors_ = as_bool(inputs_.templated_keyword(&pb::Keywords::ignore_errors), false);
      ignore_unreachable_ = as_bool(inputs_.templated_keyword(&pb::Keywords::ignore_unreachable), false);
      result = task_.loop_kind.empty() ? run_single() : run_loop();
    } catch (const conn::UnreachableError& e) {
      result = {{"unreachable", true}, {"changed", false}, {"msg", e.message()}};
    } catch (const LoopItemsError& e) {
      result = failure(e.message());
    } catch (const Error& e) {
      result = failure(located(e.message(), task_));
    } catch (const std::exception& e) {
      // Expected failures are prov::Errors; anything else is a bug, but it fails this task on this host only.
      result = failure(located(fmt::format("internal error in provision: {}", e.what()), task_));
    }
    return finish(std::move(result));
  }

  // See planned_probes() in task_runner.h.
  PlannedProbes planned_probes() {
    PlannedProbes planned;
    // Planning renders the task's arguments once more; a lookup must run only when the task itself runs (a task
    // whose arguments call one plans no probe: the render fails and planned_probes() gives up quietly).
    options_.disable_lookups = true;
    if (action_->kind != mod::ActionKind::Module) return planned;
    if (!inputs_.templated_keyword(&pb::Keywords::delegate_to).is_null()) return planned;
    if (as_bool(inputs_.templated_keyword(&pb::Keywords::no_log), false)) return planned;
    const mod::Module& module = *action_->module;
    if (module.spec().runs_on_controller) return planned;
    if (task_.loop_kind.empty()) {
      planned.complete = add_probe(module, planned.probes);
      return planned;
    }
    TaskLoop loop = read_task_loop(play_, task_, inputs_, scope_, options_);
    for (std::size_t i = 0; i < loop.items.size(); ++i) {
      scope_.set_loop_vars(loop.item_vars(i), loop.items_are_data);
      if (!add_probe(module, planned.probes)) return planned;
    }
    planned.complete = true;
    return planned;
  }

 private:
  Value run_single() {
    if (!conditions_hold(frame_, task_, scope_)) return skipped_result();
    return run_with_retries();
  }

  Value run_loop() {
    TaskLoop loop;
    try {
      loop = read_task_loop(play_, task_, inputs_, scope_, options_);
    } catch (const tmpl::UndefinedError&) {
      // As Ansible: a loop over something undefined fails only a task whose conditions hold, read without an item
      // (an error in them leaves the loop's error as the answer).
      bool holds = true;
      try {
        holds = conditions_hold(frame_, task_, scope_);
      } catch (const Error&) {}
      if (!holds) return skipped_result();
      throw;
    }
    if (loop.items.empty()) return empty_loop_result();
    LoopSummary summary;
    for (std::size_t i = 0; i < loop.items.size(); ++i) {
      // Ansible waits between items, never after the last.
      if (i > 0 && loop.pause > 0) std::this_thread::sleep_for(std::chrono::duration<double>(loop.pause));
      scope_.set_loop_vars(loop.item_vars(i), loop.items_are_data);
      Value item_result;
      // An error in the task's own conditions or arguments fails the whole task, after the items reported so far
      // (Ansible raises it out of the loop); what the action itself fails is that item's result.
      const bool holds = conditions_hold(frame_, task_, scope_);
      try {
        item_result = holds ? run_with_retries() : skipped_result();
      } catch (const conn::UnreachableError& e) {
        item_result = {{"unreachable", true}, {"changed", false}, {"msg", e.message()}};  // the next item tries again
      } catch (const TaskInputError&) {
        throw;
      } catch (const tmpl::TemplateError& e) {
        // A template the action or a result condition could not render (an undefined name in assert's `that`,
        // in failed_when) is raised out of Ansible's loop as well.
        throw TaskInputError(e.message());
      } catch (const Error& e) {
        item_result = failure(located(e.message(), task_));
      }
      apply_facts(item_result);
      loop.mark_item_result(item_result, i);
      out::Status status = status_of(item_result);
      report_.item(status, item_result, item_label(task_, loop.items[i], inputs_));
      summary.add(status, std::move(item_result));
    }
    scope_.set_loop_vars(Value::object(), false);
    return summary.result();
  }

  Value run_with_retries() {
    if (task_.until.empty()) return policy_.apply_overrides(with_failed_flag(run_action()));
    long long retries = task_.retries.is_null()
                            ? 3
                            : std::max(1LL, whole_number(inputs_.templated(task_.retries), "retries", task_.loc));
    long long delay =
        task_.delay.is_null() ? 5 : std::max(0LL, whole_number(inputs_.templated(task_.delay), "delay", task_.loc));
    Value result;
    for (int attempt = 1; attempt <= retries; ++attempt) {
      result = policy_.apply_overrides(with_failed_flag(run_action()));
      result["attempts"] = attempt;
      if (status_of(result) == out::Status::Unreachable) return result;
      // As Ansible: until decides whether to try again; a failed result that meets it stays failed.
      if (policy_.until_met(result)) return result;
      if (attempt < retries) {
        play_.sink->retrying(host_.name, task_title(play_, task_, host_, frame_), retries - attempt);
        if (delay > 0) std::this_thread::sleep_for(std::chrono::seconds(delay));
        // The next attempt reads the host afresh: answers sent ahead describe it as it was (async_status until
        // finished would otherwise read the same unfinished job for ever).
        if (host_.connection) host_.connection->drop_prefetched();
      }
    }
    result["failed"] = true;
    return result;
  }

  // The probe of the task (or of the current loop item) when it would run and its module can tell it; a skipped
  // item adds nothing. False when the module cannot tell.
  bool add_probe(const mod::Module& module, std::vector<PlannedProbe>& probes) {
    if (!conditions_hold(frame_, task_, scope_, options_.disable_lookups)) return !task_.loop_kind.empty();
    ModuleCall call = inputs_.module_call(module);
    if (!call.context) return false;
    std::optional<mod::Probe> announced = mod::first_query(module, *call.context);
    if (!announced) return false;
    PlannedProbe probe;
    probe.command = std::move(announced->command);
    probe.prelude = announced->prelude;
    probe.shared = std::move(announced->shared);
    probe.shares_subshell = announced->shares_subshell;
    probe.options.env = call.context->env;
    probe.options.become = call.context->become;
    probes.push_back(std::move(probe));
    return true;
  }

  Value run_action() {
    if (task_.action->kind == mod::ActionKind::Templated) {
      // As Ansible templates `action` for each host and item, once its conditions hold.
      action_ = &pb::templated_module(task_, to_plain_string(inputs_.templated(Value(task_.action_as_written))));
      report_.set_action(action_);
    }
    if (action_->kind == mod::ActionKind::IncludeVars) {
      return include_vars(play_, host_, task_, inputs_.templated(task_.args), scope_.scope());
    }
    if (action_->kind == mod::ActionKind::NotInProvision) {
      throw Error(fmt::format("the module '{}' of Ansible is not supported by provision", action_->name));
    }
    const mod::Module* module = action_->module;
    if (!module) throw Error(fmt::format("'{}' is not a module", action_->name), task_.loc);
    const AsyncSettings async = async_settings(inputs_, task_.loc);
    if (async.seconds > 0) {
      if (!mod::supports_async(*module)) return failure("async is not supported for this task.");
      const Value check = inputs_.templated_keyword(&pb::Keywords::check_mode);
      if (check.is_null() ? play_.settings->check : as_bool(check, false)) {
        return failure("check mode and async cannot be used on same task.");
      }
    }
    ModuleCall call;
    try {
      call = inputs_.module_call(*module);
    } catch (const tmpl::TemplateError& e) {
      throw TaskInputError(e.message());
    }
    args_are_data_ = call.args_are_data;
    if (!call.context) return call.early;
    mod::Context& ctx = *call.context;
    const Value delegate = inputs_.templated_keyword(&pb::Keywords::delegate_to);
    if (!delegate.is_null() && to_plain_string(delegate) != host_.name) {
      report_.set_delegated_to(to_plain_string(delegate));
    }
    std::unique_ptr<conn::Connection> delegated;
    if (!module->spec().runs_on_controller) ctx.conn = &target_connection(delegated);
    if (async.seconds > 0 && async.poll == 0 && play_.jobs && ctx.conn) return start_job(*module, ctx, async);
    spdlog::debug("<{}> {} {}", host_.name, action_->name,
                  no_log_ ? "<hidden by no_log>" : censored(*module, call.args));
    if (host_.connection) host_.connection->set_quiet(no_log_);
    auto start = std::chrono::steady_clock::now();
    mod::Result result;
    const long long limit = inputs_.timeout();
    // An async task may take its `async` seconds (the timeout keyword still bounds it when shorter).
    const bool async_bound = async.seconds > 0 && (limit == 0 || async.seconds < limit);
    DeadlineGuard deadline(host_.connection.get(), async_bound ? async.seconds : limit);
    try {
      result = mod::execute(*module, ctx);
    } catch (const TaskTimeoutError&) {
      if (async_bound && async.poll > 0) {
        return failure(fmt::format("async task did not complete within the requested time - {}s", async.seconds));
      }
      if (!async_bound) {
        return failure(fmt::format("The {} action failed to execute in the expected time frame ({}) and was terminated",
                                   action_->name, limit));
      }
      result = failure(fmt::format("Job reached maximum time limit of {} seconds.", async.seconds));
    } catch (const conn::BecomeError& e) {
      if (!becomes_planned_user(ctx, e.message())) throw;
      result = {{"changed", true},
                {"msg", fmt::format("check mode: user {} does not exist yet; an earlier task would create it, and "
                                    "this task would then run as {}",
                                    ctx.become.user, ctx.become.user)}};
    }
    spdlog::debug("<{}> {} done in {:.1f} ms", host_.name, action_->name,
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!result.is_object()) result = {{"result", result}};
    if (auto shown = result.find(mod::kShownWarnings); shown != result.end()) {
      for (const auto& warning : *shown) play_.sink->warning(to_plain_string(warning));
      result.erase(shown);
    }
    if (!result.contains("changed")) result["changed"] = false;
    make_valid_utf8(result);  // a host's bytes become text, as Ansible decodes them
    if (async.seconds > 0) mark_finished(result, new_job_id());
    return result;
  }

  // poll: 0: the job's file says it started, and the job runs on while the play goes on (async_job.h).
  Value start_job(const mod::Module& module, const mod::Context& ctx, const AsyncSettings& async) {
    BackgroundJobs::Job job;
    job.jid = new_job_id();
    conn::RunOptions options;
    options.become = ctx.become;
    const Value started = started_job(job.jid);
    if (std::string error = write_job_file(*ctx.conn, options, job.jid, started); !error.empty()) {
      return failure(error);
    }
    job.module = &module;
    job.context = ctx;
    job.context.vars = nullptr;  // the task's variables end with it; modules that read them cannot run async
    job.target = target_.name;
    job.plan = target_.plan;
    job.seconds = async.seconds;
    play_.jobs->start(std::move(job));
    if (host_.connection) host_.connection->drop_prefetched();  // the job changes the host from now on
    host_.probed_ahead.clear();
    return started;
  }

  // In check mode, become to a user that an earlier task would create (a user task, or a package such as
  // postgresql bringing its system user) cannot run: the task is predicted to run once that user exists.
  static bool becomes_planned_user(const mod::Context& ctx, const std::string& error) {
    if (!ctx.check_mode || ctx.plan == nullptr) return false;
    const bool unknown_user =
        error.find("unknown user") != std::string::npos || error.find("does not exist") != std::string::npos;
    return unknown_user && (ctx.plan->users.count(ctx.become.user) > 0 || !ctx.plan->packages.empty());
  }

  // The connection to where the task runs: the host's, or a new one to its delegate (delegate_to). Records that
  // place and how it is reached in target_.
  conn::Connection& target_connection(std::unique_ptr<conn::Connection>& delegated) {
    Value delegate = inputs_.templated_keyword(&pb::Keywords::delegate_to);
    const ConnectionKeywords keywords = connection_keywords(frame_, &task_, scope_, options_);
    if (delegate.is_null() || to_plain_string(delegate) == host_.name) {
      target_ = {host_.name, connection_plan(host_.name, scope_.scope(), keywords, *play_.settings)};
      return connection_for(play_, host_, target_.plan);
    }
    target_.name = to_plain_string(delegate);
    target_.plan = delegate_plan(play_, host_, target_.name, keywords);
    delegated = open_connection(target_.name, target_.plan, *play_.settings);
    return *delegated;
  }

  TaskOutcome finish(Value result) {
    out::Status status = status_of(result);
    TaskOutcome outcome{status, false, result};
    if (status == out::Status::Failed && ignore_errors_) outcome.ignored = true;
    if (status == out::Status::Unreachable && ignore_unreachable_) outcome.ignored = true;
    {
      std::unique_lock lock(play_.facts_mutex);
      if (!task_.register_var.empty()) set_host_fact(host_, task_.register_var, result, true);
    }
    if (task_.loop_kind.empty()) apply_facts(result);
    if (status == out::Status::Changed && !notify_handlers()) return outcome;  // the run ends, nothing reported
    count_outcome(host_.stats, outcome);
    report_.outcome(outcome);
    return outcome;
  }

  // As Ansible when a task notifies: a name no handler answers to ends the run (error_on_missing_handler, the
  // default) or is a warning. Returns false when the run ends.
  bool notify_handlers() {
    std::vector<std::string> names = policy_.notify(host_);
    if (!names.empty()) render_handler_names(play_, host_);
    for (const auto& name : names) {
      if (handler_exists(play_, name)) continue;
      std::string message = fmt::format(
          "The requested handler '{}' was not found in either the main handlers list nor in the listening handlers "
          "list",
          name);
      if (!play_.settings->error_on_missing_handler) {
        play_.sink->warning(message);
        continue;
      }
      end_run(play_, message);
      return false;
    }
    return true;
  }

  // set_fact results become host variables at once, so the next loop item already sees them. Other modules'
  // facts (package_facts) come from the host: facts as gathered ones are, under ansible_facts too, and data.
  void apply_facts(const Value& result) {
    if (action_->kind != mod::ActionKind::Module || status_of(result) == out::Status::Failed) return;
    const Value* facts = find_key(result, "ansible_facts");
    if (!facts || !facts->is_object()) return;
    HostState& owner = facts_owner();
    std::unique_lock lock(play_.facts_mutex);
    std::string cache_warning;
    if (action_->has(mod::kSetsFacts)) {
      for (auto it = facts->begin(); it != facts->end(); ++it) {
        set_host_fact(owner, it.key(), it.value(), args_are_data_);
      }
      // set_fact's cacheable facts go to the fact cache too, where a later run (or hostvars) finds them.
      const Value* cacheable = find_key(result, "_ansible_facts_cacheable");
      if (cacheable && cacheable->is_boolean() && cacheable->get<bool>()) {
        cache_warning = cache_facts(owner, *facts, play_.fact_cache);
      }
      lock.unlock();
      if (!cache_warning.empty()) play_.sink->warning(cache_warning);
      return;
    }
    add_facts(owner, *facts);
    cache_warning = cache_facts(owner, *facts, play_.fact_cache);  // a module's facts are cached, as in Ansible
    lock.unlock();
    if (!cache_warning.empty()) play_.sink->warning(cache_warning);
  }

  // With delegate_facts, what a delegated task sets or gathers belongs to the delegate, not to the host.
  HostState& facts_owner() {
    const Value* flag = find_key(task_.kw.other, "delegate_facts");
    if (!flag || !as_bool(inputs_.templated(*flag), false)) return host_;
    const Value delegate = inputs_.templated_keyword(&pb::Keywords::delegate_to);
    if (delegate.is_null() || !play_.all_hosts) return host_;
    const std::string name = to_plain_string(delegate);
    for (auto& other : *play_.all_hosts) {
      if (other->name == name) return *other;
    }
    return host_;
  }

  PlayState& play_;
  HostState& host_;
  const pb::Task& task_;
  const Frame& frame_;
  TaskScope scope_;
  tmpl::Options options_;
  TaskInputs inputs_;
  ResultPolicy policy_;
  TaskReport report_;
  const mod::Action* action_ = task_.action;  // the task's, or for a templated name the module found on this host
  bool no_log_ = false;
  bool ignore_errors_ = false;
  bool ignore_unreachable_ = false;
  bool args_are_data_ = false;  // the last rendered arguments were made from data (set_fact keeps the mark)
  struct {
    std::string name;  // the task's host or its delegate
    ConnectionPlan plan;
  } target_;  // where the task's module last ran (target_connection)
};

}  // namespace

bool conditions_hold(const Frame& frame, const pb::Task& task, const TaskScope& scope, bool disable_lookups) {
  tmpl::Options options = ansible_options();
  options.name = task.loc.str();
  options.in_value = true;
  options.disable_lookups = disable_lookups;
  auto all = [&](const std::vector<std::string>& conditions) {
    for (const auto& c : conditions) {
      if (!tmpl::condition(c, scope.scope(), options)) return false;
    }
    return true;
  };
  for (const auto* kw : frame.keywords) {
    if (!all(kw->when)) return false;
  }
  return all(task.kw.when);
}

std::string task_title(const PlayState& play, const pb::Task& task, HostState& host, const Frame& frame) {
  std::string name = task.name.empty() ? graph::unnamed_task_title(task) : task.name;
  // An unnamed task's banner shows its action as written, templates and all (`action: "{{ module }}"`).
  if (!task.name.empty() && tmpl::is_template(name)) {
    // As Ansible: with the variables of the first host that runs it (its facts, include parameters, extra vars),
    // and as written when something in it is undefined.
    try {
      TaskScope scope(play, host, frame, &task);
      tmpl::Options options = ansible_options();
      options.native_types = false;
      name = to_plain_string(tmpl::template_value(Value(name), scope.scope(), options));
    } catch (const Error&) {}
  }
  // Ansible names the role in the banner of every role task but include_role's.
  const bool prefixed = task.role && task.action->kind != mod::ActionKind::IncludeRole;
  return prefixed ? task.role->name + " : " + name : name;
}

PlayStep play_step(PlayState& play, HostState& host, const Frame& frame) {
  TaskScope scope(play, host, frame, nullptr);
  tmpl::Options options = ansible_options();
  options.name = play.play->loc.str();
  options.in_value = true;
  PlayStep step;
  step.become = resolve_become(play, frame, nullptr, scope, options);
  step.plan =
      connection_plan(host.name, scope.scope(), connection_keywords(frame, nullptr, scope, options), *play.settings);
  Value ignore = keyword(frame, nullptr, &pb::Keywords::ignore_unreachable);
  step.ignore_unreachable =
      as_bool(ignore.is_null() ? ignore : tmpl::template_value(ignore, scope.scope(), options), false);
  return step;
}

TaskOutcome run_task(PlayState& play, HostState& host, const graph::Node& node, const Frame& frame) {
  return TaskRun(play, host, node, frame).run();
}

PlannedProbes planned_probes(PlayState& play, HostState& host, const graph::Node& node, const Frame& frame) {
  try {
    return TaskRun(play, host, node, frame).planned_probes();
  } catch (const Error&) {
    return {};  // the task itself will meet this error and report it
  }
}

}  // namespace prov::exec
