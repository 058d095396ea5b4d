#pragma once
// Questions on the controller's terminal.
#include <optional>
#include <string>

namespace prov {

/// Shows `message` on the terminal and reads a line from it, without echo unless `echo` (vars_prompt, pause);
/// nullopt when there is no terminal or it is closed (or the read is interrupted before anything was typed).
std::optional<std::string> ask_terminal(const std::string& message, bool echo);

}  // namespace prov
