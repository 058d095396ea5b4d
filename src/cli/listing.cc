#include "listing.h"

#include <fmt/format.h>

#include <iostream>
#include <set>

namespace prov::cli {

namespace {

std::string tag_list(const std::set<std::string>& tags) { return fmt::format("[{}]", fmt::join(tags, ", ")); }

void collect(const std::vector<graph::Node>& nodes, std::vector<const graph::Node*>& out) {
  for (const auto& node : nodes) {
    if (node.kind == graph::Node::Kind::Task) {
      out.push_back(&node);
    } else {
      collect(node.block, out);
      collect(node.rescue, out);
      collect(node.always, out);
    }
  }
}

void print_play(Listing what, const pb::Play& play, std::size_t index, const inv::Inventory& inventory,
                const exec::Settings& settings) {
  std::set<std::string> play_tags(play.kw.tags.begin(), play.kw.tags.end());
  std::string name = play.name.empty() ? play.hosts : play.name;
  std::cout << fmt::format("\n  play #{} ({}): {}\tTAGS: {}\n", index, play.hosts, name, tag_list(play_tags));
  if (what == Listing::Hosts) {
    auto hosts = inventory.select({play.hosts}, settings.limit);
    std::cout << fmt::format("    pattern: ['{}']\n    hosts ({}):\n", play.hosts, hosts.size());
    for (const auto* h : hosts) std::cout << "      " << h->name << "\n";
    return;
  }
  graph::PlayGraph g = graph::compile(play, settings.selection);
  std::vector<const graph::Node*> tasks;
  for (const auto& section : g.sections) collect(section.nodes, tasks);
  if (what == Listing::Tasks) {
    std::cout << "    tasks:\n";
    for (const auto* node : tasks) {
      if (node->task->action->kind == mod::ActionKind::Meta) continue;
      std::cout << fmt::format("      {}\tTAGS: {}\n", graph::display_name(*node->task), tag_list(node->tags));
    }
  } else {
    std::set<std::string> all;
    for (const auto* node : tasks) all.insert(node->tags.begin(), node->tags.end());
    std::cout << fmt::format("      TASK TAGS: {}\n", tag_list(all));
  }
}

}  // namespace

int print_listing(Listing what, const pb::Playbook& playbook, const std::vector<std::string>& shown,
                  const inv::Inventory& inventory, const exec::Settings& settings) {
  std::size_t first = 0;
  for (std::size_t part = 0; part < playbook.ends.size(); ++part) {
    std::cout << "\nplaybook: " << (part < shown.size() ? shown[part] : playbook.path) << "\n";
    for (std::size_t index = 1; first < playbook.ends[part]; ++first, ++index) {
      print_play(what, playbook.plays[first], index, inventory, settings);
    }
  }
  std::cout << std::endl;
  return exec::kExitOk;
}

}  // namespace prov::cli
