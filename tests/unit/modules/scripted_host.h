#pragma once
// A host that answers each command with the next canned result and records what was sent (the command and its
// standard input): module tests check the exact reads and changes a step sends, without a real host.
#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "provision/connection/connection.h"
#include "provision/modules/module.h"

namespace test {

class ScriptedHost : public prov::conn::Connection {
 public:
  std::deque<prov::conn::CommandResult> answers;
  std::vector<std::string> commands;
  std::vector<std::string> inputs;
  std::map<std::string, std::string> files;  ///< what fetch_file answers, by path
  std::vector<std::string> fetched;          ///< the paths fetched, in order

  void connect() override {}
  prov::conn::CommandResult run(const std::string& command, const prov::conn::RunOptions& options) override {
    commands.push_back(command);
    inputs.push_back(options.stdin_data);
    REQUIRE_FALSE(answers.empty());
    prov::conn::CommandResult r = answers.front();
    answers.pop_front();
    return r;
  }
  void put_file(const std::string&, const std::string&, const prov::conn::PutOptions&) override {}
  std::string fetch_file(const std::string& path, const prov::conn::Become&) override {
    fetched.push_back(path);
    return files[path];
  }
  void close() override {}
  std::string kind() const override { return "scripted"; }
};

inline prov::conn::CommandResult answer(std::string out, int rc = 0, std::string err = {}) {
  prov::conn::CommandResult r;
  r.rc = rc;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

/// How a module runs in a test: check and diff modes, and the host's plan (null: none kept).
struct Modes {
  bool check = false;
  bool diff = false;
  prov::mod::Plan* plan = nullptr;
};

/// The context execute() gets for the module on host, with args validated against its spec.
inline prov::mod::Context context_for(const std::string& module, prov::conn::Connection& host, const prov::Value& args,
                                      Modes modes = {}) {
  const prov::mod::Module* m = prov::mod::find_module(module);
  REQUIRE(m != nullptr);
  prov::mod::Context ctx;
  ctx.conn = &host;
  ctx.args = prov::mod::validate_args(m->spec(), args);
  ctx.check_mode = modes.check;
  ctx.diff_mode = modes.diff;
  ctx.plan = modes.plan;
  return ctx;
}

/// Runs the module once through execute().
inline prov::Value run_module(const std::string& module, prov::conn::Connection& host, const prov::Value& args,
                              Modes modes = {}) {
  prov::mod::Context ctx = context_for(module, host, args, modes);
  return prov::mod::execute(*prov::mod::find_module(module), ctx);
}

}  // namespace test
