#pragma once
// DefinitionCatalog: the loaded pathway definitions, by id and version. New pathways start on
// the newest version of their definition; a running pathway stays on the version (and hash)
// it started with. Replacing the set (a reload) is atomic: readers see the old or the new.
//
// Thread-safe.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/definition/definition.hpp"

namespace pathways::definition {

class DefinitionCatalog {
 public:
  using Ptr = std::shared_ptr<const Definition>;

  // Adds (or replaces) a definition; the first one added becomes the default.
  void Add(Ptr definition);
  // Adds several at once: readers see all of them or none.
  void AddAll(const std::vector<Ptr>& definitions);

  // The definition with this id and version, or null.
  Ptr Find(const std::string& id, std::uint32_t version) const;
  // The newest version of `id` (empty: the default definition), or null.
  Ptr Newest(const std::string& id = "") const;
  std::vector<Ptr> All() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::uint32_t>, Ptr> by_version_;  // guarded by mu_
  std::string default_id_;                                           // guarded by mu_
};

}  // namespace pathways::definition
