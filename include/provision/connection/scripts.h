#pragma once
// Shell scripts shared by transports that move files with plain commands (ssh, or local with become).
#include <string>

#include "provision/connection/connection.h"

namespace prov::conn {

/// A script that reads the file content from stdin and installs it at `path` atomically: a temporary file
/// created with mktemp in the same folder (private until renamed), then install_upload_script().
std::string put_file_script(const std::string& path, const std::string& content, const PutOptions& options);
/// The install step of every upload, with $t the uploaded temporary file, $d the destination and fail() removing
/// $t and exiting 1: $t must hold exactly `content` (size, and SHA-1 where the host has sha1sum); an existing
/// file's owner, group and mode are kept unless options name them (a new file gets 0666 minus the umask); then
/// $t is renamed over $d. On any failure $t is removed and the reason is on stderr.
std::string install_upload_script(const std::string& content, const PutOptions& options);
/// A script that ends process `pid` and everything it started (stopped first, so that nothing forks meanwhile,
/// then SIGTERM), provided it is still the child of `parent`: a command given up on an interrupt. Reads /proc.
std::string end_process_tree_script(long pid, long parent);
/// A script printing the file's bytes on stdout.
std::string fetch_file_script(const std::string& path);

}  // namespace prov::conn
