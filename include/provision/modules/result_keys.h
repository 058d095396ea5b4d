#pragma once
// Keys of a module's result that the executor takes out before the result is reported or registered.

namespace prov::mod {

/// Warnings to show while the task runs, which are not part of its result (Ansible's action plugins call
/// display.warning for these, as pause does without a terminal): a list of texts.
inline constexpr const char* kShownWarnings = "_provision_shown_warnings";

}  // namespace prov::mod
