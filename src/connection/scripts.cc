// File transfer as plain POSIX sh, for transports that only run commands (ssh, and local with become).
#include "provision/connection/scripts.h"

namespace prov::conn {

std::string put_file_script(const std::string& path, const PutOptions& options) {
  const std::string dest = shell_quote(path);
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  // umask 077: the temporary file is private to its owner until it has its final mode and name.
  std::string s = "old_umask=$(umask); umask 077; tmp=$(mktemp " + shell_quote(dir + "/.provision-tmp-XXXXXX") + ") || exit 1; ";
  s += "trap 'rm -f \"$tmp\"' EXIT; cat > \"$tmp\" || exit 1; ";
  if (!options.mode.empty()) {
    s += "chmod " + shell_quote(options.mode) + " \"$tmp\" || exit 1; ";
  } else {
    // An existing file keeps its mode; a new one gets what the user's umask would give.
    s += "if [ -e " + dest + " ]; then chmod \"$(stat -c %a -- " + dest + ")\" \"$tmp\"; "
         "else chmod \"$(printf '%o' $(( 0666 & ~0$old_umask )))\" \"$tmp\"; fi || exit 1; ";
  }
  if (!options.owner.empty() || !options.group.empty()) {
    std::string spec = options.owner + (options.group.empty() ? "" : ":" + options.group);
    s += "chown " + shell_quote(spec) + " \"$tmp\" || exit 1; ";
  }
  s += "mv -f \"$tmp\" " + dest + " || exit 1; trap - EXIT";
  return s;
}

std::string fetch_file_script(const std::string& path) { return "cat -- " + shell_quote(path); }

}  // namespace prov::conn
