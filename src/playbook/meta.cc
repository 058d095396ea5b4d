#include "provision/playbook/meta.h"

#include <array>

namespace prov::pb {

namespace {

// Messages as ansible-core 2.14's strategy words them.
constexpr std::array<MetaSpec, 10> kMeta = {{
    {"flush_handlers", MetaAction::FlushHandlers, false, true, "triggered running handlers for {host}",
     "not running handlers for {host}"},
    {"refresh_inventory", MetaAction::RefreshInventory, true, false, "inventory successfully refreshed", ""},
    {"noop", MetaAction::Noop, false, false, "", ""},
    {"clear_facts", MetaAction::ClearFacts, true, true, "facts cleared",
     "not clearing facts and fact cache for {host}"},
    {"clear_host_errors", MetaAction::ClearHostErrors, true, true, "cleared host errors",
     "not clearing host error state for {host}"},
    {"end_play", MetaAction::EndPlay, true, true, "ending play", "continuing play"},
    {"end_host", MetaAction::EndHost, false, true, "ending play for {host}", "continuing execution for {host}"},
    {"end_batch", MetaAction::EndBatch, true, true, "ending batch", "continuing current batch"},
    {"reset_connection", MetaAction::ResetConnection, false, false, "reset connection", ""},
    {"role_complete", MetaAction::RoleComplete, false, true, "", ""},
}};

std::string with_host(std::string_view text, const std::string& host) {
  std::string out(text);
  constexpr std::string_view kHost = "{host}";
  if (std::size_t at = out.find(kHost); at != std::string::npos) out.replace(at, kHost.size(), host);
  return out;
}

}  // namespace

std::string MetaSpec::done_message(const std::string& host) const {
  return with_host(done.empty() ? name : done, host);
}

std::string MetaSpec::skip_reason(const std::string& host) const {
  std::string reason = std::string(name) + " conditional evaluated to False";
  return skipped.empty() ? reason : reason + ", " + with_host(skipped, host);
}

const MetaSpec* find_meta(std::string_view name) {
  for (const MetaSpec& spec : kMeta) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::vector<std::string> meta_names() {
  std::vector<std::string> names;
  for (const MetaSpec& spec : kMeta) names.emplace_back(spec.name);
  return names;
}

}  // namespace prov::pb
