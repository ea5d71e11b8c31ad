#pragma once
// The companies' figures (docs/companies.md, "Figures"): the records by stage and school, how
// many reached each step of the dialogue, the days from a first contact to the first employee
// on a pathway (the maturation AMIGO's report speaks of), declines by reason, and the green
// tags the needs name. Counted from the records' state rows and the participants' report rows,
// never from a replay of the log.
//
// Thread-safe: CompanyFigures is a pure function of its inputs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/definition/definition.hpp"
#include "engine/ports/pathway_queries.hpp"
#include "engine/runtime/pathway_state.hpp"

namespace pathways::app {

struct CompanyReport {
  std::string school;  // "": the whole partnership
  std::int64_t records = 0;
  std::int64_t smes = 0;
  // school -> state -> records now in it (every school, also when one is asked for).
  std::map<std::string, std::map<std::string, std::int64_t>> by_stage;
  // The dialogue's steps (the company definition's milestones, in its order) and how many
  // records reached each; SMEs among them.
  struct Step {
    std::string milestone;
    definition::Label label;
    std::int64_t reached = 0;
    std::int64_t smes = 0;
  };
  std::vector<Step> steps;
  // Records with an employee on a pathway (employed by it, or brought by its visit) who started
  // on or after the record's first contact, and the median of the days between them.
  std::int64_t with_employee = 0;
  std::optional<double> median_days_to_first_employee;
  // The reason of each declined record's latest decline, and the green tags of the needs.
  std::map<std::string, std::int64_t> declines_by_reason;
  std::map<std::string, std::int64_t> green_needs;
};

// `records`: the company records' states; `participants`: the participants' report rows (their
// employer, the company that referred them, when they started). `school` "" counts every school.
CompanyReport CompanyFigures(const definition::Definition& def,
                             const std::vector<runtime::PathwayState>& records,
                             const std::vector<runtime::PathwayState>& participants,
                             const std::string& school);

// What CompanyFigures counts, read from the store: the company records' state rows, and of each
// participant linked to a company only that link and when they started (`participants`), as
// of the report rows' log position `position`.
struct CompanyFigureInputs {
  std::vector<runtime::PathwayState> records;
  std::vector<runtime::PathwayState> participants;
  std::uint64_t position = 0;
};
Result<CompanyFigureInputs> ReadCompanyFigureInputs(const PathwayQueries& store);

}  // namespace pathways::app
