#pragma once
// Running one step on many hosts at once, at most `forks` at a time.
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "state.h"

namespace prov::exec {

/// Runs fn for each host, at most `forks` at once; each host is handled by one thread at a time. Expected failures
/// are results; an exception that still escapes fn (a bug) fails that host alone, and never the run.
template <typename Fn>
void for_each_host(const std::vector<HostState*>& hosts, int forks, out::Sink& sink, Fn fn) {
  auto guarded = [&](HostState& h) {
    std::string error;
    try {
      fn(h);
      return;
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "an unknown exception";
    }
    leave_play(h);
    ++h.stats.failed;
    out::HostResult r;
    r.host = h.name;
    r.status = out::Status::Failed;
    r.result = {{"failed", true}, {"msg", "internal error in provision: " + error}};
    sink.host_result(r);
  };
  if (hosts.size() == 1 || forks <= 1) {
    for (auto* h : hosts) guarded(*h);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(forks), hosts.size());
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < hosts.size(); i = next++) guarded(*hosts[i]);
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace prov::exec
