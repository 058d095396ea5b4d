#pragma once
// The apt module's arguments and the pieces its two paths share: packages by name (apt.cc) and .deb files
// (apt_deb.cc).
#include <optional>
#include <string>
#include <vector>

#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

struct AptArgs {
  std::vector<std::string> names;
  std::string state;
  bool update_cache = false;
  long long update_cache_retries = 5, update_cache_retry_max_delay = 12, cache_valid_time = 0;
  bool purge = false;
  std::string deb, default_release;
  std::optional<bool> install_recommends;
  bool autoremove = false, only_upgrade = false, force_apt_get = false, allow_unauthenticated = false;
  std::string dpkg_options;
  long long lock_timeout = 60;

  static void describe(Schema<AptArgs>& s);
};

/// The environment every apt command runs in.
extern const char* const kAptEnv;
/// Options that leave the host as it was (check mode): apt builds its cache in memory, takes no lock and logs no
/// plan.
extern const char* const kAptNoWrite;

/// dpkg_options ("force-confdef,force-confold") as apt-get options.
std::string apt_dpkg_options(const AptArgs& args);
/// install_recommends and allow_unauthenticated as apt-get options.
std::string apt_install_options(const AptArgs& args);

/// Runs the command (a sh word list) again while another apt or dpkg holds the lock, until the deadline; its
/// output then becomes the script's, and its status is left in $rc.
std::string with_lock_wait(const std::string& command, long long timeout);

/// apt-get's output as the result's stdout, stderr, their lines, and the diff's prepared text when shown.
void add_apt_output(Result& r, const conn::CommandResult& res, bool show_prepared);

/// deb=: the script that downloads, inspects and installs (or, in a check run, simulates installing) the files.
std::string deb_script(const AptArgs& args, bool check_run);
/// The result of that script; predicted gets the packages a simulation would install.
Result deb_result(const AptArgs& args, const conn::CommandResult& res, bool check_run, bool show_prepared,
                  const Plan* plan, Plan& predicted);

}  // namespace prov::mod
