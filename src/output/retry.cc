// The retry file (retry_files_enabled): after a playbook where hosts failed or were unreachable, PLAYBOOK.retry
// names them, one a line and sorted, in retry_files_save_path or beside the playbook, for `--limit @FILE`. As
// Ansible does, the file is written and announced just before the recap.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>

#include <fmt/format.h>

#include "listener.h"
#include "provision/output/text_wrap.h"

namespace prov::out {

namespace {

namespace fs = std::filesystem;

class RetrySink : public Listener {
 public:
  explicit RetrySink(const SinkOptions& options) : save_path_(options.retry_files_save_path) {}

  void playbook_start(const std::string& path, const std::string&, std::size_t) override {
    if (playbook_.empty()) playbook_ = path;
  }
  void recap(const std::vector<std::pair<std::string, HostStats>>& stats) override {
    std::vector<std::string> hosts;
    for (const auto& [host, s] : stats) {
      if (s.failed > 0 || s.unreachable > 0) hosts.push_back(host);
    }
    if (hosts.empty() || playbook_.empty()) return;
    std::sort(hosts.begin(), hosts.end());
    fs::path playbook = fs::absolute(playbook_);
    fs::path folder = save_path_.empty() ? playbook.parent_path() : fs::path(save_path_);
    fs::path file = folder / (playbook.stem().string() + ".retry");
    std::error_code ec;
    fs::create_directories(folder, ec);
    std::ofstream out(file, std::ios::trunc);
    for (const auto& host : hosts) out << host << '\n';
    out.close();
    if (ec || !out) {
      std::cerr << warning_text(fmt::format("Could not create retry file '{}'.\n\t{}", file.string(),
                                            ec ? ec.message() : std::string("cannot write it")))
                << std::endl;
      return;
    }
    // Ansible ends this message with a line break, which its display does not double.
    std::cout << fmt::format("\tto retry, use: --limit @{}", file.string()) << std::endl;
  }

 private:
  std::string save_path_;
  std::string playbook_;
};

}  // namespace

std::unique_ptr<Sink> make_retry_sink(const SinkOptions& options) { return std::make_unique<RetrySink>(options); }

}  // namespace prov::out
