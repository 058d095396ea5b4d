// One table of output formats: a new format is one file plus one line here.
#include "provision/output/events.h"

namespace prov::out {

std::unique_ptr<Sink> make_human_sink(const SinkOptions& options);
std::unique_ptr<Sink> make_json_sink(const SinkOptions& options);

namespace {

struct Format {
  const char* name;
  std::unique_ptr<Sink> (*make)(const SinkOptions&);
};

constexpr Format kFormats[] = {
    {"human", make_human_sink},
    {"json", make_json_sink},
};

}  // namespace

std::unique_ptr<Sink> make_sink(const std::string& name, const SinkOptions& options) {
  for (const auto& format : kFormats) {
    if (name == format.name) return format.make(options);
  }
  return nullptr;
}

std::vector<std::string> sink_names() {
  std::vector<std::string> names;
  for (const auto& format : kFormats) names.emplace_back(format.name);
  return names;
}

}  // namespace prov::out
