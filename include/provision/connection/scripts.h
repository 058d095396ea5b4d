#pragma once
// Shell scripts shared by transports that move files with plain commands (ssh, or local with become).
#include <string>

#include "provision/connection/connection.h"

namespace prov::conn {

/// A script that reads the file content from stdin and installs it at `path` atomically: a temporary file
/// created with mktemp in the same folder (private until renamed), mode/owner/group applied, then mv.
/// Without options.mode an existing file keeps its mode; a new one gets 0666 minus the umask.
std::string put_file_script(const std::string& path, const PutOptions& options);

/// A script printing the file's bytes on stdout.
std::string fetch_file_script(const std::string& path);

}  // namespace prov::conn
