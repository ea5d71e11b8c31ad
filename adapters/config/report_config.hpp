#pragma once
// The reports file (config/reports.yaml; docs/reports.md documents every key): the funder's
// ESF+ indicators and the project's figures, defined over one pathway definition's data. The
// codes and their wording are the programme's and the call's, so they live here, not in code:
// a wrong code is a config change, checked like a definition — every problem as FILE:LINE:COL,
// fields and values against the definition the file names.
//
// Thread-safe: free functions; a loaded config is immutable.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock.hpp"
#include "engine/definition/catalog.hpp"
#include "workflows/diagnostics.hpp"

namespace pathways::config {

// One test of a participant's record, by what it reads.
struct Condition {
  enum class Source : std::uint8_t {
    kData,         // a data field of the definition
    kSealed,       // a personal payload field sealed in the vault (`special.disability`)
    kEmployerSme,  // `employer.sme`: whether the participant's employer is an SME
    kDegurba,      // `municipality.degurba`: the degree of urbanisation of their municipality
    kReached,      // `reached`: the pathway has reached this milestone (values: its id)
  };
  Source source = Source::kData;
  std::string field;
  std::vector<nlohmann::json> values;  // any of these; empty: see from/below/over
  std::optional<std::int64_t> from;    // integers: at least this
  std::optional<std::int64_t> below;   // and less than this
  // A date: more than this lies between it and the indicator's moment (unemployed since a
  // day more than 12 months before entry).
  std::optional<definition::Duration> over;
};

// The degree of urbanisation (Eurostat's DEGURBA) of each municipality, by its code: 1
// cities, 2 towns and suburbs, 3 rural areas (config/degurba.yaml, docs/reports.md).
struct DegurbaTable {
  std::string file;
  std::string version;  // the classification's year and the LAU list it is on
  std::string source;   // where it was taken from
  std::map<std::string, int> municipalities;
};

// When an indicator counts a participant: entering the operation in the period, leaving it in
// the period, or six months after leaving in the period.
enum class Moment : std::uint8_t { kEntry, kLeaving, kSixMonths };
std::string_view MomentName(Moment m);

struct Indicator {
  std::string code;  // EECO02
  definition::Label label;
  Moment at = Moment::kEntry;
  std::vector<Condition> where;  // all must hold
  // … and, where there are any, all of one of these (ESF's long-term unemployment: over 12
  // months, or over 6 under 25). Plain conditions only: a sealed item is no alternative.
  std::vector<std::vector<Condition>> any;
  // The grand total counts every participant, complete or not (EECO01); the others count
  // complete records only.
  bool everyone = false;
  // Counts employers (distinct CVR numbers) of the participants who match, not participants
  // (EECO19, SMEs supported); not broken down.
  bool employers = false;
  // The operation supports no entities of this kind (EECO18 where no public body is
  // supported): reported as 0, not left out.
  bool none = false;
  // Counts company records (distinct CVR numbers) of SMEs that reached this milestone of their
  // company definition in the period (EECO19, SMEs supported directly: `companies: {reached:
  // staff_released}`); not broken down. Empty: the indicator counts participants.
  std::string company_milestone;
  bool counts_entities() const { return employers || none || !company_milestone.empty(); }
};

// A step of the pathway whose rate the project follows: of those who entered `from`, how many
// went on to one of `to` (GF2 to the main course).
struct StepRate {
  definition::Label label;
  std::string from;
  std::vector<std::string> to;
};

// What the project's own figures count beyond the funnel (the `figures` key).
struct ProjectFigures {
  std::vector<std::string> milestones;  // counted as reached (RKVs, contracts signed, …)
  std::string by;                       // starts of education broken down by this field (track)
  std::string credit;                   // a whole-number field summed over the RKVs (credit weeks)
  std::string credit_milestone;         // … of the pathways that reached this milestone
  std::vector<std::string> dropout_states;   // entering one of these is dropping out
  std::vector<std::string> dropout_reasons;  // the data fields that say why
  std::vector<StepRate> steps;
};

struct ReportConfig {
  std::string file;
  std::string definition;  // the pathway definition's id
  std::string operation;   // the ESF+ operation's id, stated on every report
  std::string start;       // the project's first and last day (YYYY-MM-DD): the forecast's end
  std::string end;
  // The ESF audit end (about five years after the last payment): personal data is kept,
  // restricted, until then (docs/privacy.md).
  std::string audit_end;
  std::string entry_milestone;              // reaching it enters the operation
  std::vector<std::string> leaving_phases;  // first entering a state of one leaves it
  // A record counts in the breakdowns only with all of these (the funder's completeness rule).
  std::vector<std::string> complete;
  std::string by;  // the breakdown field (gender)
  // Shared outside the partnership, cells with fewer participants than this are suppressed.
  int suppress_below = 5;
  std::vector<Indicator> indicators;
  DegurbaTable degurba;  // read where `degurba:` names the table
  // The project's figures: the funnel's milestones in order (registration comes first), the
  // target's milestone last.
  std::vector<std::string> funnel;
  ProjectFigures figures;
};

struct ReportConfigResult {
  ReportConfig config;
  std::vector<workflows::Diagnostic> diagnostics;  // non-empty: not usable
};

// Reads `path` and checks it against the newest loaded version of the definition it names.
ReportConfigResult LoadReportConfig(const std::string& path,
                                    const definition::DefinitionCatalog& definitions);

}  // namespace pathways::config
