// The reports file and its DEGURBA table are checked against the definition: every problem at
// its file, line and column.

#include "adapters/config/report_config.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "tests/support/amigo_store.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/loader.hpp"

namespace pathways::config {
namespace {

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// The problems of a reports file (and the DEGURBA table beside it), each from its file name.
std::vector<std::string> Problems(const std::string& yaml, const std::string& degurba = "") {
  testing::TempDir tmp;
  std::ofstream(tmp / "reports.yaml") << yaml;
  if (!degurba.empty()) std::ofstream(tmp / "degurba.yaml") << degurba;
  std::vector<std::string> out;
  for (const auto& d :
       LoadReportConfig(tmp / "reports.yaml", *testing::AmigoCatalog()).diagnostics) {
    out.push_back(d.ToString().substr(tmp.path().size() + 1));
  }
  return out;
}

TEST_CASE("reports: the reports file is checked against the definition at line and column") {
  const std::string head =
      "definition: amigo\noperation: X\n"
      "project: {start: 2025-01-01, end: 2027-06-30, audit_end: 2032-12-31}\n"
      "entry: {milestone: intake_held}\nleaving: {phases: [completion, exit]}\n"
      "complete: [gender]\nby: gender\n";
  CHECK(Problems(head + "indicators: []\n").empty());
  std::vector<std::string> p = Problems(
      head +
      "indicators:\n"
      "  - {code: EECO02, label: L, where: {employment_status: unemploied}}\n"
      "  - {code: EECO02, label: L}\n"
      "  - {code: eeco3, label: L, at: leavin}\n"
      "  - {code: EECO12, label: L, where: {special.disabilty: 'yes', age_at_entry: {from: x}}}\n"
      "  - {code: EECO19, label: L, where: {employer.sme: maybe}, colour: red}\n");
  const std::vector<std::string> expected = {
      "reports.yaml:9:57: error: unknown value of employment_status `unemploied` (did you mean "
      "`unemployed`?)",
      "reports.yaml:10:12: error: indicator EECO02 is defined twice",
      "reports.yaml:11:12: error: an indicator code is 2-16 capital letters and digits (EECO02)",
      "reports.yaml:11:33: error: `at` is entry, leaving or six_months (did you mean `leaving`?)",
      "reports.yaml:12:38: error: `special.disabilty` is not a data field, a personal payload "
      "field (scope.field), employer.sme, municipality.degurba or reached of amigo (did you mean "
      "`special.disability`?)",
      "reports.yaml:12:85: error: from must be a whole number",
      "reports.yaml:13:52: error: `employer.sme` is true or false, not `maybe`",
      "reports.yaml:13:60: error: unknown key `colour` in an indicator"};
  for (std::size_t i = 0; i < std::max(p.size(), expected.size()); ++i) {
    CHECK(i < p.size());
    CHECK(i < expected.size());
    if (i < p.size() && i < expected.size()) CHECK(p[i] == expected[i]);
  }
  p = Problems(
      "definition: amigo\noperation: X\n"
      "project: {start: 2027-01-01, end: 2026-06-30, audit_end: 2032-13-31}\n"
      "entry: {milestone: intake}\nleaving: {phases: [exit, gone]}\ncomplete: [sex]\n"
      "by: age_at_entry\nsuppress_below: 0\nfunnel: [intake_held, rkv]\nindicators: []\n");
  CHECK(p == std::vector<std::string>{
                 "reports.yaml:3:35: error: the project ends before it starts",
                 "reports.yaml:3:58: error: audit_end is a date YYYY-MM-DD, not `2032-13-31`",
                 "reports.yaml:4:20: error: unknown milestone `intake`",
                 "reports.yaml:5:26: error: unknown phase `gone`",
                 "reports.yaml:6:12: error: unknown data field `sex`",
                 "reports.yaml:7:5: error: the breakdown `age_at_entry` is a text with allowed "
                 "values",
                 "reports.yaml:8:17: error: suppress_below is between 1 and 100",
                 "reports.yaml:9:9: error: the funnel ends with the target's milestone "
                 "`enrolment_confirmed`",
                 "reports.yaml:9:23: error: unknown milestone `rkv`"});
  // Alternatives, dates, the DEGURBA table and entities supported.
  p = Problems(
      head + "degurba: degurba.yaml\n" +
          "indicators:\n"
          "  - {code: A1, label: L, any: [{special.minority: 'yes'}, {unemployed: true}]}\n"
          "  - {code: A2, label: L, any: [{unemployed: true}]}\n"
          "  - {code: A3, label: L, where: {unemployed_since: 2025-01-01}}\n"
          "  - {code: A4, label: L, where: {unemployed_since: {over: 0 days}}}\n"
          "  - {code: A5, label: L, where: {municipality.degurba: 4, reached: rkv}}\n"
          "  - {code: A6, label: L, none: true, where: {unemployed: true}}\n",
      "version: X\nsource: Y\nmunicipalities:\n  \"751\": [Aarhus, 1]\n"
      "  \"79\": [Viborg, 2]\n  \"779\": [Skive, 5]\n  \"101\": København\n");
  CHECK(Lines(p) ==
        Lines({"reports.yaml:10:51: error: `special.minority` is sealed: it may stand in "
               "`where`, not in `any`",
               "reports.yaml:11:31: error: `any` is a list of two or more alternatives, each "
               "like `where`",
               "reports.yaml:12:52: error: `unemployed_since` is a date: test the time since "
               "it, `{over: ..}`",
               "reports.yaml:13:59: error: `over` is a positive time of at most ten years",
               "reports.yaml:14:56: error: a DEGURBA class is 1 (cities), 2 (towns and suburbs) "
               "or 3 (rural areas)",
               "reports.yaml:14:68: error: unknown milestone `rkv`",
               "reports.yaml:15:32: error: indicator A6 counts nothing (`none`): it takes no "
               "other condition",
               "degurba.yaml:5:3: error: a municipality code is three digits (\"751\"), not `79`",
               "degurba.yaml:6:18: error: a DEGURBA class is 1 (cities), 2 (towns and suburbs) "
               "or 3 (rural areas), not 5",
               "degurba.yaml:7:10: error: municipality 101 is [name, class]"}));
  CHECK(Problems(head + "indicators:\n  - {code: A1, label: L, where: {municipality.degurba: 3}}\n")
            .front() ==
        "reports.yaml:9:34: error: `municipality.degurba` needs the DEGURBA "
        "table: name it with `degurba:`");
  CHECK(Problems(head + "degurba: nowhere.yaml\nindicators: []\n").front() ==
        "nowhere.yaml:1:1: error: cannot read the DEGURBA table");
  CHECK(Problems("definition: amigo2\n")[0] ==
        "reports.yaml:1:1: error: the reports file needs `operation`");
  CHECK(Problems("definition: amigo2\n")
            .back()
            .find("definition `amigo2` is not loaded (did you mean `amigo`?)") !=
        std::string::npos);
}

TEST_CASE("reports: an indicator of supported SMEs names a milestone of the company definition") {
  auto catalog = testing::AmigoCatalog();
  auto company = workflows::LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) +
                                               "/config/workflows/company.yaml");
  REQUIRE(company.definition != nullptr);
  catalog->Add(company.definition);
  testing::TempDir tmp;
  std::ofstream(tmp / "reports.yaml")
      << "definition: amigo\noperation: X\n"
         "project: {start: 2025-01-01, end: 2027-06-30, audit_end: 2032-12-31}\n"
         "entry: {milestone: intake_held}\nleaving: {phases: [completion, exit]}\n"
         "complete: [gender]\nby: gender\nindicators:\n"
         "  - {code: EECO19, label: L, companies: {reached: staff_released}}\n"
         "  - {code: EECO20, label: L, companies: {reached: staff_relased}}\n"
         "  - {code: EECO21, label: L, companies: {reached: staff_released}, employers: true}\n";
  std::vector<std::string> p;
  for (const auto& d : LoadReportConfig(tmp / "reports.yaml", *catalog).diagnostics) {
    p.push_back(d.ToString().substr(tmp.path().size() + 1));
  }
  const std::vector<std::string> expected = {
      "reports.yaml:10:51: error: `staff_relased` is no milestone of a company definition (did "
      "you mean `staff_released`?)",
      "reports.yaml:11:41: error: indicator EECO21 counts company records (`companies`): it "
      "takes no other condition"};
  CHECK(p == expected);
}

}  // namespace
}  // namespace pathways::config
