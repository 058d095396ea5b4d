#pragma once
// The logrotate module's pure part: options checked and rendered on the controller. Not a public header.
#include <string>
#include <vector>

#include "provision/core/value.h"

namespace prov::mod::logrotate {

/// The configuration file for `paths` (absolute paths or globs) with `options`: a map {rotate: 7, compress: true,
/// postrotate: "..."} or a list of "rotate 7" / "compress" strings and one-key maps. Options are written in one
/// fixed order (frequency, counts, sizes, flags, settings, then scripts) whatever order they were given in, so the
/// same options always give the same file. A flag set to false writes its negation (compress: false ->
/// nocompress) when logrotate has one. Throws mod::ArgError for an unknown option (with "did you mean"), a value
/// of the wrong kind, two frequencies, a newline outside a script, or a path logrotate cannot read.
std::string render_config(const std::vector<std::string>& paths, const Value& options);

/// The names of every option render_config accepts.
std::vector<std::string> option_names();

}  // namespace prov::mod::logrotate
