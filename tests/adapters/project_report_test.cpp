// The project's report on rows made by hand: the forecast to the target with its range, the
// leads still needed, and the project's own figures.

#include "adapters/app/project_report.hpp"

#include <doctest/doctest.h>

#include "engine/runtime/calendar.hpp"
#include "tests/support/amigo_store.hpp"

namespace pathways::app {

TEST_CASE("reports: the project's forecast on known inputs") {
  constexpr TimestampMs kDay = 24LL * 3600 * 1000;
  auto catalog = testing::AmigoCatalog();
  config::ReportConfigResult loaded =
      config::LoadReportConfig(std::string(PATHWAYS_SOURCE_DIR) + "/config/reports.yaml", *catalog);
  REQUIRE(loaded.diagnostics.empty());
  auto def = catalog->Newest("amigo");
  TimestampMs as_of = 0;
  REQUIRE(runtime::ParseDate("2027-03-31", as_of));  // 92 days before the end, 2027-06-30
  std::vector<runtime::PathwayState> rows;
  auto row = [&](const std::string& id, TimestampMs created,
                 std::initializer_list<std::pair<const char*, TimestampMs>> milestones) {
    runtime::PathwayState s;
    s.pathway_id = id;
    s.definition_id = def->id;
    s.definition_version = def->version;
    s.state = "lead";
    s.created_at = created;
    s.entered["lead"] = {created, ""};
    s.data["referral_source"] = "jobcenter";
    for (const auto& [m, at] : milestones) s.milestones[m] = at;
    return s;
  };
  for (int i = 0; i < 10; ++i) {  // started education 60 days after registering
    const TimestampMs created = as_of - 200 * kDay;
    rows.push_back(row("reached" + std::to_string(i), created,
                       {{"intake_held", created + kDay},
                        {"rkv_completed", created + 20 * kDay},
                        {"plan_agreed", created + 30 * kDay},
                        {"enrolment_confirmed", created + 60 * kDay}}));
    rows.back().data["track"] = i < 4 ? "AMU" : "EUV2";
  }
  for (int i = 0; i < 10; ++i) {  // withdrew after the initial guidance
    const TimestampMs created = as_of - 200 * kDay;
    runtime::PathwayState s = row("left" + std::to_string(i), created, {{"intake_held", created}});
    s.entered["intake"] = {created, "lead"};
    s.entered["withdrawn_before_start"] = {created + 10 * kDay, "intake"};
    s.state = "withdrawn_before_start";
    s.data["withdrawal_reason"] = i < 7 ? "work" : "moved";
    rows.push_back(std::move(s));
  }
  // Open: new leads of the last month, and five with an AMU plan agreed at the guidance (an
  // AMU course needs no RKV, and none is counted).
  for (int i = 0; i < 5; ++i) {
    rows.push_back(row("new" + std::to_string(i), as_of - 30 * kDay, {}));
    const TimestampMs created = as_of - 100 * kDay;
    rows.push_back(row("plan" + std::to_string(i), created,
                       {{"intake_held", created}, {"plan_agreed", created + kDay}}));
    rows.back().data["track"] = "AMU";
  }
  RowSource source = [&](const std::function<bool(const runtime::PathwayState&)>& visit) {
    for (const auto& r : rows) visit(r);
    return Result<std::uint64_t>(std::uint64_t{77});
  };
  Result<ProjectReport> r = ProjectFiguresOf(loaded.config, *catalog, source, {}, as_of);
  REQUIRE(r.ok());
  CHECK(r->position == 77);
  CHECK(r->target.reached == 10);
  CHECK(r->target.count == 200);
  CHECK(r->stages == std::vector<std::string>{"registered", "intake_held", "plan_agreed",
                                              "enrolment_confirmed"});
  CHECK(r->funnel == std::vector<std::int64_t>{30, 25, 15, 10});
  const ProjectReport::Forecast& f = r->forecast;
  CHECK(f.days_left == 92);
  CHECK(f.open == std::vector<std::int64_t>{5, 0, 5, 0});
  // From registration: 10 of the 20 decided reached the target; from the plan, all 10.
  CHECK(f.rates[0].count == 10);
  CHECK(f.rates[0].of == 20);
  CHECK(f.rates[0].value == doctest::Approx(0.5));
  CHECK(f.rates[0].low == doctest::Approx(0.3274).epsilon(0.001));
  CHECK(f.rates[0].high == doctest::Approx(0.6726).epsilon(0.001));
  CHECK(f.rates[2].value == doctest::Approx(1.0));
  CHECK(f.rates[2].low == doctest::Approx(0.7870).epsilon(0.001));
  CHECK(f.median_days_to_target == 60);
  // 5 leads in 90 days; 92 - 60 = 32 days left in which a new lead can still start.
  CHECK(f.leads_per_month == doctest::Approx(5 * 30.44 / 90));
  CHECK(f.new_leads == doctest::Approx(5.0 * 32 / 90));
  // 10 reached + 5 x 0.5 + 5 x 1.0 in the pipeline + 1.78 new leads x 0.5.
  CHECK(f.expected == doctest::Approx(10 + 2.5 + 5 + 5.0 * 32 / 90 * 0.5));
  CHECK(f.low < f.expected);
  CHECK(f.high > f.expected);
  // (200 - 10 - 7.5) / 0.5 new leads to go.
  CHECK(f.leads_needed == 365);
  CHECK(r->lead_to_target.count == 10);
  CHECK(r->starts == std::map<std::string, std::int64_t>{{"AMU", 4}, {"EUV2", 6}});
  CHECK(r->dropout.total == 10);
  CHECK(r->dropout.by_phase == std::map<std::string, std::int64_t>{{"guidance", 10}});
  CHECK(r->dropout.by_reason == std::map<std::string, std::int64_t>{{"moved", 3}, {"work", 7}});
  CHECK(r->milestones.at("rkv_completed") == 10);  // only where one was made
  // A cohort: only those registered in the last 40 days.
  ReportQuery recent;
  recent.from = "2027-02-19";
  Result<ProjectReport> cohort = ProjectFiguresOf(loaded.config, *catalog, source, recent, as_of);
  REQUIRE(cohort.ok());
  CHECK(cohort->funnel.front() == 5);
  CHECK(cohort->target.reached == 10);  // the target counts everyone
}

}  // namespace pathways::app
