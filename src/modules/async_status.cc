// async_status: reads the result of a task started with `async` and `poll: 0` from the host's
// ~/.ansible_async/<jid>, where the executor left it (src/exec/async_job.cc); `mode: cleanup` removes it.
#include "provision/modules/async.h"
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

// Actions Ansible runs through an action plugin without async support ("async is not supported for this
// task."): the modules that run on the controller, and these three.
const Module& copy_module();
const Module& template_module();
const Module& raw_module();

bool supports_async(const Module& module) {
  if (module.spec().runs_on_controller) return false;
  return &module != &copy_module() && &module != &template_module() && &module != &raw_module();
}

std::string async_results_file(const std::string& jid) { return "~/.ansible_async/" + jid; }

std::string async_results_path_shell(const std::string& jid) {
  return "\"$HOME\"/.ansible_async/" + conn::shell_quote(jid);
}

namespace {

struct AsyncStatusArgs {
  std::string jid, mode;

  static void describe(Schema<AsyncStatusArgs>& s) {
    s.field("jid", &AsyncStatusArgs::jid).required();
    s.field("mode", &AsyncStatusArgs::mode).default_value("status").choices({"status", "cleanup"});
  }
};

// Only reads (or, for cleanup, removes) the job's file: one command, the result built from its output.
class AsyncStatusRun : public Step {
 public:
  AsyncStatusRun(AsyncStatusArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (read_) return std::nullopt;
    const std::string path = async_results_path_shell(args_.jid);
    if (args_.mode == "cleanup") return shell_read("rm -f -- " + path);
    return shell_read("cat -- " + path);
  }
  void parse(const conn::CommandResult& read) override {
    read_ = true;
    found_ = read.rc == 0;
    text_ = read.out;
  }

  Changes diff(const Plan*) const override { return {false, describe()}; }
  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  Result describe() const {
    const std::string file = async_results_file(args_.jid);
    if (args_.mode == "cleanup") {
      return {{"ansible_job_id", args_.jid}, {"changed", false}, {"erased", file}};
    }
    if (!found_) {
      return {{"ansible_job_id", args_.jid},
              {"changed", false},
              {"failed", true},
              {"finished", 1},
              {"msg", "could not find job"},
              {"results_file", file},
              {"started", 1},
              {"stderr", ""},
              {"stderr_lines", Value::array()},
              {"stdout", ""},
              {"stdout_lines", Value::array()}};
    }
    Value data = Value::parse(text_, nullptr, false);
    // The job's first word (or a file being written): started, not finished.
    if (!data.is_object() || (data.contains("finished") && data["finished"] == 0)) {
      return {
          {"ansible_job_id", args_.jid}, {"changed", false}, {"finished", 0}, {"results_file", file}, {"started", 1}};
    }
    data["ansible_job_id"] = args_.jid;
    data["finished"] = 1;
    data["results_file"] = file;
    data["started"] = 1;
    return data;
  }

  AsyncStatusArgs args_;
  bool read_ = false;
  bool found_ = false;
  std::string text_;
};

class AsyncStatusModule : public TypedModule<AsyncStatusArgs, AsyncStatusRun> {
 public:
  AsyncStatusModule() : TypedModule("async_status") {}
};

}  // namespace

const Module& async_status_module() {
  static const AsyncStatusModule module;
  return module;
}

}  // namespace prov::mod
