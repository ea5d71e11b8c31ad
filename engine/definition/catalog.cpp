#include "engine/definition/catalog.hpp"

namespace pathways::definition {

void DefinitionCatalog::Add(Ptr definition) {
  std::lock_guard lock(mu_);
  if (default_id_.empty()) default_id_ = definition->id;
  by_version_[{definition->id, definition->version}] = std::move(definition);
}

void DefinitionCatalog::AddAll(const std::vector<Ptr>& definitions) {
  std::lock_guard lock(mu_);
  for (const Ptr& d : definitions) {
    if (default_id_.empty()) default_id_ = d->id;
    by_version_[{d->id, d->version}] = d;
  }
}

DefinitionCatalog::Ptr DefinitionCatalog::Find(const std::string& id, std::uint32_t version) const {
  std::lock_guard lock(mu_);
  auto it = by_version_.find({id, version});
  return it == by_version_.end() ? nullptr : it->second;
}

DefinitionCatalog::Ptr DefinitionCatalog::Newest(const std::string& id) const {
  std::lock_guard lock(mu_);
  const std::string& wanted = id.empty() ? default_id_ : id;
  Ptr newest;
  for (const auto& [key, def] : by_version_) {
    if (key.first == wanted) newest = def;  // the map orders versions ascending
  }
  return newest;
}

std::vector<DefinitionCatalog::Ptr> DefinitionCatalog::All() const {
  std::lock_guard lock(mu_);
  std::vector<Ptr> out;
  for (const auto& [key, def] : by_version_) out.push_back(def);
  return out;
}

}  // namespace pathways::definition
