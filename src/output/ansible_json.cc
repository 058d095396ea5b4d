// The document of Ansible's json stdout callback (stdout_callback = json): plays with their tasks, each task with
// every host's result, and the stats, printed once at the end with sorted keys, for tools that read Ansible's.
// provision's own --output json is another layout (json.cc).
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <mutex>
#include <set>

#include "provision/core/random.h"
#include "provision/output/events.h"
#include "provision/output/text_wrap.h"

namespace prov::out {

namespace {

// UTC with microseconds and a Z, as the callback writes its durations.
std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), micros);
}

// "file:line" as the callback gives a play's or task's path: provision's locations also have a column.
std::string path_of(const std::string& location) {
  const std::size_t last = location.rfind(':');
  if (last == std::string::npos || last + 1 == location.size()) return location;
  if (location.find_first_not_of("0123456789", last + 1) != std::string::npos) return location;
  const std::size_t before = location.rfind(':', last - 1);
  if (before == std::string::npos || location.find_first_not_of("0123456789", before + 1) != last) return location;
  return location.substr(0, last);
}

class AnsibleJsonSink : public Sink {
 public:
  void playbook_start(const std::string&, const std::string&, std::size_t) override {}
  void play_start(const std::string& name, const std::vector<std::string>&, const std::string& location) override {
    std::lock_guard lock(mutex_);
    plays_.push_back(
        {{"play",
          {{"duration", {{"start", now_text()}}}, {"id", next_id()}, {"name", name}, {"path", path_of(location)}}},
         {"tasks", Value::array()}});
  }
  void no_hosts_matched() override {}
  void task_start(const std::string& title, bool, const std::string& location) override {
    std::lock_guard lock(mutex_);
    whole_loops_.clear();
    current_play()["tasks"].push_back(
        {{"hosts", Value::object()},
         {"task",
          {{"duration", {{"start", now_text()}}}, {"id", next_id()}, {"name", title}, {"path", path_of(location)}}}});
  }
  void host_result(const HostResult& r) override {
    if (r.is_item) return;  // the items are in the loop's whole result
    std::lock_guard lock(mutex_);
    Value& tasks = current_play()["tasks"];
    if (tasks.empty()) return;
    // A loop's whole result comes first; a line shown after it (a skipped or failed loop) adds nothing here.
    if (!r.loop_end && whole_loops_.count(r.host) != 0) return;
    if (r.loop_end) whole_loops_.insert(r.host);
    Value entry = r.result.is_object() ? r.result : Value{{"result", r.result}};
    // Debug's result reaches sinks without `changed` (the default output leaves it out); Ansible's has it.
    if (!entry.contains("changed")) entry["changed"] = r.status == Status::Changed;
    // As Ansible's callbacks see results: `failed` and `skipped` taken out, then said again by the status.
    entry.erase("failed");
    entry.erase("skipped");
    if (r.status == Status::Failed) entry["failed"] = true;
    if (r.status == Status::Skipped) entry["skipped"] = true;
    if (!r.action.empty()) entry["action"] = r.action;
    tasks.back()["hosts"][r.host] = std::move(entry);
    const std::string end = now_text();
    tasks.back()["task"]["duration"]["end"] = end;
    current_play()["play"]["duration"]["end"] = end;
  }
  void retrying(const std::string&, const std::string&, int) override {}
  void ignored_note() override {}
  void included(const std::string&, const std::vector<std::string>&, const std::optional<std::string>&) override {}
  // As Ansible's display: warnings and errors go to stderr, so stdout stays one document.
  void warning(const std::string& message) override {
    std::lock_guard lock(mutex_);
    std::cerr << warning_text(message) << std::endl;
  }
  void error(const std::string& message) override {
    std::lock_guard lock(mutex_);
    std::cerr << "ERROR! " << message << std::endl;
  }
  void recap(const std::vector<std::pair<std::string, HostStats>>& stats) override {
    std::lock_guard lock(mutex_);
    stats_ = Value::object();
    for (const auto& [host, s] : stats) {
      stats_[host] = {{"changed", s.changed}, {"failures", s.failed}, {"ignored", s.ignored},        {"ok", s.ok},
                      {"rescued", s.rescued}, {"skipped", s.skipped}, {"unreachable", s.unreachable}};
    }
  }
  void playbook_end(int) override {
    std::lock_guard lock(mutex_);
    const Value doc = {{"custom_stats", Value::object()},
                       {"global_custom_stats", Value::object()},
                       {"plays", plays_},
                       {"stats", stats_}};
    // As the callback's json.dumps: keys sorted, indented by four (non-ASCII text stays UTF-8, where Python escapes
    // it).
    std::cout << python_json(doc, 4) << std::endl;
  }

 private:
  Value& current_play() {
    if (plays_.empty()) plays_.push_back({{"play", Value::object()}, {"tasks", Value::array()}});
    return plays_.back();
  }
  // Ids shaped like Ansible's: one random prefix for the run and a counter.
  std::string next_id() { return fmt::format("{}-{:012d}", prefix_, ++count_); }

  Value plays_ = Value::array();
  Value stats_ = Value::object();
  std::set<std::string> whole_loops_;  // hosts whose loop result the current task holds
  std::string prefix_ = [] {
    const std::string h = random_hex(10);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4);
  }();
  long long count_ = 0;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Sink> make_ansible_json_sink(const SinkOptions&) { return std::make_unique<AnsibleJsonSink>(); }

}  // namespace prov::out
