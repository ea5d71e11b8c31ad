#include "adapters/app/company_import.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "adapters/app/csv.hpp"
#include "engine/audit/sha256.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/codec/utf8.hpp"
#include "engine/runtime/company.hpp"
#include "engine/runtime/cvr.hpp"
#include "engine/runtime/processor.hpp"

namespace pathways::app {
namespace {

const std::vector<std::string> kColumns = {
    "cvr",          "name",          "size_band",    "industry", "p_number",
    "municipality", "green",         "consultant",   "school",   "contact_name",
    "contact_role", "contact_email", "contact_phone"};
const std::vector<std::string> kRequired = {"cvr", "name", "size_band", "industry"};

std::string FileId(const std::string& text) {
  audit::Sha256 h;
  h.Update(text.data(), text.size());
  return codec::HexEncode(h.Final()).substr(0, 16);
}

std::vector<std::string> Words(const std::string& cell) {
  std::vector<std::string> out;
  std::istringstream in(cell);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

}  // namespace

CompanyImport PlanCompanyImport(const std::string& text, const definition::Definition& def,
                                const definition::DefinitionCatalog& catalog, const Actor& actor,
                                TimestampMs now, const ImportDirectory& directory) {
  CompanyImport out;
  const CsvResult csv = ReadCsv(text);
  if (!csv.error.empty()) {
    out.problems.push_back({csv.error_line, csv.error});
    out.readable = false;
    return out;
  }
  if (csv.records.empty()) {
    out.problems.push_back({1, "the file is empty; it needs a header row"});
    out.readable = false;
    return out;
  }
  const std::vector<std::string>& header = csv.records.front().cells;
  for (const std::string& column : header) {
    if (std::find(kColumns.begin(), kColumns.end(), column) == kColumns.end()) {
      out.problems.push_back({1, "unknown column `" + column +
                                     "` (cvr, name, size_band, industry, p_number, "
                                     "municipality, green, consultant, school, contact_name, "
                                     "contact_role, contact_email, contact_phone)"});
      out.readable = false;
    }
  }
  for (const std::string& column : kRequired) {
    if (std::find(header.begin(), header.end(), column) == header.end()) {
      out.problems.push_back({1, "the header has no " + column + " column"});
      out.readable = false;
    }
  }
  if (!out.readable) return out;

  const std::string file_id = FileId(text);
  std::set<std::string> cvrs;
  for (std::size_t r = 1; r < csv.records.size(); ++r) {
    const CsvRecord& rec = csv.records[r];
    auto refuse = [&](const std::string& what) { out.problems.push_back({rec.line, what}); };
    if (rec.cells.size() != header.size()) {
      refuse(std::to_string(rec.cells.size()) + " cells where the header has " +
             std::to_string(header.size()));
      continue;
    }
    std::map<std::string, std::string> cell;
    bool encoded = true;
    for (std::size_t c = 0; c < header.size(); ++c) {
      encoded = encoded && codec::IsValidUtf8(rec.cells[c]);
      cell[header[c]] = rec.cells[c];
    }
    if (!encoded) {
      refuse("a cell is not valid UTF-8");
      continue;
    }
    runtime::RegisterCompany company{
        {cell["cvr"], cell["name"], cell["p_number"], cell["size_band"], cell["industry"],
         cell["municipality"], Words(cell["green"])},
        cell["consultant"],
        cell["school"]};
    const std::string& consultant = company.consultant;
    if (!consultant.empty()) {
      const config::User* user = nullptr;
      if (directory.users != nullptr) {
        if (auto it = directory.users->find(consultant); it != directory.users->end()) {
          user = &it->second;
        }
      }
      if (user == nullptr || user->role != config::Role::kConsultant) {
        refuse("consultant `" + consultant + "` is no consultant in " + directory.source);
        continue;
      }
      if (user->school != company.school) {
        refuse("consultant `" + consultant + "` is not of school `" + company.school + "`");
        continue;
      }
    }
    if (!company.school.empty() &&
        (directory.schools == nullptr || !directory.schools->count(company.school))) {
      refuse("school `" + company.school + "` is not in the users file");
      continue;
    }
    const std::string id = runtime::CompanyPathwayId(company.company.cvr);
    if (!runtime::IsValidCvr(company.company.cvr)) {
      refuse("`cvr` is not a CVR number: eight digits that pass the register's modulus-11 check");
      continue;
    }
    if (!cvrs.insert(company.company.cvr).second) {
      refuse("CVR " + company.company.cvr + " appears twice in the file");
      continue;
    }
    // Checked by the processor the writer runs, so a row that passes here is not refused.
    const runtime::ProcessContext ctx{catalog, actor, now, id, id, def.id};
    Result<runtime::Processed> registered = runtime::Process(runtime::PathwayState{}, company, ctx);
    if (!registered.ok()) {
      refuse(registered.status().message());
      continue;
    }
    CompanyImportRow row{rec.line, {}};
    const std::string seed = "import:" + file_id + ":" + std::to_string(rec.line);
    CommandRequest q;
    q.pathway_id = id;
    q.participant_id = id;
    q.definition_id = def.id;
    q.command_id = seed;
    q.actor = actor;
    q.command = std::move(company);
    row.requests.push_back(std::move(q));
    if (!cell["contact_name"].empty() || !cell["contact_email"].empty()) {
      runtime::RecordContactPerson person{"", cell["contact_name"], cell["contact_role"],
                                          cell["contact_email"], cell["contact_phone"]};
      const runtime::ProcessContext on{catalog, actor, now, id, id, ""};
      if (Status st = runtime::Process(registered->after, person, on).status(); !st.ok()) {
        refuse(st.message());
        continue;
      }
      CommandRequest p;
      p.pathway_id = id;
      p.command_id = seed + ":contact";
      p.actor = actor;
      p.command = std::move(person);
      row.requests.push_back(std::move(p));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

Result<std::vector<ImportProblem>> RecordsTaken(const Store& store,
                                                const std::vector<CompanyImportRow>& rows) {
  std::vector<ImportProblem> taken;
  for (const CompanyImportRow& row : rows) {
    const CommandRequest& first = row.requests.front();
    Result<std::optional<runtime::PathwayState>> had = store.LoadPathway(first.pathway_id);
    if (!had.ok()) return had.status();
    if (!had->has_value()) continue;
    Result<StreamPage> page = store.ReadStream(first.pathway_id, 1, 1);
    if (!page.ok()) return page.status();
    const bool ours = !page->events.empty() && page->events.front().command_id == first.command_id;
    if (!ours) taken.push_back({row.line, "CVR " + (*had)->company.cvr + " has a record already"});
  }
  return taken;
}

ImportOutcome RunCompanyImport(CommandExecutor& executor, std::vector<CompanyImportRow> rows) {
  ImportOutcome out;
  for (CompanyImportRow& row : rows) {
    bool again = false;
    bool refused = false;
    for (CommandRequest& request : row.requests) {
      Result<AppendResult> r = executor.Execute(std::move(request));
      if (!r.ok()) {
        out.refused.push_back({row.line, r.status().message()});
        refused = true;
        break;
      }
      again = again || r->duplicate;
    }
    if (refused) continue;
    if (again) {
      ++out.again;
    } else {
      ++out.imported;
    }
  }
  return out;
}

}  // namespace pathways::app
