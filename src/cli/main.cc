// provision: the pipeline in order. Parse options, read the config, load the inventory and the playbook (all of
// it, validated, before any host is touched), then compile each play to its task graph and execute it, reporting
// through one output sink.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "fact_settings.h"
#include "listing.h"
#include "options.h"
#include "provision/core/config.h"
#include "provision/core/error.h"
#include "provision/core/terminal.h"
#include "provision/exec/executor.h"
#include "provision/inventory/inventory.h"
#include "provision/output/events.h"
#include "provision/output/text_wrap.h"
#include "provision/playbook/model.h"

namespace {

using namespace prov;

void on_interrupt(int) { exec::request_interrupt(); }

// Load warnings go to stderr, each once: a file read twice (imported twice, included for each host) would repeat
// them. Files included at run time are read from several threads.
void warn_once(const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> shown;
  std::lock_guard lock(mutex);
  if (shown.insert(message).second) std::cerr << out::warning_text(message) << std::endl;
}

void setup_logging(int verbosity) {
  // -v..-vvvv: module arguments, commands and timings, on stderr so stdout stays the report.
  auto logger = spdlog::stderr_color_mt("provision");
  spdlog::set_default_logger(logger);
  // -vvvv also stamps each line with the time (to the microsecond), to see where a run's time goes.
  spdlog::set_pattern(verbosity >= 4 ? "%H:%M:%S.%f %^%l%$ %v" : "%^%l%$ %v");
  spdlog::set_level(verbosity >= 3   ? spdlog::level::trace
                    : verbosity == 2 ? spdlog::level::debug
                    : verbosity == 1 ? spdlog::level::info
                                     : spdlog::level::warn);
}

// Settings from ansible.cfg/provision.cfg, overridden by what the command line says.
void apply_config(const Config& config, cli::Options& o) {
  exec::Settings& s = o.settings;
  s.forks = o.forks > 0 ? o.forks : config.forks;
  s.timeout = o.timeout > 0 ? o.timeout : config.timeout;
  s.remote_user = o.remote_user.empty() ? config.remote_user : o.remote_user;
  s.private_key_file = o.private_key.empty() ? config.private_key_file : o.private_key;
  s.host_key_checking = config.host_key_checking;
  s.become = o.become_flag || config.become;
  s.become_user = o.become_user.empty() ? config.become_user : o.become_user;
  s.become_method = o.become_method.empty() ? config.become_method : o.become_method;
  s.force_handlers = s.force_handlers || config.force_handlers;
  s.error_on_missing_handler = config.error_on_missing_handler;
  s.become_exe = config.become_exe;
  s.become_flags = config.become_flags;
  s.ssh_args = config.ssh_args;
  s.ssh_common_args = o.ssh_common_args.empty() ? config.ssh_common_args : o.ssh_common_args;
  s.ssh_extra_args = o.ssh_extra_args.empty() ? config.ssh_extra_args : o.ssh_extra_args;
  s.connection = o.connection;
  s.limit = o.limit;
  if (o.inventories.empty()) o.inventories = config.inventory;
  // Ansible shows a source that names a file or folder by its absolute path, and a host list (a comma) as written.
  for (const auto& source : o.inventories) {
    s.inventory_sources.push_back(
        source.find(',') != std::string::npos ? source : std::filesystem::absolute(source).lexically_normal().string());
  }
  if (o.inventories.empty()) s.inventory_sources.push_back("/etc/ansible/hosts");  // Ansible's default source
  if (!config.ansible_config_file.empty()) {
    s.config_file = std::filesystem::absolute(config.ansible_config_file).lexically_normal().string();
  }
  for (const auto& path : config.roles_path) o.roles_path.push_back(path);
  if (config.become_ask_pass) o.ask_become_pass = true;
}

// The output: --output when given, else the configuration's stdout_callback, followed by the callbacks_enabled
// provision has (profile_tasks, timer) and the retry file. As in Ansible, force_color wins over nocolor and
// NO_COLOR, which win over the terminal.
std::unique_ptr<out::Sink> make_output(const cli::Options& options, const Config& config) {
  std::string format = options.output;
  // stdout_callback's json is the document of Ansible's json callback, not provision's own --output json.
  static const std::map<std::string, std::string> kCallbackFormats = {{"default", "human"}, {"json", "ansible-json"}};
  if (format.empty()) {
    auto named = kCallbackFormats.find(config.stdout_callback);
    format = named != kCallbackFormats.end() ? named->second : config.stdout_callback;
  }
  std::vector<std::string> formats = out::sink_names();
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
    warn_once(
        fmt::format("stdout_callback: callback '{}' is not supported by provision, using the default one", format));
    format = "human";
  }
  std::vector<std::string> reports;
  std::vector<std::string> known = out::report_names();
  for (const auto& name : config.callbacks_enabled) {
    if (std::find(known.begin(), known.end(), name) != known.end()) {
      reports.push_back(name);
    } else {
      warn_once(fmt::format("callbacks_enabled: callback '{}' is not supported by provision, ignored{}", name,
                            did_you_mean(name, known)));
    }
  }
  out::SinkOptions o;
  o.color = config.force_color || (isatty(STDOUT_FILENO) && !config.nocolor);
  o.verbosity = options.settings.verbosity;
  o.diff = options.settings.diff;
  o.check = options.settings.check;
  o.display_skipped_hosts = config.display_skipped_hosts;
  o.display_ok_hosts = config.display_ok_hosts;
  o.retry_files = config.retry_files_enabled;
  o.retry_files_save_path = config.retry_files_save_path;
  return out::make_sinks(format, reports, o);
}

std::string absolute_path(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

// The folder of the first playbook, whose group_vars/ and host_vars/ the inventory reads ("" without playbooks).
std::string playbook_dir(const std::vector<std::string>& playbooks) {
  if (playbooks.empty()) return {};
  std::string dir = std::filesystem::path(absolute_path(playbooks.front())).parent_path().string();
  return dir.empty() ? "." : dir;
}

// A --limit that leaves none of the inventory's hosts stops the run before anything else, as in ansible-playbook
// (exit code 1). An inventory without hosts is left alone: only the implicit localhost can run there.
bool limit_leaves_hosts(const inv::Inventory& inventory, const std::string& limit) {
  if (limit.empty()) return true;
  try {
    std::vector<std::string> unmatched;
    bool any = !inventory.limited(limit, &unmatched).empty();
    for (const auto& name : unmatched) warn_once("Could not match supplied host pattern, ignoring: " + name);
    if (any || inventory.hosts().empty()) return true;
    std::cerr << "ERROR! Specified inventory, host pattern and/or --limit leaves us with no hosts to target.\n"
              << fmt::format("--limit '{}' matches none of the inventory's hosts", limit) << std::endl;
  } catch (const Error& e) {
    std::cerr << "ERROR! " << e.describe() << std::endl;
  }
  return false;
}

int run(int argc, char** argv) {
  cli::Options options;
  if (int code = cli::parse_options(argc, argv, options); code >= 0) return code;
  setup_logging(options.settings.verbosity);

  // The configuration comes first: it chooses the output.
  Config config;
  try {
    config = load_config(process_environment());
  } catch (const Error& e) {
    std::cerr << "ERROR! " << e.describe() << std::endl;
    return exec::kExitLoadError;
  }
  for (const auto& warning : config.warnings) warn_once(warning);
  auto sink = make_output(options, config);

  // As ansible-playbook: the playbooks must exist, then the inventory is read, the --limit checked, and only then
  // are the playbooks loaded.
  std::optional<inv::Inventory> inventory;
  try {
    apply_config(config, options);
    const bool flush = options.settings.facts.flush;
    options.settings.facts = cli::fact_settings(config, process_environment());
    options.settings.facts.flush = flush;
    options.settings.extra_vars = cli::parse_extra_vars(options.extra_vars, warn_once);
    for (const auto& path : options.playbooks) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) throw Error(fmt::format("playbook '{}' not found", path));
    }
    inventory.emplace(inv::load_inventory(options.inventories, playbook_dir(options.playbooks)));
    for (const auto& warning : inventory->warnings()) std::cerr << out::warning_text(warning) << std::endl;
  } catch (const Error& e) {
    std::cerr << "ERROR! " << e.describe() << std::endl;
    return exec::kExitLoadError;
  }
  if (!limit_leaves_hosts(*inventory, options.settings.limit)) return exec::kExitError;
  pb::Playbook playbook;
  try {
    pb::LoadOptions load;
    load.roles_path = options.roles_path;
    load.collections_path = config.collections_path;
    load.warn = warn_once;
    for (const auto& path : options.playbooks) {
      // Absolute paths make playbook_dir and every error location usable from anywhere.
      pb::Playbook one = pb::load_playbook(absolute_path(path), load);
      if (playbook.path.empty()) {
        playbook = std::move(one);
      } else {
        for (auto& play : one.plays) playbook.plays.push_back(std::move(play));
      }
      playbook.ends.push_back(playbook.plays.size());
      playbook.given.push_back(path);
    }
  } catch (const Error& e) {
    std::cerr << "ERROR! " << e.describe() << std::endl;
    return exec::kExitLoadError;
  }

  if (options.syntax_check) {
    for (const auto& path : options.playbooks) std::cout << "\nplaybook: " << path << std::endl;
    return exec::kExitOk;
  }
  const auto& shown = options.playbooks;
  if (options.list_hosts) return cli::print_listing(cli::Listing::Hosts, playbook, shown, *inventory, options.settings);
  if (options.list_tasks) return cli::print_listing(cli::Listing::Tasks, playbook, shown, *inventory, options.settings);
  if (options.list_tags) return cli::print_listing(cli::Listing::Tags, playbook, shown, *inventory, options.settings);

  try {
    if (options.ask_pass) options.settings.password = cli::prompt_secret("SSH password: ");
    if (options.ask_become_pass) {
      try {
        options.settings.become_password = cli::prompt_secret("BECOME password: ");
      } catch (const Error&) {
        // -K or become_ask_pass in a pipeline: say where the password can come from instead.
        throw Error(
            "cannot ask for the become password (-K, become_ask_pass): no terminal; give it as "
            "ansible_become_password (and unset become_ask_pass)");
      }
    }
  } catch (const Error& e) {
    std::cerr << "ERROR! " << e.message() << std::endl;
    return exec::kExitBadOptions;
  }

  // vars_prompt asks only when stdin is a terminal, as ansible-playbook does; otherwise the defaults are used.
  if (isatty(STDIN_FILENO)) options.settings.prompt = ask_terminal;
  // --step asks as Python's input() does: the question on stdout, a line from stdin (a terminal or not).
  options.settings.ask_step = [](const std::string& question) -> std::optional<std::string> {
    std::cout << question << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return std::nullopt;
    return answer;
  };
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);  // a CI runner's stop: the same orderly end, recap included
  return exec::run_playbook(playbook, *inventory, options.settings, *sink);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const prov::Error& e) {
    std::cerr << "ERROR! " << e.describe() << std::endl;
    return prov::exec::kExitError;
  } catch (const std::exception& e) {
    std::cerr << "ERROR! unexpected: " << e.what() << std::endl;
    return 250;
  }
}
