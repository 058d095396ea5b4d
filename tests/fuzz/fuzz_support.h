#pragma once
// What the fuzz targets share: the one kind of exception that is the expected outcome of a bad input, and a private
// folder for the targets that read files.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>

#include "provision/core/error.h"

namespace prov::fuzz {

/// Runs f; an `Expected` error is what a bad input should give (a located message), anything else escaping is a
/// finding: it is printed and the process aborts so that libFuzzer saves the input.
template <typename Expected = prov::Error, typename F>
void expect_only(const char* what, F&& f) {
  try {
    f();
  } catch (const Expected&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: uncaught %s: %s\n", what, typeid(e).name(), e.what());
    std::abort();
  }
}

/// A folder of this process's own under the temporary folder, made on first use and removed at exit; the targets
/// overwrite the same names in it for each input.
inline const std::string& scratch_dir() {
  struct Folder {
    std::string path = (std::filesystem::temp_directory_path() / ("provision-fuzz-" + std::to_string(getpid())));
    Folder() { std::filesystem::create_directories(path); }
    ~Folder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Folder folder;
  return folder.path;
}

/// Writes bytes to a file under the scratch folder (folders made as needed) and returns its path.
inline std::string write_file(const std::string& name, std::string_view bytes) {
  auto path = std::filesystem::path(scratch_dir()) / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path.string();
}

}  // namespace prov::fuzz
