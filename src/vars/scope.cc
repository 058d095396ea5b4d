#include "provision/vars/scope.h"

#include <algorithm>

namespace prov::vars {

namespace {
bool higher_first(int level_a, int order_a, int level_b, int order_b) {
  return level_a != level_b ? level_a > level_b : order_a > order_b;
}
}  // namespace

void Scope::add(Level level, const Value* object) {
  if (!object || !object->is_object()) return;
  Layer layer{level, next_order_++, object, {}, {}};
  auto pos = std::find_if(layers_.begin(), layers_.end(), [&](const Layer& l) {
    return higher_first(static_cast<int>(layer.level), layer.order, static_cast<int>(l.level), l.order);
  });
  layers_.insert(pos, std::move(layer));
}

void Scope::add_lazy(Level level, std::string name, std::function<Value()> make) {
  Layer layer{level, next_order_++, nullptr, std::move(name), std::move(make)};
  auto pos = std::find_if(layers_.begin(), layers_.end(), [&](const Layer& l) {
    return higher_first(static_cast<int>(layer.level), layer.order, static_cast<int>(l.level), l.order);
  });
  layers_.insert(pos, std::move(layer));
}

const Value* Scope::lookup(std::string_view name) const {
  for (const auto& layer : layers_) {
    if (layer.object) {
      if (const Value* v = find_key(*layer.object, name)) return v;
    } else if (layer.lazy_name == name) {
      auto it = lazy_cache_.find(name);
      if (it == lazy_cache_.end()) it = lazy_cache_.emplace(std::string(name), layer.make()).first;
      return &it->second;
    }
  }
  return nullptr;
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
