#pragma once
// Loading a pathway definition from YAML: every problem is reported with file, line and
// column, and a definition with any problem is not built (docs/workflows.md has the keys).
//
// Thread-safe: free functions.

#include <memory>
#include <string>
#include <vector>

#include "engine/definition/definition.hpp"
#include "workflows/diagnostics.hpp"

namespace pathways::workflows {

struct LoadResult {
  std::shared_ptr<const definition::Definition> definition;  // null when there are diagnostics
  std::vector<Diagnostic> diagnostics;                       // in file order
};

// Loads `text` as the definition file `file_name` (used in diagnostics only).
LoadResult LoadDefinition(const std::string& text, const std::string& file_name);

// Reads and loads a file; an unreadable file is one diagnostic at 1:1.
LoadResult LoadDefinitionFile(const std::string& path);

}  // namespace pathways::workflows
