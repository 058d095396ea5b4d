#include "async_job.h"

#include <fmt/format.h>
#include <unistd.h>

#include "provision/core/random.h"
#include "provision/modules/async.h"
#include "task_inputs.h"

namespace prov::exec {

AsyncSettings async_settings(const TaskInputs& inputs, const SourceLoc& loc) {
  AsyncSettings s;
  if (Value raw = inputs.other_keyword("async"); !raw.is_null()) {
    s.seconds = std::max(0LL, whole_number(inputs.templated(raw), "async", loc));
  }
  if (Value raw = inputs.other_keyword("poll"); !raw.is_null()) {
    s.poll = std::max(0LL, whole_number(inputs.templated(raw), "poll", loc));
  }
  return s;
}

std::string new_job_id() {
  // Twelve decimal digits at most, as Ansible's random.randint(0, 999999999999).
  const unsigned long long n = std::stoull(random_hex(8), nullptr, 16) % 1000000000000ULL;
  return fmt::format("j{}.{}", n, static_cast<long long>(getpid()));
}

void mark_finished(Value& result, const std::string& jid) {
  result["ansible_job_id"] = jid;
  result["finished"] = 1;
  result["results_file"] = mod::async_results_file(jid);
  result["started"] = 1;
}

Value leave_job_result(conn::Connection& connection, const conn::RunOptions& options, const std::string& jid,
                       Value result) {
  conn::RunOptions write = options;
  write.stdin_data = result.dump();
  const std::string path = mod::async_results_path_shell(jid);
  conn::CommandResult written = connection.run(
      "mkdir -p \"$HOME\"/.ansible_async && cat > " + path + ".tmp && mv -f " + path + ".tmp " + path, write);
  if (written.rc != 0) {
    return {{"changed", false},
            {"failed", true},
            {"msg", fmt::format("could not write the job's result on the host: {}", written.err)}};
  }
  return {{"ansible_job_id", jid},
          {"changed", true},
          {"failed", 0},
          {"finished", 0},
          {"results_file", mod::async_results_file(jid)},
          {"started", 1}};
}

}  // namespace prov::exec
