#pragma once
// The human format with another way of writing results (private to the output folder): the yaml format is
// Ansible's default callback with results written as YAML.
#include <memory>
#include <string>

#include "provision/output/events.h"

namespace prov::out {

/// Writes a shown result; `indent` is the JSON indent the default format would use (-1 for one line).
using ResultDump = std::string (*)(const Value& shown, int indent);

std::unique_ptr<Sink> make_human_sink_dumping(const SinkOptions& options, ResultDump dump);

}  // namespace prov::out
