#include "task_inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "loops.h"
#include "provision/connection/become.h"
#include "provision/modules/groups.h"
#include "scope.h"
#include "task_runner.h"

namespace prov::exec {

namespace {

namespace fs = std::filesystem;

// Where `src` of copy/template is searched: the role's folders first, then the task file's, then the playbook's.
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

// Arguments set to `omit` are left out, as if never written.
Value strip_omitted(Value args) {
  if (!args.is_object()) return args;
  for (auto it = args.begin(); it != args.end();) {
    if (it.value().is_string() && it.value().get_ref<const std::string&>() == kOmitPlaceholder) {
      it = args.erase(it);
    } else {
      ++it;
    }
  }
  return args;
}

}  // namespace

tmpl::Options ansible_options() {
  tmpl::Options options;
  options.native_types = false;
  options.trim_blocks = true;  // Ansible's templar always trims blocks
  options.escape_backslashes = true;
  return options;
}

void add_inventory_lookups(tmpl::Options& options, const PlayState& play) {
  const inv::Inventory* inventory = play.inventory;
  if (!inventory) return;
  options.lookup_hook = [inventory](const std::string& plugin, const std::vector<Value>& terms) {
    std::optional<Value> out;
    if (plugin == "inventory_hostnames") {
      // The hosts the patterns match in the whole inventory (a --limit does not narrow it).
      std::vector<std::string> patterns;
      for (const auto& t : terms) patterns.push_back(to_plain_string(t));
      out = Value::array();
      for (const inv::Host* host : inventory->match(patterns)) out->push_back(host->name);
    } else if (plugin != "loop" && builtin_loop(plugin)) {
      // lookup('subelements', ...), query('sequence', ...): the lookups the with_ loops of the same names are.
      out = Value::array();
      for (auto& item : loop_items(plugin, Value(terms))) out->push_back(std::move(item));
    }
    return out;
  };
}

tmpl::Options template_options(const PlayState& play, const pb::Task& task, const tmpl::Vars* vars) {
  tmpl::Options options = ansible_options();
  add_inventory_lookups(options, play);
  options.name = task.loc.str();
  options.in_value = true;
  // A lookup's relative name is looked for along the task's ansible_search_path (its role, the roles it runs
  // within, its file's folder, the playbook's folder), each with templates/ and files/ first.
  std::vector<std::string> bases;
  const Value* search_path = vars ? vars->lookup("ansible_search_path") : nullptr;
  if (search_path && search_path->is_array()) {
    for (const auto& path : *search_path) {
      if (path.is_string()) bases.push_back(path.get<std::string>());
    }
  } else {
    if (task.role) bases.push_back(task.role->path);
    bases.push_back(play.playbook->dir);
  }
  for (const auto& base : bases) {
    options.search_paths.push_back(base + "/templates");
    options.search_paths.push_back(base + "/files");
    options.search_paths.push_back(base);
  }
  return options;
}

Value keyword(const Frame& frame, const pb::Task* task, Value pb::Keywords::*field) {
  if (task && !(task->kw.*field).is_null()) return task->kw.*field;
  for (auto it = frame.keywords.rbegin(); it != frame.keywords.rend(); ++it) {
    if (!((*it)->*field).is_null()) return (*it)->*field;
  }
  return nullptr;
}

bool as_bool(const Value& v, bool fallback) {
  if (v.is_null()) return fallback;
  if (std::optional<bool> b = ansible_bool(v)) return *b;
  return !v.is_string() && truthy(v);
}

long long whole_number(const Value& value, const char* keyword, const SourceLoc& loc) {
  if (auto n = as_whole_number(value)) return *n;
  throw Error(fmt::format("the field '{}' has an invalid value ({}), and could not be converted to an int", keyword,
                          to_plain_string(value)),
              loc);
}

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
  // become_exe and become_flags are kept raw (Keywords::other); the variables beat them in the same way.
  auto raw_setting = [&](const char* variable, const char* name) {
    if (const Value* v = scope.scope().lookup(variable)) return tmpl::template_value(*v, scope.scope(), options);
    Value raw = other_keyword(frame, task, name);
    return raw.is_null() ? raw : tmpl::template_value(raw, scope.scope(), options);
  };
  Value exe = raw_setting("ansible_become_exe", "become_exe");
  b.exe = exe.is_null() ? play.settings->become_exe : to_plain_string(exe);
  Value flags = raw_setting("ansible_become_flags", "become_flags");
  b.flags = flags.is_null() ? play.settings->become_flags : to_plain_string(flags);
  for (const char* key : {"ansible_become_password", "ansible_become_pass"}) {
    if (const Value* v = scope.scope().lookup(key); v && b.password.empty()) {
      b.password = to_plain_string(tmpl::template_value(*v, scope.scope(), options));
    }
  }
  if (b.password.empty()) b.password = play.settings->become_password;
  return b;
}

Value TaskInputs::templated(const Value& raw) const { return tmpl::template_value(raw, scope_.scope(), options_); }

Value TaskInputs::templated_keyword(Value pb::Keywords::*field) const {
  Value raw = keyword(frame_, &task_, field);
  return raw.is_null() ? raw : templated(raw);
}

Value other_keyword(const Frame& frame, const pb::Task* task, const char* name) {
  if (task != nullptr) {
    if (const Value* v = find_key(task->kw.other, name); v && !v->is_null()) return *v;
  }
  for (auto it = frame.keywords.rbegin(); it != frame.keywords.rend(); ++it) {
    if (const Value* v = find_key((*it)->other, name); v && !v->is_null()) return *v;
  }
  return nullptr;
}

ConnectionKeywords connection_keywords(const Frame& frame, const pb::Task* task, const TaskScope& scope,
                                       const tmpl::Options& options) {
  auto rendered = [&](const char* name) {
    Value raw = other_keyword(frame, task, name);
    return raw.is_null() ? raw : tmpl::template_value(raw, scope.scope(), options);
  };
  return {rendered("connection"), rendered("remote_user"), rendered("port")};
}

Value TaskInputs::other_keyword(const char* name) const { return exec::other_keyword(frame_, &task_, name); }

long long TaskInputs::timeout() const {
  Value raw = other_keyword("timeout");
  return raw.is_null() ? 0 : std::max(0LL, whole_number(templated(raw), "timeout", task_.loc));
}

conn::Become TaskInputs::become() const { return resolve_become(play_, frame_, &task_, scope_, options_); }

std::map<std::string, std::string> TaskInputs::environment() const {
  std::map<std::string, std::string> env;
  auto add = [&](const Value& raw) {
    if (raw.is_null()) return;
    Value rendered = templated(raw);
    if (!rendered.is_object()) throw Error("environment must be a dict", task_.loc);
    for (auto it = rendered.begin(); it != rendered.end(); ++it) env[it.key()] = to_plain_string(it.value());
  };
  for (const auto* kw : frame_.keywords) add(kw->environment);
  add(task_.kw.environment);
  return env;
}

Value TaskInputs::module_defaults(const mod::Module& module) const {
  // The levels outermost first (play, role, blocks, task); an inner level replaces a whole entry.
  Value merged = Value::object();
  auto add = [&](const pb::Keywords& kw) {
    const Value* levels = find_key(kw.other, "module_defaults");
    if (levels == nullptr || !levels->is_array()) return;
    for (const auto& level : *levels) {
      for (auto it = level.begin(); it != level.end(); ++it) merged[it.key()] = it.value();
    }
  };
  for (const auto* kw : frame_.keywords) add(*kw);
  add(task_.kw);
  if (merged.empty()) return merged;
  merged = templated(merged);
  Value args = Value::object();
  auto take = [&](const Value* entry) {
    if (entry == nullptr || !entry->is_object()) return;
    for (auto it = entry->begin(); it != entry->end(); ++it) args[it.key()] = it.value();
  };
  // Groups first, in the order written, then the module's own entry: the more specific wins.
  for (auto it = merged.begin(); it != merged.end(); ++it) {
    const std::string& key = it.key();
    if (key.rfind("group/", 0) != 0) continue;
    if (mod::in_action_group(module, std::string_view(key).substr(6))) take(&it.value());
  }
  take(find_key(merged, module.spec().name));
  return args;
}

ModuleCall TaskInputs::module_call(const mod::Module& module) const {
  ModuleCall call;
  tmpl::Rendered rendered = tmpl::template_marked(task_.args, scope_.scope(), options_);
  call.args_are_data = rendered.data;
  call.args = strip_omitted(std::move(rendered.value));
  if (Value defaults = module_defaults(module); !defaults.empty() && call.args.is_object()) {
    for (auto it = call.args.begin(); it != call.args.end(); ++it) defaults[it.key()] = it.value();
    call.args = strip_omitted(std::move(defaults));
  }
  mod::Context ctx;
  try {
    ctx.args = mod::validate_args(module.spec(), call.args);
  } catch (const mod::ArgError& e) {
    call.early = {{"failed", true}, {"msg", e.message()}};
    return call;
  }
  Value check = templated_keyword(&pb::Keywords::check_mode);
  ctx.check_mode = check.is_null() ? play_.settings->check : as_bool(check, false);
  Value diff = templated_keyword(&pb::Keywords::diff);
  ctx.diff_mode = diff.is_null() ? play_.settings->diff : as_bool(diff, false);
  if (ctx.check_mode && !module.spec().check_mode_support) {
    call.early = {{"changed", false}, {"skipped", true}, {"msg", "skipped, running in check mode"}};
    return call;
  }
  ctx.become = become();
  ctx.env = environment();
  ctx.search_paths = module_search_paths(play_, task_);
  ctx.vars = &scope_.scope();
  ctx.task_location = task_.loc.str();
  // Only controller modules show it (pause's prompt); a templated name would cost a render per host and task.
  if (module.spec().runs_on_controller) ctx.task_name = task_title(play_, task_, host_, frame_);
  ctx.verbosity = play_.settings->verbosity;
  ctx.plan = &host_.plan;
  call.context = std::move(ctx);
  return call;
}

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

}  // namespace prov::exec
