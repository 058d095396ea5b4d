#pragma once
// Runs the built provision binary in a scratch folder and captures what it prints.
#include <string>

struct RunResult {
  int rc = -1;
  std::string out;
  std::string err;
};

/// A fresh folder under /tmp, removed when the object goes away.
class Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const std::string& path() const { return path_; }
  /// Writes a file (creating folders) relative to the scratch folder; returns its full path.
  std::string write(const std::string& relative, const std::string& content) const;
  std::string read(const std::string& relative) const;
  bool exists(const std::string& relative) const;

  /// Runs `provision ARGS` with the scratch folder as working directory (args are shell words).
  RunResult provision(const std::string& args) const;
  /// Runs a shell script in the scratch folder (for signals and pipelines around the binary).
  RunResult provision_shell(const std::string& script) const;

 private:
  std::string path_;
};

/// The output with each warning on one line: provision wraps warnings to 79 columns as Ansible does, so where a
/// warning naming a path breaks depends on the path.
std::string unwrapped_warnings(const std::string& output);

/// Counts from the PLAY RECAP line of `host`, e.g. "ok=2 changed=1 unreachable=0 failed=0 skipped=0 rescued=0
/// ignored=0" with single spaces, or "" when the host has no recap line.
std::string recap(const std::string& output, const std::string& host = "localhost");
