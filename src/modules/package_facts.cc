// package_facts: the installed packages as facts, as Ansible's does with python-apt, read with dpkg-query and
// apt-cache in one probe: name, version, architecture, section and the origin of the first source that offers the
// installed version ("" when only dpkg knows it). A package of a foreign architecture is named "name:arch".
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

#include "provision/core/text.h"
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

struct PackageFactsArgs {
  std::vector<std::string> manager;
  std::string strategy;

  static void describe(Schema<PackageFactsArgs>& s) {
    s.field("manager", &PackageFactsArgs::manager).elements(ArgType::Str).default_value(Value::array({"auto"}));
    s.field("strategy", &PackageFactsArgs::strategy).default_value("first").choices({"first", "all"});
  }
};

// Sections of the probe's output, each after a line of its own.
constexpr const char* kPolicyMark = "--- provision apt-cache policy";
constexpr const char* kVersionsMark = "--- provision installed versions";
constexpr const char* kRecordsMark = "--- provision installed records";

std::vector<std::string> fields(const std::string& line, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t end; (end = line.find(separator, start)) != std::string::npos; start = end + 1) {
    out.push_back(line.substr(start, end - start));
  }
  out.push_back(line.substr(start));
  return out;
}

// dpkg's states in which python-apt counts a package installed (it has a current version).
bool installed_state(const std::string& state) {
  return state == "installed" || state == "unpacked" || state == "half-configured" || state == "triggers-awaited" ||
         state == "triggers-pending";
}

struct Installed {
  std::string name, version, arch, section;
};

class PackageFactsRun : public Step {
 public:
  PackageFactsRun(PackageFactsArgs args, const Context&) : args_(std::move(args)) {
    for (const auto& manager : args_.manager) {
      if (manager != "auto" && manager != "apt") unsupported_.push_back(manager);
    }
  }

  std::optional<Probe> query() override {
    if (read_ || !unsupported_.empty()) return std::nullopt;
    return shell_read(
        "export LC_ALL=C; command -v dpkg-query >/dev/null 2>&1 || exit 127; dpkg --print-architecture; "
        "dpkg-query -W -f '${db:Status-Status}\\t${Package}\\t${Architecture}\\t${Version}\\t${Section}\\n'; "
        "echo '" +
        std::string(kPolicyMark) + "'; apt-cache policy 2>/dev/null; echo '" + kVersionsMark +
        "'; dpkg-query -W -f '${db:Status-Status} ${binary:Package}\\n' | "
        "awk '$1 == \"installed\" || $1 == \"unpacked\" || $1 ~ /^(half-configured|triggers-)/ { print $2 }' | "
        "xargs -r apt-cache policy 2>/dev/null; echo '" +
        kRecordsMark +
        "'; "
        "dpkg-query -W -f '${db:Status-Status} ${binary:Package}=${Version}\\n' | "
        "awk '$1 == \"installed\" || $1 == \"unpacked\" || $1 ~ /^(half-configured|triggers-)/ { print $2 }' | "
        "xargs -r apt-cache show 2>/dev/null | grep -E '^(Package|Architecture|Section):'");
  }

  void parse(const conn::CommandResult& read) override {
    read_ = true;
    if (read.rc != 0) {
      failure_ =
          "Could not detect a supported package manager from the following list: ['apt'], or the required "
          "Python library is not installed. Check warnings for details.";
      return;
    }
    std::vector<std::string> lines = split_lines(read.out);
    size_t i = 0;
    const std::string native = lines.empty() ? "" : lines[i++];
    std::vector<Installed> installed;
    for (; i < lines.size() && lines[i] != kPolicyMark; ++i) {
      std::vector<std::string> f = fields(lines[i], '\t');
      if (f.size() < 5 || !installed_state(f[0])) continue;
      std::string key = f[2] == native || f[2] == "all" ? f[1] : f[1] + ":" + f[2];
      installed.push_back({key, f[3], f[2], f[4]});
    }
    std::map<std::string, std::string> origins = read_origins(lines, i);
    std::map<std::string, std::string> source_of = read_installed_sources(lines, i, native);
    std::map<std::string, std::string> sections = read_sections(lines, i, native);
    Value packages = Value::object();
    for (const auto& p : installed) {
      auto source = source_of.find(p.name);
      auto origin = source == source_of.end() ? origins.end() : origins.find(source->second);
      Value entry = {{"name", p.name},
                     {"version", p.version},
                     {"arch", p.arch},
                     {"category", sections.count(p.name) != 0 ? sections[p.name] : p.section},
                     {"origin", origin == origins.end() ? "" : origin->second},
                     {"source", "apt"}};
      if (!packages.contains(p.name)) packages[p.name] = Value::array();
      packages[p.name].push_back(std::move(entry));
    }
    packages_ = std::move(packages);
  }

  Changes diff(const Plan*) const override {
    if (!unsupported_.empty()) {
      return {false,
              {{"failed", true},
               {"msg", fmt::format("provision reads packages with apt only; not supported: {}",
                                   fmt::join(unsupported_, ", "))}}};
    }
    if (!failure_.empty()) return {false, {{"failed", true}, {"msg", failure_}}};
    return {false, {{"ansible_facts", {{"packages", packages_}}}}};
  }

  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  // "apt-cache policy": each package file (" 500 http://... bookworm/main amd64 Packages") and the origin its
  // release line names ("     release v=12,o=Debian,a=stable,...").
  static std::map<std::string, std::string> read_origins(const std::vector<std::string>& lines, size_t& i) {
    std::map<std::string, std::string> origins;
    std::string file;
    for (++i; i < lines.size() && lines[i] != kVersionsMark; ++i) {
      const std::string line = trim(lines[i], " ");
      if (line.rfind("release ", 0) == 0 && !file.empty()) {
        for (const auto& field : fields(line.substr(8), ',')) {
          if (field.rfind("o=", 0) == 0) origins[file] = field.substr(2);
        }
      } else if (!line.empty() && line[0] >= '0' && line[0] <= '9') {
        file = package_file(line);
      }
    }
    return origins;
  }

  // The per-package "apt-cache policy": the first package file listed under the installed version ("***").
  static std::map<std::string, std::string> read_installed_sources(const std::vector<std::string>& lines, size_t& i,
                                                                   const std::string& native) {
    std::map<std::string, std::string> sources;
    std::string package;
    bool under_installed = false;
    for (++i; i < lines.size() && lines[i] != kRecordsMark; ++i) {
      const std::string& line = lines[i];
      if (!line.empty() && line[0] != ' ' && line.back() == ':') {
        package = line.substr(0, line.size() - 1);
        const std::string native_suffix = ":" + native;
        if (package.size() > native_suffix.size() &&
            package.compare(package.size() - native_suffix.size(), native_suffix.size(), native_suffix) == 0) {
          package.resize(package.size() - native_suffix.size());
        }
        under_installed = false;
        continue;
      }
      const std::string text = trim(line, " ");
      if (text.rfind("*** ", 0) == 0) {
        under_installed = true;
      } else if (under_installed && !text.empty() && text[0] >= '0' && text[0] <= '9' &&
                 text.find(' ') != std::string::npos) {
        sources.emplace(package, package_file(text));
        under_installed = false;
      } else if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
        under_installed = false;  // another version's line: its files are not the installed one's
      }
    }
    return sources;
  }

  // "apt-cache show" of each installed version: the record apt's cache keeps for it (the first source's), whose
  // section is the archive's where dpkg's may differ. Only Package, Architecture and Section lines are sent.
  static std::map<std::string, std::string> read_sections(const std::vector<std::string>& lines, size_t& i,
                                                          const std::string& native) {
    std::map<std::string, std::string> sections;
    std::string package, arch, section;
    auto record_ends = [&] {
      if (!package.empty() && !section.empty()) {
        sections.emplace(arch.empty() || arch == native || arch == "all" ? package : package + ":" + arch, section);
      }
      package.clear();
      arch.clear();
      section.clear();
    };
    for (++i; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      if (line.rfind("Package: ", 0) == 0) {
        record_ends();
        package = line.substr(9);
      } else if (line.rfind("Architecture: ", 0) == 0) {
        arch = line.substr(14);
      } else if (line.rfind("Section: ", 0) == 0) {
        section = line.substr(9);
      }
    }
    record_ends();
    return sections;
  }

  // "500 http://deb.debian.org/debian bookworm/main amd64 Packages" -> what follows the priority.
  static std::string package_file(const std::string& line) {
    const size_t space = line.find(' ');
    return space == std::string::npos ? "" : trim(line.substr(space + 1), " ");
  }

  PackageFactsArgs args_;
  std::vector<std::string> unsupported_;
  bool read_ = false;
  std::string failure_;
  Value packages_ = Value::object();
};

}  // namespace

const Module& package_facts_module() {
  static const TypedModule<PackageFactsArgs, PackageFactsRun> module("package_facts");
  return module;
}

}  // namespace prov::mod
