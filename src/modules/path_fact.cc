#include "path_fact.h"

#include <cstdio>
#include <sstream>

#include "util.h"

namespace prov::mod {

namespace {
// Times with microseconds, as Python's os.stat floats (GNU stat's %.6Y).
constexpr const char* kStatFormat = "%F\\n%a\\n%u\\n%g\\n%U\\n%G\\n%s\\n%.6Y\\n%.6X\\n%.6Z\\n%h\\n%i\\n%d\\n%b\\n%o\\n";

std::string short_type(const std::string& stat_type) {
  if (stat_type == "regular file" || stat_type == "regular empty file") return "file";
  if (stat_type == "directory") return "directory";
  if (stat_type == "symbolic link") return "link";
  if (stat_type == "fifo") return "fifo";
  if (stat_type == "socket") return "socket";
  if (stat_type == "character special file") return "char";
  if (stat_type == "block special file") return "block";
  return stat_type;
}
}  // namespace

std::string path_probe_command(const std::string& path, bool follow, const std::string& checksum) {
  // LC_ALL=C: stat's %F words and error messages must not be translated. No `exit`: probes sent together may
  // share one subshell (Probe::shares_subshell), so a failure sets e and the last test gives the status.
  std::string s = "export LC_ALL=C; p=" + conn::shell_quote(path) + "; e=0; ";
  s += "if [ -e \"$p\" ] || [ -L \"$p\" ]; then ";
  // A broken link cannot be followed: describe the link itself then.
  s += std::string("if ") + (follow ? "[ -e \"$p\" ]" : "false") + "; then f=-L; else f=; fi; ";
  s += std::string("stat $f --printf '") + kStatFormat + "' -- \"$p\" || e=1; ";
  s += "if [ $e = 0 ]; then ";
  s += "a=; [ -r \"$p\" ] && a=${a}r; [ -w \"$p\" ] && a=${a}w; [ -x \"$p\" ] && a=${a}x; echo \"access $a\"; ";
  if (!checksum.empty()) {
    s += "if [ -f \"$p\" ] && [ -r \"$p\" ]; then printf 'sum '; " + checksum + "sum < \"$p\" || e=1; fi; ";
  }
  s += "if [ $e = 0 ] && [ -L \"$p\" ]; then printf 'real %s\\n' \"$(readlink -f -- \"$p\")\"; echo link; "
       "readlink -- \"$p\"; fi; ";
  s += "fi; else echo absent; fi; [ $e = 0 ]";
  return s;
}

Probe path_probe(const std::string& path, bool follow, const std::string& checksum) {
  Probe probe = shell_read(path_probe_command(path, follow, checksum));
  probe.prelude = path_probe_prelude;
  probe.shared = path;
  probe.shares_subshell = true;  // it sets only p, e, f and a, and exports LC_ALL=C as every path probe does
  return probe;
}

std::string path_probe_prelude(const std::vector<std::string>& paths) {
  std::string args;
  for (const std::string& path : paths) {
    if (path.find_first_of("\n\001") == std::string::npos) args += " " + conn::shell_quote(path);
  }
  if (args.empty()) return "";
  // Each record: \001, the path and a newline, then the fields. The trailing x keeps the last record's newline,
  // which the command substitution would strip.
  std::string s = std::string("_psf='") + kStatFormat + "'\n_psr=$(printf '\\001')\nset --" + args + "\n";
  s += "_pst0=$(command stat --printf \"\\001%n\\n$_psf\" -- \"$@\" 2>/dev/null; echo x); _pst0=${_pst0%x}\n";
  s += "_pst1=$(command stat -L --printf \"\\001%n\\n$_psf\" -- \"$@\" 2>/dev/null; echo x); _pst1=${_pst1%x}\n";
  s += "set --\n";
  // The probes call `stat [-L] --printf FORMAT -- PATH`; that exact call is answered from the records (split at
  // \001 once per call, then compared from their start: linear, where matching patterns in the whole text is not).
  s += "stat() {\n"
       "  if [ \"$1\" = -L ]; then _t=$_pst1; _l=-L; _n=5; _a=$2; _b=$3; _c=$4; _p=$5\n"
       "  else _t=$_pst0; _l=; _n=4; _a=$1; _b=$2; _c=$3; _p=$4; fi\n"
       "  if [ $# -eq $_n ] && [ \"$_a\" = --printf ] && [ \"$_b\" = \"$_psf\" ] && [ \"$_c\" = -- ]; then\n"
       "    _i=$IFS; IFS=$_psr; set -f; set -- $_t; set +f; IFS=$_i\n"
       "    for _r do\n"
       "      case $_r in \"$_p\n\"*) printf '%s' \"${_r#*\n}\"; return 0 ;; esac\n"
       "    done\n"
       "    command stat $_l --printf \"$_psf\" -- \"$_p\"; return\n"
       "  fi\n"
       "  command stat \"$@\"\n"
       "}\n";
  return s;
}

PathInfo parse_path_probe(const std::string& out, const std::string& path) {
  PathInfo info;
  if (out == "absent\n") return info;
  std::istringstream in(out);
  std::string fields[15];
  for (auto& f : fields) {
    if (!std::getline(in, f)) throw Error("cannot read the state of " + path + ": unexpected probe output");
  }
  info.exists = true;
  info.type = short_type(fields[0]);
  try {
    info.mode = std::stoi(fields[1], nullptr, 8);
    info.uid = std::stoll(fields[2]);
    info.gid = std::stoll(fields[3]);
    info.owner = fields[4];
    info.group = fields[5];
    info.size = std::stoll(fields[6]);
    info.mtime = std::stod(fields[7]);
    info.atime = std::stod(fields[8]);
    info.ctime = std::stod(fields[9]);
    info.nlink = std::stoll(fields[10]);
    info.inode = std::stoll(fields[11]);
    info.dev = std::stoll(fields[12]);
    info.blocks = std::stoll(fields[13]);
    info.block_size = std::stoll(fields[14]);
  } catch (const std::exception&) {
    throw Error("cannot read the state of " + path + ": unexpected probe output");
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("access ", 0) == 0) {
      std::string a = line.substr(7);
      info.readable = a.find('r') != std::string::npos;
      info.writeable = a.find('w') != std::string::npos;
      info.executable = a.find('x') != std::string::npos;
    } else if (line.rfind("sum ", 0) == 0) {
      info.checksum = line.substr(4, line.find(' ', 4) - 4);
    } else if (line.rfind("real ", 0) == 0) {
      info.real_path = line.substr(5);
    } else if (line == "link") {
      // The rest is the target, which may itself hold newlines; readlink added one at the end.
      std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!rest.empty() && rest.back() == '\n') rest.pop_back();
      info.is_link = true;
      info.link_target = rest;
      break;
    }
  }
  return info;
}

PathInfo probe_path(const Context& ctx, const std::string& path, bool follow, const std::string& checksum) {
  return read_path_probe(util::run(ctx, path_probe_command(path, follow, checksum)), path);
}

PathInfo read_path_probe(const conn::CommandResult& r, const std::string& path) {
  if (r.rc != 0) {
    std::string err = r.err.substr(0, r.err.find('\n'));
    throw Error("cannot read the state of " + path + (err.empty() ? "" : ": " + err));
  }
  return parse_path_probe(r.out, path);
}

}  // namespace prov::mod
