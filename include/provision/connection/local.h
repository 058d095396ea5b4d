#pragma once
// Runs commands on the controller itself: fork/exec of /bin/sh -c, no shell in between.
#include <memory>

#include "provision/connection/connection.h"

namespace prov::conn {

/// A connection to the machine provision runs on. Commands killed by a signal report rc -N, as Ansible does
/// (Python's subprocess convention); a timeout kills the command's whole process group.
std::unique_ptr<Connection> make_local_connection();

}  // namespace prov::conn
