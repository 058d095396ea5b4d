// The modules Ansible knows (ansible-core's and the collections of Debian's ansible package), read from the
// embedded list that scripts/ansible-module-names writes: a module of Ansible's that provision does not implement
// is told from a name that is no module at all.
#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "provision/modules/action.h"
#include "provision/modules/ansible_names.h"

namespace prov::mod {

namespace detail {
extern const char* const kAnsibleModuleNames;
}

namespace {

struct AnsibleNames {
  std::unordered_set<std::string> qualified;    // COLLECTION.name
  std::unordered_set<std::string> short_names;  // what ansible-core resolves without a collection

  AnsibleNames() {
    std::string_view text = detail::kAnsibleModuleNames;
    while (!text.empty()) {
      const size_t end = std::min(text.find('\n'), text.size());
      read_line(text.substr(0, end));
      text.remove_prefix(std::min(end + 1, text.size()));
    }
  }

  // "COLLECTION name...", "> COLLECTION name..." (short names routed to COLLECTION.name), ">> short target".
  void read_line(std::string_view line) {
    if (line.empty() || line.front() == '#') return;
    std::vector<std::string_view> words;
    for (size_t at = 0; at < line.size();) {
      const size_t end = std::min(line.find(' ', at), line.size());
      if (end > at) words.push_back(line.substr(at, end - at));
      at = end + 1;
    }
    if (words.size() < 2) return;
    if (words[0] == ">>") {
      short_names.emplace(words[1]);
      return;
    }
    const bool routed = words[0] == ">";
    const std::string collection(words[routed ? 1 : 0]);
    for (size_t i = routed ? 2 : 1; i < words.size(); ++i) {
      if (routed || collection == "ansible.builtin") short_names.emplace(words[i]);
      if (!routed) qualified.insert(collection + "." + std::string(words[i]));
    }
  }

  bool knows(std::string_view name) const {
    static constexpr std::string_view kLegacy = "ansible.legacy.";
    if (name.substr(0, kLegacy.size()) == kLegacy) name.remove_prefix(kLegacy.size());
    const std::string key(name);
    return key.find('.') == std::string::npos ? short_names.count(key) != 0 : qualified.count(key) != 0;
  }
};

const AnsibleNames& ansible_names() {
  static const AnsibleNames names;
  return names;
}

}  // namespace

std::vector<std::string> ansible_module_names(bool qualified) {
  const AnsibleNames& names = ansible_names();
  const auto& set = qualified ? names.qualified : names.short_names;
  std::vector<std::string> out(set.begin(), set.end());
  std::sort(out.begin(), out.end());
  return out;
}

const Action* find_ansible_only_action(std::string_view name) {
  const AnsibleNames& names = ansible_names();
  if (find_action(name) != nullptr || !names.knows(name)) return nullptr;
  // One action per name, made when a playbook first names it; the loader may run on several threads (tests).
  static std::mutex mutex;
  static std::unordered_map<std::string, Action> made;
  std::lock_guard lock(mutex);
  auto [it, added] = made.try_emplace(std::string(name));
  if (added) it->second = Action{std::string(name), ActionKind::NotInProvision, nullptr, kRawParams};
  return &it->second;
}

}  // namespace prov::mod
