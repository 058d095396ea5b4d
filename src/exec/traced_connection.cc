#include "traced_connection.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace prov::exec {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string shorten(const std::string& text) {
  constexpr std::size_t kMax = 2000;
  return text.size() <= kMax ? text : text.substr(0, kMax) + "... (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace

void TracedConnection::connect() {
  auto start = Clock::now();
  inner_->connect();
  spdlog::trace("<{}> {} connection established in {:.1f} ms", host_, inner_->kind(), ms_since(start));
}

conn::CommandResult TracedConnection::run(const std::string& command, const conn::RunOptions& options) {
  if (std::optional<conn::CommandResult> early = probes_.take(command, options)) {
    spdlog::trace("<{}> EXEC{} {} -> rc={} (sent ahead)", host_, options.become.enabled ? " (become)" : "",
                  quiet_ ? "<hidden by no_log>" : shorten(command), early->rc);
    return *early;
  }
  auto start = Clock::now();
  conn::RunOptions limited = options;
  if (deadline_) {
    long long left = std::chrono::ceil<std::chrono::seconds>(*deadline_ - start).count();
    if (left <= 0) throw TaskTimeoutError();
    if (limited.timeout_seconds <= 0 || limited.timeout_seconds > left)
      limited.timeout_seconds = static_cast<int>(left);
  }
  conn::CommandResult result = inner_->run(command, limited);
  spdlog::trace("<{}> EXEC{} {} -> rc={} in {:.1f} ms", host_, options.become.enabled ? " (become)" : "",
                quiet_ ? "<hidden by no_log>" : shorten(command), result.rc, ms_since(start));
  if (result.timed_out && limited.timeout_seconds != options.timeout_seconds) throw TaskTimeoutError();
  return result;
}

void TracedConnection::prefetch(const std::vector<BatchCommand>& commands, const conn::RunOptions& options,
                                const std::string& prelude) {
  probes_.clear();
  auto start = Clock::now();
  std::vector<conn::CommandResult> results = run_together(*inner_, commands, options, prelude);
  spdlog::trace("<{}> EXEC{} {} probes of the next tasks together in {:.1f} ms", host_,
                options.become.enabled ? " (become)" : "", commands.size(), ms_since(start));
  for (size_t i = 0; i < commands.size(); ++i) probes_.store(commands[i].text, options, std::move(results[i]));
}

void TracedConnection::check_deadline() const {
  if (deadline_ && Clock::now() >= *deadline_) throw TaskTimeoutError();
}

void TracedConnection::put_file(const std::string& content, const std::string& path, const conn::PutOptions& options) {
  check_deadline();
  probes_.clear();
  auto start = Clock::now();
  inner_->put_file(content, path, options);
  spdlog::trace("<{}> PUT {} ({} bytes) in {:.1f} ms", host_, path, content.size(), ms_since(start));
}

std::string TracedConnection::fetch_file(const std::string& path, const conn::Become& become) {
  check_deadline();
  probes_.clear();
  auto start = Clock::now();
  std::string content = inner_->fetch_file(path, become);
  spdlog::trace("<{}> FETCH {} ({} bytes) in {:.1f} ms", host_, path, content.size(), ms_since(start));
  return content;
}

}  // namespace prov::exec
