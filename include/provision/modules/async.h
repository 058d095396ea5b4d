#pragma once
// What the executor needs to run a task with `async`, and what async_status reads back.
#include <string>

namespace prov::mod {

class Module;

/// Whether Ansible runs the module with `async` (false: "async is not supported for this task.").
bool supports_async(const Module& module);

/// Where a job's result is kept on the host, as Ansible reports it ("~/.ansible_async/<jid>").
std::string async_results_file(const std::string& jid);

/// The same path as a word for the host's shell (the home folder expanded, the jid quoted).
std::string async_results_path_shell(const std::string& jid);

}  // namespace prov::mod
