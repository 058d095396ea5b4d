// The human format: what ansible-playbook's default callback prints, so operators' eyes and scripts carry over.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <mutex>

#include <fmt/format.h>

#include "provision/output/diff.h"
#include "provision/output/events.h"

namespace prov::out {

namespace {

constexpr int kWidth = 80;

const char* kGreen = "\033[0;32m";
const char* kYellow = "\033[0;33m";
const char* kRed = "\033[0;31m";
const char* kCyan = "\033[0;36m";
const char* kMagenta = "\033[0;35m";
const char* kReset = "\033[0m";

// Keys Ansible's default callback leaves out of a printed result.
Value abridged(const Value& result, int verbosity) {
  if (!result.is_object()) return result;
  Value out = Value::object();
  for (auto it = result.begin(); it != result.end(); ++it) {
    const std::string& k = it.key();
    if (k.rfind("_ansible", 0) == 0) continue;
    if (k == "exception" || (verbosity < 3 && (k == "invocation" || k == "diff"))) continue;
    out[k] = it.value();
  }
  return out;
}

class HumanSink : public Sink {
 public:
  explicit HumanSink(SinkOptions options) : options_(options) {}

  void playbook_start(const std::string& path) override {
    if (options_.verbosity > 0) line(fmt::format("PLAYBOOK: {}", path));
  }
  void play_start(const std::string& name, const std::vector<std::string>&) override {
    banner(fmt::format("PLAY [{}]", name));
  }
  void no_hosts_matched() override { line(paint(kCyan, "skipping: no hosts matched")); }
  void task_start(const std::string& title, bool is_handler, const std::string& location) override {
    banner(fmt::format("{} [{}]", is_handler ? "RUNNING HANDLER" : "TASK", title));
    if (options_.verbosity >= 2 && !location.empty()) line(fmt::format("task path: {}", location));
  }
  void host_result(const HostResult& r) override {
    std::lock_guard lock(mutex_);
    if (options_.diff && r.result.is_object() && r.result.contains("diff") &&
        (r.status == Status::Changed || r.status == Status::Ok)) {
      std::string text = render_diff(r.result["diff"]);
      if (!text.empty()) std::cout << text;
    }
    std::string host = r.delegated_to.empty() ? r.host : fmt::format("{} -> {}", r.host, r.delegated_to);
    std::string item = r.is_item ? fmt::format(" => (item={})", r.item_label) : "";
    Value shown = abridged(r.result, options_.verbosity);
    bool dump = r.show_result || options_.verbosity > 0;
    int indent = r.show_result ? 4 : -1;
    switch (r.status) {
      case Status::Ok:
      case Status::Changed: {
        const char* word = r.status == Status::Ok ? "ok" : "changed";
        const char* colour = r.status == Status::Ok ? kGreen : kYellow;
        std::string text = fmt::format("{}: [{}]{}", word, host, item);
        if (dump) text += " => " + python_json(shown, indent);
        std::cout << paint(colour, text) << '\n';
        break;
      }
      case Status::Skipped: {
        std::string text = fmt::format("skipping: [{}]{}", host, item);
        if (options_.verbosity > 0) text += " => " + python_json(shown, -1);
        std::cout << paint(kCyan, text) << '\n';
        break;
      }
      case Status::Failed: {
        std::string text = r.is_item ? fmt::format("failed: [{}] (item={}) => {}", host, r.item_label,
                                                   python_json(shown, indent))
                                     : fmt::format("fatal: [{}]: FAILED! => {}", host, python_json(shown, indent));
        std::cout << paint(kRed, text) << '\n';
        if (r.ignored) std::cout << paint(kCyan, "...ignoring") << '\n';
        break;
      }
      case Status::Unreachable:
        // Ansible shows an item that could not reach the host as a failed item.
        std::cout << paint(kRed, r.is_item
                                     ? fmt::format("failed: [{}] (item={}) => {}", host, r.item_label,
                                                   python_json(shown, indent))
                                     : fmt::format("fatal: [{}]: UNREACHABLE! => {}", host, python_json(shown, -1)))
                  << '\n';
        if (r.ignored) std::cout << paint(kCyan, "...ignoring") << '\n';
        break;
    }
    std::cout.flush();
  }
  void retrying(const std::string& host, const std::string& title, int retries_left) override {
    line(fmt::format("FAILED - RETRYING: [{}]: {} ({} retries left).", host, title, retries_left));
  }
  void ignored_note() override { line(paint(kCyan, "...ignoring")); }
  void included(const std::string& file, const std::vector<std::string>& hosts,
                const std::optional<std::string>& item_label) override {
    std::string item = item_label ? fmt::format(" => (item={})", *item_label) : "";
    line(paint(kCyan, fmt::format("included: {} for {}{}", file, fmt::join(hosts, ", "), item)));
  }
  void warning(const std::string& message) override {
    std::lock_guard lock(mutex_);
    std::cerr << paint(kMagenta, "[WARNING]: " + message) << '\n';
  }
  void error(const std::string& message) override {
    std::lock_guard lock(mutex_);
    std::cerr << paint(kRed, "ERROR! " + message) << '\n';
  }
  void recap(const std::vector<std::pair<std::string, HostStats>>& stats) override {
    banner("PLAY RECAP");
    for (const auto& [host, s] : stats) {
      // Ansible's exact layout (operators grep it): "%-26s : ok=%-4d changed=%-4d ...".
      const char* colour = s.failed || s.unreachable ? kRed : s.changed ? kYellow : kGreen;
      std::cout << paint(colour, fmt::format("{:<26}", host)) << " : "
                << fmt::format("{} {} {} {} {} {} {}", count("ok", s.ok), count("changed", s.changed),
                               count("unreachable", s.unreachable), count("failed", s.failed),
                               count("skipped", s.skipped), count("rescued", s.rescued), count("ignored", s.ignored))
                << '\n';
    }
    std::cout << '\n';
    std::cout.flush();
  }
  void playbook_end(int) override {}

 private:
  static std::string count(const char* name, int n) { return fmt::format("{}={:<4}", name, n); }
  std::string paint(const char* colour, const std::string& text) const {
    return options_.color ? std::string(colour) + text + kReset : text;
  }
  void banner(const std::string& title) {
    std::lock_guard lock(mutex_);
    int stars = std::max(3, kWidth - 1 - static_cast<int>(title.size()));
    std::cout << '\n' << title << ' ' << std::string(static_cast<std::size_t>(stars), '*') << '\n';
    std::cout.flush();
  }
  void line(const std::string& text) {
    std::lock_guard lock(mutex_);
    std::cout << text << '\n';
    std::cout.flush();
  }

  SinkOptions options_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Sink> make_human_sink(const SinkOptions& options) { return std::make_unique<HumanSink>(options); }

}  // namespace prov::out
