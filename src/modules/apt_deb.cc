// apt deb=: a .deb on the host or a URL downloaded there first; installed with apt-get so that its dependencies
// come along, unless that exact version is already installed. One script does it all; a check run simulates.
#include <sstream>

#include "apt.h"
#include "apt_parse.h"
#include "download.h"
#include "provision/core/text.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

std::vector<std::string> deb_list(const AptArgs& args) {
  std::vector<std::string> debs;
  std::istringstream in(args.deb);
  for (std::string d; std::getline(in, d, ',');) {
    if (!d.empty()) debs.push_back(d);
  }
  return debs;
}

// apt-get installs a file given by a path that holds a slash.
std::string deb_command(const AptArgs& args, bool check_run) {
  std::string command = "apt-get -y" + apt_dpkg_options(args);
  if (check_run) command += std::string(" --simulate") + kAptNoWrite;
  return command + apt_install_options(args) + " install";
}

}  // namespace

std::string deb_script(const AptArgs& args, bool check_run) {
  const std::vector<std::string> debs = deb_list(args);
  // A download goes to /dev/shm in check mode, which is not part of the host's disk.
  std::string script = std::string(kAptEnv) + "set -u; ";
  // dpkg-deb unpacks control data into TMPDIR, so in check mode that is /dev/shm too.
  script += check_run ? "base=/dev/shm; [ -d /dev/shm ] && [ -w /dev/shm ] || base=${TMPDIR:-/tmp}; "
                        "TMPDIR=$base; export TMPDIR; "
                      : "base=${TMPDIR:-/tmp}; ";
  script += "dl=; ";
  std::vector<std::string> files;
  for (size_t i = 0; i < debs.size(); ++i) {
    std::string file;
    if (debs[i].find("://") != std::string::npos) {
      DownloadRequest req;
      req.url = debs[i];
      req.apt_helper = true;
      std::string var = "f" + std::to_string(i);
      script += "[ -n \"$dl\" ] || dl=$(mktemp -d \"$base/provision-deb.XXXXXX\") || exit 1; " + var + "=\"$dl/" +
                std::to_string(i) + ".deb\"; " + download_snippet(req, "\"$" + var + "\"") +
                "if [ $rc -ne 0 ] || [ \"${code:-200}\" -ge 400 ] 2>/dev/null; then echo \"@@download " +
                std::to_string(i) + " $rc $code\"; rm -rf \"$dl\"; exit 0; fi; ";
      file = "\"$" + var + "\"";
    } else {
      file = shell_quote(debs[i]);
    }
    files.push_back(file);
    script += "if [ ! -f " + file + " ]; then echo '@@nofile " + std::to_string(i) + "'; exit 0; fi; " +
              "n=$(dpkg-deb -f " + file + " Package) && v=$(dpkg-deb -f " + file + " Version) || { echo '@@bad " +
              std::to_string(i) + "'; rm -rf \"$dl\"; exit 0; }; " +
              "iv=$(dpkg-query -W -f='${Status}\\t${Version}' \"$n\" 2>/dev/null | awk -F'\\t' '$1 ~ / installed$/ "
              "{print $2}'); echo \"@@deb" +
              std::to_string(i) + " $n\t$v\t$iv\"; " + "if [ \"$iv\" != \"$v\" ]; then " + "todo=\"${todo:-} " +
              std::to_string(i) + "\"; fi; ";
  }
  const std::string command = deb_command(args, check_run);
  script += "set -- ; for i in ${todo:-}; do case $i in ";
  for (size_t i = 0; i < files.size(); ++i) {
    script += std::to_string(i) + ") p=" + files[i] + ";; ";
  }
  script +=
      "esac; case $p in /*|./*|../*) ;; *) p=./$p;; esac; set -- \"$@\" \"$p\"; done; "
      "if [ $# -eq 0 ]; then echo @@same; rm -rf \"${dl:-/nonexistent}\"; exit 0; fi; echo @@out; ";
  script += check_run ? command + " \"$@\" 2>\"$base/provision-deb-err.$$\"; rc=$?; "
                      : with_lock_wait(command + " \"$@\"", std::max(0LL, args.lock_timeout));
  if (check_run) script += "echo @@err; cat \"$base/provision-deb-err.$$\"; rm -f \"$base/provision-deb-err.$$\"; ";
  return script + "echo \"@@rc $rc\"; rm -rf \"${dl:-/nonexistent}\"; exit 0";
}

Result deb_result(const AptArgs& args, const conn::CommandResult& res, bool check_run, bool show_prepared,
                  const Plan* plan, Plan& predicted) {
  const std::vector<std::string> debs = deb_list(args);
  auto sec = apt::sections(res.out);
  if (sec.count("download")) {
    std::istringstream d(sec["download"]);
    size_t index = 0;
    std::string rc, code;
    d >> index >> rc >> code;
    if (rc == "127") return util::failed(std::string("cannot download ") + debs.at(index) + ": " + kNoDownloader);
    return util::failed("Failed to download " + debs.at(index) + ": " +
                        (code.empty() || code == "000" ? rtrim(res.err, "\n ") : "HTTP Error " + code));
  }
  if (sec.count("nofile")) {
    size_t index = static_cast<size_t>(apt::to_number(sec["nofile"]));
    if (plan != nullptr && plan->predicted(debs.at(index))) {
      return Value{{"changed", true},
                   {"msg", "check mode: " + debs.at(index) +
                               " would be created by an earlier task; its install is "
                               "unverified"}};
    }
    return util::failed("Unable to install package: " + debs.at(index) + " does not exist on the host");
  }
  if (sec.count("bad")) {
    return util::failed("Unable to install package: " + debs.at(static_cast<size_t>(apt::to_number(sec["bad"]))) +
                        " is not a Debian package: " + rtrim(res.err, "\n "));
  }
  if (sec.count("same")) return Value{{"changed", false}, {"stdout", ""}, {"stderr", ""}};
  conn::CommandResult apt;
  apt.out = sec["out"];
  apt.err = check_run ? sec["err"] : res.err;
  apt.rc = static_cast<int>(apt::to_number(sec["rc"]));
  if (apt.rc != 0) {
    Result f = util::failed(apt::lock_failure(apt.err)
                                ? "Failed to lock apt for exclusive operation: " + apt::first_error(apt.err)
                                : "'" + deb_command(args, check_run) + "' failed: " + apt.err);
    f["stdout"] = apt.out;
    f["stderr"] = apt.err;
    f["rc"] = apt.rc;
    return f;
  }
  if (check_run) {
    for (const auto& n : apt::parse_simulation(apt.out).installed) predicted.packages.insert(n);
  }
  Result r = {{"changed", true}};
  add_apt_output(r, apt, show_prepared);
  return r;
}

}  // namespace prov::mod
