// File transfer as plain POSIX sh, for transports that only run commands (ssh, and local with become), and the
// install step every upload shares.
#include "provision/connection/scripts.h"

#include <openssl/evp.h>

namespace prov::conn {

namespace {

std::string sha1_hex(const std::string& content) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(content.data(), content.size(), digest, &size, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < size; ++i) {
    text += kHex[digest[i] >> 4];
    text += kHex[digest[i] & 15];
  }
  return text;
}

}  // namespace

std::string install_upload_script(const std::string& content, const PutOptions& options) {
  const std::string size = std::to_string(content.size());
  // The upload may have arrived short (a connection that dropped ends a here-document early; a full disk or a
  // quota truncates a file) or altered: its size, then its SHA-1 where the host has sha1sum.
  std::string s = "sz=$(wc -c < \"$t\") || fail; [ $sz -eq " + size +
                  " ] || { echo \"the file on the host differs from the one sent ($sz of " + size +
                  " bytes arrived)\" >&2; fail; }; ";
  s += "if command -v sha1sum >/dev/null 2>&1; then sum=$(sha1sum < \"$t\") || fail; "
       "[ \"${sum%% *}\" = " +
       sha1_hex(content) +
       " ] || { echo 'checksum mismatch: the file on the host differs from the one sent' >&2; fail; }; fi; ";
  // An existing file keeps its owner and group (as far as this user may give them) unless asked otherwise;
  // ownership before the mode, since chown clears set-id bits.
  s += "if [ -e \"$d\" ]; then chown \"$(stat -c %u:%g -- \"$d\")\" \"$t\" 2>/dev/null || :; fi; ";
  if (!options.owner.empty() || !options.group.empty()) {
    std::string spec = options.owner + (options.group.empty() ? "" : ":" + options.group);
    s += "chown " + shell_quote(spec) + " \"$t\" || fail; ";
  }
  if (!options.mode.empty()) {
    s += "chmod " + shell_quote(options.mode) + " \"$t\" || fail; ";
  } else {
    // An existing file keeps its mode; a new one gets what the user's umask would give.
    s += "if [ -e \"$d\" ]; then chmod \"$(stat -c %a -- \"$d\")\" \"$t\"; "
         "else chmod \"$(printf '%o' $(( 0666 & ~0${old_umask:-$(umask)} )))\" \"$t\"; fi || fail; ";
  }
  s += "mv -f -- \"$t\" \"$d\" || fail";
  return s;
}

std::string put_file_script(const std::string& path, const std::string& content, const PutOptions& options) {
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  // umask 077: the temporary file is private to its owner until it has its final mode and name.
  std::string s = "old_umask=$(umask); umask 077; d=" + shell_quote(path) + "; t=$(mktemp " +
                  shell_quote(dir + "/.provision-tmp-XXXXXX") + ") || exit 1; fail() { rm -f -- \"$t\"; exit 1; }; ";
  s += "trap 'rm -f -- \"$t\"' EXIT; cat > \"$t\" || fail; ";
  s += install_upload_script(content, options);
  s += "; trap - EXIT";
  return s;
}

std::string end_process_tree_script(long pid, long parent) {
  // In /proc/PID/stat the parent's pid is the second field after the command name, which may hold spaces and
  // parentheses itself: the fields are read after its last ") ".
  const std::string id = std::to_string(pid);
  std::string s =
      // Stop a process before looking for its children: a stopped process starts no new ones.
      "end_tree() { kill -STOP \"$1\" 2>/dev/null || return 0; "
      "for f in /proc/[0-9]*/stat; do read -r l < \"$f\" 2>/dev/null || continue; set -- \"$1\" ${l##*) }; "
      "if [ \"${3:-}\" = \"$1\" ]; then c=${f#/proc/}; end_tree \"${c%/stat}\"; fi; done; "
      "kill -TERM \"$1\"; kill -CONT \"$1\"; }; ";
  s += "read -r l < /proc/" + id + "/stat 2>/dev/null || exit 0; set -- ${l##*) }; ";
  s += "[ \"${2:-}\" = " + std::to_string(parent) + " ] && end_tree " + id + "; exit 0";
  return s;
}

std::string fetch_file_script(const std::string& path) { return "cat -- " + shell_quote(path); }

}  // namespace prov::conn
