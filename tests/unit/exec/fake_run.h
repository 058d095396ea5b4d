#pragma once
// The executor run end to end on fake hosts: Settings::make_connection gives each host a connection that records
// what it is sent and answers by rules, and a sink records what the run reports. No process, no network.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "provision/exec/executor.h"
#include "provision/inventory/inventory.h"
#include "provision/output/events.h"
#include "provision/playbook/model.h"

namespace prov::exec::testing {

namespace fs = std::filesystem;
using prov::Value;
using prov::conn::CommandResult;

// What every fake host was sent, in order, and which hosts cannot be reached.
struct FakeNetwork {
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> commands;  // host -> commands
  std::vector<std::string> order;                            // "host: command", across hosts
  std::map<std::string, int> runs;                           // "host: command" -> times run
  std::vector<std::string> unreachable;
  std::vector<std::string> kinds;  // connection kinds asked for
};

// A host that answers a command by its words: `fail` fails, `flaky-N` fails until its Nth run, `out-TEXT` prints
// TEXT; anything else succeeds silently.
class FakeHost : public prov::conn::Connection {
 public:
  FakeHost(FakeNetwork& net, std::string host) : net_(net), host_(std::move(host)) {}
  void connect() override {
    std::lock_guard lock(net_.mutex);
    for (const auto& h : net_.unreachable) {
      if (h == host_) throw prov::conn::UnreachableError("Failed to connect to the host via fake: " + host_);
    }
  }
  CommandResult run(const std::string& command, const prov::conn::RunOptions&) override {
    std::lock_guard lock(net_.mutex);
    net_.commands[host_].push_back(command);
    net_.order.push_back(host_ + ": " + command);
    int n = ++net_.runs[host_ + ": " + command];
    CommandResult r;
    if (command.find("fail") != std::string::npos) r.rc = 1;
    if (auto at = command.find("flaky-"); at != std::string::npos && n < command[at + 6] - '0') r.rc = 1;
    if (auto at = command.find("out-"); at != std::string::npos) {
      r.out = command.substr(at + 4, command.find_first_of(" '\"", at + 4) - at - 4);
    }
    return r;
  }
  void put_file(const std::string&, const std::string&, const prov::conn::PutOptions&) override {}
  std::string fetch_file(const std::string&, const prov::conn::Become&) override { return {}; }
  void close() override {}
  std::string kind() const override { return "fake"; }

 private:
  FakeNetwork& net_;
  std::string host_;
};

// Records events as short lines: "task NAME", "HOST ok|changed|skipped|failed|unreachable[ item]", ...
class RecordingSink : public prov::out::Sink {
 public:
  void playbook_start(const std::string&, const std::string&, std::size_t) override {}
  void play_start(const std::string& name, const std::vector<std::string>&, const std::string&) override {
    add("play " + name);
  }
  void no_hosts_matched() override { add("no hosts"); }
  void task_start(const std::string& title, bool is_handler, const std::string&) override {
    add((is_handler ? "handler " : "task ") + title);
  }
  void host_result(const prov::out::HostResult& r) override {
    if (r.loop_end) return;  // the items were recorded one by one
    static const char* names[] = {"ok", "changed", "skipped", "failed", "unreachable"};
    add(r.host + " " + names[static_cast<int>(r.status)] + (r.is_item ? " item" : "") + (r.ignored ? " ignored" : ""));
    std::lock_guard lock(mutex);
    results.push_back(r);
  }
  void retrying(const std::string& host, const std::string&, int left) override {
    add(host + " retry " + std::to_string(left));
  }
  void ignored_note() override { add("ignoring"); }
  void included(const std::string& file, const std::vector<std::string>& hosts,
                const std::optional<std::string>&) override {
    add("included " + fs::path(file).filename().string() + " for " + std::to_string(hosts.size()));
  }
  void warning(const std::string& message) override { add("warning " + message); }
  void error(const std::string& message) override { add("error " + message); }
  void recap(const std::vector<std::pair<std::string, prov::out::HostStats>>& s) override {
    for (const auto& [host, counts] : s) stats[host] = counts;
  }
  void playbook_end(int) override {}

  void add(const std::string& line) {
    std::lock_guard lock(mutex);
    lines.push_back(line);
  }
  std::size_t count(const std::string& line) const { return std::count(lines.begin(), lines.end(), line); }
  std::ptrdiff_t index(const std::string& line) const {
    auto it = std::find(lines.begin(), lines.end(), line);
    return it == lines.end() ? -1 : it - lines.begin();
  }

  std::mutex mutex;
  std::vector<std::string> lines;
  std::vector<prov::out::HostResult> results;
  std::map<std::string, prov::out::HostStats> stats;
};

inline std::string recap_of(const prov::out::HostStats& s) {
  return "ok=" + std::to_string(s.ok) + " changed=" + std::to_string(s.changed) +
         " unreachable=" + std::to_string(s.unreachable) + " failed=" + std::to_string(s.failed) +
         " skipped=" + std::to_string(s.skipped) + " rescued=" + std::to_string(s.rescued) +
         " ignored=" + std::to_string(s.ignored);
}

// One run: a playbook over hosts h1..hN, all reached through FakeHost.
struct Run {
  explicit Run(int hosts = 2) : dir(fs::temp_directory_path() / ("provision-exec-" + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string inventory = "[all:vars]\nansible_connection=fake\n[web]\n";
    for (int i = 1; i <= hosts; ++i) inventory += "h" + std::to_string(i) + "\n";
    write("hosts", inventory);
    settings.forks = 5;
    settings.make_connection = [this](const std::string& kind, const Value& vars) {
      std::lock_guard lock(net.mutex);
      net.kinds.push_back(kind);
      std::string host = vars.value("inventory_hostname", std::string(kind));
      return std::unique_ptr<prov::conn::Connection>(std::make_unique<FakeHost>(net, host));
    };
  }
  ~Run() { fs::remove_all(dir); }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name) << text;
  }
  int play(const std::string& playbook) {
    write("site.yml", playbook);
    prov::pb::Playbook pb = prov::pb::load_playbook((dir / "site.yml").string());
    prov::inv::Inventory inventory = prov::inv::load_inventory({(dir / "hosts").string()}, dir.string());
    return prov::exec::run_playbook(pb, inventory, settings, sink);
  }
  std::string recap(const std::string& host) { return recap_of(sink.stats[host]); }
  const std::vector<std::string>& sent(const std::string& host) { return net.commands[host]; }

  fs::path dir;
  FakeNetwork net;
  RecordingSink sink;
  prov::exec::Settings settings;
};

inline constexpr const char* kHead = "- hosts: web\n  gather_facts: false\n";

}  // namespace prov::exec::testing
