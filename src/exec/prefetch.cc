#include "prefetch.h"

#include <cstdlib>

#include "provision/core/error.h"
#include "provision/core/random.h"

namespace prov::exec {

namespace {

// Only options that change what a command sees; a command with input or a time limit is never stored.
std::optional<std::string> key(const std::string& command, const conn::RunOptions& options) {
  if (!options.stdin_data.empty() || options.timeout_seconds != 0) return std::nullopt;
  std::string k = command;
  k += '\0';
  k += options.become.enabled ? "become " + options.become.method + " " + options.become.user : "as-login";
  for (const auto& [name, value] : options.env) {
    k += '\0';
    k += name + "=" + value;
  }
  return k;
}

}  // namespace

void ProbeCache::store(const std::string& command, const conn::RunOptions& options, conn::CommandResult result) {
  if (auto k = key(command, options)) results_[*k] = std::move(result);
}

std::optional<conn::CommandResult> ProbeCache::take(const std::string& command, const conn::RunOptions& options) {
  if (results_.empty()) return std::nullopt;
  std::optional<std::string> k = key(command, options);
  auto it = k ? results_.find(*k) : results_.end();
  if (it == results_.end()) {
    results_.clear();
    return std::nullopt;
  }
  return it->second;
}

std::vector<conn::CommandResult> run_together(conn::Connection& conn, const std::vector<BatchCommand>& commands,
                                              const conn::RunOptions& options, const std::string& prelude) {
  // After each command, a random marker and its status on stdout and the marker on stderr: what comes before
  // them is that command's own output.
  const std::string marker = "@@provision-probe-" + random_hex(12) + "@@";
  // The prelude's own output and errors are not any command's: they go nowhere.
  std::string script = prelude.empty() ? "" : "{\n" + prelude + "\n} >/dev/null 2>&1\n";
  script += "M=" + conn::shell_quote(marker) + "\n";
  const std::string report = "r=$?; printf '%s %s\\n' \"$M\" \"$r\"; printf '%s\\n' \"$M\" >&2\n";
  for (size_t i = 0; i < commands.size(); ++i) {
    const BatchCommand& command = commands[i];
    if (!command.shares_subshell) {
      script += "( eval " + conn::shell_quote(command.text) + " ) </dev/null; " + report;
      continue;
    }
    if (i == 0 || !commands[i - 1].shares_subshell) script += "(\n";
    script += "eval " + conn::shell_quote(command.text) + "; " + report;
    if (i + 1 == commands.size() || !commands[i + 1].shares_subshell) script += ") </dev/null\n";
  }
  conn::CommandResult all = conn.run(script, options);
  std::vector<conn::CommandResult> results;
  size_t out_at = 0, err_at = 0;
  for (size_t i = 0; i < commands.size(); ++i) {
    size_t out_end = all.out.find(marker + " ", out_at);
    size_t err_end = all.err.find(marker + "\n", err_at);
    size_t eol = out_end == std::string::npos ? out_end : all.out.find('\n', out_end);
    if (eol == std::string::npos || err_end == std::string::npos) {
      throw Error("the probes sent together did not all finish (exit status " + std::to_string(all.rc) + ")");
    }
    conn::CommandResult r;
    r.out = all.out.substr(out_at, out_end - out_at);
    r.err = all.err.substr(err_at, err_end - err_at);
    r.rc = std::atoi(all.out.c_str() + out_end + marker.size() + 1);
    results.push_back(std::move(r));
    out_at = eol + 1;
    err_at = err_end + marker.size() + 1;
  }
  return results;
}

}  // namespace prov::exec
