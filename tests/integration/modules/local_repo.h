#pragma once
// A tiny apt repository and web server on this machine for the apt, apt_repository, apt_key and get_url tests:
// packages built with dpkg-deb, indexed with dpkg-scanpackages, optionally signed with a throwaway gpg key, and
// served by `python3 -m http.server` on 10.213.0.1:8101 (the port given to these tests). The server's pid is
// recorded and exactly that process is ended when the object goes away.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace prov::test {

constexpr const char* kRepoAddress = "10.213.0.1";
constexpr int kRepoPort = 8101;

inline std::string repo_url(const std::string& path = "") {
  return "http://" + std::string(kRepoAddress) + ":" + std::to_string(kRepoPort) + "/" + path;
}

struct DebSpec {
  std::string name;
  std::string version = "1.0";
  std::string depends;
  std::string recommends;
  std::string postinst;   ///< shell lines run after unpacking
  bool conffile = false;  ///< ships /etc/<name>.conf as a conffile
};

/// The lines only in before ("- ...") or only in after ("+ ..."): empty when two upper listings are equal, and
/// short enough to read when they are not.
inline std::string listing_diff(const std::string& before, const std::string& after) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      out.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return out;
  };
  std::vector<std::string> a = lines(before), b = lines(after);
  std::string diff;
  for (const auto& l : a) {
    if (std::find(b.begin(), b.end(), l) == b.end()) diff += "- " + l + "\n";
  }
  for (const auto& l : b) {
    if (std::find(a.begin(), a.end(), l) == a.end()) diff += "+ " + l + "\n";
  }
  return diff;
}

/// A DebSpec with every field given (brace initialisation with fields left out warns).
inline DebSpec deb(std::string name, std::string version = "1.0", std::string depends = {}, std::string recommends = {},
                   std::string postinst = {}, bool conffile = false) {
  DebSpec d;
  d.name = std::move(name);
  d.version = std::move(version);
  d.depends = std::move(depends);
  d.recommends = std::move(recommends);
  d.postinst = std::move(postinst);
  d.conffile = conffile;
  return d;
}

class LocalRepo {
 public:
  LocalRepo() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "prov-aptrepo-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    REQUIRE(!dir_.empty());
    std::filesystem::create_directories(dir_ + "/flat");
  }
  ~LocalRepo() {
    stop();
    // gpg's agent may still be removing its sockets: never throw from here, and try again once.
    std::error_code ignored;
    if (std::filesystem::remove_all(dir_, ignored) == static_cast<std::uintmax_t>(-1)) {
      std::filesystem::remove_all(dir_, ignored);
    }
  }
  LocalRepo(const LocalRepo&) = delete;
  LocalRepo& operator=(const LocalRepo&) = delete;

  const std::string& dir() const { return dir_; }

  /// Builds NAME_VERSION_all.deb into the flat/ folder; returns its path.
  std::string build(const DebSpec& deb) {
    std::string root = dir_ + "/build/" + deb.name + "-" + deb.version;
    std::filesystem::create_directories(root + "/DEBIAN");
    std::filesystem::create_directories(root + "/usr/share/provtest");
    std::ofstream(root + "/usr/share/provtest/" + deb.name) << deb.name << " " << deb.version << "\n";
    std::ofstream control(root + "/DEBIAN/control");
    control << "Package: " << deb.name << "\nVersion: " << deb.version
            << "\nArchitecture: all\nMaintainer: provision tests <test@example.invalid>\n";
    if (!deb.depends.empty()) control << "Depends: " << deb.depends << "\n";
    if (!deb.recommends.empty()) control << "Recommends: " << deb.recommends << "\n";
    control << "Description: provision test package\n test package " << deb.name << "\n";
    control.close();
    if (deb.conffile) {
      std::filesystem::create_directories(root + "/etc");
      std::ofstream(root + "/etc/" + deb.name + ".conf") << "setting=1\n";
      std::ofstream(root + "/DEBIAN/conffiles") << "/etc/" << deb.name << ".conf\n";
    }
    if (!deb.postinst.empty()) {
      std::ofstream(root + "/DEBIAN/postinst") << "#!/bin/sh\nset -e\n" << deb.postinst << "\n";
      std::filesystem::permissions(root + "/DEBIAN/postinst", std::filesystem::perms(0755));
    }
    std::string out = dir_ + "/flat/" + deb.name + "_" + deb.version + "_all.deb";
    sh("dpkg-deb -Zgzip --root-owner-group --build '" + root + "' '" + out + "' >/dev/null");
    return out;
  }

  /// Indexes flat/ (Packages, Release); with sign, also a throwaway key signs InRelease and its armored public
  /// key is written to flat/key.asc.
  void index(bool sign = false) {
    sh("cd '" + dir_ +
       "/flat' && dpkg-scanpackages -m . 2>/dev/null > Packages && "
       "{ echo 'Origin: provtest'; echo 'Label: provtest'; echo \"Date: $(LC_ALL=C date -Ru)\"; echo 'SHA256:'; "
       "for f in Packages; do echo \" $(sha256sum $f | cut -d' ' -f1) $(wc -c < $f) $f\"; done; } > Release");
    if (sign) {
      std::string home = dir_ + "/gnupg";
      sh("mkdir -p -m 700 '" + home + "' && export GNUPGHOME='" + home +
         "' && gpg --batch --quiet --passphrase '' --quick-gen-key 'provtest <t@example.invalid>' ed25519 sign never "
         "2>/dev/null && gpg --batch --quiet --armor --export > '" +
         dir_ + "/flat/key.asc' && gpg --batch --quiet --yes --clearsign -o '" + dir_ + "/flat/InRelease' '" + dir_ +
         "/flat/Release' 2>/dev/null && gpgconf --homedir '" + home + "' --kill all");
    }
  }

  /// Writes a file to be served at path.
  void put(const std::string& path, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(dir_ + "/flat/" + path).parent_path());
    std::ofstream(dir_ + "/flat/" + path, std::ios::binary) << content;
  }

  /// Starts the web server on flat/ and waits until it answers.
  void serve() {
    REQUIRE(pid_ == -1);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      std::string d = dir_ + "/flat";
      std::string port = std::to_string(kRepoPort);
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execlp("python3", "python3", "-m", "http.server", "--bind", kRepoAddress, port.c_str(), "--directory",
               d.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(kRepoPort);
      ::inet_pton(AF_INET, kRepoAddress, &addr.sin_addr);
      bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      ::close(fd);
      if (up) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("the web server on port " << kRepoPort << " did not start");
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  static void sh(const std::string& command) {
    INFO(command);
    REQUIRE(std::system(command.c_str()) == 0);
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace prov::test
