#pragma once
// Private to the ssh transport: file transfer over SFTP on the session the commands use.
#include <libssh/sftp.h>

#include <string>

#include "provision/connection/connection.h"

namespace prov::conn::detail {

/// An SFTP subsystem channel, opened on first use and kept for the session's life (opening costs three round
/// trips). Throws Error with the file named, or UnreachableError when the connection is lost; a temporary file is
/// removed after a failure, unless the connection was lost (it stays on the host, private, never installed).
class SftpFiles {
 public:
  /// Opens the SFTP subsystem; available() is false when the host has none (files then move through a shell).
  explicit SftpFiles(ssh_session session);
  ~SftpFiles();
  SftpFiles(const SftpFiles&) = delete;
  SftpFiles& operator=(const SftpFiles&) = delete;

  bool available() const { return sftp_ != nullptr; }
  /// Writes content to a new private (0600) temporary file next to `path`; returns the temporary file's path.
  std::string upload(const std::string& content, const std::string& path);
  /// Reads a whole file.
  std::string download(const std::string& path);

 private:
  std::string error_text() const;
  /// Throws for a failed transfer of `path`: the host is unreachable once the connection is gone.
  [[noreturn]] void fail(const std::string& what, const std::string& path, const std::string& reason) const;

  ssh_session session_;
  sftp_session sftp_ = nullptr;
};

/// One shell command that finishes an upload of `content` to the temporary file `tmp`: install_upload_script().
std::string finish_upload_script(const std::string& tmp, const std::string& path, const std::string& content,
                                 const PutOptions& options);

}  // namespace prov::conn::detail
