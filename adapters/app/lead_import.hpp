#pragma once
// Importing leads from a CSV file (docs/operations.md, "Importing leads"), for the command line
// (`pathways import`) and the administrator's page alike. Every row is checked by the
// pathway's own rules before anything is written, so an import either has a problem for each
// bad row (by its line) or can go through; a caller imports nothing while there is one, or,
// when told to, the good rows only. Ids follow from the file's content and the row's line, so
// the same file imported again registers nothing twice.
//
// Thread-safe: free functions.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "adapters/config/server_config.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/ports/command_executor.hpp"

namespace pathways::app {

struct ImportProblem {
  std::size_t line = 0;  // 1: the header (or the file as a whole)
  std::string what;
};

struct ImportRow {
  std::size_t line = 0;
  CommandRequest request;  // RegisterLead, ready to run
};

struct LeadImport {
  std::vector<ImportProblem> problems;  // in line order
  std::vector<ImportRow> rows;          // the good rows
  // False when the file as a whole cannot be read (not CSV, a bad header): nothing can be
  // imported from it, good rows or not.
  bool readable = true;
};

// Who leads may be given to: the users file's counsellors and schools. `source` names it in
// the problems ("is no counsellor in SOURCE").
struct ImportDirectory {
  const std::map<std::string, config::User>* users = nullptr;  // null: no users file given
  const std::map<std::string, config::School>* schools = nullptr;
  std::string source;
};

// Checks `text` (the CSV's bytes) as leads of definition `def` registered by `actor` at `now`.
LeadImport PlanLeadImport(const std::string& text, const definition::Definition& def,
                          const definition::DefinitionCatalog& catalog, const Actor& actor,
                          TimestampMs now, const ImportDirectory& directory);

struct ImportOutcome {
  std::size_t imported = 0;
  std::size_t again = 0;               // imported before: the same file (or row) again
  std::vector<ImportProblem> refused;  // by the store (its rules changed in between, a fault)
};

// Registers `rows`, many in flight (the writer commits them in groups); `progress(done)` is
// called from the calling thread as rows are sent.
ImportOutcome RunLeadImport(CommandExecutor& executor, std::vector<ImportRow> rows,
                            const std::function<void(std::size_t)>& progress = {});

}  // namespace pathways::app
