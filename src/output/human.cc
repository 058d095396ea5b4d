// The human format: what ansible-playbook's default callback prints, so operators' eyes and scripts carry over.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>

#include <fmt/format.h>

#include "human.h"
#include "paint.h"
#include "provision/output/diff.h"
#include "provision/output/events.h"
#include "provision/output/text_wrap.h"

namespace prov::out {

namespace {

constexpr int kWidth = 80;

// Keys Ansible's default callback leaves out of a printed result. failed and skipped are taken out of every result
// before any callback sees it: the status line already says so.
Value abridged(const Value& result, int verbosity) {
  if (!result.is_object()) return result;
  Value out = Value::object();
  for (auto it = result.begin(); it != result.end(); ++it) {
    const std::string& k = it.key();
    if (k.rfind("_ansible", 0) == 0 || k == "failed" || k == "skipped") continue;
    if (k == "exception" || (verbosity < 3 && (k == "invocation" || k == "diff"))) continue;
    out[k] = it.value();
  }
  return out;
}

std::string json_result(const Value& shown, int indent) { return python_json(shown, indent); }

class HumanSink : public Sink {
 public:
  HumanSink(SinkOptions options, ResultDump dump) : options_(options), dump_(dump) {}

  // As Ansible from -vv on: the playbook's file name as a banner, then how many plays it has.
  void playbook_start(const std::string&, const std::string& as_given, std::size_t plays) override {
    if (options_.verbosity < 2) return;
    banner(fmt::format("PLAYBOOK: {}", std::filesystem::path(as_given).filename().string()));
    line(fmt::format("{} plays in {}", plays, as_given));
  }
  void play_start(const std::string& name, const std::vector<std::string>&, const std::string&) override {
    pending_.reset();
    banner(fmt::format("PLAY [{}]", name));
  }
  void no_hosts_matched() override { line(paint(kCyan, "skipping: no hosts matched")); }
  void task_start(const std::string& title, bool is_handler, const std::string& location) override {
    std::string text = fmt::format("{} [{}]", is_handler ? "RUNNING HANDLER" : "TASK", title);
    std::string path = options_.verbosity >= 2 && !location.empty() ? fmt::format("task path: {}", location) : "";
    std::lock_guard lock(mutex_);
    pending_ = Banner{text, path};
    // As Ansible's default callback: when ok or skipped results are hidden, a banner waits for a result it shows.
    if (options_.display_ok_hosts && options_.display_skipped_hosts) flush_banner();
  }
  void meta_note(const std::string& text) override {
    if (options_.verbosity < 2) return;
    std::lock_guard lock(mutex_);
    std::cout << "META: " << text << '\n';
  }
  void host_result(const HostResult& r) override {
    std::lock_guard lock(mutex_);
    if (r.loop_end) return;  // the items were shown one by one
    if (!shown(r)) return;
    flush_banner();
    if (options_.diff && r.result.is_object() && r.result.contains("diff") &&
        (r.status == Status::Changed || r.status == Status::Ok)) {
      std::string text = render_diff(r.result["diff"]);
      if (!text.empty()) std::cout << text;
    }
    std::string host = r.delegated_to.empty() ? r.host : fmt::format("{} -> {}", r.host, r.delegated_to);
    std::string item = r.is_item ? fmt::format(" => (item={})", r.item_label) : "";
    Value shown = abridged(r.result, options_.verbosity);
    // As Ansible's callbacks: a result's warnings are shown as warnings (not for an item that went well, nor a skip)
    // and left out of the result printed.
    const bool warns = r.status == Status::Failed || (!r.is_item && r.status != Status::Skipped);
    if (warns && shown.is_object() && shown.contains("warnings")) {
      for (const auto& w : shown["warnings"]) {
        std::cerr << paint(kBrightPurple, warning_text(to_plain_string(w))) << '\n';
      }
      shown.erase("warnings");
    }
    bool dump = r.show_result || options_.verbosity > 0;
    int indent = r.show_result ? 4 : -1;
    switch (r.status) {
      case Status::Ok:
      case Status::Changed: {
        const char* word = r.status == Status::Ok ? "ok" : "changed";
        const char* colour = r.status == Status::Ok ? kGreen : kYellow;
        std::string text = fmt::format("{}: [{}]{}", word, host, item);
        if (dump) text += " => " + dump_(shown, indent);
        std::cout << paint(colour, text) << '\n';
        break;
      }
      case Status::Skipped: {
        // Ansible's item line keeps a space after the label.
        std::string text = fmt::format("skipping: [{}]{}", host, r.is_item ? item + " " : item);
        if (options_.verbosity > 0) text += " => " + dump_(shown, -1);
        std::cout << paint(kCyan, text) << '\n';
        break;
      }
      case Status::Failed: {
        std::string text = r.is_item
                               ? fmt::format("failed: [{}] (item={}) => {}", host, r.item_label, dump_(shown, indent))
                               : fmt::format("fatal: [{}]: FAILED! => {}", host, dump_(shown, indent));
        std::cout << paint(kRed, text) << '\n';
        if (r.ignored) std::cout << paint(kCyan, "...ignoring") << '\n';
        break;
      }
      case Status::Unreachable:
        // Ansible shows an item that could not reach the host as a failed item.
        if (r.is_item) {
          const std::string text =
              fmt::format("failed: [{}] (item={}) => {}", host, r.item_label, dump_(shown, indent));
          std::cout << paint(kRed, text) << '\n';
        } else {
          const std::string text = fmt::format("fatal: [{}]: UNREACHABLE! => {}", host, dump_(shown, -1));
          std::cout << paint(kBrightRed, text) << '\n';
        }
        if (r.ignored) std::cout << paint(kCyan, "...ignoring") << '\n';
        break;
    }
    std::cout.flush();
  }
  void retrying(const std::string& host, const std::string& title, int retries_left) override {
    std::lock_guard lock(mutex_);
    flush_banner();
    std::cout << paint(kDarkGray,
                       fmt::format("FAILED - RETRYING: [{}]: {} ({} retries left).", host, title, retries_left))
              << std::endl;
  }
  void ignored_note() override {
    std::lock_guard lock(mutex_);
    flush_banner();
    std::cout << paint(kCyan, "...ignoring") << std::endl;
  }
  void included(const std::string& file, const std::vector<std::string>& hosts,
                const std::optional<std::string>& item_label) override {
    std::string item = item_label ? fmt::format(" => (item={})", *item_label) : "";
    std::lock_guard lock(mutex_);
    flush_banner();
    std::cout << paint(kCyan, fmt::format("included: {} for {}{}", file, fmt::join(hosts, ", "), item)) << std::endl;
  }
  void warning(const std::string& message) override {
    std::lock_guard lock(mutex_);
    std::cerr << paint(kBrightPurple, warning_text(message)) << '\n';
  }
  void error(const std::string& message) override {
    std::lock_guard lock(mutex_);
    std::cerr << paint(kRed, "ERROR! " + message) << '\n';
  }
  void recap(const std::vector<std::pair<std::string, HostStats>>& stats) override {
    pending_.reset();
    banner("PLAY RECAP");
    for (const auto& [host, s] : stats) {
      // Ansible's exact layout (operators grep it): "%-26s : ok=%-4d changed=%-4d ...", or with colour the host
      // painted and padded to 37 characters, escapes included, and each count painted when it is not zero.
      const char* colour = s.failed || s.unreachable ? kRed : s.changed ? kYellow : kGreen;
      std::string name = options_.color ? fmt::format("{:<37}", paint(colour, host)) : fmt::format("{:<26}", host);
      std::cout << name << " : "
                << fmt::format("{} {} {} {} {} {} {}", count("ok", s.ok, kGreen), count("changed", s.changed, kYellow),
                               count("unreachable", s.unreachable, kBrightRed), count("failed", s.failed, kRed),
                               count("skipped", s.skipped, kCyan), count("rescued", s.rescued, kGreen),
                               count("ignored", s.ignored, kBrightPurple))
                << '\n';
    }
    std::cout << '\n';
    std::cout.flush();
  }
  void playbook_end(int) override {}

 private:
  struct Banner {
    std::string title, path;
  };

  std::string count(const char* name, int n, const char* colour) const {
    std::string text = fmt::format("{}={:<4}", name, n);
    return n != 0 ? paint(colour, text) : text;
  }
  std::string paint(const char* colour, const std::string& text) const {
    return out::paint(options_.color, colour, text);
  }
  /// Whether a result is printed: ok results (not changed) and skipped ones can be hidden by the settings.
  bool shown(const HostResult& r) const {
    if (r.status == Status::Ok) return options_.display_ok_hosts;
    if (r.status == Status::Skipped) return options_.display_skipped_hosts;
    return true;
  }
  /// Prints the banner of the current task if it is still waiting (the caller holds the mutex).
  void flush_banner() {
    if (!pending_) return;
    print_banner(pending_->title);
    if (!pending_->path.empty()) std::cout << pending_->path << '\n';
    std::cout.flush();
    pending_.reset();
  }
  void print_banner(const std::string& title) {
    int stars = std::max(3, kWidth - 1 - static_cast<int>(title.size()));
    std::cout << '\n' << title << ' ' << std::string(static_cast<std::size_t>(stars), '*') << '\n';
    std::cout.flush();
  }
  void banner(const std::string& title) {
    std::lock_guard lock(mutex_);
    print_banner(title);
  }
  void line(const std::string& text) {
    std::lock_guard lock(mutex_);
    std::cout << text << '\n';
    std::cout.flush();
  }

  SinkOptions options_;
  ResultDump dump_;
  std::mutex mutex_;
  std::optional<Banner> pending_;  ///< the current task's banner, not printed yet
};

}  // namespace

std::unique_ptr<Sink> make_human_sink(const SinkOptions& options) {
  return std::make_unique<HumanSink>(options, json_result);
}

std::unique_ptr<Sink> make_human_sink_dumping(const SinkOptions& options, ResultDump dump) {
  return std::make_unique<HumanSink>(options, dump);
}

}  // namespace prov::out
