#pragma once
// Downloads on the host with whichever of curl or wget it has (get_url, apt deb=URL, apt_key url=): the sh
// fragment and the data it reads on stdin. Headers travel on stdin so they never show in `ps`.
#include <string>
#include <utility>
#include <vector>

namespace prov::mod {

struct DownloadRequest {
  std::string url;
  int timeout = 10;  ///< seconds
  bool validate_certs = true;
  std::vector<std::pair<std::string, std::string>> headers;
  bool head_only = false;  ///< only ask (check mode): nothing is written
  /// Falls back on apt's own downloader (/usr/lib/apt/apt-helper) when the host has neither curl nor wget; no
  /// headers, no HTTP status. For the apt modules, where apt is there by definition.
  bool apt_helper = false;
};

/// A sh fragment that downloads req.url into the file named by the sh word `out` ("-" for stdout), then sets
/// $rc (the tool's exit code; 127 when the host has neither curl nor wget) and $code (the last HTTP status, may
/// be empty). On failure the tool's messages are on stderr. Throws ArgError for a header holding a newline.
std::string download_snippet(const DownloadRequest& req, const std::string& out);

/// What the command running download_snippet must get on stdin (the headers, one "Name: value" per line).
std::string download_stdin(const DownloadRequest& req);

/// The message for rc 127: neither tool is installed.
extern const char* const kNoDownloader;

}  // namespace prov::mod
