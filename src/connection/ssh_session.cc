// Opening an ssh session: options (ssh config, then host variables), TCP connect with bounded retries, host key
// verification against known_hosts, authentication. Everything that fails here makes the host UNREACHABLE.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "ssh_internal.h"

namespace prov::conn::detail {

namespace {

// The passwd home, not $HOME: OpenSSH reads ~/.ssh from there too, so both clients trust the same keys.
std::string passwd_home() {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::string buf(16384, '\0');
  if (::getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr && pw.pw_dir) {
    return pw.pw_dir;
  }
  const char* home = ::getenv("HOME");
  return home ? home : "/";
}

std::string expand_home(const std::string& path) {
  if (path == "~") return passwd_home();
  if (path.rfind("~/", 0) == 0) return passwd_home() + path.substr(1);
  return path;
}

std::string option_text(ssh_session s, ssh_options_e option) {
  char* value = nullptr;
  if (ssh_options_get(s, option, &value) != SSH_OK || value == nullptr) return {};
  std::string text = value;
  ssh_string_free_char(value);
  return text;
}

unsigned port_of(ssh_session s) {
  unsigned port = 22;
  ssh_options_get_port(s, &port);
  return port;
}

void set_option(ssh_session s, ssh_options_e option, const void* value, const char* what) {
  if (ssh_options_set(s, option, value) != SSH_OK) {
    throw Error(std::string("invalid ssh setting ") + what + ": " + ssh_get_error(s));
  }
}

// libssh's messages carry a "Failed to connect: " of their own; the reason after it is what users need.
std::string connect_reason(ssh_session s) {
  std::string text = ssh_get_error(s);
  for (const char* prefix : {"Failed to connect: ", "Connection failed: "}) {
    if (text.rfind(prefix, 0) == 0) text = text.substr(std::string(prefix).size());
  }
  return text;
}

// Refused and reset connections, and a server closing during its banner (sshd's MaxStartups throttle when many
// connections arrive at once) pass quickly; a timeout already waited its full length and is not repeated.
bool is_transient(const std::string& reason) {
  for (const char* word : {"refused", "reset", "closed", "Socket error: disconnected", "Network is unreachable"}) {
    if (reason.find(word) != std::string::npos) return true;
  }
  return false;
}

void enable_keepalive(ssh_session s, int idle_seconds, int count) {
  int fd = ssh_get_fd(s);
  if (fd < 0 || idle_seconds <= 0 || count <= 0) return;
  int on = 1;
  // Failures are harmless (a ProxyCommand gives a pipe, not a socket): keepalive is only an early warning.
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_seconds, sizeof idle_seconds);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle_seconds, sizeof idle_seconds);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  // Keepalive probes only go out on an idle link; data sent and never acknowledged (a link lost mid-transfer) would
  // be retried for about fifteen minutes. Give up after as long as the probes would take, as ssh does.
  unsigned int unacknowledged_ms = static_cast<unsigned int>(idle_seconds) * (count + 1) * 1000U;
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &unacknowledged_ms, sizeof unacknowledged_ms);
}

SessionPtr configured_session(const SshSettings& st) {
  SessionPtr session(ssh_new());
  if (!session) throw Error("cannot create an ssh session (out of memory)");
  ssh_session s = session.get();
  const std::string ssh_dir = passwd_home() + "/.ssh";
  set_option(s, SSH_OPTIONS_SSH_DIR, ssh_dir.c_str(), "ssh directory");
  set_option(s, SSH_OPTIONS_HOST, st.host.c_str(), "ansible_host");
  const std::string default_known_hosts = ssh_dir + "/known_hosts";
  set_option(s, SSH_OPTIONS_KNOWNHOSTS, default_known_hosts.c_str(), "known hosts file");

  // The ssh config comes first; host variables then override what they set, as Ansible's -o options do.
  if (st.config_file) {
    std::string file = expand_home(*st.config_file);
    if (::access(file.c_str(), R_OK) != 0) throw unreachable("cannot read ssh config file " + file + " (-F)");
    if (ssh_options_parse_config(s, file.c_str()) != SSH_OK) throw unreachable("cannot parse ssh config " + file);
  } else if (ssh_options_parse_config(s, nullptr) != SSH_OK) {
    throw unreachable(std::string("cannot parse ssh config: ") + ssh_get_error(s));
  }
  bool no = false, yes = true;
  set_option(s, SSH_OPTIONS_PROCESS_CONFIG, &no, "process config");
  if (st.port) {
    unsigned port = static_cast<unsigned>(*st.port);
    set_option(s, SSH_OPTIONS_PORT, &port, "ansible_port");
  }
  if (st.user) set_option(s, SSH_OPTIONS_USER, st.user->c_str(), "ansible_user");
  if (st.known_hosts_file) {
    std::string file = expand_home(*st.known_hosts_file);
    set_option(s, SSH_OPTIONS_KNOWNHOSTS, file.c_str(), "UserKnownHostsFile");
  }
  if (st.proxy_command) set_option(s, SSH_OPTIONS_PROXYCOMMAND, st.proxy_command->c_str(), "ProxyCommand");
  long timeout = st.connect_timeout_seconds;
  set_option(s, SSH_OPTIONS_TIMEOUT, &timeout, "timeout");
  // Without TCP_NODELAY a small request waits for the previous segment's delayed ACK: ~40 ms per command.
  set_option(s, SSH_OPTIONS_NODELAY, &yes, "nodelay");
  return session;
}

std::string lookup_name(ssh_session s) {
  std::string host = option_text(s, SSH_OPTIONS_HOST);
  unsigned port = port_of(s);
  return port == 22 ? host : "[" + host + "]:" + std::to_string(port);
}

// "FILE:LINE" of the known_hosts entry for this host whose key differs from the one the server showed.
std::string offending_entry(ssh_session s, const std::string& file, ssh_key server_key) {
  std::ifstream in(file);
  std::string line;
  const std::string name = lookup_name(s);
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    ssh_knownhosts_entry* entry = nullptr;
    if (ssh_known_hosts_parse_line(name.c_str(), line.c_str(), &entry) != SSH_OK || entry == nullptr) continue;
    bool differs = server_key == nullptr || ssh_key_cmp(entry->publickey, server_key, SSH_KEY_CMP_PUBLIC) != 0;
    ssh_knownhosts_entry_free(entry);
    if (differs) return file + ":" + std::to_string(number);
  }
  return file;
}

void verify_host_key(ssh_session s, const SshSettings& st) {
  if (st.host_key_policy == HostKeyPolicy::Off) return;
  const std::string known_hosts = option_text(s, SSH_OPTIONS_KNOWNHOSTS);
  const std::string host = option_text(s, SSH_OPTIONS_HOST);
  ssh_key server_key = nullptr;
  ssh_get_server_publickey(s, &server_key);
  std::unique_ptr<ssh_key_struct, void (*)(ssh_key)> key_guard(server_key, ssh_key_free);

  switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
      return;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      // Refused under every checking policy: a changed key is either a reinstall or an attack, and only a person
      // can tell which.
      throw unreachable("host key for " + host + " has CHANGED and differs from the key in " +
                        offending_entry(s, known_hosts, server_key) +
                        "; if the host was reinstalled, remove that entry (ssh-keygen -R " + lookup_name(s) + " -f " +
                        known_hosts + "). Host key verification failed.");
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      if (st.host_key_policy == HostKeyPolicy::AcceptNew) {
        if (ssh_session_update_known_hosts(s) != SSH_OK) {
          throw unreachable("cannot record the host key of " + host + " in " + known_hosts + ": " + ssh_get_error(s));
        }
        return;
      }
      throw unreachable("no host key is known for " + host + " in " + known_hosts +
                        " and host key checking is on (StrictHostKeyChecking=accept-new or host_key_checking=false "
                        "to accept it). Host key verification failed.");
    case SSH_KNOWN_HOSTS_ERROR:
      break;
  }
  throw unreachable("cannot check the host key of " + host + " against " + known_hosts + ": " + ssh_get_error(s));
}

constexpr long kAuthTimeoutSeconds = 60;

std::string auth_methods(ssh_session s) {
  int methods = ssh_userauth_list(s, nullptr);
  // No attempt was made (no key loaded, no agent): ask with "none", whose refusal lists what the server takes.
  if (methods == 0 && ssh_userauth_none(s, nullptr) == SSH_AUTH_DENIED) methods = ssh_userauth_list(s, nullptr);
  std::string list;
  auto add = [&](int bit, const char* name) {
    if (methods & bit) list += (list.empty() ? "" : ",") + std::string(name);
  };
  add(SSH_AUTH_METHOD_PUBLICKEY, "publickey");
  add(SSH_AUTH_METHOD_PASSWORD, "password");
  add(SSH_AUTH_METHOD_INTERACTIVE, "keyboard-interactive");
  add(SSH_AUTH_METHOD_GSSAPI_MIC, "gssapi-with-mic");
  return list;
}

// Explicit keys first (one signature each, no probing round trip), then the agent and the config's and default
// identities (libssh's auto method), then a password. A server closing on us is unreachable, not denied.
void authenticate(ssh_session s, const SshSettings& st, long timeout_seconds) {
  std::string notes;
  auto check = [&](int rc) {
    if (rc == SSH_AUTH_ERROR) throw unreachable(std::string("authentication failed: ") + ssh_get_error(s));
    if (rc == SSH_AUTH_AGAIN) {
      throw unreachable("the server did not answer authentication within " + std::to_string(timeout_seconds) + " s");
    }
    return rc == SSH_AUTH_SUCCESS;
  };
  for (const std::string& raw : st.identity_files) {
    std::string file = expand_home(raw);
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_file(file.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
      notes += "; cannot load private key " + file + (::access(file.c_str(), R_OK) != 0 ? " (not readable)" : "");
      continue;
    }
    int rc = ssh_userauth_publickey(s, nullptr, key);
    ssh_key_free(key);
    if (check(rc)) return;
  }
  if (check(ssh_userauth_publickey_auto(s, nullptr, nullptr))) return;
  if (!st.password.empty() && check(ssh_userauth_password(s, nullptr, st.password.c_str()))) return;
  std::string methods = auth_methods(s);
  throw unreachable(option_text(s, SSH_OPTIONS_USER) + "@" + option_text(s, SSH_OPTIONS_HOST) +
                    ": Permission denied (" + methods + ")." + notes);
}

// Auth and host key failures are answers from the server; only network-level failures are worth a retry.
struct TransientFailure {
  std::string reason;
};

SessionPtr attempt(const SshSettings& st) {
  SessionPtr session = configured_session(st);
  ssh_session s = session.get();
  if (ssh_connect(s) != SSH_OK) {
    std::string reason = connect_reason(s);
    std::string where = "connect to host " + option_text(s, SSH_OPTIONS_HOST) + " port " + std::to_string(port_of(s));
    if (is_transient(reason)) throw TransientFailure{where + ": " + reason};
    throw unreachable(where + ": " + reason);
  }
  enable_keepalive(s, st.keepalive_seconds, st.keepalive_count);
  verify_host_key(s, st);
  // The connect timeout bounds reaching the host; sshd may then take seconds to refuse a password (PAM's delay),
  // longer on a loaded host, and a slow refusal must not read as a refusal without reasons (ssh itself waits for the answer).
  long auth_timeout = std::max<long>(st.connect_timeout_seconds, kAuthTimeoutSeconds);
  set_option(s, SSH_OPTIONS_TIMEOUT, &auth_timeout, "timeout");
  authenticate(s, st, auth_timeout);
  long timeout = st.connect_timeout_seconds;
  set_option(s, SSH_OPTIONS_TIMEOUT, &timeout, "timeout");
  return session;
}

}  // namespace

UnreachableError unreachable(const std::string& reason) {
  return UnreachableError("Failed to connect to the host via ssh: " + reason);
}

SessionPtr open_session(const SshSettings& settings) {
  static std::once_flag init;
  std::call_once(init, [] { ssh_init(); });
  auto delay = std::chrono::milliseconds(250);
  for (int tries = 0;; ++tries) {
    try {
      return attempt(settings);
    } catch (const TransientFailure& failure) {
      if (tries >= settings.connect_retries) throw unreachable(failure.reason);
    }
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

}  // namespace prov::conn::detail
