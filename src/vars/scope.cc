#include "provision/vars/scope.h"

#include <algorithm>
#include <set>

namespace prov::vars {

namespace {
bool higher_first(int level_a, int order_a, int level_b, int order_b) {
  return level_a != level_b ? level_a > level_b : order_a > order_b;
}
}  // namespace

void Scope::insert(Layer layer) {
  layer.order = next_order_++;
  auto pos = std::find_if(layers_.begin(), layers_.end(), [&](const Layer& l) {
    return higher_first(static_cast<int>(layer.level), layer.order, static_cast<int>(l.level), l.order);
  });
  layers_.insert(pos, std::move(layer));
}

void Scope::add(Level level, const Value* object, Trust trust) {
  if (!object || !object->is_object()) return;
  insert(Layer{level, 0, object, {}, {}, trust, nullptr});
}

void Scope::add(Level level, const Value* object, const NameSet* data_names) {
  if (!object || !object->is_object()) return;
  insert(Layer{level, 0, object, {}, {}, Trust::Template, data_names});
}

void Scope::add_lazy(Level level, std::string name, std::function<Value()> make, Trust trust) {
  insert(Layer{level, 0, nullptr, std::move(name), std::move(make), trust, nullptr});
}

const Value* Scope::find(std::string_view name, bool* data) const {
  for (const auto& layer : layers_) {
    const Value* found = nullptr;
    if (layer.object) {
      found = find_key(*layer.object, name);
    } else if (layer.lazy_name == name) {
      auto it = lazy_cache_.find(name);
      if (it == lazy_cache_.end()) it = lazy_cache_.emplace(std::string(name), layer.make()).first;
      found = &it->second;
    }
    if (found) {
      if (data) *data = layer.is_data(name);
      return found;
    }
  }
  if (data) *data = false;
  return nullptr;
}

std::vector<std::string> Scope::names() const {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  for (const auto& layer : layers_) {
    if (!layer.object) {
      if (seen.insert(layer.lazy_name).second) out.push_back(layer.lazy_name);
      continue;
    }
    if (!layer.object->is_object()) continue;
    for (auto kv = layer.object->begin(); kv != layer.object->end(); ++kv)
      if (seen.insert(kv.key()).second) out.push_back(kv.key());
  }
  return out;
}

Value Scope::flatten() const {
  Value out = Value::object();
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    if (!it->object) continue;
    for (auto kv = it->object->begin(); kv != it->object->end(); ++kv) out[kv.key()] = kv.value();
  }
  return out;
}

}  // namespace prov::vars
