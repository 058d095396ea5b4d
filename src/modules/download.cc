#include "download.h"

#include "provision/connection/connection.h"
#include "provision/modules/module.h"

namespace prov::mod {

using conn::shell_quote;

const char* const kNoDownloader =
    "neither curl nor wget is installed on the host: install one of them (apt: name=curl) before downloading";

std::string download_stdin(const DownloadRequest& req) {
  std::string data;
  for (const auto& [name, value] : req.headers) {
    if ((name + value).find_first_of("\r\n") != std::string::npos) {
      throw ArgError("a header name or value cannot hold a newline: " + name);
    }
    data += name + ": " + value + "\n";
  }
  return data;
}

std::string download_snippet(const DownloadRequest& req, const std::string& out) {
  download_stdin(req);  // validates the headers
  const std::string timeout = std::to_string(req.timeout > 0 ? req.timeout : 10);
  const bool headers = !req.headers.empty();
  // "-": the content goes to the script's stdout through fd 3, past the command substitutions.
  const std::string target = out == "-" ? "/dev/fd/3" : out;
  std::string curl = "curl -sS -L --max-time " + timeout;
  if (!req.validate_certs) curl += " -k";
  if (headers) curl += " -H @/dev/stdin";
  curl += req.head_only ? " -I -o /dev/null" : " -o " + target;
  curl += " -w '%{http_code}' -- " + shell_quote(req.url);

  std::string wget = "wget -S -t 1 -T " + timeout;
  if (!req.validate_certs) wget += " --no-check-certificate";
  if (headers) wget = "sed 's/^/header = /' | " + wget + " --config=/dev/stdin";
  wget += req.head_only ? " --spider" : " -O " + target;
  wget += " -- " + shell_quote(req.url);

  std::string helper;
  if (req.apt_helper && !req.head_only) {
    std::string get = "/usr/lib/apt/apt-helper" +
                      std::string(req.validate_certs ? "" : " -o Acquire::https::Verify-Peer=false") +
                      " download-file " + shell_quote(req.url);
    // apt-helper writes only to a named file: stdout goes through a temporary one in /dev/shm.
    helper =
        out == "-"
            ? "elif [ -x /usr/lib/apt/apt-helper ]; then h=$(mktemp -d /dev/shm/provision-dl.XXXXXX 2>/dev/null || "
              "mktemp -d) && { " +
                  get +
                  " \"$h/f\" >/dev/null && cat \"$h/f\" >&3; }; rc=$?; code=; "
                  "rm -rf \"$h\"; "
            : "elif [ -x /usr/lib/apt/apt-helper ]; then " + get + " " + out + " >/dev/null; rc=$?; code=; ";
  }
  return "{ if command -v curl >/dev/null 2>&1; then code=$(" + curl +
         "); rc=$?; "
         "elif command -v wget >/dev/null 2>&1; then hdr=$(" +
         wget +
         " 2>&1); rc=$?; code=$(printf '%s\\n' \"$hdr\" | awk '$1 ~ /^HTTP\\// {c=$2} END {print c}'); "
         "[ $rc -eq 0 ] || printf '%s\\n' \"$hdr\" | grep -v '^  ' >&2; " +
         helper + "else rc=127; code=; fi; } 3>&1; ";
}

}  // namespace prov::mod
