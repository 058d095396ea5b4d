// apt: installs, upgrades and removes Debian packages with apt-get. One probe reads the age of the package lists
// (updating them first when asked and they are too old) and what dpkg knows of every named package; apt-get then
// runs only for the packages that differ. Check mode simulates (apt-get --simulate) and records the packages in the
// plan; on a host whose lists were never fetched it predicts the install and says the availability is unverified.
#include <algorithm>
#include <set>
#include <sstream>

#include "apt_parse.h"
#include "download.h"
#include "provision/core/text.h"
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

const char* const kEnv = "export DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LC_ALL=C LANG=C; ";
// Check mode must leave the host as it was: apt builds its cache in memory, takes no lock and logs no plan.
const char* const kNoWrite =
    " -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Debug::NoLocking=1 -o Dir::Log::Planner=";

// Sections of a script's output: a line "@@name rest" starts section name (its first line is rest).
std::map<std::string, std::string> sections(const std::string& out) {
  std::map<std::string, std::string> found;
  std::istringstream in(out);
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.rfind("@@", 0) == 0) {
      size_t space = line.find(' ');
      current = line.substr(2, space == std::string::npos ? std::string::npos : space - 2);
      found[current] = space == std::string::npos ? "" : line.substr(space + 1) + "\n";
      continue;
    }
    if (!current.empty()) found[current] += line + "\n";
  }
  return found;
}

long long to_ll(const std::string& s) {
  try {
    return std::stoll(s);
  } catch (const std::exception&) {
    return 0;
  }
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// Runs the command (a sh word list) again while another apt or dpkg holds the lock, until the deadline; its
// output then becomes the script's, and its status the script's exit code.
std::string with_lock_wait(const std::string& command, long long timeout) {
  return "t=$(mktemp -d) || exit 1; deadline=$(($(date +%s) + " + std::to_string(timeout) + ")); while :; do " +
         command +
         " >\"$t/o\" 2>\"$t/e\"; rc=$?; if [ $rc -ne 0 ] && grep -q -e 'Could not get lock' -e 'Unable to acquire "
         "the dpkg frontend lock' -e 'Unable to lock' \"$t/e\" && [ \"$(date +%s)\" -lt \"$deadline\" ]; then sleep 1; "
         "continue; fi; break; done; cat \"$t/o\"; cat \"$t/e\" >&2; rm -rf \"$t\"; ";
}

bool lock_failure(const std::string& err) {
  return err.find("Could not get lock") != std::string::npos ||
         err.find("Unable to acquire the dpkg frontend lock") != std::string::npos;
}

std::string first_error(const std::string& err) {
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("E: ", 0) == 0) return line;
  }
  return rtrim(err, "\n ");
}

void add_output(Result& r, const conn::CommandResult& res, bool diff_mode) {
  r["stdout"] = res.out;
  r["stderr"] = res.err;
  if (diff_mode) r["diff"] = {{"prepared", apt::prepared_text(res.out)}};
  r["stdout_lines"] = util::lines(res.out);
  r["stderr_lines"] = util::lines(res.err);
}

class AptModule : public Module {
 public:
  AptModule() {
    using util::arg;
    spec_.name = "apt";
    spec_.args = {
        arg("name", ArgType::List).elements(ArgType::Str).aliases({"package", "pkg"}),
        arg("state").default_value("present").choices({"absent", "build-dep", "fixed", "latest", "present"}),
        arg("update_cache", ArgType::Bool).aliases({"update-cache"}),
        arg("update_cache_retries", ArgType::Int).default_value(5),
        arg("update_cache_retry_max_delay", ArgType::Int).default_value(12),
        arg("cache_valid_time", ArgType::Int).default_value(0),
        arg("purge", ArgType::Bool).default_value(false),
        arg("deb", ArgType::Path),
        arg("default_release").aliases({"default-release"}),
        arg("install_recommends", ArgType::Bool).aliases({"install-recommends"}),
        arg("autoremove", ArgType::Bool).default_value(false),
        arg("only_upgrade", ArgType::Bool).default_value(false),
        arg("force_apt_get", ArgType::Bool).default_value(false),
        arg("allow_unauthenticated", ArgType::Bool).default_value(false).aliases({"allow-unauthenticated"}),
        arg("dpkg_options").default_value("force-confdef,force-confold"),
        arg("lock_timeout", ArgType::Int).default_value(60),
    };
    spec_.mutually_exclusive = {{"deb", "name"}};
    spec_.required_one_of = {{"autoremove", "deb", "name", "update_cache"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  std::optional<Probe> first_probe(const Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string state = util::str(args, "state");
    if (state == "build-dep" || !util::str(args, "deb").empty()) return std::nullopt;
    std::vector<apt::PackageSpec> specs;
    if (!package_specs(args, specs).empty()) return std::nullopt;
    return Probe{read_script(ctx, specs), nullptr, ""};
  }

  Result run(Context& ctx) const override;

 private:
  // What the probe (and the update, when one ran) found on the host.
  struct HostView {
    long long now = 0, cache_before = 0, cache_after = 0;
    bool lists = false;
    bool update_pending = false;  // check mode: an update would have run
    bool updated = false;
    std::map<std::string, apt::DpkgState> dpkg;
    std::map<std::string, apt::Policy> policy;
    std::vector<std::string> pkgnames;
    std::set<std::string> auto_installed;
  };

  std::string dpkg_options(const Context& ctx) const {
    std::string out;
    std::istringstream in(util::str(ctx.args, "dpkg_options"));
    std::string opt;
    while (std::getline(in, opt, ',')) {
      if (!opt.empty()) out += " -o " + shell_quote("Dpkg::Options::=--" + opt);
    }
    return out;
  }

  static bool wants_update(const Value& args) {
    return util::flag(args, "update_cache") || args["cache_valid_time"].get<long long>() > 0;
  }

  // The named packages as specs; a message when one cannot be handled.
  static std::string package_specs(const Value& args, std::vector<apt::PackageSpec>& specs) {
    if (const Value* n = find_key(args, "name"); n != nullptr && n->is_array()) {
      for (const auto& v : *n) {
        std::string name = trim(to_plain_string(v), " \t");
        if (name.empty()) continue;
        if (std::count(name.begin(), name.end(), '=') > 1) return "invalid package spec: " + name;
        if (name == "*") return "name='*' (upgrading every package) is not supported by provision's apt module";
        specs.push_back(apt::split_spec(name));
      }
    }
    return "";
  }

  // The probe, which only reads: the clock (when an update may be due), the lists' age and whether any exist, and
  // what dpkg, apt's auto-installed marks, apt-cache pkgnames (wildcards) and apt-cache policy (latest, version
  // patterns) say of the named packages.
  static std::string read_script(const Context& ctx, const std::vector<apt::PackageSpec>& specs);

  Result deb(Context& ctx) const;
  Result remove(Context& ctx, const std::vector<apt::PackageSpec>& specs, const HostView& probe, Result r) const;
  Result install(Context& ctx, const std::vector<apt::PackageSpec>& specs, const HostView& probe, Result r) const;

  ModuleSpec spec_;
};

Result AptModule::run(Context& ctx) const {
  const Value& args = ctx.args;
  const std::string state = util::str(args, "state");
  if (state == "build-dep") return util::failed("state=build-dep is not supported by provision's apt module");
  std::vector<apt::PackageSpec> specs;
  if (std::string bad = package_specs(args, specs); !bad.empty()) return util::failed(bad);
  if (!util::str(args, "deb").empty()) {
    if (state != "present") return util::failed("deb only supports state=present");
    return deb(ctx);
  }

  const bool want_update = wants_update(args);
  const long long valid = args["cache_valid_time"].get<long long>();
  const long long lock_timeout = std::max(0LL, args["lock_timeout"].get<long long>());

  // The probe reads; when the lists are due (cache_valid_time 0, the default, means always, as in Ansible), the
  // update runs as a second command, which reads the packages' state again for the fresh lists.
  const std::string read = read_script(ctx, specs);
  conn::CommandResult res = util::run(ctx, read);
  auto sec = sections(res.out);
  if (!sec.count("end")) return util::failed("the apt probe failed: " + rtrim(res.err, "\n "));
  HostView probe;
  probe.now = to_ll(sec["now"]);
  probe.cache_before = to_ll(sec["cache"]);
  probe.cache_after = probe.cache_before;
  const bool due = want_update && (valid <= 0 || probe.cache_before + valid < probe.now);
  if (due && !ctx.check_mode) {
    res = util::run(ctx, "echo '@@update_out'; " + with_lock_wait("apt-get update -q", lock_timeout) +
                             "echo \"@@update_rc $rc\"; " + read);
    sec = sections(res.out);
    if (!sec.count("update_rc") || rtrim(sec["update_rc"], "\n ") != "0") {
      return util::failed(lock_failure(res.err) ? "Failed to lock apt for exclusive operation: " + first_error(res.err)
                                                : "Failed to update apt cache: " +
                                                      rtrim(res.err.empty() ? sec["update_out"] : res.err, "\n "));
    }
    if (!sec.count("end")) return util::failed("the apt probe failed: " + rtrim(res.err, "\n "));
    probe.cache_after = to_ll(sec["cache"]);
    probe.updated = probe.cache_after != probe.cache_before;
  } else if (due) {
    probe.update_pending = true;
    if (ctx.plan != nullptr) ctx.plan->apt_lists_unverified = true;
  }
  probe.lists = sec.count("lists") > 0;
  probe.dpkg = apt::parse_dpkg_query(sec["dpkg"]);
  probe.policy = apt::parse_policy(sec["policy"]);
  for (const auto& name : apt::parse_auto_installed(sec["auto"])) probe.auto_installed.insert(name);
  std::istringstream pkgnames(sec["pkgnames"]);
  for (std::string line; std::getline(pkgnames, line);) {
    if (!line.empty()) probe.pkgnames.push_back(line);
  }

  // Wildcards expand to the names apt knows (native architecture only unless the pattern names one).
  std::vector<apt::PackageSpec> expanded;
  for (const auto& s : specs) {
    if (!apt::has_wildcard(s.name)) {
      expanded.push_back(s);
      continue;
    }
    std::set<std::string> matches;
    for (const auto& n : probe.pkgnames) {
      if ((s.name.find(':') != std::string::npos || n.find(':') == std::string::npos) && apt::fnmatch(s.name, n)) {
        matches.insert(n);
      }
    }
    for (const auto& [n, st] : probe.dpkg) {
      if (apt::fnmatch(s.name, n)) matches.insert(n);
    }
    if (matches.empty()) {
      if (ctx.check_mode && (!probe.lists || probe.update_pending)) continue;
      return util::failed("No package(s) matching '" + s.name + "' available");
    }
    for (const auto& m : matches) expanded.push_back({m, s.version});
  }

  Result r = {{"changed", probe.updated || probe.update_pending},
              {"cache_updated", probe.updated || probe.update_pending},
              {"cache_update_time", probe.cache_after}};
  if (specs.empty() && !util::flag(args, "autoremove")) return r;
  if (state == "absent") return remove(ctx, expanded, probe, r);
  if (specs.empty()) return remove(ctx, {}, probe, r);  // autoremove alone
  return install(ctx, expanded, probe, r);
}

std::string AptModule::read_script(const Context& ctx, const std::vector<apt::PackageSpec>& specs) {
  const std::string state = util::str(ctx.args, "state");
  const std::string no_write = ctx.check_mode ? kNoWrite : "";
  std::string script = kEnv;
  // printf, then the program: no subshell for a command substitution.
  if (wants_update(ctx.args)) script += "printf '@@now '; date +%s || echo; ";
  script +=
      "if [ -e /var/lib/apt/periodic/update-success-stamp ]; then printf '@@cache '; stat -c %Y "
      "/var/lib/apt/periodic/update-success-stamp || echo; elif [ -e /var/lib/apt/lists ]; then printf '@@cache '; "
      "stat -c %Y /var/lib/apt/lists || echo; else echo '@@cache 0'; fi; "
      "for f in /var/lib/apt/lists/*_Packages*; do [ -e \"$f\" ] && echo '@@lists yes'; break; done; ";
  std::string patterns, policy_names, prefixes;
  bool need_policy = state == "latest";
  for (const auto& s : specs) {
    patterns += " " + shell_quote(s.name);
    if (apt::has_wildcard(s.name)) {
      std::string prefix = s.name.substr(0, s.name.find_first_of("*?[]!"));
      prefixes += "apt-cache" + no_write + " pkgnames " + (prefix.empty() ? "" : "-- " + shell_quote(prefix)) + "; ";
      need_policy = need_policy || !s.version.empty();
    } else {
      policy_names += " " + shell_quote(s.name);
      if (apt::has_wildcard(s.version)) need_policy = true;
    }
  }
  if (!specs.empty()) {
    script += "echo @@dpkg; dpkg-query -W -f='${Package}\\t${Status}\\t${Version}\\n' --" + patterns + " 2>/dev/null; ";
    script += "echo @@auto; cat /var/lib/apt/extended_states 2>/dev/null; ";
  }
  if (!prefixes.empty()) script += "echo @@pkgnames; " + prefixes;
  if (need_policy && !policy_names.empty()) {
    script += "echo @@policy; apt-cache" + no_write + " policy --" + policy_names + " 2>/dev/null; ";
  }
  return script + "echo @@end";
}

Result AptModule::install(Context& ctx, const std::vector<apt::PackageSpec>& specs, const HostView& probe,
                          Result r) const {
  const Value& args = ctx.args;
  const std::string state = util::str(args, "state");
  const bool only_upgrade = util::flag(args, "only_upgrade");
  std::vector<std::string> to_install, names, to_mark;
  for (const auto& s : specs) {
    names.push_back(s.name);
    auto it = probe.dpkg.find(s.name);
    bool installed = it != probe.dpkg.end() && it->second.installed();
    const std::string installed_version = installed ? it->second.version : "";
    if (!installed && ctx.check_mode && ctx.plan != nullptr && ctx.plan->packages.count(s.name) && s.version.empty()) {
      continue;  // an earlier task in this check run would have installed it
    }
    auto pol = probe.policy.find(s.name);
    // The version apt would pick: a wildcard version resolves to the highest matching one.
    std::string best;
    if (pol != probe.policy.end()) {
      if (s.version.empty()) {
        best = pol->second.candidate;
      } else {
        for (const auto& v : pol->second.versions) {
          if (apt::fnmatch(s.version, v)) {
            best = v;
            break;
          }
        }
      }
    }
    bool version_ok = installed && (s.version.empty() || apt::fnmatch(s.version, installed_version));
    bool upgrade = state == "latest" && installed && !best.empty() && best != installed_version;
    if ((!installed && !only_upgrade) || (installed && !version_ok) || upgrade) {
      std::string version = !best.empty() && (!s.version.empty() || upgrade) ? best : s.version;
      to_install.push_back(version.empty() ? s.name : s.name + "=" + version);
    }
    if (installed && probe.auto_installed.count(s.name)) to_mark.push_back(s.name);
  }
  if (to_install.empty()) {
    // As Ansible, packages asked for by name become manually installed, which is not a change.
    if (!to_mark.empty() && !ctx.check_mode) {
      util::run(
          ctx, std::string(kEnv) + "apt-mark manual --" + [&] {
            std::string q;
            for (const auto& n : to_mark) q += " " + shell_quote(n);
            return q;
          }() + " >/dev/null");
    }
    r["changed"] = false;  // as Ansible: a refreshed cache alone is no change once packages were asked for
    return r;
  }

  std::string command = "apt-get -y" + dpkg_options(ctx);
  if (only_upgrade) command += " --only-upgrade";
  if (state == "fixed") command += " --fix-broken";
  if (util::flag(args, "autoremove")) command += " --auto-remove";
  if (ctx.check_mode) command += std::string(" --simulate") + kNoWrite;
  command += " install";
  for (const auto& p : to_install) command += " " + shell_quote(p);
  if (std::string rel = util::str(args, "default_release"); !rel.empty()) command += " -t " + shell_quote(rel);
  if (const Value* rec = find_key(args, "install_recommends"); rec != nullptr && rec->is_boolean()) {
    command += rec->get<bool>() ? " -o APT::Install-Recommends=yes" : " -o APT::Install-Recommends=no";
  }
  if (util::flag(args, "allow_unauthenticated")) command += " --allow-unauthenticated";

  std::string script = kEnv;
  if (ctx.check_mode) {
    script += command;
  } else {
    script += with_lock_wait(command, std::max(0LL, args["lock_timeout"].get<long long>()));
    std::string marks;
    for (const auto& n : names) {
      if (!apt::has_wildcard(n)) marks += " " + shell_quote(n);
    }
    if (!marks.empty()) script += "[ $rc -ne 0 ] || apt-mark manual --" + marks + " >/dev/null 2>&1; ";
    script += "exit $rc";
  }
  conn::CommandResult res = util::run(ctx, script);
  if (res.rc != 0) {
    std::vector<std::string> missing = apt::missing_packages(res.err);
    const bool unverified = ctx.check_mode && (!probe.lists || probe.update_pending ||
                                               (ctx.plan != nullptr && ctx.plan->apt_lists_unverified));
    if (unverified && !missing.empty()) {
      // Check mode on lists a real run would have fetched first: predict the install, unverified.
      std::vector<std::string> wanted;
      for (const auto& p : to_install) wanted.push_back(apt::split_spec(p).name);
      if (ctx.plan != nullptr) ctx.plan->packages.insert(wanted.begin(), wanted.end());
      std::string why = !probe.lists ? "the package lists on this host were never fetched"
                                     : "the package lists would be refreshed first";
      std::string note = "check mode: " + why + ", so the availability of " + join(wanted, ", ") +
                         " is unverified; a real run would install " + join(wanted, ", ");
      r["changed"] = true;
      r["msg"] = note;
      r["stdout"] = "";
      r["stderr"] = "";
      r["warnings"] = Value::array({note});
      if (ctx.diff_mode) r["diff"] = {{"prepared", "would install (unverified): " + join(wanted, " ")}};
      return r;
    }
    if (!missing.empty() && res.err.find("Unable to locate") != std::string::npos) {
      return util::failed("No package matching '" + missing.front() + "' is available");
    }
    Result f =
        util::failed(lock_failure(res.err) ? "Failed to lock apt for exclusive operation: " + first_error(res.err)
                                           : "'" + command + "' failed: " + res.err);
    f["stdout"] = res.out;
    f["stderr"] = res.err;
    f["rc"] = res.rc;
    f["cache_updated"] = r["cache_updated"];
    f["cache_update_time"] = r["cache_update_time"];
    return f;
  }
  if (ctx.check_mode && ctx.plan != nullptr) {
    for (const auto& n : apt::parse_simulation(res.out).installed) ctx.plan->packages.insert(n);
  }
  Result out = {{"changed", true}};
  add_output(out, res, ctx.diff_mode);
  out["cache_updated"] = r["cache_updated"];
  out["cache_update_time"] = r["cache_update_time"];
  return out;
}

Result AptModule::remove(Context& ctx, const std::vector<apt::PackageSpec>& specs, const HostView& probe,
                         Result r) const {
  const Value& args = ctx.args;
  const bool purge = util::flag(args, "purge");
  const bool autoremove = util::flag(args, "autoremove");
  std::string packages;
  for (const auto& s : specs) {
    auto it = probe.dpkg.find(s.name);
    if (it == probe.dpkg.end()) continue;
    if (!s.version.empty() && !apt::fnmatch(s.version, it->second.version)) continue;
    if (it->second.installed() || (purge && it->second.has_files())) packages += " " + shell_quote(s.name);
    if (ctx.check_mode && ctx.plan != nullptr) ctx.plan->packages.erase(s.name);
  }
  const bool cleanup_only = specs.empty();
  if (!cleanup_only && packages.empty()) return Value{{"changed", false}};
  std::string command = std::string(cleanup_only ? "apt-get -y" : "apt-get -q -y") + dpkg_options(ctx);
  if (purge) command += " --purge";
  if (autoremove && !cleanup_only) command += " --auto-remove";
  if (ctx.check_mode) command += std::string(" --simulate") + kNoWrite;
  command += cleanup_only ? " autoremove" : " remove" + packages;
  std::string script = kEnv;
  script += ctx.check_mode ? command
                           : with_lock_wait(command, std::max(0LL, args["lock_timeout"].get<long long>())) + "exit $rc";
  conn::CommandResult res = util::run(ctx, script);
  if (res.rc != 0) {
    Result f =
        util::failed(lock_failure(res.err) ? "Failed to lock apt for exclusive operation: " + first_error(res.err)
                     : cleanup_only        ? "'apt-get autoremove' failed: " + res.err
                                           : "'apt-get remove" + packages + "' failed: " + res.err);
    f["stdout"] = res.out;
    f["stderr"] = res.err;
    f["rc"] = res.rc;
    return f;
  }
  Result out = {
      {"changed", cleanup_only ? res.out.find("The following packages will be REMOVED") != std::string::npos : true}};
  if (cleanup_only && r["changed"].get<bool>()) out["changed"] = true;
  add_output(out, res, ctx.diff_mode);
  (void)probe;
  return out;
}

// deb=: a .deb on the host or a URL downloaded there first; installed with apt-get so that its dependencies come
// along, unless that exact version is already installed.
Result AptModule::deb(Context& ctx) const {
  const Value& args = ctx.args;
  std::vector<std::string> debs;
  std::istringstream in(util::str(args, "deb"));
  for (std::string d; std::getline(in, d, ',');) {
    if (!d.empty()) debs.push_back(d);
  }
  // A download goes to /dev/shm in check mode, which is not part of the host's disk.
  std::string script = std::string(kEnv) + "set -u; ";
  // dpkg-deb unpacks control data into TMPDIR, so in check mode that is /dev/shm too.
  script += ctx.check_mode ? "base=/dev/shm; [ -d /dev/shm ] && [ -w /dev/shm ] || base=${TMPDIR:-/tmp}; "
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
      if (!req.url.empty()) {
        script += "[ -n \"$dl\" ] || dl=$(mktemp -d \"$base/provision-deb.XXXXXX\") || exit 1; " + var + "=\"$dl/" +
                  std::to_string(i) + ".deb\"; " + download_snippet(req, "\"$" + var + "\"") +
                  "if [ $rc -ne 0 ] || [ \"${code:-200}\" -ge 400 ] 2>/dev/null; then echo \"@@download " +
                  std::to_string(i) + " $rc $code\"; rm -rf \"$dl\"; exit 0; fi; ";
      }
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
  // apt-get installs a file given by a path that holds a slash.
  std::string command = "apt-get -y" + dpkg_options(ctx);
  if (ctx.check_mode) command += std::string(" --simulate") + kNoWrite;
  if (const Value* rec = find_key(args, "install_recommends"); rec != nullptr && rec->is_boolean()) {
    command += rec->get<bool>() ? " -o APT::Install-Recommends=yes" : " -o APT::Install-Recommends=no";
  }
  if (util::flag(args, "allow_unauthenticated")) command += " --allow-unauthenticated";
  command += " install";
  script += "set -- ; for i in ${todo:-}; do case $i in ";
  for (size_t i = 0; i < files.size(); ++i) {
    script += std::to_string(i) + ") p=" + files[i] + ";; ";
  }
  script +=
      "esac; case $p in /*|./*|../*) ;; *) p=./$p;; esac; set -- \"$@\" \"$p\"; done; "
      "if [ $# -eq 0 ]; then echo @@same; rm -rf \"${dl:-/nonexistent}\"; exit 0; fi; echo @@out; ";
  script += ctx.check_mode ? command + " \"$@\" 2>\"$base/provision-deb-err.$$\"; rc=$?; "
                           : with_lock_wait(command + " \"$@\"", std::max(0LL, args["lock_timeout"].get<long long>()));
  if (ctx.check_mode)
    script += "echo @@err; cat \"$base/provision-deb-err.$$\"; rm -f \"$base/provision-deb-err.$$\"; ";
  script += "echo \"@@rc $rc\"; rm -rf \"${dl:-/nonexistent}\"; exit 0";
  conn::CommandResult res = util::run(ctx, script);
  auto sec = sections(res.out);
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
    size_t index = static_cast<size_t>(to_ll(sec["nofile"]));
    if (ctx.check_mode && ctx.plan != nullptr && ctx.plan->predicted(debs.at(index))) {
      Result r = {{"changed", true},
                  {"msg", "check mode: " + debs.at(index) +
                              " would be created by an earlier task; its install is "
                              "unverified"}};
      return r;
    }
    return util::failed("Unable to install package: " + debs.at(index) + " does not exist on the host");
  }
  if (sec.count("bad")) {
    return util::failed("Unable to install package: " + debs.at(static_cast<size_t>(to_ll(sec["bad"]))) +
                        " is not a Debian package: " + rtrim(res.err, "\n "));
  }
  if (sec.count("same")) return Value{{"changed", false}, {"stdout", ""}, {"stderr", ""}};
  conn::CommandResult apt;
  apt.out = sec["out"];
  apt.err = ctx.check_mode ? sec["err"] : res.err;
  apt.rc = static_cast<int>(to_ll(sec["rc"]));
  if (apt.rc != 0) {
    Result f =
        util::failed(lock_failure(apt.err) ? "Failed to lock apt for exclusive operation: " + first_error(apt.err)
                                           : "'" + command + "' failed: " + apt.err);
    f["stdout"] = apt.out;
    f["stderr"] = apt.err;
    f["rc"] = apt.rc;
    return f;
  }
  if (ctx.check_mode && ctx.plan != nullptr) {
    for (const auto& n : apt::parse_simulation(apt.out).installed) ctx.plan->packages.insert(n);
  }
  Result r = {{"changed", true}};
  add_output(r, apt, ctx.diff_mode);
  return r;
}

}  // namespace

const Module& apt_module() {
  static const AptModule module;
  return module;
}

}  // namespace prov::mod
