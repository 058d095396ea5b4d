// Template inheritance: {% extends %}, {% block %}, super() and self.name(). A render keeps, for each block name,
// the chain of its definitions from the most derived template to the base; a {% block %} tag of the template being
// rendered shows the first, super() the next one.
#include <algorithm>

#include "eval.h"
#include "parser.h"

namespace prov::tmpl {

namespace {

/// super() inside a block, or self.name(): renders one layer of a block's chain.
class BlockCall : public Object {
 public:
  BlockCall(std::shared_ptr<Inheritance> inh, std::string name, size_t layer, bool scoped)
      : inh_(std::move(inh)), name_(std::move(name)), layer_(layer), scoped_(scoped) {}
  std::string type_name() const override { return layer_ == 0 ? "BlockReference" : "super"; }
  bool callable() const override { return true; }
  RV call(Ctx& ctx, Args&) override {
    // The call may come from a macro's own Ctx, which has no chains: lend it this render's.
    std::shared_ptr<Inheritance> saved = ctx.inh;
    ctx.inh = inh_;
    std::string out;
    try {
      ctx.render_block_layer(name_, layer_, scoped_, out);
    } catch (...) {
      ctx.inh = saved;
      throw;
    }
    ctx.inh = saved;
    return Value(std::move(out));
  }

 private:
  std::shared_ptr<Inheritance> inh_;
  std::string name_;
  size_t layer_;
  bool scoped_;
};

/// `self`: each block of the template by name, callable.
class SelfReference : public Object {
 public:
  explicit SelfReference(std::shared_ptr<Inheritance> inh) : inh_(std::move(inh)) {}
  std::string type_name() const override { return "TemplateReference"; }
  bool getattr(const std::string& name, RV& out) const override {
    if (!inh_->chains.count(name)) return false;
    out = RV::object(std::make_shared<BlockCall>(inh_, name, 0, false));
    return true;
  }
  std::string str() const override { return "<TemplateReference>"; }

 private:
  std::shared_ptr<Inheritance> inh_;
};

}  // namespace

void Ctx::render_template(std::string& out) {
  inh = std::make_shared<Inheritance>();
  inh->add(tmpl);
  inh->files.push_back(tmpl->name);
  if (!tmpl->blocks.empty()) scopes.front()["self"] = RV::object(std::make_shared<SelfReference>(inh));
  exec(tmpl->body, out);
  // The child's text after {% extends %} is dropped (Ctx::exec); its top-level variables stay for the parent.
  while (inh->parent) {
    tmpl = std::move(inh->parent);
    inh->parent = nullptr;
    inh->add(tmpl);
    scopes.front()["self"] = RV::object(std::make_shared<SelfReference>(inh));
    exec(tmpl->body, out);
  }
}

void Ctx::exec_extends(const Node& n) {
  std::string name = rv_str(eval(*n.expr));
  if (!inh) fail("{% extends %} is only supported in template files");
  if (inh->parent) fail("extended multiple times");
  std::string path = find_file(name, resolver.options);
  if (path.empty())
    throw TemplateError("the template file " + name + " could not be found for the extends in " + tmpl->name);
  if (std::find(inh->files.begin(), inh->files.end(), path) != inh->files.end())
    throw TemplateError("template inheritance cycle: " + tmpl->name + " extends " + path + ", which it extends");
  CallDepth nested(resolver);
  inh->parent = parse_template_file(path, resolver.options);
  inh->files.push_back(path);
}

void Ctx::exec_block(const Node& n, std::string& out) {
  if (inh && inh->parent) return;  // a child's block, placed by its parent
  if (!inh || !inh->chains.count(n.name)) {
    std::vector<Scope> saved = scopes;
    if (!n.scoped) scopes = {scopes.front()};
    scopes.emplace_back();
    exec(n.body, out);
    scopes = std::move(saved);
    return;
  }
  render_block_layer(n.name, 0, n.scoped, out);
}

void Ctx::render_block_layer(const std::string& name, size_t layer, bool scoped, std::string& out) {
  if (!inh) fail("there is no parent block called '" + name + "'.");
  auto chain = inh->chains.find(name);
  if (chain == inh->chains.end() || layer >= chain->second.size())
    fail("there is no parent block called '" + name + "'.");
  const Inheritance::Layer& l = chain->second[layer];
  if (l.node->required) fail("Required block '" + name + "' not found");
  CallDepth nested(resolver);
  // A block sees the template's top-level variables only, unless it is scoped (then also the loop around it).
  std::vector<Scope> saved_scopes = scopes;
  std::shared_ptr<const Template> saved_tmpl = tmpl;
  if (!scoped) scopes = {scopes.front()};
  scopes.emplace_back();
  scopes.back()["super"] = RV::object(std::make_shared<BlockCall>(inh, name, layer + 1, scoped));
  tmpl = l.tmpl;
  try {
    exec(l.node->body, out);
  } catch (...) {
    scopes = std::move(saved_scopes);
    tmpl = std::move(saved_tmpl);
    throw;
  }
  scopes = std::move(saved_scopes);
  tmpl = std::move(saved_tmpl);
}

}  // namespace prov::tmpl
