#pragma once
// DefinitionCatalog: the loaded pathway definitions, by id and version. New pathways start on
// the newest version of their definition; a running pathway stays on the version (and hash)
// it started with. A reload merges new versions in one step (readers see the old set or the
// new one) and never replaces a loaded version.
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

  // Adds (or replaces) a definition; the first one of each kind added becomes that kind's
  // default. For building a catalog before anything runs on it; a running server merges.
  void Add(Ptr definition);

  struct MergeResult {
    std::vector<Ptr> added;              // new (id, version)s, now loaded
    std::size_t unchanged = 0;           // loaded already, with the same hash
    std::vector<std::size_t> conflicts;  // indexes of versions loaded with another hash
  };
  // Adds the definitions whose (id, version) is new, all in one step that readers see whole.
  // A version loaded already with another hash (pathways may run on it) refuses the whole
  // call: `conflicts` names them and nothing is added. The check and the add hold one lock,
  // so two merges at once never both add a version, and nothing is ever overwritten.
  MergeResult Merge(const std::vector<Ptr>& definitions);

  // The definition with this id and version, or null.
  Ptr Find(const std::string& id, std::uint32_t version) const;
  // The newest version of `id` (empty: the default participants' definition), or null.
  Ptr Newest(const std::string& id = "") const;
  // The newest version of the default definition of `kind`, or null.
  Ptr NewestOfKind(Kind kind) const;
  std::vector<Ptr> All() const;

 private:
  void NoteDefault(const Definition& d);              // mu_ held
  Ptr NewestLocked(const std::string& wanted) const;  // mu_ held
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::uint32_t>, Ptr> by_version_;  // guarded by mu_
  std::string default_id_;          // participants'; guarded by mu_
  std::string default_company_id_;  // guarded by mu_
};

}  // namespace pathways::definition
