// profile_tasks: ansible.posix's timing report. A clock line after each task banner (the time, the previous
// task's duration, the run's), then after the recap the tasks sorted by duration, longest first (20 at most).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <mutex>

#include <fmt/format.h>

#include "listener.h"

namespace prov::out {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kColumns = 79;  // Ansible's width when stdout is not a terminal, as the banners here
constexpr std::size_t kListed = 20;

// "H:MM:SS.mmm", as the callback's secondsToStr.
std::string clock_text(Clock::duration d) {
  long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return fmt::format("{}:{:02}:{:02}.{:03}", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

// The text, a space, then `fill` up to the width (at least three), then a space.
std::string filled(const std::string& text, char fill) {
  std::string head = text.empty() ? "" : text + " ";
  int width = std::max(3, kColumns - static_cast<int>(head.size()));
  return head + std::string(static_cast<std::size_t>(width), fill) + " ";
}

class ProfileTasksSink : public Listener {
 public:
  explicit ProfileTasksSink(const SinkOptions& options) : verbosity_(options.verbosity) {}

  void task_start(const std::string& title, bool, const std::string& location) override {
    std::lock_guard lock(mutex_);
    print_clock();
    stop_current();
    // A task met again (a handler run twice, an included file run for a second host) adds to its total.
    std::string key = location + "\n" + title;
    auto it = std::find_if(tasks_.begin(), tasks_.end(), [&](const Task& t) { return t.key == key; });
    if (it == tasks_.end()) {
      tasks_.push_back(Task{key, title, verbosity_ >= 2 ? location : "", {}});
      it = tasks_.end() - 1;
    }
    current_ = static_cast<std::size_t>(it - tasks_.begin());
    started_ = Clock::now();
  }
  void recap(const std::vector<std::pair<std::string, HostStats>>&) override {
    std::lock_guard lock(mutex_);
    print_clock();
    std::cout << filled("", '=') << '\n';
    stop_current();
    std::vector<Task> sorted = tasks_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Task& a, const Task& b) { return a.spent > b.spent; });
    if (sorted.size() > kListed) sorted.resize(kListed);
    for (const auto& task : sorted) {
      double seconds = std::chrono::duration<double>(task.spent).count();
      std::string name = task.name + " ";
      std::string time = fmt::format(" {:.2f}s", seconds);
      std::cout << fmt::format("{:-<{}}{:->9}", name, kColumns - 9, time) << '\n';
      if (!task.path.empty()) std::cout << fmt::format("{:-<{}}", task.path + " ", kColumns) << '\n';
    }
    std::cout.flush();
  }

 private:
  struct Task {
    std::string key, name, path;
    Clock::duration spent;
  };

  void print_clock() {
    auto now = Clock::now();
    std::time_t wall = std::time(nullptr);
    std::tm local{};
    localtime_r(&wall, &local);
    char when[96];
    std::strftime(when, sizeof when, "%A %d %B %Y  %H:%M:%S %z", &local);
    std::cout << filled(fmt::format("{} ({}){}{}", when, clock_text(now - last_), std::string(7, ' '),
                                    clock_text(now - start_)),
                        '*')
              << std::endl;
    last_ = now;
  }
  void stop_current() {
    if (current_ < tasks_.size()) tasks_[current_].spent += Clock::now() - started_;
    current_ = tasks_.size();
  }

  int verbosity_;
  std::mutex mutex_;
  Clock::time_point start_ = Clock::now(), last_ = start_, started_ = start_;
  std::vector<Task> tasks_;
  std::size_t current_ = 0;
};

}  // namespace

std::unique_ptr<Sink> make_profile_tasks_sink(const SinkOptions& options) {
  return std::make_unique<ProfileTasksSink>(options);
}

}  // namespace prov::out
