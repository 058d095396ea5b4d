// One table of output formats and one of extra reports: a new one is one file plus one line here.
#include <algorithm>

#include "provision/output/events.h"

namespace prov::out {

std::unique_ptr<Sink> make_human_sink(const SinkOptions& options);
std::unique_ptr<Sink> make_json_sink(const SinkOptions& options);
std::unique_ptr<Sink> make_ansible_json_sink(const SinkOptions& options);
std::unique_ptr<Sink> make_minimal_sink(const SinkOptions& options);
std::unique_ptr<Sink> make_yaml_sink(const SinkOptions& options);
std::unique_ptr<Sink> make_profile_tasks_sink(const SinkOptions& options);
std::unique_ptr<Sink> make_timer_sink(const SinkOptions& options);
std::unique_ptr<Sink> make_retry_sink(const SinkOptions& options);

namespace {

struct Format {
  const char* name;
  std::unique_ptr<Sink> (*make)(const SinkOptions&);
};

// What --output and stdout_callback choose (stdout_callback's "default" is "human").
constexpr Format kFormats[] = {
    {"human", make_human_sink},     {"json", make_json_sink}, {"ansible-json", make_ansible_json_sink},
    {"minimal", make_minimal_sink}, {"yaml", make_yaml_sink},
};

// What callbacks_enabled adds after the format.
constexpr Format kReports[] = {
    {"profile_tasks", make_profile_tasks_sink},
    {"timer", make_timer_sink},
};

/// Every event to each sink in turn.
class Tee : public Sink {
 public:
  explicit Tee(std::vector<std::unique_ptr<Sink>> sinks) : sinks_(std::move(sinks)) {}

  void playbook_start(const std::string& path, const std::string& as_given, std::size_t plays) override {
    for (auto& s : sinks_) s->playbook_start(path, as_given, plays);
  }
  void play_start(const std::string& name, const std::vector<std::string>& hosts,
                  const std::string& location) override {
    for (auto& s : sinks_) s->play_start(name, hosts, location);
  }
  void no_hosts_matched() override {
    for (auto& s : sinks_) s->no_hosts_matched();
  }
  void task_start(const std::string& title, bool is_handler, const std::string& location) override {
    for (auto& s : sinks_) s->task_start(title, is_handler, location);
  }
  void host_result(const HostResult& result) override {
    for (auto& s : sinks_) s->host_result(result);
  }
  void retrying(const std::string& host, const std::string& title, int retries_left) override {
    for (auto& s : sinks_) s->retrying(host, title, retries_left);
  }
  void ignored_note() override {
    for (auto& s : sinks_) s->ignored_note();
  }
  void included(const std::string& file, const std::vector<std::string>& hosts,
                const std::optional<std::string>& item_label) override {
    for (auto& s : sinks_) s->included(file, hosts, item_label);
  }
  void warning(const std::string& message) override {
    for (auto& s : sinks_) s->warning(message);
  }
  void step_answered(const std::string& question) override {
    for (auto& s : sinks_) s->step_answered(question);
  }
  void meta_note(const std::string& text) override {
    for (auto& s : sinks_) s->meta_note(text);
  }
  void error(const std::string& message) override {
    for (auto& s : sinks_) s->error(message);
  }
  void recap(const std::vector<std::pair<std::string, HostStats>>& stats) override {
    for (auto& s : sinks_) s->recap(stats);
  }
  void playbook_end(int exit_code) override {
    for (auto& s : sinks_) s->playbook_end(exit_code);
  }

 private:
  std::vector<std::unique_ptr<Sink>> sinks_;
};

template <std::size_t N>
const Format* find(const Format (&table)[N], const std::string& name) {
  auto it = std::find_if(std::begin(table), std::end(table), [&](const Format& f) { return name == f.name; });
  return it == std::end(table) ? nullptr : it;
}

template <std::size_t N>
std::vector<std::string> names(const Format (&table)[N]) {
  std::vector<std::string> out;
  for (const auto& format : table) out.emplace_back(format.name);
  return out;
}

}  // namespace

std::unique_ptr<Sink> make_sink(const std::string& name, const SinkOptions& options) {
  const Format* format = find(kFormats, name);
  return format ? format->make(options) : nullptr;
}

std::unique_ptr<Sink> make_sinks(const std::string& name, const std::vector<std::string>& extras,
                                 const SinkOptions& options) {
  std::vector<std::unique_ptr<Sink>> sinks;
  // Ansible announces the retry file before the recap.
  if (options.retry_files) sinks.push_back(make_retry_sink(options));
  auto main = make_sink(name, options);
  if (!main) return nullptr;
  sinks.push_back(std::move(main));
  for (const auto& extra : extras) {
    const Format* report = find(kReports, extra);
    if (!report) return nullptr;
    sinks.push_back(report->make(options));
  }
  if (sinks.size() == 1) return std::move(sinks.front());
  return std::make_unique<Tee>(std::move(sinks));
}

std::vector<std::string> sink_names() { return names(kFormats); }

std::vector<std::string> report_names() { return names(kReports); }

}  // namespace prov::out
