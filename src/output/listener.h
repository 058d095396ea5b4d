#pragma once
// A sink that reports on a few events (the timer, profile_tasks, the retry file) and ignores the others.
#include <optional>
#include <string>
#include <vector>

#include "provision/output/events.h"

namespace prov::out {

class Listener : public Sink {
 public:
  void playbook_start(const std::string&, const std::string&, std::size_t) override {}
  void play_start(const std::string&, const std::vector<std::string>&, const std::string&) override {}
  void no_hosts_matched() override {}
  void task_start(const std::string&, bool, const std::string&) override {}
  void host_result(const HostResult&) override {}
  void retrying(const std::string&, const std::string&, int) override {}
  void ignored_note() override {}
  void included(const std::string&, const std::vector<std::string>&, const std::optional<std::string>&) override {}
  void warning(const std::string&) override {}
  void error(const std::string&) override {}
  void recap(const std::vector<std::pair<std::string, HostStats>>&) override {}
  void playbook_end(int) override {}
  void step_answered(const std::string&) override {}
};

}  // namespace prov::out
