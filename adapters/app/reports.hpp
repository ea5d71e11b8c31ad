#pragma once
// The funder's reports, computed from the pathways' report rows (engine: VisitReportRows) as the
// log stands or as of any earlier position, never from a replay of the log: the ESF+ indicators
// of config/reports.yaml (docs/reports.md), with the completeness rule, breakdowns and the
// suppression of small cells for what is shared outside the partnership.
//
// EsfFigures is the pure count over rows (what the tests check by hand and the property test
// compares with a replay); Reports binds it to a store and the access rules.
//
// Thread-safe: EsfFigures is a pure function of its inputs; Reports holds only pointers.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/config/report_config.hpp"
#include "adapters/config/server_config.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/ports/store.hpp"
#include "engine/runtime/pathway_state.hpp"

namespace pathways::app {

struct ReportQuery {
  std::string from;  // the period's first and last day (YYYY-MM-DD), inclusive; "": open
  std::string to;
  std::string school;               // "": the whole partnership
  std::optional<std::uint64_t> at;  // a log position; nullopt: as the log stands
  // For outside the partnership: cells of 1 to suppress_below-1 participants are suppressed,
  // and one more where a total would give a suppressed cell away.
  bool shared = false;
  // Every cell of an indicator that counts participants lists the pathways it counts (the
  // drill-down; never for a shared report). Off, a report holds counts alone: a hundred
  // thousand ids per cell cost memory.
  bool name_pathways = false;
};

struct Cell {
  std::int64_t count = 0;
  bool suppressed = false;            // the count is withheld (and reported as null)
  std::vector<std::string> pathways;  // with name_pathways: the pathways counted, sorted
};

struct IndicatorFigures {
  std::string code;
  definition::Label label;
  config::Moment at = config::Moment::kEntry;
  bool employers = false;  // counts entities (employers, or `none`): no breakdown
  bool none = false;       // the operation supports no entities of its kind: always 0
  std::vector<Cell> by;    // one per breakdown value (EsfReport::by), in order
  Cell total;
};

// A participant counted at entry whose record misses what the completeness rule asks.
struct IncompleteRecord {
  std::string pathway_id;
  std::string contact_person;
  std::string school;
  std::vector<std::string> missing;  // data fields
};

struct EsfReport {
  std::uint64_t position = 0;  // the log position the figures are as of
  std::string operation;
  ReportQuery query;
  std::string by;                      // the breakdown field
  std::vector<std::string> by_values;  // its values, in the definition's order
  std::vector<definition::Label> by_labels;
  std::vector<IndicatorFigures> indicators;
  std::vector<IncompleteRecord> incomplete;
  int suppress_below = 5;  // what a suppressed cell is under
};

// A personal payload field's value for a row ("identity.disability"), or nullopt when it was
// never recorded or its key was erased. Called from two threads at once (EsfFigures reads a
// batch's items on both); a row's fields from one thread, one after another.
using SealedReader = std::function<std::optional<nlohmann::json>(const runtime::PathwayState& row,
                                                                 const std::string& field)>;

// Reads report rows (each row to `visit`, which returns false to stop) and answers the position
// they are as of: the store's VisitReportRows, or a test's own rows.
using RowSource = std::function<Result<std::uint64_t>(
    const std::function<bool(const runtime::PathwayState&)>& visit)>;

// The query's period as Danish day numbers (nullopt: open). InvalidArgument: a malformed day, or
// `to` before `from`.
Status ParsePeriod(const ReportQuery& query, std::optional<std::int64_t>& from,
                   std::optional<std::int64_t>& to);

// When a report row first reached one of the config's leaving phases (by the states of the
// row's own definition version), or nullopt.
std::optional<TimestampMs> LeftAt(const config::ReportConfig& config,
                                  const definition::DefinitionCatalog& definitions,
                                  const runtime::PathwayState& row);

// Counts the indicators over the rows `source` gives. InvalidArgument: a malformed day in the
// query.
Result<EsfReport> EsfFigures(const config::ReportConfig& config,
                             const definition::DefinitionCatalog& definitions,
                             const RowSource& source, const ReportQuery& query,
                             const SealedReader& sealed);

// The time of the event at `position` (0 for position 0): what the project's forecast counts
// from, so a report at a position is the same whenever it is asked.
Result<TimestampMs> TimeAt(const EventStore& store, std::uint64_t position);

// Reads personal payload fields where they were sealed: special-category items from the copies
// kept beside the report rows (PathwayQueries::KeptSpecialInOrder), the rest from the events that
// recorded them. The store must be open with its master key. For one report at a time: it keeps
// each thread's last part opened, which answers a row's other items, and each thread's walk
// over the kept copies, fastest when the rows come in key order.
SealedReader StoreSealedReader(const Store& store);

// The last log position at the end of a Danish day "YYYY-MM-DD" (0: nothing by then), found by
// halving over the log's occurred-at times. InvalidArgument: not a day.
Result<std::uint64_t> PositionAtEndOf(const EventStore& store, const std::string& day);

// What a report's `at` names: a log position (digits), or the end of a day (YYYY-MM-DD).
// InvalidArgument, naming the parameter as `what`: neither, or a position past the head.
Result<std::uint64_t> PositionAt(const EventStore& store, const std::string& at,
                                 const std::string& what);

// The report as JSON (docs/reports.md): counted with name_pathways, every cell of an indicator
// that counts participants names the pathways it counts (never in a shared report).
nlohmann::json EsfJson(const EsfReport& report);
// The report as CSV (RFC 4180, `\n`): code, label, moment, one column per breakdown value, total;
// a suppressed cell reads `<N`. Labels in `lang` (da | en).
std::string EsfCsv(const EsfReport& report, const std::string& lang);

struct ReportsOptions {
  Store* store = nullptr;                                        // required
  std::shared_ptr<const definition::DefinitionCatalog> catalog;  // required
  const config::ReportConfig* config = nullptr;                  // null: no reports file
  const std::map<std::string, config::School>* schools = nullptr;
};

struct ProjectReport;

class Reports {
 public:
  explicit Reports(ReportsOptions options) : o_(std::move(options)) {}

  // Whether a reports file is loaded.
  bool configured() const { return o_.config != nullptr; }
  // For administrators and auditors: a partnership-wide one any school or all, a school's its
  // own (PermissionDenied otherwise); InvalidArgument: an unknown school, a bad day, a
  // position past the log's head; FailedPrecondition: no reports file.
  Result<EsfReport> Esf(const config::User& user, ReportQuery query) const;
  // The project's figures (project_report.hpp), with the same rules.
  Result<ProjectReport> Project(const config::User& user, ReportQuery query) const;

 private:
  Status Check(const config::User& user, ReportQuery& query) const;
  ReportsOptions o_;
};

}  // namespace pathways::app
