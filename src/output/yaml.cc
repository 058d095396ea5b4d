// The yaml format: community.general's yaml stdout callback, the default format with each result written as YAML
// (block style, keys sorted, multi-line strings as literal blocks) after its changed=/skipped= flags.
#include "human.h"
#include "provision/core/text.h"
#include "provision/template/yaml_emit.h"

namespace prov::out {

namespace {

std::string flag(const Value& v) {
  return v.is_boolean() ? (v.get<bool>() ? "true" : "false") : lower(to_plain_string(v));
}

std::string yaml_result(const Value& shown, int) {
  Value rest = shown;
  std::string text;
  if (rest.is_object()) {
    for (const char* key : {"changed", "skipped"}) {
      if (!rest.contains(key)) continue;
      text += std::string(key) + "=" + flag(rest[key]) + " ";
      rest.erase(key);
    }
    for (const char* stream : {"stdout", "stderr"}) {
      std::string lines = std::string(stream) + "_lines";
      if (rest.contains(stream) && rest.contains(lines)) rest[lines] = "<omitted>";
    }
  }
  if (!(rest.is_object() && rest.empty())) {
    tmpl::YamlStyle style;
    style.flow_leaves = false;
    style.width = 1000;
    style.literal_multiline = true;
    text += "\n" + tmpl::yaml_dump(rest, style);
  }
  // Every line after the first indented by two, trailing blanks dropped.
  std::string out;
  for (char c : text) out += c == '\n' ? std::string("\n  ") : std::string(1, c);
  return rtrim(out, " \n");
}

}  // namespace

std::unique_ptr<Sink> make_yaml_sink(const SinkOptions& options) {
  return make_human_sink_dumping(options, yaml_result);
}

}  // namespace prov::out
