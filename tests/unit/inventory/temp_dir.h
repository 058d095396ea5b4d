#pragma once
// A scratch folder for inventory fixtures, removed when the test ends.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace prov::inv::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("prov-inv-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Writes `text` to `relative` (creating folders) and returns the full path.
  std::string write(const std::string& relative, const std::string& text) const {
    auto full = path_ / relative;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full) << text;
    return full.string();
  }
  std::string path(const std::string& relative = "") const {
    return relative.empty() ? path_.string() : (path_ / relative).lexically_normal().string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace prov::inv::testing
