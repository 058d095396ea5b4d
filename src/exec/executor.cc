#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <unordered_set>

#include "async_job.h"
#include "connect.h"
#include "play_runner.h"
#include "provision/core/random.h"
#include "provision/exec/executor.h"
#include "provision/template/engine.h"
#include "state.h"
#include "task_runner.h"

namespace prov::exec {

std::atomic<bool> g_interrupted{false};

void request_interrupt() {
  g_interrupted = true;
  conn::cancel_commands();  // commands in flight end now, not when they are done
}

namespace {

void push_unique(Value& list, const std::string& name) {
  if (std::find(list.begin(), list.end(), Value(name)) == list.end()) list.push_back(name);
}

// Each role's meta dependencies before it, as they run.
void add_role_tree(const pb::RoleRef& ref, bool dependency, Value& all, Value& dependencies) {
  if (!ref.role) return;
  for (const auto& dep : ref.role->dependencies) add_role_tree(dep, true, all, dependencies);
  push_unique(all, ref.role->name);
  if (dependency) push_unique(dependencies, ref.role->name);
}

// The play's role names as Ansible shows them: its roles: section (role_names, ansible_play_role_names), with
// their meta dependencies in running order (ansible_role_names), and those dependencies alone.
void set_role_names(Value& m, const pb::Play& play) {
  Value play_roles = Value::array(), all = Value::array(), dependencies = Value::array();
  for (const auto& ref : play.roles) {
    if (ref.role) push_unique(play_roles, ref.role->name);
    add_role_tree(ref, false, all, dependencies);
  }
  m["role_names"] = play_roles;
  m["ansible_play_role_names"] = play_roles;
  m["ansible_role_names"] = all;
  m["ansible_dependent_role_names"] = dependencies;
}

// The connection keywords a play sets itself, as written.
ConnectionKeywords play_connection_keywords(const pb::Play& play) {
  auto raw = [&](const char* name) {
    const Value* v = find_key(play.kw.other, name);
    return v ? *v : Value();
  };
  return {raw("connection"), raw("remote_user"), raw("port")};
}

// One step of serial: a host count, or a percentage of the play's hosts ("30%"); 0 means all of them.
std::size_t serial_step(const Value& step, std::size_t total, const SourceLoc& loc) {
  std::string text = to_plain_string(step);
  if (!text.empty() && text.back() == '%') {
    char* end = nullptr;
    std::string number = text.substr(0, text.size() - 1);
    double pct = std::strtod(number.c_str(), &end);
    if (!number.empty() && end == number.c_str() + number.size() && std::isfinite(pct) && pct >= 0) {
      return static_cast<std::size_t>(std::floor(static_cast<double>(total) * std::min(pct, 100.0) / 100.0));
    }
  } else if (auto n = as_whole_number(step); n && *n >= 0) {
    return static_cast<std::size_t>(*n);
  }
  throw Error(fmt::format("serial must be a number of hosts or a percentage such as \"30%\", got '{}'", text), loc);
}

// serial: 2, "30%", or a list of them where the last repeats.
std::vector<std::size_t> batch_sizes(const Value& serial, std::size_t total, const SourceLoc& loc) {
  std::vector<Value> steps;
  if (serial.is_array()) {
    steps.assign(serial.begin(), serial.end());
  } else if (!serial.is_null()) {
    steps.push_back(serial);
  }
  if (steps.empty()) return {total};
  std::vector<std::size_t> sizes;
  std::size_t done = 0;
  for (std::size_t i = 0; done < total; ++i) {
    std::size_t n = serial_step(steps[std::min(i, steps.size() - 1)], total, loc);
    n = std::min(n == 0 ? total : n, total - done);
    sizes.push_back(n);
    done += n;
  }
  return sizes;
}

Value version_info() {
  return {{"full", "2.14.0"}, {"major", 2}, {"minor", 14}, {"revision", 0}, {"string", "2.14.0 (provision)"}};
}

class PlaybookRun {
 public:
  PlaybookRun(const pb::Playbook& playbook, const inv::Inventory& inventory, const Settings& settings, out::Sink& sink)
      : playbook_(playbook), inventory_(inventory), settings_(settings), sink_(sink), selection_(settings.selection),
        jobs_(settings) {
    if (settings.facts.caching == "jsonfile") {
      cache_.emplace(settings.facts.caching_connection, settings.facts.caching_timeout, settings.facts.caching_prefix);
      cache_->prepare();  // Ansible makes the folder when the run starts
      if (settings.facts.flush) {
        std::vector<std::string> unmatched;
        for (const inv::Host* host : inventory_.select({"all"}, settings.limit, &unmatched)) cache_->remove(host->name);
      }
    }
  }

  int run() {
    bool stopped = false;
    for (std::size_t i = 0; i < playbook_.plays.size(); ++i) {
      if (g_interrupted || stopped) break;
      announce_playbook(i);
      try {
        stopped = !run_play(playbook_.plays[i], i + 1 < playbook_.plays.size() ? &playbook_.plays[i + 1] : nullptr);
      } catch (const Error& e) {
        sink_.error(e.describe());
        error_ = true;
        break;
      }
      // Several playbooks: each ends with the recap so far, and one that ends with a failure is the last, as in
      // ansible-playbook.
      const bool playbook_ends = std::find(playbook_.ends.begin(), playbook_.ends.end(), i + 1) != playbook_.ends.end();
      if (playbook_ends && i + 1 < playbook_.plays.size() && !stopped && !g_interrupted) {
        recap();
        stopped = exit_code() != kExitOk;
      }
    }
    jobs_.wait();
    close_connections();
    if (!run_error_.empty()) {  // as Ansible's ERROR! while a play runs: the message, no recap
      sink_.error(run_error_);
      sink_.playbook_end(kExitError);
      return kExitError;
    }
    recap();
    // As ansible-playbook: a --start-at-task that names no task ran no task, which is said after the recap; the
    // exit code stays what the run gives.
    if (!selection_.start_at_task.empty()) {
      sink_.error(fmt::format("No matching task \"{}\" found. Note: --start-at-task can only follow static includes.",
                              selection_.start_at_task));
    }
    int code = exit_code();
    sink_.playbook_end(code);
    return code;
  }

 private:
  // Before the first play of each playbook of the run: which it is and how many plays it has.
  void announce_playbook(std::size_t play_index) {
    const auto& ends = playbook_.ends;
    if (ends.empty()) {
      if (play_index == 0) sink_.playbook_start(playbook_.path, playbook_.path, playbook_.plays.size());
      return;
    }
    for (std::size_t k = 0; k < ends.size(); ++k) {
      const std::size_t first = k == 0 ? 0 : ends[k - 1];
      if (first != play_index) continue;
      const std::string& given = k < playbook_.given.size() ? playbook_.given[k] : playbook_.path;
      const std::string path = k == 0 ? playbook_.path : std::filesystem::absolute(given).lexically_normal().string();
      sink_.playbook_start(path, given, ends[k] - first);
    }
  }

  void recap() {
    std::vector<std::pair<std::string, out::HostStats>> stats;
    for (const auto& h : hosts_) {
      // As Ansible: a host that no task reported on (every task skipped by --tags or --start-at-task) is not listed.
      const out::HostStats& c = h->stats;
      if (c.ok + c.changed + c.unreachable + c.failed + c.skipped + c.rescued + c.ignored > 0) {
        stats.emplace_back(h->name, c);
      }
    }
    std::sort(stats.begin(), stats.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    sink_.recap(stats);
  }

  int exit_code() const {
    if (g_interrupted) return kExitInterrupted;
    bool failed = false, unreachable = false;
    for (const auto& h : hosts_) {
      failed |= h->stats.failed > h->failures_cleared;
      unreachable |= h->stats.unreachable > h->unreachable_cleared;
    }
    // As ansible-core's strategies: a host still unreachable decides the code before failed ones.
    if (unreachable) return kExitUnreachable;
    if (failed) return kExitHostFailed;
    return error_ ? kExitError : kExitOk;
  }

  // The host's entry in the jsonfile cache; a file that cannot be read is a warning, as in Ansible.
  std::optional<Value> cached_facts(const std::string& host) {
    if (!cache_) return std::nullopt;
    try {
      return cache_->load(host);
    } catch (const Error& e) {
      sink_.warning(e.message());
      return std::nullopt;
    }
  }

  HostState& host_state(const inv::Host& host) {
    for (auto& h : hosts_) {
      if (h->name == host.name) return *h;
    }
    auto state = std::make_unique<HostState>();
    state->name = host.name;
    state->inventory_vars = inventory_.host_vars(host.name);
    // A host's cached facts are its facts from the start, as Ansible's fact cache gives them.
    if (auto cached = cached_facts(host.name)) {
      state->fact_cache = *cached;
      add_facts(*state, *cached);
    }
    hosts_.push_back(std::move(state));
    return *hosts_.back();
  }

  // What play keywords read before any host is chosen (hosts, serial) are templated with: play vars and extra vars.
  tmpl::ValueVars play_level_vars(const pb::Play& play) const {
    Value vars = play.kw.vars.is_object() ? play.kw.vars : Value::object();
    for (auto it = settings_.extra_vars.begin(); it != settings_.extra_vars.end(); ++it) vars[it.key()] = it.value();
    return tmpl::ValueVars(std::move(vars));
  }

  // The play's name as its banner shows it: rendered with play vars and extra vars, as written when that fails.
  std::string play_title(const pb::Play& play) const {
    if (!tmpl::is_template(play.name)) return play.name;
    try {
      tmpl::Options options = ansible_options();
      options.name = play.loc.str();
      return tmpl::render(play.name, play_level_vars(play), options);
    } catch (const Error&) {
      return play.name;
    }
  }

  std::string hosts_pattern(const pb::Play& play) {
    if (!tmpl::is_template(play.hosts)) return play.hosts;
    tmpl::Options options = ansible_options();
    options.name = play.loc.str();
    options.in_value = true;
    return tmpl::render(play.hosts, play_level_vars(play), options);
  }

  Value serial(const pb::Play& play) {
    if (!tmpl::is_template(play.serial.dump())) return play.serial;
    tmpl::Options options = ansible_options();
    options.name = play.loc.str();
    options.in_value = true;
    return tmpl::template_value(play.serial, play_level_vars(play), options);
  }

  // The play's `order` of its hosts (checked when loaded).
  static void order_hosts(const pb::Play& play, std::vector<const inv::Host*>& hosts) {
    const Value* order = find_key(play.kw.other, "order");
    const std::string how = order && order->is_string() ? order->get<std::string>() : "inventory";
    auto by_name = [](const inv::Host* a, const inv::Host* b) { return a->name < b->name; };
    if (how == "reverse_inventory") {
      std::reverse(hosts.begin(), hosts.end());
    } else if (how == "sorted") {
      std::stable_sort(hosts.begin(), hosts.end(), by_name);
    } else if (how == "reverse_sorted") {
      std::stable_sort(hosts.begin(), hosts.end(), by_name);
      std::reverse(hosts.begin(), hosts.end());
    } else if (how == "shuffle") {
      std::shuffle(hosts.begin(), hosts.end(), std::mt19937(std::random_device{}()));
    }
  }

  // vars_prompt: each value becomes a play variable, asked before anything of the play is templated; an extra
  // var of that name skips its prompt. As Ansible, the answer is text: an empty answer takes the default
  // (templated once with play vars and extra vars), and without a terminal the default is used ("None" when
  // there is none).
  Value prompted_vars(const pb::Play& play, const Value& prompts) {
    Value answers = Value::object();
    tmpl::Options options = ansible_options();
    options.name = play.loc.str();
    options.in_value = true;
    for (const auto& p : prompts) {
      const std::string name = p["name"].get<std::string>();
      if (settings_.extra_vars.contains(name)) continue;
      Value fallback = p.value("default", Value());
      if (!fallback.is_null()) fallback = tmpl::template_value(fallback, play_level_vars(play), options);
      std::string message = p.contains("prompt") ? to_plain_string(p["prompt"]) : "input for " + name;
      message += fallback.is_null() ? ": " : fmt::format(" [{}]: ", to_plain_string(fallback));
      const bool echo = !as_bool(p.value("private", Value(true)), true);
      std::optional<std::string> answer = ask(message, echo, as_bool(p.value("confirm", Value(false)), false));
      Value value = answer ? Value(*answer) : Value();
      if ((!answer || answer->empty()) && !fallback.is_null()) value = fallback;
      if (const Value* scheme = find_key(p, "encrypt"); scheme && !scheme->is_null()) {
        value = encrypted_answer(name, value, to_plain_string(*scheme), p, options);
      }
      if (value.is_null()) value = "None";
      if (value.is_boolean()) value = value.get<bool>() ? "True" : "False";
      if (!value.is_string()) value = to_plain_string(value);
      answers[name] = as_bool(p.value("unsafe", Value(false)), false) ? mark_unsafe(value) : value;
    }
    return answers;
  }

  // encrypt: the answer hashed as Ansible's do_encrypt hashes it (the password_hash filter's schemes), with the
  // prompt's salt or a random one of salt_size characters.
  static Value encrypted_answer(const std::string& name, const Value& answer, const std::string& scheme,
                                const Value& prompt, const tmpl::Options& options) {
    if (answer.is_null()) throw Error(fmt::format("vars_prompt '{}': there is no answer or default to encrypt", name));
    Value salt = prompt.value("salt", Value());
    if (salt.is_null() && !prompt.value("salt_size", Value()).is_null()) {
      std::optional<long long> size = as_whole_number(prompt["salt_size"]);
      if (!size || *size < 1 || *size > 64) {
        throw Error(fmt::format("vars_prompt '{}': salt_size must be a number from 1 to 64", name));
      }
      static const char kAlphabet[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
      std::string hex = random_hex(static_cast<size_t>(*size)), made;
      for (size_t i = 0; i < hex.size(); i += 2) made += kAlphabet[std::stoi(hex.substr(i, 2), nullptr, 16) % 64];
      salt = made;
    }
    tmpl::ValueVars vars(Value{{"answer", to_plain_string(answer)}, {"scheme", scheme}, {"salt", salt}});
    return tmpl::evaluate("answer | password_hash(scheme, salt)", vars, options);
  }

  std::optional<std::string> ask(const std::string& message, bool echo, bool confirm) {
    std::string shown = message;
    while (settings_.prompt) {
      std::optional<std::string> first = settings_.prompt(shown, echo);
      if (!first || !confirm) return first;
      std::optional<std::string> again = settings_.prompt("confirm " + message, echo);
      if (!again || *again == *first) return again;
      shown = "***** VALUES ENTERED DO NOT MATCH ****\n" + message;
    }
    if (!warned_no_terminal_) sink_.warning("Not prompting as we are not in interactive mode");
    warned_no_terminal_ = true;
    return std::nullopt;
  }

  // Returns false when the playbook must stop (every host of a batch failed).
  bool run_play(const pb::Play& written, const pb::Play* next) {
    // A play with prompts runs as a copy holding the answers among its vars.
    std::optional<pb::Play> with_answers;
    if (const Value* prompts = find_key(written.kw.other, "vars_prompt"); prompts && !prompts->empty()) {
      Value answers = prompted_vars(written, *prompts);
      with_answers = written;
      Value& vars = with_answers->kw.vars;
      if (!vars.is_object()) vars = Value::object();
      for (auto it = answers.begin(); it != answers.end(); ++it) vars[it.key()] = it.value();
    }
    const pb::Play& play = with_answers ? *with_answers : written;
    std::string pattern = hosts_pattern(play);
    std::vector<std::string> unmatched;
    std::vector<const inv::Host*> matched = inventory_.select({pattern}, settings_.limit, &unmatched);
    for (const auto& name : unmatched)
      sink_.warning(fmt::format("Could not match supplied host pattern, ignoring: {}", name));
    std::vector<std::string> names;
    for (const auto* h : matched) names.push_back(h->name);
    // As Ansible: ansible_play_hosts_all keeps the inventory's order; the batches (and so ansible_play_batch and
    // run_once) follow `order`.
    order_hosts(play, matched);
    const std::string title = play.name.empty() ? pattern : play_title(play);
    sink_.play_start(title, names, play.loc.str());
    if (matched.empty()) {
      sink_.no_hosts_matched();
      return true;
    }
    PlayState state;
    state.playbook = &playbook_;
    state.play = &play;
    state.graph = graph::compile(play, selection_);
    state.role_runs.allow_duplicates(state.graph.allow_duplicates);
    // --start-at-task: once the task is found, later plays run whole.
    if (state.graph.start_found) selection_.start_at_task.clear();
    state.inventory = &inventory_;
    state.jobs = &jobs_;
    state.settings = &settings_;
    state.stepping = settings_.step && settings_.ask_step;
    state.sink = &sink_;
    state.all_hosts = &hosts_;
    state.fact_cache = cache_ ? &*cache_ : nullptr;
    state.play_hosts = names;
    std::vector<HostState*> play_hosts;
    for (const auto* h : matched) {
      HostState& hs = host_state(*h);
      hs.ended = false;
      hs.failed = false;  // a host that failed in an earlier play is not retried (below)
      hs.left = false;
      if (auto early = early_.find(hs.name); early != early_.end()) {
        hs.early = std::move(early->second);
        early_.erase(early);
      }
      play_hosts.push_back(&hs);
    }
    if (next != nullptr) connect_ahead(*next, names);
    state.play_host_states = play_hosts;
    for (auto* h : play_hosts) {
      if (failed_before_.count(h->name) > 0) state.left_before.insert(h);
    }
    play_hosts.erase(std::remove_if(play_hosts.begin(), play_hosts.end(),
                                    [&](HostState* h) { return failed_before_.count(h->name) > 0; }),
                     play_hosts.end());
    std::size_t offset = 0;
    for (std::size_t size : batch_sizes(serial(play), play_hosts.size(), play.loc)) {
      if (g_interrupted) return false;
      const bool first_batch = offset == 0;
      state.batch.assign(play_hosts.begin() + static_cast<std::ptrdiff_t>(offset),
                         play_hosts.begin() + static_cast<std::ptrdiff_t>(offset + size));
      offset += size;
      std::vector<std::string> batch_names;
      for (auto* h : state.batch) batch_names.push_back(h->name);
      if (!first_batch)
        sink_.play_start(title, batch_names, play.loc.str());  // Ansible announces the play again for each batch
      for (auto* h : state.batch) set_magic(*h, play, names);
      run_play_batch(state);
      if (run_ended(state)) {
        run_error_ = state.run_error;
        return false;
      }
      bool all_failed = true;
      for (auto* h : state.batch) {
        // A failure that meta: clear_host_errors cleared keeps the host out of this play only, as in Ansible.
        const bool out = (h->failed && h->stats.failed > h->failures_cleared) || h->unreachable;
        if (out) failed_before_.insert(h->name);
        all_failed &= out;
      }
      // As Ansible: hosts that failed in earlier plays run the next play again once the errors were cleared.
      if (state.errors_cleared) {
        for (const HostState* h : state.left_before) failed_before_.erase(h->name);
      }
      if (all_failed || state.aborted) return false;
    }
    return true;
  }

  // Hosts that the next play adds (no connection yet, not in this play) are connected while this play runs, at
  // most --forks of them: the next play then starts on open sessions. Only their connection is opened; nothing
  // runs on them before their play. connection_for() takes one only if the next play still reaches the host the
  // same way, and tries again when the early attempt failed before the play needed it.
  void connect_ahead(const pb::Play& next, const std::vector<std::string>& this_play) {
    std::vector<const inv::Host*> matched;
    std::vector<std::string> next_names, unmatched;
    try {
      matched = inventory_.select({hosts_pattern(next)}, settings_.limit, &unmatched);
    } catch (const Error&) {
      return;  // the next play reports it when it starts
    }
    for (const auto* h : matched) next_names.push_back(h->name);
    std::unordered_set<std::string> skip(this_play.begin(), this_play.end());
    for (const auto& s : hosts_) {
      if (s->connection || s->early) skip.insert(s->name);
    }
    std::size_t started = 0;
    for (const auto* h : matched) {
      if (started >= static_cast<std::size_t>(std::max(settings_.forks, 1))) break;
      if (skip.count(h->name) || early_.count(h->name) || failed_before_.count(h->name)) continue;
      Value magic = Value::object();
      set_magic(magic, h->name, next, next_names);
      try {
        early_.emplace(h->name, open_early(h->name,
                                           connection_plan(h->name, inventory_.host_vars(h->name), next.kw.vars, magic,
                                                           play_connection_keywords(next), settings_),
                                           settings_));
        ++started;
      } catch (const Error&) {
        // a plan that cannot be made now (a variable known only later): the play connects itself
      }
    }
  }

  void set_magic(HostState& h, const pb::Play& play, const std::vector<std::string>& play_hosts) {
    set_magic(h.magic, h.name, play, play_hosts);
  }

  // ansible_play_hosts and ansible_play_batch change as hosts leave the play: TaskScope gives them.
  void set_magic(Value& m, const std::string& name, const pb::Play& play, const std::vector<std::string>& play_hosts) {
    m["inventory_hostname"] = name;
    m["inventory_hostname_short"] = name.substr(0, name.find('.'));
    m["group_names"] = inventory_.group_names(name);
    m["groups"] = inventory_.groups();
    m["ansible_play_hosts_all"] = play_hosts;
    m["ansible_play_name"] = play.name;
    m["ansible_check_mode"] = settings_.check;
    m["ansible_diff_mode"] = settings_.diff;
    m["ansible_verbosity"] = settings_.verbosity;
    m["ansible_forks"] = settings_.forks;
    m["playbook_dir"] = playbook_.dir;
    m["ansible_playbook_dir"] = playbook_.dir;
    m["ansible_version"] = version_info();
    m["ansible_run_tags"] = settings_.selection.tags.empty() ? Value::array({"all"}) : Value(settings_.selection.tags);
    m["ansible_skip_tags"] = settings_.selection.skip_tags;
    m["omit"] = std::string(kOmitPlaceholder);
    set_role_names(m, play);
    if (!settings_.limit.empty()) m["ansible_limit"] = settings_.limit;
    m["ansible_inventory_sources"] = settings_.inventory_sources;
    m["ansible_config_file"] = settings_.config_file.empty() ? Value() : Value(settings_.config_file);
    m.erase("ansible_failed_task");
    m.erase("ansible_failed_result");
  }

  void close_connections() {
    early_.clear();  // waits for attempts still under way; the connections close as they go
    for (auto& h : hosts_) {
      if (h->connection) {
        try {
          h->connection->close();
        } catch (const Error&) {}
      }
      for (auto& [plan, other] : h->other_connections) {
        try {
          other->close();
        } catch (const Error&) {}
      }
    }
  }

  const pb::Playbook& playbook_;
  const inv::Inventory& inventory_;
  const Settings& settings_;
  out::Sink& sink_;
  std::vector<std::unique_ptr<HostState>> hosts_;
  std::optional<facts::JsonFileCache> cache_;  // fact_caching = jsonfile
  std::set<std::string> failed_before_;
  std::map<std::string, EarlyConnection> early_;  ///< connect_ahead(): hosts of the next play, by name
  graph::Selection selection_;
  BackgroundJobs jobs_;  // jobs left running by tasks with poll: 0; the run waits for them before it ends
  bool error_ = false;
  std::string run_error_;  ///< an error that ended the run while a play ran (PlayState::run_error)
  bool warned_no_terminal_ = false;
};

}  // namespace

int run_playbook(const pb::Playbook& playbook, const inv::Inventory& inventory, const Settings& settings,
                 out::Sink& sink) {
  return PlaybookRun(playbook, inventory, settings, sink).run();
}

}  // namespace prov::exec
