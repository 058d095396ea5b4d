// The minimal format: Ansible's minimal stdout callback, one "host | STATUS => result" entry per task and host,
// no banners and no recap.
#include <iostream>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "paint.h"
#include "provision/output/events.h"
#include "provision/output/text_wrap.h"

namespace prov::out {

namespace {

// What the minimal callback shows of a result: Python's json.dumps(indent=4, sort_keys=True) of it without the
// internal keys and the status keys; a debug result shows only its message when it has one.
std::string dumped(const HostResult& r) {
  Value shown = Value::object();
  if (r.result.is_object()) {
    for (auto it = r.result.begin(); it != r.result.end(); ++it) {
      const std::string& key = it.key();
      if (key.rfind("_ansible", 0) == 0 || key == "invocation" || key == "diff" || key == "exception") continue;
      if (key == "failed" || key == "skipped") continue;  // the status says so; no callback sees them
      shown[key] = it.value();
    }
    if (r.show_result && shown.contains("msg")) shown = Value{{"msg", shown["msg"]}};
  } else {
    shown = r.result;
  }
  return python_json(shown, 4);
}

class MinimalSink : public Sink {
 public:
  explicit MinimalSink(SinkOptions options) : options_(options) {}

  void playbook_start(const std::string&, const std::string&, std::size_t) override {}
  void play_start(const std::string&, const std::vector<std::string>&, const std::string&) override {}
  void no_hosts_matched() override {}
  void task_start(const std::string&, bool, const std::string&) override {
    std::lock_guard lock(mutex_);
    loops_ended_.clear();  // an outcome shown with its loop comes before the next task
  }
  void host_result(const HostResult& r) override {
    std::lock_guard lock(mutex_);
    if (r.is_item) return;  // the minimal callback shows a loop once, as a whole
    if (r.loop_end) {
      loops_ended_.insert(r.host);
    } else if (loops_ended_.erase(r.host)) {
      return;  // the loop's outcome, already shown whole
    }
    std::string text;
    const char* colour = kGreen;
    switch (r.status) {
      case Status::Ok: text = fmt::format("{} | SUCCESS => {}", r.host, dumped(r)); break;
      case Status::Changed:
        text = fmt::format("{} | CHANGED => {}", r.host, dumped(r));
        colour = kYellow;
        break;
      case Status::Skipped:
        text = fmt::format("{} | SKIPPED", r.host);
        colour = kCyan;
        break;
      case Status::Failed:
        text = fmt::format("{} | FAILED! => {}", r.host, dumped(r));
        colour = kRed;
        break;
      case Status::Unreachable:
        text = fmt::format("{} | UNREACHABLE! => {}", r.host, dumped(r));
        colour = kBrightRed;
        break;
    }
    std::cout << paint(options_.color, colour, text) << std::endl;
  }
  void retrying(const std::string&, const std::string&, int) override {}
  void ignored_note() override {}
  void included(const std::string&, const std::vector<std::string>&, const std::optional<std::string>&) override {}
  void warning(const std::string& message) override {
    std::lock_guard lock(mutex_);
    std::cerr << paint(options_.color, kBrightPurple, warning_text(message)) << '\n';
  }
  void error(const std::string& message) override {
    std::lock_guard lock(mutex_);
    std::cerr << paint(options_.color, kRed, "ERROR! " + message) << '\n';
  }
  void recap(const std::vector<std::pair<std::string, HostStats>>&) override {}
  void playbook_end(int) override {}

 private:
  SinkOptions options_;
  std::mutex mutex_;
  std::set<std::string> loops_ended_;  ///< hosts whose loop was shown whole; an outcome event may follow
};

}  // namespace

std::unique_ptr<Sink> make_minimal_sink(const SinkOptions& options) { return std::make_unique<MinimalSink>(options); }

}  // namespace prov::out
