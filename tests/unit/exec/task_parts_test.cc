// The executor's pure parts: outcomes counted in the recap, a loop's summary and item variables, strategies.
#include <catch2/catch.hpp>

#include "../../../src/exec/strategy.h"
#include "../../../src/exec/task_loop.h"
#include "../../../src/exec/task_result.h"

using prov::Value;
using prov::exec::TaskOutcome;
using prov::out::Status;

TEST_CASE("a result's status: unreachable, then failed, skipped, changed, ok") {
  using prov::exec::status_of;
  CHECK(status_of(Value{{"unreachable", true}, {"failed", true}}) == Status::Unreachable);
  CHECK(status_of(Value{{"failed", "yes"}, {"changed", true}}) == Status::Failed);
  CHECK(status_of(Value{{"skipped", true}, {"changed", true}}) == Status::Skipped);
  CHECK(status_of(Value{{"changed", 1}}) == Status::Changed);
  CHECK(status_of(Value{{"changed", false}}) == Status::Ok);
  CHECK(status_of(Value::object()) == Status::Ok);
}

TEST_CASE("the recap counts an ignored failure as ok, and as changed when it changed something") {
  prov::out::HostStats stats;
  prov::exec::count_outcome(stats, TaskOutcome{Status::Changed, false, Value{{"changed", true}}});
  prov::exec::count_outcome(stats, TaskOutcome{Status::Failed, true, Value{{"changed", true}, {"failed", true}}});
  prov::exec::count_outcome(stats, TaskOutcome{Status::Failed, true, Value{{"failed", true}}});
  prov::exec::count_outcome(stats, TaskOutcome{Status::Failed, false, Value{{"failed", true}}});
  prov::exec::count_outcome(stats, TaskOutcome{Status::Skipped, false, Value{{"skipped", true}}});
  prov::exec::count_outcome(stats, TaskOutcome{Status::Unreachable, false, Value{{"unreachable", true}}});
  CHECK(stats.ok == 3);
  CHECK(stats.changed == 2);
  CHECK(stats.ignored == 2);
  CHECK(stats.failed == 1);
  CHECK(stats.skipped == 1);
  CHECK(stats.unreachable == 1);
}

TEST_CASE("a loop's result: failed when one item failed, skipped only when all were") {
  prov::exec::LoopSummary mixed;
  mixed.add(Status::Skipped, Value{{"skipped", true}});
  mixed.add(Status::Changed, Value{{"changed", true}});
  Value r = mixed.result();
  CHECK(r["changed"] == true);
  CHECK(r["msg"] == "All items completed");
  CHECK(r["results"].size() == 2);
  CHECK_FALSE(r.contains("skipped"));
  CHECK_FALSE(r.contains("failed"));

  prov::exec::LoopSummary failing;
  failing.add(Status::Failed, Value{{"failed", true}});
  failing.add(Status::Ok, Value::object());
  CHECK(failing.result()["failed"] == true);
  CHECK(failing.result()["msg"] == "One or more items failed");

  prov::exec::LoopSummary skipped;
  skipped.add(Status::Skipped, Value{{"skipped", true}});
  CHECK(skipped.result()["skipped"] == true);
  CHECK(skipped.result()["changed"] == false);
  CHECK(prov::exec::empty_loop_result()["skipped_reason"] == "No items in the list");
}

TEST_CASE("loop_control names the item's variables; ansible_loop only when extended") {
  prov::exec::TaskLoop loop;
  loop.items = {"a", "b", "c"};
  loop.var = "pkg";
  loop.index_var = "i";
  Value plain = loop.item_vars(1);
  CHECK(plain == Value{{"pkg", "b"}, {"ansible_loop_var", "pkg"}, {"i", 1}, {"ansible_index_var", "i"}});
  loop.extended = true;
  loop.allitems = false;
  Value first = loop.item_vars(0)["ansible_loop"];
  CHECK(first["index"] == 1);
  CHECK(first["revindex0"] == 2);
  CHECK(first["first"] == true);
  CHECK(first["last"] == false);
  CHECK(first["nextitem"] == "b");
  CHECK_FALSE(first.contains("previtem"));
  CHECK_FALSE(first.contains("allitems"));
  loop.allitems = true;
  Value last = loop.item_vars(2)["ansible_loop"];
  CHECK(last["last"] == true);
  CHECK(last["previtem"] == "b");
  CHECK(last["allitems"] == Value{"a", "b", "c"});
  Value result = Value::object();
  loop.mark_item_result(result, 2);
  CHECK(result == Value{{"pkg", "c"}, {"ansible_loop_var", "pkg"}, {"i", 2}});
}

TEST_CASE("strategies by name; linear for names provision does not have") {
  using prov::exec::find_strategy;
  CHECK(&find_strategy("linear") == &prov::exec::linear_strategy());
  CHECK(&find_strategy("free") == &prov::exec::free_strategy());
  CHECK(&find_strategy("host_pinned") == &prov::exec::free_strategy());  // Ansible's free with pinned workers
  CHECK(&find_strategy("debug") == &prov::exec::linear_strategy());
  CHECK(find_strategy("linear").repeats_banner());
  CHECK_FALSE(find_strategy("free").repeats_banner());
}
