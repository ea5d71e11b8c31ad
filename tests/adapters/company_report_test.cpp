// The companies' figures counted by hand over records and participants made for the purpose:
// stages by school, the steps reached (and by SMEs), the median days from a first contact to
// the first employee on a pathway, declines by reason, green needs.

#include "adapters/app/company_report.hpp"

#include <doctest/doctest.h>

#include "workflows/loader.hpp"

namespace pathways::app {
namespace {

constexpr TimestampMs kFigureDay = 24LL * 3600 * 1000;
constexpr TimestampMs kFigureStart = 1772438400000;  // 2026-03-02

runtime::PathwayState Record(const std::string& cvr, const std::string& school,
                             const std::string& state, const std::string& band,
                             std::vector<std::string> milestones, TimestampMs first_contact) {
  runtime::PathwayState s;
  s.pathway_id = "company-" + cvr;
  s.definition_id = "company";
  s.version = 3;
  s.school = school;
  s.state = state;
  s.company.cvr = cvr;
  s.company.name = "Virksomhed " + cvr;
  s.company.size_band = band;
  s.company.first_contact_at = first_contact;
  for (const std::string& m : milestones) s.milestones[m] = first_contact;
  return s;
}

runtime::PathwayState Participant(const std::string& employer, const std::string& referred,
                                  TimestampMs started) {
  runtime::PathwayState p;
  p.employer.cvr = employer;
  p.referred_by_company = referred;
  p.created_at = started;
  return p;
}

TEST_CASE("the companies' figures, counted by hand") {
  auto def = workflows::LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) +
                                           "/config/workflows/company.yaml");
  REQUIRE(def.definition != nullptr);
  std::vector<runtime::PathwayState> records = {
      // A: released staff; its first employee started 30 days after the first contact.
      Record("31245672", "amigo", "staff_released", "small",
             {"first_contact", "needs_uncovered", "upskilling_agreed", "staff_released"},
             kFigureStart),
      // B: declined (cannot release staff), a large company; an employee who started before
      // the first contact does not count as the dialogue's result.
      Record("29876541", "amigo", "declined", "large", {"first_contact"},
             kFigureStart + 10 * kFigureDay),
      // C: needs uncovered, two needs with green tags; a lead from its visit 10 days on, and
      // one 40 days on: the first counts.
      Record("35551239", "nordvest", "needs_uncovered", "medium",
             {"first_contact", "needs_uncovered"}, kFigureStart),
      // D: identified, never contacted: no days to count even with an employee.
      Record("12345674", "nordvest", "identified", "micro", {}, 0),
      // E: dormant after a decline for bad timing, an employee 61 days after first contact.
      Record("11111114", "amigo", "dormant", "micro", {"first_contact"}, kFigureStart),
  };
  records[1].data["decline_reason"] = "cannot_release_staff";
  records[4].data["decline_reason"] = "bad_timing";
  records[2].company.needs["n1"].green = {"green_competences", "energy_efficiency"};
  records[2].company.needs["n2"].green = {"green_competences"};
  const std::vector<runtime::PathwayState> participants = {
      Participant("31245672", "", kFigureStart + 30 * kFigureDay),
      Participant("29876541", "", kFigureStart + 5 * kFigureDay),
      Participant("", "35551239", kFigureStart + 40 * kFigureDay),
      Participant("", "35551239", kFigureStart + 10 * kFigureDay),
      Participant("12345674", "", kFigureStart + 3 * kFigureDay),
      Participant("11111114", "11111114", kFigureStart + 61 * kFigureDay),
      Participant("99999999", "", kFigureStart),  // no record: counts nowhere
  };

  const CompanyReport all = CompanyFigures(*def.definition, records, participants, "");
  CHECK(all.records == 5);
  CHECK(all.smes == 4);  // every one but the large
  CHECK(all.by_stage.at("amigo").at("staff_released") == 1);
  CHECK(all.by_stage.at("amigo").at("declined") == 1);
  CHECK(all.by_stage.at("nordvest").at("identified") == 1);
  REQUIRE(all.steps.size() == 4);
  CHECK(all.steps[0].milestone == "first_contact");
  CHECK(all.steps[0].reached == 4);
  CHECK(all.steps[0].smes == 3);
  CHECK(all.steps[1].reached == 2);  // needs uncovered: A and C
  CHECK(all.steps[3].reached == 1);  // staff released: A
  // A 30 days, C 10 days, E 61 days: the median is 30. B's employee came before its first
  // contact, D was never contacted.
  CHECK(all.with_employee == 3);
  REQUIRE(all.median_days_to_first_employee.has_value());
  CHECK(*all.median_days_to_first_employee == doctest::Approx(30.0));
  CHECK(all.declines_by_reason ==
        std::map<std::string, std::int64_t>{{"bad_timing", 1}, {"cannot_release_staff", 1}});
  CHECK(all.green_needs ==
        std::map<std::string, std::int64_t>{{"energy_efficiency", 1}, {"green_competences", 2}});

  // One school: its own records (the stages of every school stay beside them).
  const CompanyReport nordvest = CompanyFigures(*def.definition, records, participants, "nordvest");
  CHECK(nordvest.records == 2);
  CHECK(nordvest.with_employee == 1);
  CHECK(*nordvest.median_days_to_first_employee == doctest::Approx(10.0));
  CHECK(nordvest.declines_by_reason.empty());
  CHECK(nordvest.by_stage.at("amigo").at("dormant") == 1);
  // An even count takes the mean of the middle two: A (30) and E (61) in amigo.
  const CompanyReport amigo = CompanyFigures(*def.definition, records, participants, "amigo");
  CHECK(*amigo.median_days_to_first_employee == doctest::Approx(45.5));
}

}  // namespace
}  // namespace pathways::app
