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

#include <functional>
#include <string>
#include <vector>

#include "adapters/app/lead_import.hpp"

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
// `actor` at `now`; `exists(cvr)` says whether a record has the CVR already.
CompanyImport PlanCompanyImport(const std::string& text, const definition::Definition& def,
                                const definition::DefinitionCatalog& catalog, const Actor& actor,
                                TimestampMs now, const ImportDirectory& directory,
                                const std::function<bool(const std::string&)>& exists);

// Registers `rows`, one after another (a record, then its contact person).
ImportOutcome RunCompanyImport(CommandExecutor& executor, std::vector<CompanyImportRow> rows);

}  // namespace pathways::app
