#pragma once
// Services for the service and systemd modules: which init system the host runs, and the state of one service,
// read in one probe each (a sh script printing tagged lines, parsed on the controller).
#include <map>
#include <optional>
#include <string>

#include "provision/modules/module.h"

namespace prov::mod {

/// A service as the init scripts see it (hosts without systemd).
struct SysvProbe {
  bool systemd = false;        ///< /run/systemd/system exists: systemd is the init system
  bool initscript = false;     ///< /etc/init.d/<name> is a file
  bool service_cmd = false;    ///< the service command exists
  bool update_rcd = false;     ///< update-rc.d exists
  bool start_links = false;    ///< /etc/rc?.d/S??<name> exists: enabled
  bool kill_links = false;     ///< /etc/rc?.d/K??<name> exists
  bool has_status = false;     ///< the status was asked for (and the service exists)
  int status_rc = 0;           ///< exit status of `service <name> status`
  std::string status_out;      ///< its standard output
  bool pattern_found = false;  ///< a process matched pattern= (read from stdin)
  // On a systemd host (systemd is true) only these are read:
  int show_rc = -1;          ///< exit status of `systemctl show <name>`
  std::string show_out;      ///< its output
  int enabled_rc = -1;       ///< exit status of `systemctl is-enabled <name>`
  std::string enabled_out;   ///< its output's first line
  std::string reload_error;  ///< daemon-reload/daemon-reexec asked for in the probe and failed: "<step> <rc>: <err>"
};

/// What the probe should do besides reading.
struct ProbeRequest {
  std::string name;
  bool status = false;         ///< run `service <name> status` (sysv)
  bool pattern = false;        ///< match ps against the pattern, read from stdin
  bool daemon_reload = false;  ///< systemctl daemon-reload first (systemd hosts, not in check mode)
  bool daemon_reexec = false;  ///< systemctl daemon-reexec first
};

/// The probe: on a systemd host `systemctl show` and `is-enabled`, otherwise the init script, its rc links and,
/// with `status`, its status.
std::string sysv_probe_command(const ProbeRequest& request);
/// Parses the probe's output; throws Error on a line it does not know.
SysvProbe parse_sysv_probe(const std::string& out);

/// Ansible's reading of an LSB status: running (1), stopped (0) or unknown (-1), from the exit status and, for a
/// one-line output, its words.
int sysv_running(const std::string& name, int rc, const std::string& out);

/// `systemctl show` output as Ansible parses it: key=value lines, Exec* values in braces may span lines.
std::map<std::string, std::string> parse_systemctl_show(const std::string& out);

/// What the service or systemd module wants of one service (systemd's own keys are unset for service).
struct ServiceWanted {
  std::string name;
  std::string state;  ///< "" (leave alone), started, stopped, restarted, reloaded
  std::optional<bool> enabled;
  std::optional<bool> masked;
  std::string scope = "system";  ///< systemctl --user / --global
  bool no_block = false, force = false;
  std::string pattern;             ///< service: running means a process matches this
  std::string arguments;           ///< service: words given to the init script's action
  std::optional<long long> sleep;  ///< service: seconds between stop and start of a restart
};

/// What a comparison found (the result, changed) and the shell text that makes the change ("" when none).
struct ServiceWork {
  Changes changes;
  std::string script;
};

/// On a host that runs systemd: the unit against what is wanted, from a probe. `result` holds name, changed, status.
ServiceWork unit_work(const SysvProbe& probe, const ServiceWanted& wanted, Result result);

/// On a host without systemd: enabled through the rc links, state through the init script. `result` already holds
/// the module's leading keys; systemd_keys: the systemd module's result keys (status, enabled, state). plan
/// (non-null exactly in check mode): a missing service with packages pending is assumed to come with them.
ServiceWork sysv_work(const SysvProbe& probe, const ServiceWanted& wanted, const Plan* plan, Result result,
                      bool systemd_keys);

/// Runs a work's script on ctx's host: nothing (an object) when it succeeds, the failure otherwise.
Result run_service_work(Context& ctx, const ServiceWork& work);

}  // namespace prov::mod
