#include "task_runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "connect.h"
#include "loops.h"
#include "provision/connection/become.h"
#include "provision/connection/registry.h"
#include "provision/core/utf8.h"
#include "provision/core/yaml.h"
#include "provision/modules/module.h"
#include "provision/template/engine.h"
#include "scope.h"

namespace prov::exec {

namespace {

namespace fs = std::filesystem;

// The arguments as logged at -vvv: values of no_log arguments (passwords) replaced, as Ansible shows them.
std::string censored(const mod::Module& module, const Value& args) {
  if (!args.is_object()) return args.dump();
  Value shown = args;
  for (const auto& spec : module.spec().args) {
    if (!spec.no_log) continue;
    std::vector<std::string> keys = spec.aliases;
    keys.push_back(spec.name);
    for (const auto& key : keys) {
      if (shown.contains(key)) shown[key] = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER";
    }
  }
  return shown.dump();
}

constexpr const char* kOmit = "__omit_place_holder__provision";
constexpr const char* kCensored =
    "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

tmpl::Options template_options(const PlayState& play, const pb::Task& task) {
  tmpl::Options options = ansible_options();
  options.name = task.loc.str();
  if (task.role) {
    options.search_paths.push_back(task.role->path + "/templates");
    options.search_paths.push_back(task.role->path + "/files");
    options.search_paths.push_back(task.role->path);
  }
  options.search_paths.push_back(play.playbook->dir + "/templates");
  options.search_paths.push_back(play.playbook->dir + "/files");
  options.search_paths.push_back(play.playbook->dir);
  return options;
}

// Where `src` of copy/template is searched: the role's folders first, then the playbook's.
std::vector<std::string> module_search_paths(const PlayState& play, const pb::Task& task) {
  std::vector<std::string> paths;
  const char* sub = task.action->has(mod::kTemplateSource) ? "templates" : "files";
  if (task.role) {
    paths.push_back(task.role->path + "/" + sub);
    paths.push_back(task.role->path);
  }
  fs::path task_dir = fs::path(task.file).parent_path();
  if (!task.file.empty()) {
    paths.push_back((task_dir / sub).string());
    paths.push_back(task_dir.string());
  }
  paths.push_back(play.playbook->dir + "/" + sub);
  paths.push_back(play.playbook->dir);
  return paths;
}

// A keyword's value, templated for this host.
Value templated_keyword(const Frame& frame, const pb::Task& task, Value pb::Keywords::*field, const TaskScope& scope,
                        const tmpl::Options& options) {
  Value raw = keyword(frame, &task, field);
  if (raw.is_null()) return raw;
  return tmpl::template_value(raw, scope.scope(), options);
}

Value strip_omitted(Value args) {
  if (!args.is_object()) return args;
  for (auto it = args.begin(); it != args.end();) {
    if (it.value().is_string() && it.value().get_ref<const std::string&>() == kOmit) {
      it = args.erase(it);
    } else {
      ++it;
    }
  }
  return args;
}

out::Status status_of(const Value& result) {
  if (result.value("unreachable", false)) return out::Status::Unreachable;
  if (as_bool(result.value("failed", Value(false)), false)) return out::Status::Failed;
  if (as_bool(result.value("skipped", Value(false)), false)) return out::Status::Skipped;
  if (as_bool(result.value("changed", Value(false)), false)) return out::Status::Changed;
  return out::Status::Ok;
}

Value failure(const std::string& message) { return {{"failed", true}, {"msg", message}}; }

// A keyword kept raw in Keywords::other, from the task outwards.
Value other_keyword(const Frame& frame, const pb::Task& task, const char* name) {
  if (const Value* v = find_key(task.kw.other, name); v && !v->is_null()) return *v;
  for (auto it = frame.keywords.rbegin(); it != frame.keywords.rend(); ++it) {
    if (const Value* v = find_key((*it)->other, name); v && !v->is_null()) return *v;
  }
  return nullptr;
}

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

// An integer keyword (retries, delay) after templating, converted as Ansible converts it.
long long whole_number(const Value& value, const char* keyword, const SourceLoc& loc) {
  if (auto n = as_whole_number(value)) return *n;
  throw Error(fmt::format("the field '{}' has an invalid value ({}), and could not be converted to an int", keyword,
                          to_plain_string(value)),
              loc);
}

std::string located(const std::string& message, const pb::Task& task) {
  return fmt::format("{} (in task '{}' at {})", message, graph::display_name(task), task.loc.str());
}

// Ansible's rule: the ansible_become* variables beat the become* keywords (from the task outwards), which beat the
// command line.
conn::Become resolve_become(const PlayState& play, const Frame& frame, const pb::Task* task, const TaskScope& scope,
                            const tmpl::Options& options) {
  auto setting = [&](const char* variable, Value pb::Keywords::*field) {
    if (const Value* v = scope.scope().lookup(variable)) return tmpl::template_value(*v, scope.scope(), options);
    Value raw = keyword(frame, task, field);
    return raw.is_null() ? raw : tmpl::template_value(raw, scope.scope(), options);
  };
  conn::Become b;
  Value flag = setting("ansible_become", &pb::Keywords::become);
  b.enabled = flag.is_null() ? play.settings->become : as_bool(flag, false);
  Value user = setting("ansible_become_user", &pb::Keywords::become_user);
  b.user = user.is_null() ? play.settings->become_user : to_plain_string(user);
  Value method = setting("ansible_become_method", &pb::Keywords::become_method);
  b.method = method.is_null() ? play.settings->become_method : to_plain_string(method);
  for (const char* key : {"ansible_become_password", "ansible_become_pass"}) {
    if (const Value* v = scope.scope().lookup(key); v && b.password.empty()) {
      b.password = to_plain_string(tmpl::template_value(*v, scope.scope(), options));
    }
  }
  if (b.password.empty()) b.password = play.settings->become_password;
  return b;
}

class TaskRun {
 public:
  TaskRun(PlayState& play, HostState& host, const graph::Node& node, const Frame& frame)
      : play_(play), host_(host), task_(*node.task), frame_(frame), scope_(play, host, frame, node.task),
        options_(template_options(play, task_)) {}

  TaskOutcome run() {
    Value result;
    try {
      no_log_ = as_bool(templated_keyword(frame_, task_, &pb::Keywords::no_log, scope_, options_), false);
      ignore_errors_ = as_bool(templated_keyword(frame_, task_, &pb::Keywords::ignore_errors, scope_, options_), false);
      result = task_.loop_kind.empty() ? run_single() : run_loop();
    } catch (const conn::UnreachableError& e) {
      result = {{"unreachable", true}, {"changed", false}, {"msg", e.message()}};
    } catch (const Error& e) {
      result = failure(located(e.message(), task_));
    } catch (const std::exception& e) {
      // Expected failures are prov::Errors; anything else is a bug, but it fails this task on this host only.
      result = failure(located(fmt::format("internal error in provision: {}", e.what()), task_));
    }
    return finish(std::move(result));
  }

 private:
  Value run_single() {
    if (!conditions_hold(frame_, task_, scope_)) return skipped_result();
    return run_with_retries();
  }

  Value skipped_result() const {
    Value result = {{"changed", false}, {"skip_reason", "Conditional result was False"}, {"skipped", true}};
    return result;
  }

  Value run_loop() {
    std::vector<Value> items = loop_items_of_task();
    if (items.empty()) {
      return {{"changed", false},
              {"skipped", true},
              {"skipped_reason", "No items in the list"},
              {"results", Value::array()}};
    }
    Value results = Value::array();
    bool any_changed = false, any_failed = false, all_skipped = true;
    for (std::size_t i = 0; i < items.size(); ++i) {
      set_item_vars(items, i);
      Value item_result;
      try {
        item_result = conditions_hold(frame_, task_, scope_) ? run_with_retries() : skipped_result();
      } catch (const conn::UnreachableError&) {
        throw;
      } catch (const Error& e) {
        item_result = failure(located(e.message(), task_));
      }
      apply_facts(item_result);
      item_result[loop_.var] = items[i];
      item_result["ansible_loop_var"] = loop_.var;
      if (!loop_.index_var.empty()) item_result[loop_.index_var] = i;
      out::Status status = status_of(item_result);
      any_changed |= status == out::Status::Changed;
      any_failed |= status == out::Status::Failed;
      all_skipped &= status == out::Status::Skipped;
      report_item(status, item_result, label(task_.loop_control, items[i]));
      results.push_back(std::move(item_result));
    }
    scope_.set_loop_vars(Value::object(), false);
    Value result = {{"changed", any_changed}, {"msg", "All items completed"}, {"results", results}};
    if (any_failed) {
      result["failed"] = true;
      result["msg"] = "One or more items failed";
    } else if (all_skipped) {
      result["skipped"] = true;
    }
    return result;
  }

  // The loop's items, and what loop_control says of the variables each item gets.
  std::vector<Value> loop_items_of_task() {
    tmpl::Rendered raw_items = tmpl::template_marked(task_.loop, scope_.scope(), options_);
    std::vector<Value> items = loop_items(task_.loop_kind, raw_items.value);
    items_are_data_ = items_are_data(task_, raw_items);
    const Value& control = task_.loop_control;
    auto text = [&](const char* key, const char* fallback) {
      const Value* v = find_key(control, key);
      return v ? to_plain_string(*v) : std::string(fallback);
    };
    auto flag = [&](const char* key, bool fallback) {
      const Value* v = find_key(control, key);
      return v ? as_bool(templated(*v), fallback) : fallback;
    };
    loop_.var = text("loop_var", "item");
    loop_.index_var = text("index_var", "");
    loop_.extended = flag("extended", false);
    loop_.allitems = flag("extended_allitems", true);
    return items;
  }

  void set_item_vars(const std::vector<Value>& items, std::size_t i) {
    Value loop_vars = {{loop_.var, items[i]}, {"ansible_loop_var", loop_.var}};
    if (!loop_.index_var.empty()) {
      loop_vars[loop_.index_var] = i;
      loop_vars["ansible_index_var"] = loop_.index_var;
    }
    // ansible_loop only with loop_control.extended, as in Ansible: its allitems copies the whole list for each item,
    // which a long loop cannot afford otherwise.
    if (loop_.extended) {
      Value& loop = loop_vars["ansible_loop"] = {{"index", i + 1},
                                                 {"index0", i},
                                                 {"revindex", items.size() - i},
                                                 {"revindex0", items.size() - i - 1},
                                                 {"first", i == 0},
                                                 {"last", i + 1 == items.size()},
                                                 {"length", items.size()}};
      if (loop_.allitems) loop["allitems"] = items;
      if (i > 0) loop["previtem"] = items[i - 1];
      if (i + 1 < items.size()) loop["nextitem"] = items[i + 1];
    }
    scope_.set_loop_vars(loop_vars, items_are_data_);
  }

  std::string label(const Value& control, const Value& item) {
    if (control.is_object() && control.contains("label")) {
      try {
        return tmpl::python_str(tmpl::template_value(control["label"], scope_.scope(), options_));
      } catch (const Error&) {}
    }
    return tmpl::python_str(item);
  }

  Value run_with_retries() {
    if (task_.until.empty()) return apply_overrides(run_action());
    long long retries =
        task_.retries.is_null() ? 3 : std::max(1LL, whole_number(templated(task_.retries), "retries", task_.loc));
    long long delay =
        task_.delay.is_null() ? 5 : std::max(0LL, whole_number(templated(task_.delay), "delay", task_.loc));
    Value result;
    for (int attempt = 1; attempt <= retries; ++attempt) {
      result = apply_overrides(run_action());
      result["attempts"] = attempt;
      if (status_of(result) == out::Status::Unreachable) return result;
      bind_result(result);
      bool done = true;
      for (const auto& condition : task_.until) done = done && tmpl::condition(condition, scope_.scope(), options_);
      if (done) {
        result.erase("failed");
        return result;
      }
      if (attempt < retries) {
        play_.sink->retrying(host_.name, task_title(play_, node_of()), retries - attempt);
        if (delay > 0) std::this_thread::sleep_for(std::chrono::seconds(delay));
      }
    }
    result["failed"] = true;
    return result;
  }

  Value templated(const Value& raw) { return tmpl::template_value(raw, scope_.scope(), options_); }

  // The timeout keyword (task, block or play): a limit in seconds on each run of the action; 0 is none.
  long long task_timeout() {
    Value raw = other_keyword(frame_, task_, "timeout");
    return raw.is_null() ? 0 : std::max(0LL, whole_number(templated(raw), "timeout", task_.loc));
  }

  graph::Node node_of() const {
    graph::Node node;
    node.task = &task_;
    return node;
  }

  void bind_result(const Value& result) {
    if (!task_.register_var.empty()) scope_.bind(task_.register_var, result);
  }

  // changed_when and failed_when see the result under the register name, as in Ansible.
  Value apply_overrides(Value result) {
    if (status_of(result) == out::Status::Unreachable) return result;
    if (task_.changed_when.empty() && task_.failed_when.empty()) return result;
    bind_result(result);
    if (!task_.changed_when.empty()) {
      bool changed = true;
      for (const auto& c : task_.changed_when) changed = changed && tmpl::condition(c, scope_.scope(), options_);
      result["changed"] = changed;
    }
    if (!task_.failed_when.empty()) {
      bool failed = true;
      for (const auto& c : task_.failed_when) failed = failed && tmpl::condition(c, scope_.scope(), options_);
      result["failed_when_result"] = failed;
      result["failed"] = failed;
    }
    return result;
  }

  conn::Become become() { return resolve_become(play_, frame_, &task_, scope_, options_); }

  std::map<std::string, std::string> environment() {
    std::map<std::string, std::string> env;
    auto add = [&](const Value& raw) {
      if (raw.is_null()) return;
      Value rendered = tmpl::template_value(raw, scope_.scope(), options_);
      if (!rendered.is_object()) throw Error("environment must be a dict", task_.loc);
      for (auto it = rendered.begin(); it != rendered.end(); ++it) env[it.key()] = to_plain_string(it.value());
    };
    for (const auto* kw : frame_.keywords) add(kw->environment);
    add(task_.kw.environment);
    return env;
  }

  // The module's context for this task: arguments rendered and validated, check/diff mode, become, environment.
  // Null with `early` set when the task ends before the module runs (bad arguments, check mode unsupported);
  // `args` gets the rendered arguments as written (for the log).
  std::optional<mod::Context> module_context(const mod::Module& module, Value& early, Value& args) {
    tmpl::Rendered rendered = tmpl::template_marked(task_.args, scope_.scope(), options_);
    args_are_data_ = rendered.data;
    args = strip_omitted(std::move(rendered.value));
    mod::Context ctx;
    try {
      ctx.args = mod::validate_args(module.spec(), args);
    } catch (const mod::ArgError& e) {
      early = failure(e.message());
      return std::nullopt;
    }
    Value check = templated_keyword(frame_, task_, &pb::Keywords::check_mode, scope_, options_);
    ctx.check_mode = check.is_null() ? play_.settings->check : as_bool(check, false);
    Value diff = templated_keyword(frame_, task_, &pb::Keywords::diff, scope_, options_);
    ctx.diff_mode = diff.is_null() ? play_.settings->diff : as_bool(diff, false);
    if (ctx.check_mode && !module.spec().check_mode_support) {
      early = {{"changed", false}, {"skipped", true}, {"msg", "skipped, running in check mode"}};
      return std::nullopt;
    }
    ctx.become = become();
    ctx.env = environment();
    ctx.search_paths = module_search_paths(play_, task_);
    ctx.vars = &scope_.scope();
    ctx.task_location = task_.loc.str();
    ctx.verbosity = play_.settings->verbosity;
    ctx.plan = &host_.plan;
    return ctx;
  }

 public:
  // See planned_probes() in task_runner.h.
  PlannedProbes planned_probes() {
    PlannedProbes planned;
    // Planning renders the task's arguments once more; a lookup must run only when the task itself runs (a task
    // whose arguments call one plans no probe: the render fails and planned_probes() gives up quietly).
    options_.disable_lookups = true;
    if (task_.action->kind != mod::ActionKind::Module) return planned;
    if (!templated_keyword(frame_, task_, &pb::Keywords::delegate_to, scope_, options_).is_null()) return planned;
    if (as_bool(templated_keyword(frame_, task_, &pb::Keywords::no_log, scope_, options_), false)) return planned;
    const mod::Module* module = task_.action->module;
    if (module->spec().runs_on_controller) return planned;
    if (task_.loop_kind.empty()) {
      planned.complete = add_probe(*module, planned.probes);
      return planned;
    }
    std::vector<Value> items = loop_items_of_task();
    for (std::size_t i = 0; i < items.size(); ++i) {
      set_item_vars(items, i);
      if (!add_probe(*module, planned.probes)) return planned;
    }
    planned.complete = true;
    return planned;
  }

 private:
  // The probe of the task (or of the current loop item) when it would run and its module can tell it; a skipped
  // item adds nothing. False when the module cannot tell.
  bool add_probe(const mod::Module& module, std::vector<PlannedProbe>& probes) {
    if (!conditions_hold(frame_, task_, scope_, options_.disable_lookups)) return !task_.loop_kind.empty();
    Value early, args;
    std::optional<mod::Context> ctx = module_context(module, early, args);
    if (!ctx) return false;
    std::optional<mod::Probe> announced = module.first_probe(*ctx);
    if (!announced) return false;
    PlannedProbe probe;
    probe.command = std::move(announced->command);
    probe.prelude = announced->prelude;
    probe.shared = std::move(announced->shared);
    probe.shares_subshell = announced->shares_subshell;
    probe.options.env = ctx->env;
    probe.options.become = ctx->become;
    probes.push_back(std::move(probe));
    return true;
  }

 private:
  Value run_action() {
    if (task_.action->kind == mod::ActionKind::IncludeVars) return include_vars();
    const mod::Module* module = task_.action->module;
    if (!module) throw Error(fmt::format("'{}' is not a module", task_.action->name), task_.loc);
    Value early, args;
    std::optional<mod::Context> maybe_ctx = module_context(*module, early, args);
    if (!maybe_ctx) return early;
    mod::Context& ctx = *maybe_ctx;
    std::unique_ptr<conn::Connection> delegated;
    if (!module->spec().runs_on_controller) ctx.conn = &target_connection(delegated);
    spdlog::debug("<{}> {} {}", host_.name, task_.action->name,
                  no_log_ ? "<hidden by no_log>" : censored(*module, args));
    if (host_.connection) host_.connection->set_quiet(no_log_);
    auto start = std::chrono::steady_clock::now();
    mod::Result result;
    const long long limit = task_timeout();
    DeadlineGuard deadline(host_.connection.get(), limit);
    try {
      result = module->run(ctx);
    } catch (const TaskTimeoutError&) {
      return failure(fmt::format("The {} action failed to execute in the expected time frame ({}) and was terminated",
                                 task_.action->name, limit));
    } catch (const conn::BecomeError& e) {
      if (!becomes_planned_user(ctx, e.message())) throw;
      result = {{"changed", true},
                {"msg", fmt::format("check mode: user {} does not exist yet; an earlier task would create it, and "
                                    "this task would then run as {}",
                                    ctx.become.user, ctx.become.user)}};
    }
    spdlog::debug("<{}> {} done in {:.1f} ms", host_.name, task_.action->name,
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!result.is_object()) result = {{"result", result}};
    if (!result.contains("changed")) result["changed"] = false;
    make_valid_utf8(result);  // a host's bytes become text, as Ansible decodes them
    return result;
  }

  // In check mode, become to a user that an earlier task would create (a user task, or a package such as
  // postgresql bringing its system user) cannot run: the task is predicted to run once that user exists.
  bool becomes_planned_user(const mod::Context& ctx, const std::string& error) const {
    if (!ctx.check_mode || ctx.plan == nullptr) return false;
    const bool unknown_user =
        error.find("unknown user") != std::string::npos || error.find("does not exist") != std::string::npos;
    return unknown_user && (ctx.plan->users.count(ctx.become.user) > 0 || !ctx.plan->packages.empty());
  }

  conn::Connection& target_connection(std::unique_ptr<conn::Connection>& delegated) {
    Value delegate = templated_keyword(frame_, task_, &pb::Keywords::delegate_to, scope_, options_);
    if (delegate.is_null() || to_plain_string(delegate) == host_.name) return connection_for(play_, host_);
    std::string target = to_plain_string(delegate);
    delegated_to_ = target;
    if (target == "localhost" || target == "127.0.0.1") {
      delegated = conn::make_connection("local");
      delegated->connect();
      return *delegated;
    }
    throw Error(fmt::format("delegate_to '{}' is not supported yet: only localhost", target), task_.loc);
  }

  Value include_vars() {
    Value args = tmpl::template_value(task_.args, scope_.scope(), options_);
    std::string file = args.contains("file")          ? to_plain_string(args["file"])
                       : args.contains("_raw_params") ? to_plain_string(args["_raw_params"])
                                                      : "";
    if (file.empty()) return failure("include_vars needs a file");
    std::vector<std::string> candidates;
    if (fs::path(file).is_absolute()) {
      candidates.push_back(file);
    } else {
      if (task_.role) candidates.push_back(task_.role->path + "/vars/" + file);
      candidates.push_back((fs::path(task_.file).parent_path() / "vars" / file).string());
      candidates.push_back((fs::path(task_.file).parent_path() / file).string());
      candidates.push_back(play_.playbook->dir + "/vars/" + file);
      candidates.push_back(play_.playbook->dir + "/" + file);
    }
    for (const auto& path : candidates) {
      if (!fs::exists(path)) continue;
      Value loaded = yaml::to_value(yaml::load_file(path), path);
      if (!loaded.is_object() && !loaded.is_null()) return failure(fmt::format("{} must hold a mapping", path));
      std::unique_lock lock(play_.facts_mutex);
      if (args.contains("name")) {
        host_.include_vars[to_plain_string(args["name"])] = loaded;
      } else if (loaded.is_object()) {
        for (auto it = loaded.begin(); it != loaded.end(); ++it) host_.include_vars[it.key()] = it.value();
      }
      return {{"changed", false}, {"ansible_included_var_files", {path}}, {"ansible_facts", loaded}};
    }
    return failure(fmt::format("Could not find or access '{}'. Searched in: {}", file, fmt::join(candidates, ", ")));
  }

  void report_item(out::Status status, const Value& result, const std::string& item_label) {
    out::HostResult event;
    event.host = host_.name;
    event.delegated_to = delegated_to_;
    event.status = status;
    event.is_item = true;
    event.item_label = no_log_ ? "None" : item_label;
    event.result = displayed(result);
    event.show_result = shows_result(status);
    play_.sink->host_result(event);
  }

  // debug's result is shown without -v, when it succeeded.
  bool shows_result(out::Status status) const {
    return task_.action->has(mod::kShowsResult) && (status == out::Status::Ok || status == out::Status::Changed);
  }

  // What the sink may show: no_log hides everything but the outcome; debug shows only its message.
  Value displayed(const Value& result) const {
    if (no_log_) {
      Value hidden = {{"censored", kCensored}, {"changed", result.value("changed", Value(false))}};
      if (result.contains("failed")) hidden["failed"] = result["failed"];
      return hidden;
    }
    if (task_.action->has(mod::kShowsResult) && !result.value("failed", false) && !result.value("skipped", false)) {
      Value shown = Value::object();
      for (auto it = result.begin(); it != result.end(); ++it) {
        if (it.key() == "changed" || it.key() == "_ansible_verbose_always" || it.key() == "ansible_loop_var") continue;
        if (result.contains("ansible_loop_var") && it.key() == to_plain_string(result["ansible_loop_var"])) continue;
        shown[it.key()] = it.value();
      }
      return shown;
    }
    return result;
  }

  TaskOutcome finish(Value result) {
    out::Status status = status_of(result);
    TaskOutcome outcome{status, false, result};
    if (status == out::Status::Failed && ignore_errors_) outcome.ignored = true;
    {
      std::unique_lock lock(play_.facts_mutex);
      if (!task_.register_var.empty()) set_host_fact(host_, task_.register_var, result, true);
    }
    if (task_.loop_kind.empty()) apply_facts(result);
    if (status == out::Status::Changed) {
      for (const auto& name : task_.notify) notify(name);
    }
    count(outcome);
    report(outcome);
    return outcome;
  }

  // set_fact results become host variables at once, so the next loop item already sees them.
  void apply_facts(const Value& result) {
    if (!task_.action->has(mod::kSetsFacts) || status_of(result) == out::Status::Failed) return;
    const Value* facts = find_key(result, "ansible_facts");
    if (!facts || !facts->is_object()) return;
    std::unique_lock lock(play_.facts_mutex);
    for (auto it = facts->begin(); it != facts->end(); ++it) set_host_fact(host_, it.key(), it.value(), args_are_data_);
  }

  void notify(const std::string& raw_name) {
    std::string name = raw_name;
    try {
      name = tmpl::render(raw_name, scope_.scope(), options_);
    } catch (const Error&) {}
    if (std::find(host_.notified.begin(), host_.notified.end(), name) == host_.notified.end()) {
      host_.notified.push_back(name);
    }
  }

  void count(const TaskOutcome& outcome) {
    out::HostStats& s = host_.stats;
    bool changed = as_bool(outcome.result.value("changed", Value(false)), false);
    switch (outcome.status) {
      case out::Status::Ok: ++s.ok; break;
      case out::Status::Changed:
        ++s.ok;
        ++s.changed;
        break;
      case out::Status::Skipped: ++s.skipped; break;
      case out::Status::Unreachable: ++s.unreachable; break;
      case out::Status::Failed:
        if (outcome.ignored) {
          ++s.ok;
          ++s.ignored;
          if (changed) ++s.changed;
        } else {
          ++s.failed;
        }
        break;
    }
  }

  void report(const TaskOutcome& outcome) {
    bool loop = !task_.loop_kind.empty() && outcome.result.contains("results") && !outcome.result["results"].empty();
    out::HostResult event;
    event.host = host_.name;
    event.delegated_to = delegated_to_;
    event.status = outcome.status;
    event.ignored = outcome.ignored;
    if (loop) {
      // Items were shown one by one; Ansible adds a line only for a wholly skipped loop or an ignored failure.
      if (outcome.status == out::Status::Skipped) {
        event.result = Value{{"changed", false}, {"skipped", true}};
        play_.sink->host_result(event);
      } else if (outcome.status == out::Status::Failed && !outcome.ignored) {
        event.result = displayed(Value{{"changed", outcome.result.value("changed", Value(false))},
                                       {"msg", outcome.result.value("msg", Value(""))}});
        play_.sink->host_result(event);
      } else if (outcome.status == out::Status::Failed) {
        play_.sink->ignored_note();
      }
      return;
    }
    event.result = displayed(outcome.result);
    event.show_result = shows_result(outcome.status);
    play_.sink->host_result(event);
  }

  PlayState& play_;
  HostState& host_;
  const pb::Task& task_;
  const Frame& frame_;
  TaskScope scope_;
  tmpl::Options options_;
  bool no_log_ = false;
  bool ignore_errors_ = false;
  struct LoopControl {
    std::string var = "item";
    std::string index_var;
    bool extended = false;
    bool allitems = true;
  } loop_;
  bool items_are_data_ = false;  // the loop's items are data (tmpl::Vars)
  bool args_are_data_ = false;   // the last rendered arguments were made from data (set_fact keeps the mark)
  std::string delegated_to_;
};

}  // namespace

bool as_bool(const Value& v, bool fallback) {
  if (v.is_null()) return fallback;
  if (std::optional<bool> b = ansible_bool(v)) return *b;
  return !v.is_string() && truthy(v);
}

bool items_are_data(const pb::Task& task, const tmpl::Rendered& loop) { return task.loop_kind != "loop" || loop.data; }

tmpl::Options ansible_options() {
  tmpl::Options options;
  options.native_types = false;
  return options;
}

Value keyword(const Frame& frame, const pb::Task* task, Value pb::Keywords::*field) {
  if (task && !(task->kw.*field).is_null()) return task->kw.*field;
  for (auto it = frame.keywords.rbegin(); it != frame.keywords.rend(); ++it) {
    if (!((*it)->*field).is_null()) return (*it)->*field;
  }
  return nullptr;
}

bool conditions_hold(const Frame& frame, const pb::Task& task, const TaskScope& scope, bool disable_lookups) {
  tmpl::Options options = ansible_options();
  options.name = task.loc.str();
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

std::string task_title(const PlayState& play, const graph::Node& node) {
  const pb::Task& task = *node.task;
  std::string name = task.name.empty() ? task.action->name : task.name;
  if (tmpl::is_template(name)) {
    try {
      tmpl::ValueVars vars(play.play->kw.vars);
      name = tmpl::render(name, vars, ansible_options());
    } catch (const Error&) {}
  }
  return task.role ? task.role->name + " : " + name : name;
}

conn::Become play_become(PlayState& play, HostState& host, const Frame& frame) {
  TaskScope scope(play, host, frame, nullptr);
  tmpl::Options options = ansible_options();
  options.name = play.play->loc.str();
  return resolve_become(play, frame, nullptr, scope, options);
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
