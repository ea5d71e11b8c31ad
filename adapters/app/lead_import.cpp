#include "adapters/app/lead_import.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>

#include "adapters/app/csv.hpp"
#include "engine/audit/sha256.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/codec/utf8.hpp"
#include "engine/runtime/processor.hpp"

namespace pathways::app {
namespace {

std::string Hex(const std::string& text) {
  audit::Sha256 h;
  h.Update(text.data(), text.size());
  return codec::HexEncode(h.Final());
}

// A cell as the JSON value the definition's field wants, or an error in words.
std::optional<nlohmann::json> Typed(const std::string& cell, const definition::DataField& f,
                                    std::string& error) {
  using Type = definition::DataField::Type;
  switch (f.type) {
    case Type::kInteger: {
      std::size_t used = 0;
      try {
        const long long v = std::stoll(cell, &used);
        if (used == cell.size()) return nlohmann::json(v);
      } catch (const std::exception&) {
      }
      error = "`" + cell + "` is not a whole number";
      return std::nullopt;
    }
    case Type::kNumber: {
      std::size_t used = 0;
      try {
        const double v = std::stod(cell, &used);
        if (used == cell.size()) return nlohmann::json(v);
      } catch (const std::exception&) {
      }
      error = "`" + cell + "` is not a number";
      return std::nullopt;
    }
    case Type::kBoolean:
      if (cell == "true" || cell == "ja" || cell == "yes" || cell == "1") return true;
      if (cell == "false" || cell == "nej" || cell == "no" || cell == "0") return false;
      error = "`" + cell + "` is not true/false (ja/nej, 1/0)";
      return std::nullopt;
    case Type::kString:
    case Type::kDate: return nlohmann::json(cell);
  }
  return nlohmann::json(cell);
}

// The header: every column must mean something, or nothing is imported.
void CheckHeader(const std::vector<std::string>& header, const definition::Definition& def,
                 const ImportDirectory& directory, LeadImport& out) {
  auto bad = [&](const std::string& what) {
    out.problems.push_back({1, what});
    out.readable = false;
  };
  bool has_source = false;
  for (const std::string& column : header) {
    const std::size_t dot = column.find('.');
    const std::string prefix = dot == std::string::npos ? "" : column.substr(0, dot);
    const std::string name = dot == std::string::npos ? column : column.substr(dot + 1);
    has_source = has_source || column == "referral_source";
    const bool known = column == "referral_source" || column == "pathway_id" ||
                       column == "participant_id" || column == "contact_person" ||
                       column == "school" || (prefix == "data" && def.FindField(name) != nullptr) ||
                       (ParsePersonalScope(prefix) && !name.empty());
    if (!known) {
      bad(prefix == "data"
              ? "column `" + column + "`: " + def.id + " has no data field `" + name + "`"
              : "unknown column `" + column +
                    "` (referral_source, pathway_id, participant_id, "
                    "contact_person, school, data.<field>, identity.<field>, "
                    "guidance.<field>, special.<field>)");
    }
  }
  if (!has_source) bad("the header has no referral_source column");
  const auto has = [&](const char* column) {
    return std::find(header.begin(), header.end(), column) != header.end();
  };
  if ((has("contact_person") || has("school")) && directory.users == nullptr) {
    bad("a contact_person or school column needs --config FILE, whose users file it must name");
  }
  if (directory.schools != nullptr && !directory.schools->empty() && !has("school")) {
    bad("the users file has schools: a school column says whose each lead is");
  }
}

}  // namespace

LeadImport PlanLeadImport(const std::string& text, const definition::Definition& def,
                          const definition::DefinitionCatalog& catalog, const Actor& actor,
                          TimestampMs now, const ImportDirectory& directory) {
  LeadImport out;
  const CsvResult csv = ReadCsv(text);
  // Text that is not CSV from some line on is not imported at all, good rows before it or not.
  if (!csv.error.empty()) {
    out.problems.push_back({csv.error_line, csv.error});
    out.readable = false;
  }
  // Every cell's encoding first: a row the store would refuse is found before it is opened.
  std::vector<bool> encoded(csv.records.size(), true);
  for (std::size_t r = 0; r < csv.records.size(); ++r) {
    const std::vector<std::string>& cells = csv.records[r].cells;
    for (std::size_t c = 0; c < cells.size() && encoded[r]; ++c) {
      if (codec::IsValidUtf8(cells[c])) continue;
      out.problems.push_back(
          {csv.records[r].line, "cell " + std::to_string(c + 1) + " is not valid UTF-8"});
      encoded[r] = false;
    }
  }
  if (csv.records.empty() || !encoded.front()) {
    if (csv.records.empty() && csv.error.empty()) {
      out.problems.push_back({1, "the file is empty; it needs a header row"});
    }
    out.readable = false;
    return out;
  }
  const std::vector<std::string>& header = csv.records.front().cells;
  CheckHeader(header, def, directory, out);
  if (!out.readable) return out;

  // Every row, checked by the pathway's own rules before anything is written.
  const std::string file_id = Hex(text).substr(0, 16);
  std::set<std::string> ids;
  for (std::size_t r = 1; r < csv.records.size(); ++r) {
    const CsvRecord& rec = csv.records[r];
    if (!encoded[r]) continue;
    if (rec.cells.size() != header.size()) {
      out.problems.push_back({rec.line, std::to_string(rec.cells.size()) +
                                            " cells where the header has " +
                                            std::to_string(header.size())});
      continue;
    }
    ImportRow row;
    row.line = rec.line;
    CommandRequest& q = row.request;
    runtime::RegisterLead lead;
    std::string problem;
    for (std::size_t c = 0; c < header.size() && problem.empty(); ++c) {
      const std::string& column = header[c];
      const std::string& cell = rec.cells[c];
      const std::size_t dot = column.find('.');
      if (column == "referral_source") {
        lead.referral_source = cell;
      } else if (column == "pathway_id") {
        q.pathway_id = cell;
      } else if (column == "participant_id") {
        q.participant_id = cell;
      } else if (column == "contact_person") {
        lead.contact_person = cell;
        auto user = directory.users->find(cell);
        if (!cell.empty() &&
            (user == directory.users->end() || user->second.role != config::Role::kCounsellor)) {
          problem = "contact_person `" + cell + "` is no counsellor in " + directory.source;
        }
      } else if (column == "school") {
        lead.school = cell;
        if (directory.schools == nullptr || !directory.schools->count(cell)) {
          problem = "school `" + cell + "` is not in the users file";
        }
      } else if (cell.empty()) {
        continue;  // an empty cell sets nothing
      } else if (column.compare(0, dot, "data") == 0) {
        std::string error;
        auto value = Typed(cell, *def.FindField(column.substr(dot + 1)), error);
        if (!value) {
          problem = column + ": " + error;
        } else {
          lead.data[column.substr(dot + 1)] = *value;
        }
      } else {
        const PersonalScope scope = *ParsePersonalScope(column.substr(0, dot));
        lead.personal[scope][column.substr(dot + 1)] = cell;
      }
    }
    if (problem.empty() && lead.referral_source.empty()) problem = "referral_source is empty";
    if (problem.empty() && !lead.contact_person.empty() &&
        directory.users->at(lead.contact_person).school != lead.school) {
      problem =
          "contact_person `" + lead.contact_person + "` is not of school `" + lead.school + "`";
    }
    const std::string seed = file_id + ":" + std::to_string(rec.line);
    if (q.pathway_id.empty()) q.pathway_id = "pw-" + Hex(seed).substr(0, 20);
    if (q.participant_id.empty()) q.participant_id = "p-" + Hex(seed + ":p").substr(0, 20);
    if (problem.empty() && !ids.insert(q.pathway_id).second) {
      problem = "pathway_id " + q.pathway_id + " appears twice in the file";
    }
    if (problem.empty()) {
      // Checked by the processor the writer runs, so a row that passes here is not refused.
      const runtime::ProcessContext ctx{catalog,          actor, now, q.pathway_id,
                                        q.participant_id, def.id};
      if (Status st = runtime::Process(runtime::PathwayState{}, lead, ctx).status(); !st.ok()) {
        problem = st.message();
      }
    }
    if (!problem.empty()) {
      out.problems.push_back({rec.line, problem});
      continue;
    }
    q.definition_id = def.id;
    q.command_id = "import:" + seed;
    q.actor = actor;
    q.command = std::move(lead);
    out.rows.push_back(std::move(row));
  }
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
  return out;
}

ImportOutcome RunLeadImport(CommandExecutor& executor, std::vector<ImportRow> rows,
                            const std::function<void(std::size_t)>& progress) {
  constexpr std::size_t kInFlight = 512;
  std::mutex mu;
  std::condition_variable cv;
  std::size_t answered = 0;
  ImportOutcome out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return i - answered < kInFlight; });
    }
    const std::size_t line = rows[i].line;
    executor.ExecuteAsync(std::move(rows[i].request), [&, line](Result<AppendResult> r) {
      std::lock_guard lock(mu);
      if (!r.ok()) {
        out.refused.push_back({line, r.status().message()});
      } else if (r->duplicate) {
        ++out.again;
      } else {
        ++out.imported;
      }
      ++answered;
      cv.notify_all();
    });
    if (progress) progress(i);
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return answered == rows.size(); });
  std::sort(out.refused.begin(), out.refused.end(),
            [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
  return out;
}

}  // namespace pathways::app
