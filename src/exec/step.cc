// --step: before each task the operator says whether it runs, as ansible-playbook asks.
#include <algorithm>
#include <cctype>

#include "runner.h"

namespace prov::exec::detail {

// Ansible's name for a task in the question: "TASK: " or "HANDLER: ", then the role and the name as written
// (not templated), or the action as written for a task without a name.
std::string step_subject(const pb::Task& task, bool is_handler) {
  std::string name;
  if (task.name.empty()) {
    name = task.action_as_written.empty() ? task.action->name : task.action_as_written;
  } else {
    name = task.role ? task.role->name + " : " + task.name : task.name;
  }
  return (is_handler ? "HANDLER: " : "TASK: ") + name;
}

bool Runner::take_step(const std::string& subject, const HostState* host) {
  if (!play_.stepping) return true;
  std::lock_guard lock(play_.step_mutex);
  if (!play_.stepping) return true;  // answered "continue" while this host waited
  std::string question = "Perform task: " + subject + " ";
  if (host) question += "on " + host->name + " ";
  question += "(N)o/(y)es/(c)ontinue: ";
  std::optional<std::string> answer = play_.settings->ask_step(question);
  if (!answer) {
    end_run(play_, "--step: no answer to \"" + question + "\" (end of standard input)");
    return false;
  }
  std::string said = *answer;
  std::transform(said.begin(), said.end(), said.begin(), [](unsigned char c) { return std::tolower(c); });
  play_.sink->step_answered(question);
  if (said == "c" || said == "continue") {
    play_.stepping = false;  // this play asks no more; the next one asks again, as in Ansible
    return true;
  }
  return said == "y" || said == "yes";
}

}  // namespace prov::exec::detail
