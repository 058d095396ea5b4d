// The json format: one document on stdout at the end of the run, for CI pipelines.
#include <iostream>
#include <mutex>

#include "provision/output/events.h"

namespace prov::out {

namespace {

const char* status_name(Status s) {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::Changed: return "changed";
    case Status::Skipped: return "skipped";
    case Status::Failed: return "failed";
    case Status::Unreachable: return "unreachable";
  }
  return "?";
}

class JsonSink : public Sink {
 public:
  void playbook_start(const std::string& path, const std::string&, std::size_t) override {
    if (!doc_.contains("playbook")) doc_["playbook"] = path;
  }
  void play_start(const std::string& name, const std::vector<std::string>& hosts, const std::string&) override {
    std::lock_guard lock(mutex_);
    doc_["plays"].push_back({{"play", {{"name", name}, {"hosts", hosts}}}, {"tasks", Value::array()}});
  }
  void no_hosts_matched() override {}
  void task_start(const std::string& title, bool is_handler, const std::string& location) override {
    std::lock_guard lock(mutex_);
    current_play()["tasks"].push_back(
        {{"task", {{"name", title}, {"handler", is_handler}, {"path", location}}}, {"hosts", Value::object()}});
  }
  void host_result(const HostResult& r) override {
    if (r.loop_end) return;  // the document keeps the items, and the outcome of a failed or skipped loop
    std::lock_guard lock(mutex_);
    Value& tasks = current_play()["tasks"];
    if (tasks.empty()) return;
    Value& hosts = tasks.back()["hosts"];
    Value entry = r.result.is_object() ? r.result : Value{{"result", r.result}};
    entry["status"] = status_name(r.status);
    if (r.ignored) entry["ignored"] = true;
    if (r.is_item) {
      entry["item_label"] = r.item_label;
      hosts[r.host]["items"].push_back(entry);
    } else {
      Value items = hosts.contains(r.host) && hosts[r.host].contains("items") ? hosts[r.host]["items"] : Value();
      hosts[r.host] = entry;
      if (!items.is_null()) hosts[r.host]["items"] = items;
    }
  }
  void retrying(const std::string&, const std::string&, int) override {}
  void ignored_note() override {}
  void included(const std::string&, const std::vector<std::string>&, const std::optional<std::string>&) override {}
  void warning(const std::string& message) override {
    std::lock_guard lock(mutex_);
    doc_["warnings"].push_back(message);
  }
  void error(const std::string& message) override {
    std::lock_guard lock(mutex_);
    doc_["errors"].push_back(message);
  }
  void recap(const std::vector<std::pair<std::string, HostStats>>& stats) override {
    std::lock_guard lock(mutex_);
    Value& out = doc_["stats"] = Value::object();
    for (const auto& [host, s] : stats) {
      out[host] = {{"ok", s.ok},         {"changed", s.changed}, {"unreachable", s.unreachable},
                   {"failures", s.failed}, {"skipped", s.skipped}, {"rescued", s.rescued},
                   {"ignored", s.ignored}};
    }
  }
  void playbook_end(int exit_code) override {
    std::lock_guard lock(mutex_);
    doc_["exit_code"] = exit_code;
    // Results are made valid UTF-8 where they enter; the replacement here keeps the document whole regardless.
    std::cout << doc_.dump(4, ' ', false, Value::error_handler_t::replace) << std::endl;
  }

 private:
  Value& current_play() {
    if (!doc_.contains("plays") || doc_["plays"].empty()) doc_["plays"].push_back({{"play", {}}, {"tasks", Value::array()}});
    return doc_["plays"].back();
  }

  Value doc_ = {{"plays", Value::array()}, {"stats", Value::object()}};
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Sink> make_json_sink(const SinkOptions&) { return std::make_unique<JsonSink>(); }

}  // namespace prov::out
