#pragma once
// Private to the ssh transport (src/connection/ssh*.cc): the one place libssh types meet provision's.
#include <libssh/libssh.h>

#include <memory>
#include <string>

#include "provision/connection/ssh.h"

namespace prov::conn::detail {

struct SessionDeleter {
  void operator()(ssh_session s) const {
    ssh_disconnect(s);
    ssh_free(s);
  }
};
using SessionPtr = std::unique_ptr<ssh_session_struct, SessionDeleter>;

/// Connects, verifies the host key and authenticates, retrying transient network failures with backoff.
/// Throws UnreachableError ("Failed to connect to the host via ssh: ...") when the host cannot be used.
SessionPtr open_session(const SshSettings& settings);

/// "Failed to connect to the host via ssh: " + reason: Ansible's wording, which users grep for.
UnreachableError unreachable(const std::string& reason);

}  // namespace prov::conn::detail
