// SFTP transfers for the ssh transport, and the one command that checks and installs an uploaded file.
#include "ssh_files.h"

#include <fcntl.h>

#include "provision/connection/scripts.h"
#include "provision/core/random.h"
#include "ssh_internal.h"

namespace prov::conn::detail {

namespace {

// Larger requests are refused by OpenSSH's sftp-server (256 KiB messages); each request is a round trip.
constexpr size_t kChunk = 64 * 1024;

std::string parent_dir(const std::string& path) {
  if (path.find('/') == std::string::npos) return ".";
  std::string dir = path.substr(0, path.rfind('/'));
  return dir.empty() ? "/" : dir;
}

}  // namespace

SftpFiles::SftpFiles(ssh_session session) : session_(session) {
  sftp_ = sftp_new(session_);
  if (sftp_ != nullptr && sftp_init(sftp_) != SSH_OK) {
    sftp_free(sftp_);
    sftp_ = nullptr;
  }
}

SftpFiles::~SftpFiles() {
  if (sftp_ != nullptr) sftp_free(sftp_);
}

std::string SftpFiles::error_text() const {
  switch (sftp_get_error(sftp_)) {
    case SSH_FX_NO_SUCH_FILE:
    case SSH_FX_NO_SUCH_PATH:
      return "No such file or directory";
    case SSH_FX_PERMISSION_DENIED:
      return "Permission denied";
    case SSH_FX_FILE_ALREADY_EXISTS:
      return "File exists";
    default:
      return ssh_get_error(session_);
  }
}

void SftpFiles::fail(const std::string& what, const std::string& path, const std::string& reason) const {
  const std::string message = "cannot " + what + " " + path + ": " + reason;
  if (!ssh_is_connected(session_)) throw unreachable(message);
  throw Error(message);
}

std::string SftpFiles::upload(const std::string& content, const std::string& path) {
  const std::string tmp = parent_dir(path) + "/.provision-tmp-" + random_hex(8);
  sftp_file file = sftp_open(sftp_, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (file == nullptr) fail("write", path, error_text());
  for (size_t done = 0; done < content.size();) {
    ssize_t n = sftp_write(file, content.data() + done, std::min(kChunk, content.size() - done));
    if (n <= 0) {
      std::string reason = error_text();
      sftp_close(file);
      sftp_unlink(sftp_, tmp.c_str());
      fail("write", path, reason);
    }
    done += static_cast<size_t>(n);
  }
  if (sftp_close(file) != SSH_OK) {
    std::string reason = error_text();
    sftp_unlink(sftp_, tmp.c_str());
    fail("write", path, reason);
  }
  return tmp;
}

std::string SftpFiles::download(const std::string& path) {
  sftp_file file = sftp_open(sftp_, path.c_str(), O_RDONLY, 0);
  if (file == nullptr) fail("read", path, error_text());
  std::string content;
  std::string buffer(kChunk, '\0');
  for (;;) {
    ssize_t n = sftp_read(file, buffer.data(), buffer.size());
    if (n < 0) {
      std::string reason = error_text();
      sftp_close(file);
      fail("read", path, reason);
    }
    if (n == 0) break;
    content.append(buffer.data(), static_cast<size_t>(n));
  }
  sftp_close(file);
  return content;
}

std::string finish_upload_script(const std::string& tmp, const std::string& path, const std::string& content,
                                 const PutOptions& options) {
  // SFTP runs inside the encrypted channel; the install step's checks catch what that cannot: a full disk or a
  // quota that truncated the file on the host.
  return "t=" + shell_quote(tmp) + "; d=" + shell_quote(path) + "; fail() { rm -f -- \"$t\"; exit 1; }; " +
         install_upload_script(content, options);
}

}  // namespace prov::conn::detail
