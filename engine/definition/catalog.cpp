#include "engine/definition/catalog.hpp"

namespace pathways::definition {

void DefinitionCatalog::NoteDefault(const Definition& d) {
  std::string& id = d.kind == Kind::kCompany ? default_company_id_ : default_id_;
  if (id.empty()) id = d.id;
}

void DefinitionCatalog::Add(Ptr definition) {
  std::lock_guard lock(mu_);
  NoteDefault(*definition);
  by_version_[{definition->id, definition->version}] = std::move(definition);
}

DefinitionCatalog::MergeResult DefinitionCatalog::Merge(const std::vector<Ptr>& definitions) {
  MergeResult result;
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < definitions.size(); ++i) {
    const Ptr& d = definitions[i];
    auto it = by_version_.find({d->id, d->version});
    if (it == by_version_.end()) {
      result.added.push_back(d);
    } else if (it->second->hash == d->hash) {
      ++result.unchanged;
    } else {
      result.conflicts.push_back(i);
    }
  }
  if (!result.conflicts.empty()) {
    result.added.clear();
    return result;
  }
  for (const Ptr& d : result.added) {
    NoteDefault(*d);
    by_version_[{d->id, d->version}] = d;
  }
  return result;
}

DefinitionCatalog::Ptr DefinitionCatalog::Find(const std::string& id, std::uint32_t version) const {
  std::lock_guard lock(mu_);
  auto it = by_version_.find({id, version});
  return it == by_version_.end() ? nullptr : it->second;
}

DefinitionCatalog::Ptr DefinitionCatalog::Newest(const std::string& id) const {
  std::lock_guard lock(mu_);
  return NewestLocked(id.empty() ? default_id_ : id);
}

DefinitionCatalog::Ptr DefinitionCatalog::NewestOfKind(Kind kind) const {
  std::lock_guard lock(mu_);
  return NewestLocked(kind == Kind::kCompany ? default_company_id_ : default_id_);
}

DefinitionCatalog::Ptr DefinitionCatalog::NewestLocked(const std::string& wanted) const {
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
