// apt: installs, upgrades and removes Debian packages with apt-get. One probe reads the age of the package lists
// and what dpkg knows of every named package; apt-get then runs only for the packages that differ, after updating
// the lists when asked and they are too old. Check mode simulates (apt-get --simulate) and predicts the packages;
// on a host whose lists were never fetched it predicts the install and says the availability is unverified.
#include <algorithm>
#include <set>
#include <sstream>

#include "apt.h"
#include "apt_parse.h"
#include "provision/core/text.h"

namespace prov::mod {

using conn::shell_quote;

const char* const kAptEnv = "export DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LC_ALL=C LANG=C; ";
const char* const kAptNoWrite =
    " -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Debug::NoLocking=1 -o Dir::Log::Planner=";

void AptArgs::describe(Schema<AptArgs>& s) {
  s.field("name", &AptArgs::names).elements(ArgType::Str).aliases({"package", "pkg"});
  s.field("state", &AptArgs::state)
      .default_value("present")
      .choices({"absent", "build-dep", "fixed", "latest", "present"});
  s.field("update_cache", &AptArgs::update_cache).aliases({"update-cache"});
  s.field("update_cache_retries", &AptArgs::update_cache_retries).default_value(5);
  s.field("update_cache_retry_max_delay", &AptArgs::update_cache_retry_max_delay).default_value(12);
  s.field("cache_valid_time", &AptArgs::cache_valid_time).default_value(0);
  s.field("purge", &AptArgs::purge).default_value(false);
  s.field("deb", &AptArgs::deb, ArgType::Path);
  s.field("default_release", &AptArgs::default_release).aliases({"default-release"});
  s.field("install_recommends", &AptArgs::install_recommends).aliases({"install-recommends"});
  s.field("autoremove", &AptArgs::autoremove).default_value(false);
  s.field("only_upgrade", &AptArgs::only_upgrade).default_value(false);
  s.field("force_apt_get", &AptArgs::force_apt_get).default_value(false);
  s.field("allow_unauthenticated", &AptArgs::allow_unauthenticated)
      .default_value(false)
      .aliases({"allow-unauthenticated"});
  s.field("dpkg_options", &AptArgs::dpkg_options).default_value("force-confdef,force-confold");
  s.field("lock_timeout", &AptArgs::lock_timeout).default_value(60);
}

std::string apt_dpkg_options(const AptArgs& args) {
  std::string out;
  std::istringstream in(args.dpkg_options);
  for (std::string opt; std::getline(in, opt, ',');) {
    if (!opt.empty()) out += " -o " + shell_quote("Dpkg::Options::=--" + opt);
  }
  return out;
}

std::string apt_install_options(const AptArgs& args) {
  std::string out;
  if (args.install_recommends) {
    out += *args.install_recommends ? " -o APT::Install-Recommends=yes" : " -o APT::Install-Recommends=no";
  }
  if (args.allow_unauthenticated) out += " --allow-unauthenticated";
  return out;
}

std::string with_lock_wait(const std::string& command, long long timeout) {
  return "t=$(mktemp -d) || exit 1; deadline=$(($(date +%s) + " + std::to_string(timeout) + ")); while :; do " +
         command +
         " >\"$t/o\" 2>\"$t/e\"; rc=$?; if [ $rc -ne 0 ] && grep -q -e 'Could not get lock' -e 'Unable to acquire "
         "the dpkg frontend lock' -e 'Unable to lock' \"$t/e\" && [ \"$(date +%s)\" -lt \"$deadline\" ]; then sleep 1; "
         "continue; fi; break; done; cat \"$t/o\"; cat \"$t/e\" >&2; rm -rf \"$t\"; ";
}

void add_apt_output(Result& r, const conn::CommandResult& res, bool show_prepared) {
  r["stdout"] = res.out;
  r["stderr"] = res.err;
  if (show_prepared) r["diff"] = {{"prepared", apt::prepared_text(res.out)}};
  r["stdout_lines"] = util::lines(res.out);
  r["stderr_lines"] = util::lines(res.err);
}

namespace {

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string apt_failure(const std::string& err, const std::string& otherwise) {
  return apt::lock_failure(err) ? "Failed to lock apt for exclusive operation: " + apt::first_error(err) : otherwise;
}

// What the read (and the update, when one ran) found on the host.
struct HostView {
  long long now = 0, cache_before = 0, cache_after = 0;
  bool lists = false;
  bool update_pending = false;  // a check run: an update would have run first
  bool updated = false;
  std::map<std::string, apt::DpkgState> dpkg;
  std::map<std::string, apt::Policy> policy;
  std::vector<std::string> pkgnames;
  std::set<std::string> auto_installed;
};

void read_packages(HostView& view, std::map<std::string, std::string>& sec) {
  view.lists = sec.count("lists") > 0;
  view.dpkg = apt::parse_dpkg_query(sec["dpkg"]);
  view.policy = apt::parse_policy(sec["policy"]);
  for (const auto& name : apt::parse_auto_installed(sec["auto"])) view.auto_installed.insert(name);
  std::istringstream pkgnames(sec["pkgnames"]);
  for (std::string line; std::getline(pkgnames, line);) {
    if (!line.empty()) view.pkgnames.push_back(line);
  }
}

// What apt-get is to do for the named packages, decided from what was read.
struct AptWork {
  enum class Kind { Nothing, Install, Remove } kind = Kind::Nothing;
  Result failure;    // the task fails before apt-get runs
  Result base;       // changed, cache_updated, cache_update_time
  Result unchanged;  // the result when there is nothing to do
  std::vector<std::string> to_install, names, to_mark;
  std::string packages;  // remove: the quoted names
  bool cleanup_only = false;
  std::string command;
};

class AptRun : public Step {
 public:
  // A check run reads more than a real one: apt-get's simulation is a read there, and its reads must not write
  // apt's cache. The prepared text of --diff sits among apt's output keys, where Ansible puts it.
  AptRun(AptArgs args, const Context& ctx)
      : args_(std::move(args)), check_run_(ctx.check_mode), show_prepared_(ctx.diff_mode),
        earlier_(ctx.check_mode ? ctx.plan : nullptr) {
    refusal_ = refusal();
  }

  std::optional<Probe> query() override {
    if (!refusal_.empty() || reads_ > 1) return std::nullopt;
    if (!args_.deb.empty()) {
      if (!check_run_ || reads_ > 0) return std::nullopt;
      return shell_read(deb_script(args_, true));
    }
    if (reads_ == 0) return shell_read(read_script(check_run_));
    if (!check_run_ || !failure_.empty()) return std::nullopt;
    AptWork work = evaluate(view_, earlier_);
    if (!work.failure.is_null() || work.kind == AptWork::Kind::Nothing) return std::nullopt;
    return shell_read(work_script(work, true));
  }

  void parse(const conn::CommandResult& read) override {
    if (reads_++ > 0 || !args_.deb.empty()) {
      simulation_ = read;
      return;
    }
    auto sec = apt::sections(read.out);
    if (!sec.count("end")) {
      failure_ = "the apt probe failed: " + rtrim(read.err, "\n ");
      return;
    }
    view_.now = apt::to_number(sec["now"]);
    view_.cache_before = apt::to_number(sec["cache"]);
    view_.cache_after = view_.cache_before;
    // cache_valid_time 0, the default, means always, as in Ansible.
    const long long valid = args_.cache_valid_time;
    due_ = wants_update() && (valid <= 0 || view_.cache_before + valid < view_.now);
    view_.update_pending = due_ && check_run_;
    read_packages(view_, sec);
  }

  Changes diff(const Plan* plan) const override {
    Changes c;
    if (!refusal_.empty()) {
      c.result = util::failed(refusal_);
      return c;
    }
    if (!args_.deb.empty()) {
      if (!simulation_) {
        c.changed = true;  // a real run: the script decides, and acts
        return c;
      }
      c.result = deb_result(args_, *simulation_, true, show_prepared_, plan, c.predicted);
      c.changed = c.result["changed"] == true;
      return c;
    }
    if (!failure_.empty()) {
      c.result = util::failed(failure_);
      return c;
    }
    if (due_ && !view_.update_pending) {
      c.changed = true;  // the lists are updated first, and what to do is decided on them
      return c;
    }
    AptWork work = evaluate(view_, plan);
    if (due_) c.predicted.refreshed_indexes.insert("apt");
    if (args_.state == "absent") {
      for (const auto& spec : specs_) c.removed.packages.insert(spec.name);  // no later task may count on them
    }
    if (!work.failure.is_null()) {
      c.result = work.failure;
      c.changed = due_;
      return c;
    }
    if (work.kind == AptWork::Kind::Nothing) {
      c.result = work.unchanged;
    } else if (!simulation_) {
      c.changed = true;
      return c;
    } else if (work.kind == AptWork::Kind::Install) {
      c.result = install_result(work, view_, *simulation_, plan, c.predicted);
    } else {
      c.result = remove_result(work, *simulation_);
    }
    // Marking packages manual is work for apply, though no change.
    c.changed = due_ || c.result["changed"] == true || (!check_run_ && !work.to_mark.empty());
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    Plan ignored;
    if (!args_.deb.empty()) {
      return deb_result(args_, util::run(ctx, deb_script(args_, false)), false, show_prepared_, nullptr, ignored);
    }
    HostView view = view_;
    if (due_) {
      conn::CommandResult res =
          util::run(ctx, "echo '@@update_out'; " + with_lock_wait("apt-get update -q", lock_timeout()) +
                             "echo \"@@update_rc $rc\"; " + read_script(false));
      auto sec = apt::sections(res.out);
      if (!sec.count("update_rc") || rtrim(sec["update_rc"], "\n ") != "0") {
        return util::failed(apt_failure(
            res.err, "Failed to update apt cache: " + rtrim(res.err.empty() ? sec["update_out"] : res.err, "\n ")));
      }
      if (!sec.count("end")) return util::failed("the apt probe failed: " + rtrim(res.err, "\n "));
      view.cache_after = apt::to_number(sec["cache"]);
      view.updated = view.cache_after != view.cache_before;
      view.dpkg.clear();
      view.policy.clear();
      view.pkgnames.clear();
      view.auto_installed.clear();
      read_packages(view, sec);
    }
    AptWork work = evaluate(view, nullptr);
    if (!work.failure.is_null()) return work.failure;
    if (work.kind == AptWork::Kind::Nothing) {
      // As Ansible, packages asked for by name become manually installed, which is not a change.
      if (!work.to_mark.empty()) {
        std::string quoted;
        for (const auto& n : work.to_mark) quoted += " " + shell_quote(n);
        util::run(ctx, std::string(kAptEnv) + "apt-mark manual --" + quoted + " >/dev/null");
      }
      return work.unchanged;
    }
    conn::CommandResult res = util::run(ctx, work_script(work, false));
    if (work.kind == AptWork::Kind::Install) return install_result(work, view, res, nullptr, ignored);
    return remove_result(work, res);
  }

 private:
  bool wants_update() const { return args_.update_cache || args_.cache_valid_time > 0; }
  long long lock_timeout() const { return std::max(0LL, args_.lock_timeout); }

  // Why the task cannot run at all, or ""; fills specs_.
  std::string refusal() {
    if (args_.state == "build-dep") return "state=build-dep is not supported by provision's apt module";
    for (const auto& given : args_.names) {
      std::string name = trim(given, " \t");
      if (name.empty()) continue;
      if (std::count(name.begin(), name.end(), '=') > 1) return "invalid package spec: " + name;
      if (name == "*") return "name='*' (upgrading every package) is not supported by provision's apt module";
      specs_.push_back(apt::split_spec(name));
    }
    if (!args_.deb.empty() && args_.state != "present") return "deb only supports state=present";
    return "";
  }

  std::string read_script(bool check_run) const;
  AptWork evaluate(const HostView& view, const Plan* plan) const;
  void plan_install(AptWork& work, const std::vector<apt::PackageSpec>& specs, const HostView& view,
                    const Plan* plan) const;
  void plan_removal(AptWork& work, const std::vector<apt::PackageSpec>& specs, const HostView& view) const;
  std::string work_script(const AptWork& work, bool check_run) const;
  Result install_result(const AptWork& work, const HostView& view, const conn::CommandResult& res, const Plan* plan,
                        Plan& predicted) const;
  Result remove_result(const AptWork& work, const conn::CommandResult& res) const;

  AptArgs args_;
  bool check_run_, show_prepared_;
  const Plan* earlier_;
  std::string refusal_;
  std::vector<apt::PackageSpec> specs_;
  int reads_ = 0;
  std::string failure_;
  HostView view_;
  bool due_ = false;
  std::optional<conn::CommandResult> simulation_;
};

// The read: the clock (when an update may be due), the lists' age and whether any exist, and what dpkg, apt's
// auto-installed marks, apt-cache pkgnames (wildcards) and apt-cache policy (latest, version patterns) say of the
// named packages.
std::string AptRun::read_script(bool check_run) const {
  const std::string no_write = check_run ? kAptNoWrite : "";
  std::string script = kAptEnv;
  // printf, then the program: no subshell for a command substitution.
  if (wants_update()) script += "printf '@@now '; date +%s || echo; ";
  script +=
      "if [ -e /var/lib/apt/periodic/update-success-stamp ]; then printf '@@cache '; stat -c %Y "
      "/var/lib/apt/periodic/update-success-stamp || echo; elif [ -e /var/lib/apt/lists ]; then printf '@@cache '; "
      "stat -c %Y /var/lib/apt/lists || echo; else echo '@@cache 0'; fi; "
      "for f in /var/lib/apt/lists/*_Packages*; do [ -e \"$f\" ] && echo '@@lists yes'; break; done; ";
  std::string patterns, policy_names, prefixes;
  bool need_policy = args_.state == "latest";
  for (const auto& s : specs_) {
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
  if (!specs_.empty()) {
    script += "echo @@dpkg; dpkg-query -W -f='${Package}\\t${Status}\\t${Version}\\n' --" + patterns + " 2>/dev/null; ";
    script += "echo @@auto; cat /var/lib/apt/extended_states 2>/dev/null; ";
  }
  if (!prefixes.empty()) script += "echo @@pkgnames; " + prefixes;
  if (need_policy && !policy_names.empty()) {
    script += "echo @@policy; apt-cache" + no_write + " policy --" + policy_names + " 2>/dev/null; ";
  }
  return script + "echo @@end";
}

// plan: earlier check-mode predictions (null in a real run).
AptWork AptRun::evaluate(const HostView& view, const Plan* plan) const {
  AptWork work;
  // Wildcards expand to the names apt knows (native architecture only unless the pattern names one).
  std::vector<apt::PackageSpec> expanded;
  for (const auto& s : specs_) {
    if (!apt::has_wildcard(s.name)) {
      expanded.push_back(s);
      continue;
    }
    std::set<std::string> matches;
    for (const auto& n : view.pkgnames) {
      if ((s.name.find(':') != std::string::npos || n.find(':') == std::string::npos) && apt::fnmatch(s.name, n)) {
        matches.insert(n);
      }
    }
    for (const auto& [n, st] : view.dpkg) {
      if (apt::fnmatch(s.name, n)) matches.insert(n);
    }
    if (matches.empty()) {
      if (check_run_ && (!view.lists || view.update_pending)) continue;
      work.failure = util::failed("No package(s) matching '" + s.name + "' available");
      return work;
    }
    for (const auto& m : matches) expanded.push_back({m, s.version});
  }
  const bool cache_changed = view.updated || view.update_pending;
  work.base = {{"changed", cache_changed}, {"cache_updated", cache_changed}, {"cache_update_time", view.cache_after}};
  work.unchanged = work.base;
  if (specs_.empty() && !args_.autoremove) return work;
  if (args_.state == "absent" || specs_.empty()) {
    plan_removal(work, expanded, view);
  } else {
    plan_install(work, expanded, view, plan);
  }
  return work;
}

void AptRun::plan_install(AptWork& work, const std::vector<apt::PackageSpec>& specs, const HostView& view,
                          const Plan* plan) const {
  for (const auto& s : specs) {
    work.names.push_back(s.name);
    auto it = view.dpkg.find(s.name);
    bool installed = it != view.dpkg.end() && it->second.installed();
    const std::string installed_version = installed ? it->second.version : "";
    if (!installed && plan != nullptr && plan->packages.count(s.name) && s.version.empty()) {
      continue;  // an earlier task in this check run would have installed it
    }
    auto pol = view.policy.find(s.name);
    // The version apt would pick: a wildcard version resolves to the highest matching one.
    std::string best;
    if (pol != view.policy.end()) {
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
    bool upgrade = args_.state == "latest" && installed && !best.empty() && best != installed_version;
    if ((!installed && !args_.only_upgrade) || (installed && !version_ok) || upgrade) {
      std::string version = !best.empty() && (!s.version.empty() || upgrade) ? best : s.version;
      work.to_install.push_back(version.empty() ? s.name : s.name + "=" + version);
    }
    if (installed && view.auto_installed.count(s.name)) work.to_mark.push_back(s.name);
  }
  if (work.to_install.empty()) {
    work.unchanged["changed"] = false;  // as Ansible: a refreshed cache alone is no change once packages were asked for
    return;
  }
  work.kind = AptWork::Kind::Install;
  work.command = "apt-get -y" + apt_dpkg_options(args_);
  if (args_.only_upgrade) work.command += " --only-upgrade";
  if (args_.state == "fixed") work.command += " --fix-broken";
  if (args_.autoremove) work.command += " --auto-remove";
  if (check_run_) work.command += std::string(" --simulate") + kAptNoWrite;
  work.command += " install";
  for (const auto& p : work.to_install) work.command += " " + shell_quote(p);
  if (!args_.default_release.empty()) work.command += " -t " + shell_quote(args_.default_release);
  work.command += apt_install_options(args_);
}

void AptRun::plan_removal(AptWork& work, const std::vector<apt::PackageSpec>& specs, const HostView& view) const {
  for (const auto& s : specs) {
    auto it = view.dpkg.find(s.name);
    if (it == view.dpkg.end()) continue;
    if (!s.version.empty() && !apt::fnmatch(s.version, it->second.version)) continue;
    if (it->second.installed() || (args_.purge && it->second.has_files())) work.packages += " " + shell_quote(s.name);
  }
  work.cleanup_only = specs.empty();
  if (!work.cleanup_only && work.packages.empty()) {
    work.unchanged = Value{{"changed", false}};
    return;
  }
  work.kind = AptWork::Kind::Remove;
  work.command = std::string(work.cleanup_only ? "apt-get -y" : "apt-get -q -y") + apt_dpkg_options(args_);
  if (args_.purge) work.command += " --purge";
  if (args_.autoremove && !work.cleanup_only) work.command += " --auto-remove";
  if (check_run_) work.command += std::string(" --simulate") + kAptNoWrite;
  work.command += work.cleanup_only ? " autoremove" : " remove" + work.packages;
}

// A check run's script is the simulation alone; a real one waits for the lock, and marks what it installed by
// name as manually installed.
std::string AptRun::work_script(const AptWork& work, bool check_run) const {
  std::string script = kAptEnv;
  if (check_run) return script + work.command;
  script += with_lock_wait(work.command, lock_timeout());
  if (work.kind == AptWork::Kind::Install) {
    std::string marks;
    for (const auto& n : work.names) {
      if (!apt::has_wildcard(n)) marks += " " + shell_quote(n);
    }
    if (!marks.empty()) script += "[ $rc -ne 0 ] || apt-mark manual --" + marks + " >/dev/null 2>&1; ";
  }
  return script + "exit $rc";
}

Result AptRun::install_result(const AptWork& work, const HostView& view, const conn::CommandResult& res,
                              const Plan* plan, Plan& predicted) const {
  const Result& r = work.base;
  if (res.rc != 0) {
    std::vector<std::string> missing = apt::missing_packages(res.err);
    const bool unverified = check_run_ && (!view.lists || view.update_pending ||
                                           (plan != nullptr && plan->refreshed_indexes.count("apt") > 0));
    if (unverified && !missing.empty()) {
      // Check mode on lists a real run would have fetched first: predict the install, unverified.
      std::vector<std::string> wanted;
      for (const auto& p : work.to_install) wanted.push_back(apt::split_spec(p).name);
      predicted.packages.insert(wanted.begin(), wanted.end());
      std::string why = !view.lists ? "the package lists on this host were never fetched"
                                    : "the package lists would be refreshed first";
      std::string note = "check mode: " + why + ", so the availability of " + join(wanted, ", ") +
                         " is unverified; a real run would install " + join(wanted, ", ");
      Result predicted_result = r;
      predicted_result["changed"] = true;
      predicted_result["msg"] = note;
      predicted_result["stdout"] = "";
      predicted_result["stderr"] = "";
      predicted_result["warnings"] = Value::array({note});
      if (show_prepared_) predicted_result["diff"] = {{"prepared", "would install (unverified): " + join(wanted, " ")}};
      return predicted_result;
    }
    if (!missing.empty() && res.err.find("Unable to locate") != std::string::npos) {
      return util::failed("No package matching '" + missing.front() + "' is available");
    }
    Result f = util::failed(apt_failure(res.err, "'" + work.command + "' failed: " + res.err));
    f["stdout"] = res.out;
    f["stderr"] = res.err;
    f["rc"] = res.rc;
    f["cache_updated"] = r["cache_updated"];
    f["cache_update_time"] = r["cache_update_time"];
    return f;
  }
  if (check_run_) {
    for (const auto& n : apt::parse_simulation(res.out).installed) predicted.packages.insert(n);
  }
  Result out = {{"changed", true}};
  add_apt_output(out, res, show_prepared_);
  out["cache_updated"] = r["cache_updated"];
  out["cache_update_time"] = r["cache_update_time"];
  return out;
}

Result AptRun::remove_result(const AptWork& work, const conn::CommandResult& res) const {
  if (res.rc != 0) {
    Result f = util::failed(apt_failure(res.err, work.cleanup_only
                                                     ? "'apt-get autoremove' failed: " + res.err
                                                     : "'apt-get remove" + work.packages + "' failed: " + res.err));
    f["stdout"] = res.out;
    f["stderr"] = res.err;
    f["rc"] = res.rc;
    return f;
  }
  const bool removed = res.out.find("The following packages will be REMOVED") != std::string::npos;
  Result out = {{"changed", work.cleanup_only ? removed || work.base["changed"] == true : true}};
  add_apt_output(out, res, show_prepared_);
  return out;
}

class AptModule : public TypedModule<AptArgs, AptRun> {
 public:
  AptModule() : TypedModule("apt") {
    spec_.mutually_exclusive = {{"deb", "name"}};
    spec_.required_one_of = {{"autoremove", "deb", "name", "update_cache"}};
  }
};

}  // namespace

const Module& apt_module() {
  static const AptModule module;
  return module;
}

}  // namespace prov::mod
