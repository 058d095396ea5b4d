#pragma once
// A host that answers each command with the next canned result and records what was sent (the command and its
// standard input): module tests check the exact reads and changes a step sends, without a real host.
#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "provision/connection/connection.h"

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

}  // namespace test
