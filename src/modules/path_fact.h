#pragma once
// The state of one path on the host, read in one round trip: a shell probe plus a pure parser.
#include <string>

#include "provision/modules/module.h"

namespace prov::mod {

struct PathInfo {
  bool exists = false;
  std::string type;  ///< file, directory, link, fifo, socket, char, block
  int mode = 0;      ///< permission bits including set-id and sticky
  long long uid = 0, gid = 0;
  std::string owner, group;
  long long size = 0, nlink = 0, inode = 0, dev = 0, blocks = 0, block_size = 0;
  double mtime = 0, atime = 0, ctime = 0;  ///< seconds since the epoch, with microseconds
  bool readable = false, writeable = false, executable = false;
  std::string checksum;     ///< sha1 when asked for and the path is a readable regular file
  std::string link_target;  ///< what a symlink points to (readlink), when the path itself is a link
  std::string real_path;    ///< the link's fully resolved path (readlink -f)
  bool is_link = false;     ///< the path itself is a symlink (even when followed)
};

/// The probe: a sh script printing the fields. follow: describe a symlink's target (when it exists).
/// checksum: "" for none, else the algorithm (sha1, md5, sha256, ...) run as <algo>sum on the host.
/// It never exits the shell: its status is 1 when stat or the checksum failed, 0 otherwise.
std::string path_probe_command(const std::string& path, bool follow, const std::string& checksum);

/// The probe as a module announces it (its first query): the command, path_probe_prelude, and free to share a
/// subshell with other path probes.
Probe path_probe(const std::string& path, bool follow, const std::string& checksum);

/// For path probes sent together: one `stat` (and one `stat -L`) over all their paths, and a shell function
/// `stat` that answers each probe's own call from that output, exactly as stat would, and hands any other call to
/// the real stat. Paths holding a newline are left to the real stat.
std::string path_probe_prelude(const std::vector<std::string>& paths);

/// Parses the probe's output; a malformed output is an Error naming the path.
PathInfo parse_path_probe(const std::string& out, const std::string& path);

/// The probe's result read: a failed probe is an Error with its stderr, otherwise as parse_path_probe.
PathInfo read_path_probe(const conn::CommandResult& r, const std::string& path);

/// Runs the probe on ctx's host. Errors (permission denied on the parent, ...) are Errors with stderr.
PathInfo probe_path(const Context& ctx, const std::string& path, bool follow, const std::string& checksum = {});

}  // namespace prov::mod
