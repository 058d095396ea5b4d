// timer: ansible.posix's total, "Playbook run took D days, H hours, M minutes, S seconds" after each recap.
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "listener.h"

namespace prov::out {

namespace {

class TimerSink : public Listener {
 public:
  void recap(const std::vector<std::pair<std::string, HostStats>>&) override {
    long long s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_).count();
    std::cout << fmt::format("Playbook run took {} days, {} hours, {} minutes, {} seconds", s / 86400, s / 3600 % 24,
                             s / 60 % 60, s % 60)
              << std::endl;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

std::unique_ptr<Sink> make_timer_sink(const SinkOptions&) { return std::make_unique<TimerSink>(); }

}  // namespace prov::out
