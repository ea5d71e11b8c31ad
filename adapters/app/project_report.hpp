#pragma once
// The project's own figures (docs/reports.md, "The project report"), from the same report rows
// as the ESF+ report: progress to the target with a forecast at the project's end, the funnel by
// referral source and campaign, days from lead to the target, milestones, starts by track,
// credit from the RKVs, dropout by phase and reason, step rates (GF2 to the main course),
// contacts per month against staying, and employers.
//
// The forecast counts from the time of the report's position (the log's own clock), so the
// report at a position is the same whenever it is asked.
//
// Thread-safe: a pure function of its inputs.

#include <map>
#include <string>
#include <vector>

#include "adapters/app/reports.hpp"

namespace pathways::app {

// A rate observed so far, with its 90% (Wilson) interval; `of` 0: nothing observed yet.
struct Rate {
  std::int64_t count = 0;
  std::int64_t of = 0;
  double value = 0;
  double low = 0;
  double high = 0;
};
Rate RateOf(std::int64_t count, std::int64_t of);

struct ProjectReport {
  std::uint64_t position = 0;
  TimestampMs as_of = 0;  // the time of the event at `position` (0: an empty log)
  ReportQuery query;
  std::string start;  // the project's days
  std::string end;

  struct Target {
    std::string milestone;
    std::int64_t count = 0;
    std::int64_t reached = 0;
  } target;

  // The funnel: registration, then the configured milestones (the target's last).
  std::vector<std::string> stages;
  std::vector<std::int64_t> funnel;  // pathways that reached each stage
  std::map<std::string, std::vector<std::int64_t>> by_source;
  std::map<std::string, std::vector<std::int64_t>> by_campaign;

  struct Forecast {
    std::int64_t days_left = 0;
    std::vector<std::int64_t> open;  // open pathways by the furthest stage they reached
    std::vector<Rate> rates;         // from each stage to the target, of those decided
    double leads_per_month = 0;      // registrations in the 90 days before `as_of`
    std::int64_t median_days_to_target = 0;
    double new_leads = 0;  // expected before it is too late to reach the target by the end
    double expected = 0;   // the target's count expected at the end, and its range
    double low = 0;
    double high = 0;
    std::int64_t leads_needed = 0;  // new leads needed beyond the pipeline (0: on course)
  } forecast;

  struct Days {
    std::int64_t count = 0;
    std::int64_t median = 0;
    std::int64_t p25 = 0;
    std::int64_t p75 = 0;
  } lead_to_target;

  std::map<std::string, std::int64_t> milestones;
  std::string starts_by;  // the field starts are broken down by
  std::map<std::string, std::int64_t> starts;
  struct Credit {
    std::int64_t rkvs = 0;
    std::int64_t weeks = 0;
  } credit;
  struct Dropout {
    std::int64_t total = 0;
    std::map<std::string, std::int64_t> by_phase;   // the phase of the state left from
    std::map<std::string, std::int64_t> by_reason;  // "" : none recorded
  } dropout;
  struct Step {
    definition::Label label;
    Rate rate;  // went on, of those who entered `from`
  };
  std::vector<Step> steps;
  // Contacts per month in the pathway (bands), and how many of each band dropped out.
  struct ContactBand {
    std::string band;  // "<1", "1-2", "2-4", "4+"
    std::int64_t participants = 0;
    std::int64_t dropped_out = 0;
  };
  std::vector<ContactBand> contacts;
  struct Employers {
    std::int64_t engaged = 0;          // distinct CVR numbers recorded on pathways
    std::int64_t smes = 0;             // of them SMEs
    std::int64_t releasing_staff = 0;  // employing a participant who started education
    std::int64_t company_visit_leads = 0;
  } employers;
};

// Computes the project's figures over the rows `source` gives; `as_of` is the time the forecast
// counts from. `from`/`to` of the query pick the cohort by registration day; the target and the
// forecast always count every pathway (of the school).
Result<ProjectReport> ProjectFiguresOf(const config::ReportConfig& config,
                                       const definition::DefinitionCatalog& definitions,
                                       const RowSource& source, const ReportQuery& query,
                                       TimestampMs as_of);

nlohmann::json ProjectJson(const ProjectReport& report);
// Section, key, value rows: one figure a line.
std::string ProjectCsv(const ProjectReport& report);

}  // namespace pathways::app
