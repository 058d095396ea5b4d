#include "harness.h"

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

Scratch::Scratch() {
  char pattern[] = "/tmp/provision-it-XXXXXX";
  path_ = mkdtemp(pattern);
}

Scratch::~Scratch() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string Scratch::write(const std::string& relative, const std::string& content) const {
  fs::path full = fs::path(path_) / relative;
  fs::create_directories(full.parent_path());
  std::ofstream(full) << content;
  return full.string();
}

std::string Scratch::read(const std::string& relative) const {
  std::ifstream in(fs::path(path_) / relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Scratch::exists(const std::string& relative) const {
  return fs::exists(fs::symlink_status(fs::path(path_) / relative));
}

static std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult Scratch::provision(const std::string& args) const {
  return provision_shell(std::string(PROVISION_BINARY) + " " + args);
}

RunResult Scratch::provision_shell(const std::string& script) const {
  std::string out_file = path_ + "/.stdout", err_file = path_ + "/.stderr";
  std::string command = "cd '" + path_ + "' && export NO_COLOR=1 ANSIBLE_CONFIG=/nonexistent && { " + script +
                        "; } >'" + out_file + "' 2>'" + err_file + "' </dev/null";
  int status = std::system(command.c_str());
  RunResult r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out_file);
  r.err = slurp(err_file);
  fs::remove(out_file);
  fs::remove(err_file);
  return r;
}

std::string recap(const std::string& output, const std::string& host) {
  std::regex line("^" + host + R"( +: (.*\S) *$)", std::regex::multiline);
  std::smatch m;
  if (!std::regex_search(output, m, line)) return {};
  return std::regex_replace(m[1].str(), std::regex(" +"), " ");
}

namespace {
// "[WARNING]: ", "[DEPRECATION WARNING]:" (alone when a long word follows): the start of a new message. A wrapped line
// may itself start with a bracket ("[defaults] ...") and still continue the warning before it.
bool starts_marker(const std::string& line) {
  const std::size_t close = line.find("]:");
  if (line.empty() || line[0] != '[' || close == std::string::npos || close < 2 ||
      (close + 2 < line.size() && line[close + 2] != ' ')) {
    return false;
  }
  return std::all_of(line.begin() + 1, line.begin() + static_cast<std::ptrdiff_t>(close),
                     [](char c) { return (c >= 'A' && c <= 'Z') || c == ' '; });
}
}  // namespace

std::string unwrapped_warnings(const std::string& output) {
  std::string out, line;
  bool in_warning = false;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    line = output.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? output.size() : end + 1;
    const bool continues = in_warning && !line.empty() && !starts_marker(line) && line.rfind("ERROR!", 0) != 0;
    if (continues) {
      out.back() = ' ';  // the line break the wrapping put in place of a space
    }
    out += line + "\n";
    in_warning = line.rfind("[WARNING]: ", 0) == 0 || line == "[WARNING]:" || continues;
  }
  return out;
}
