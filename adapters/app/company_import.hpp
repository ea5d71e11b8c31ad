#pragma once
// Importing company records from a CSV file (a spreadsheet's; docs/companies.md, "Import"),
// as leads are imported (lead_import.hpp): every row checked by the record's own rules before
// anything is written, each problem by its line; a caller imports nothing while there is one.
// Ids follow from the CVR numbers and the file, so the same file imported again registers
// nothing twice.
//
// Columns: cvr, name, size_band, industry (required); p_number, municipality, green (tags
// separated by spaces), consultant, school, contact_name, contact_role, contact_email,
// contact_phone (a contact person, sealed like any).
//
// Thread-safe: free functions.

#include <string>
#include <vector>

#include "adapters/app/lead_import.hpp"
#include "engine/ports/store.hpp"

namespace pathways::app {

struct CompanyImportRow {
  std::size_t line = 0;
  std::vector<CommandRequest> requests;  // RegisterCompany, then the contact person if any
};

struct CompanyImport {
  std::vector<ImportProblem> problems;  // in line order
  std::vector<CompanyImportRow> rows;   // the good rows
  bool readable = true;                 // false: not CSV, or a bad header
};

// Checks `text` as company records of definition `def` (a company definition) registered by
// `actor` at `now`; the records the store holds are RecordsTaken's.
CompanyImport PlanCompanyImport(const std::string& text, const definition::Definition& def,
                                const definition::DefinitionCatalog& catalog, const Actor& actor,
                                TimestampMs now, const ImportDirectory& directory);

// The rows whose CVR has a record the store holds from elsewhere (registered by hand, or by
// another file), each a problem by its line; a record this file registered before is not one:
// importing it again registers nothing.
Result<std::vector<ImportProblem>> RecordsTaken(const Store& store,
                                                const std::vector<CompanyImportRow>& rows);

// Registers `rows`, one after another (a record, then its contact person).
ImportOutcome RunCompanyImport(CommandExecutor& executor, std::vector<CompanyImportRow> rows);

}  // namespace pathways::app
