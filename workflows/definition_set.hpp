#pragma once
// Loading the definitions a server runs on, and reloading them while it runs.
//
// A set is all-or-nothing: files are loaded together and a problem in any one of them keeps
// every one of them out. A reload adds new versions to the running catalog and never removes
// or replaces one: running pathways stay on the version (and content hash) they started
// with, so a loaded version whose file now says something else is refused, with the advice
// to give it a new version.
//
// Thread-safe: free functions; the catalog guards itself.

#include <string>
#include <vector>

#include "engine/definition/catalog.hpp"
#include "workflows/diagnostics.hpp"

namespace pathways::workflows {

struct DefinitionSet {
  std::vector<definition::DefinitionCatalog::Ptr> definitions;  // empty when any problem
  std::vector<std::string> files;                               // where each one came from
  std::vector<Diagnostic> diagnostics;                          // of every file
};

// Loads `paths`: files, or directories whose *.yaml and *.yml files are read in name order.
// The same id and version in two files is a problem; so is a set with no definition.
DefinitionSet LoadDefinitionSet(const std::vector<std::string>& paths);

struct ReloadReport {
  std::vector<definition::DefinitionCatalog::Ptr> added;  // new (id, version)s now loaded
  std::size_t unchanged = 0;                              // already loaded, same content
  std::vector<Diagnostic> diagnostics;  // non-empty: nothing changed in the catalog
};

// Loads `paths` as a set and adds what is new to `catalog` in one step.
ReloadReport ReloadDefinitions(definition::DefinitionCatalog& catalog,
                               const std::vector<std::string>& paths);

}  // namespace pathways::workflows
