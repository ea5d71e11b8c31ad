// `pathways import` and `pathways import-companies`: every bad row named by its line and
// nothing imported, the good rows imported once however often the file is.

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "tests/support/cli_run.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

using testing::Pathways;
using testing::Run;

TEST_CASE("import: with schools, each lead names its school and a counsellor of it") {
  testing::TempDir tmp;
  const std::string workflows = std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows";
  std::ofstream(tmp / "users.yaml")
      << "schools:\n  nord: {name: Nord}\n  syd: {name: Syd}\n"
         "users:\n  anne: {name: Anne, role: counsellor, school: nord}\n"
         "  bo: {name: Bo, role: counsellor, school: syd}\n";
  std::ofstream(tmp / "pathways.yaml")
      << "data: store\nworkflows: [" << workflows << "]\nusers: users.yaml\n";
  const std::string base = "import --data " + (tmp / "store") + " --workflow " + workflows +
                           " --config " + (tmp / "pathways.yaml") + " ";
  std::ofstream(tmp / "none.csv") << "referral_source,contact_person\njobcenter,anne\n";
  Run none = Pathways(base + (tmp / "none.csv") + " 2>&1");
  CHECK(none.exit_code == 2);
  CHECK(none.out.find("none.csv:1: the users file has schools: a school column") !=
        std::string::npos);
  std::ofstream(tmp / "leads.csv") << "referral_source,school,contact_person\n"
                                      "jobcenter,nord,anne\n"
                                      "union,syd,anne\n"
                                      "union,vest,\n";
  Run bad = Pathways(base + (tmp / "leads.csv") + " 2>&1");
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.find("leads.csv:3: contact_person `anne` is not of school `syd`") !=
        std::string::npos);
  CHECK(bad.out.find("leads.csv:4: school `vest` is not in the users file") != std::string::npos);
  Run some = Pathways(base + (tmp / "leads.csv") + " --skip-bad 2>&1");
  CHECK_MESSAGE(some.exit_code == 0, some.out);
  CHECK(some.out.find("imported 1 lead(s)") != std::string::npos);
}

TEST_CASE("import: every bad row named by its line, none imported unless told, never twice") {
  testing::TempDir tmp;
  const std::string workflows = std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows";
  std::ofstream(tmp / "users.yaml") << "users:\n  anne: {name: Anne, role: counsellor}\n"
                                       "  bo: {name: Bo, role: counsellor}\n"
                                       "  admin: {name: Admin, role: administrator}\n";
  std::ofstream(tmp / "pathways.yaml")
      << "data: store\nworkflows: [" << workflows << "]\nusers: users.yaml\n";
  const std::string base = "import --data " + (tmp / "store") + " --workflow " + workflows +
                           " --config " + (tmp / "pathways.yaml") + " ";
  std::ofstream(tmp / "bad.csv")
      << "referral_source,contact_person,data.age_at_entry,identity.name\n"
         "jobcenter,anne,31,\"Nielsen, Navn\"\n"
         "jobcenter,anne,thirty,X\n"
         "union,bo,40,\"two\nlines\"\n"  // one record over lines 4-5
         ",bo,40,Z\n"
         "union,bo\n";
  Run refused = Pathways(base + (tmp / "bad.csv") + " 2>&1");
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.find("bad.csv:3: data.age_at_entry: `thirty` is not a whole number") !=
        std::string::npos);
  CHECK(refused.out.find("bad.csv:6: referral_source is empty") != std::string::npos);
  CHECK(refused.out.find("bad.csv:7: 2 cells where the header has 4") != std::string::npos);
  CHECK(refused.out.find("nothing imported") != std::string::npos);
  CHECK(Pathways("verify --data " + (tmp / "store") + " 2>&1").exit_code == 1);  // no store yet

  // Invalid UTF-8 in a row among good ones, or a contact person who is no counsellor: the
  // line is named and nothing is imported.
  std::ofstream(tmp / "mixed.csv") << "referral_source,contact_person,identity.name\n"
                                      "jobcenter,anne,Ok\n"
                                      "jobcenter,anne,Bad \xff\xfe name\n"
                                      "jobcenter,admin,Not a counsellor\n"
                                      "jobcenter,carl,Unknown\n";
  Run mixed = Pathways(base + (tmp / "mixed.csv") + " 2>&1");
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.out.find("mixed.csv:3: cell 3 is not valid UTF-8") != std::string::npos);
  CHECK(mixed.out.find("mixed.csv:4: contact_person `admin` is no counsellor") !=
        std::string::npos);
  CHECK(mixed.out.find("mixed.csv:5: contact_person `carl` is no counsellor") != std::string::npos);
  CHECK(mixed.out.find("nothing imported") != std::string::npos);
  CHECK(Pathways("verify --data " + (tmp / "store") + " 2>&1").exit_code == 1);  // no store yet
  Run no_config = Pathways("import --data " + (tmp / "store") + " --workflow " + workflows + " " +
                           (tmp / "mixed.csv") + " 2>&1");
  CHECK(no_config.exit_code == 2);
  CHECK(no_config.out.find("needs --config") != std::string::npos);

  Run skipped = Pathways(base + (tmp / "bad.csv") + " --skip-bad 2>&1");
  CHECK(skipped.exit_code == 0);
  CHECK(skipped.out.find("imported 2 lead(s)") != std::string::npos);
  CHECK(skipped.out.find("skipped 3 bad row(s)") != std::string::npos);
  Run again = Pathways(base + (tmp / "bad.csv") + " --skip-bad 2>&1");
  CHECK(again.out.find("imported 0 lead(s)") != std::string::npos);
  CHECK(again.out.find("2 were imported before") != std::string::npos);

  Run exported = Pathways("export --include-personal --data " + (tmp / "store"));
  CHECK(exported.out.find("Nielsen, Navn") != std::string::npos);
  CHECK(exported.out.find("two\\nlines") != std::string::npos);
  CHECK(exported.out.find("\"age_at_entry\":31") != std::string::npos);
  CHECK(exported.out.find("ContactPersonAssigned") != std::string::npos);
  CHECK(Pathways("verify --data " + (tmp / "store")).exit_code == 0);

  std::ofstream(tmp / "header.csv") << "referral_source,data.nope\njobcenter,1\n";
  Run header = Pathways(base + (tmp / "header.csv") + " --skip-bad 2>&1");
  CHECK(header.exit_code == 2);
  CHECK(header.out.find("header.csv:1: column `data.nope`: amigo has no data field `nope`") !=
        std::string::npos);
  std::ofstream(tmp / "open.csv") << "referral_source\n\"jobcenter\n";
  Run open = Pathways(base + (tmp / "open.csv") + " 2>&1");
  CHECK(open.exit_code == 2);
  CHECK(open.out.find("open.csv:2: a quoted cell is not closed") != std::string::npos);
}

TEST_CASE("import-companies: bad rows by their line, nothing imported, a record once") {
  testing::TempDir tmp;
  const std::string workflows = std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows";
  std::ofstream(tmp / "users.yaml")
      << "schools:\n  nord: {name: Nord}\n  syd: {name: Syd}\n"
         "users:\n  karin: {name: Karin, role: consultant, school: nord}\n"
         "  anne: {name: Anne, role: counsellor, school: nord}\n";
  std::ofstream(tmp / "pathways.yaml")
      << "data: store\nworkflows: [" << workflows << "]\nusers: users.yaml\n";
  const std::string base = "import-companies --data " + (tmp / "store") + " --workflow " +
                           workflows + " --config " + (tmp / "pathways.yaml") + " ";
  // A spreadsheet saved by Danish Excel: semicolons.
  std::ofstream(tmp / "bad.csv")
      << "cvr;name;size_band;industry;green;consultant;school;contact_name;contact_email\n"
         "31245672;Smedjen ApS;small;25;energy_efficiency;karin;nord;Lene "
         "Smed;lene@smedjen.example\n"
         "31245673;Tastefejl A/S;small;25;;karin;nord;;\n"
         "29876541;Byg A/S;large;00;;karin;nord;;\n"
         "31245672;Smedjen igen;small;25;;karin;nord;;\n"
         "35551239;Plejecenter;medium;87;;anne;nord;;\n"
         "11111114;Transport;small;49;blue;;syd;;\n"
         "22222228;Fødevarer;medium;10;;;nord;Aisha;ikke-en-adresse\n";
  Run bad = Pathways(base + (tmp / "bad.csv") + " 2>&1");
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.find("bad.csv:3: `cvr` is not a CVR number") != std::string::npos);
  CHECK(bad.out.find("bad.csv:4: industry `00` is not a DB07 code") != std::string::npos);
  CHECK(bad.out.find("bad.csv:5: CVR 31245672 appears twice in the file") != std::string::npos);
  CHECK(bad.out.find("bad.csv:6: consultant `anne` is no consultant") != std::string::npos);
  CHECK(bad.out.find("bad.csv:7: green tag `blue`") != std::string::npos);
  CHECK(bad.out.find("bad.csv:8: `email` is not an email address") != std::string::npos);
  CHECK_MESSAGE(bad.out.find("6 bad row(s); nothing imported") != std::string::npos, bad.out);
  CHECK_FALSE(std::filesystem::exists(tmp / "store"));  // nothing written, not even a store

  std::ofstream(tmp / "good.csv")
      << "cvr,name,size_band,industry,green,consultant,school,contact_name,contact_role\n"
         "31245672,Smedjen ApS,small,25,energy_efficiency green_jobs,karin,nord,Lene "
         "Smed,Indehaver\n"
         "29876541,Byg A/S,large,41,,,syd,,\n";
  Run good = Pathways(base + (tmp / "good.csv") + " 2>&1");
  CHECK_MESSAGE(good.exit_code == 0, good.out);
  CHECK(good.out.find("imported 2 companies") != std::string::npos);
  Run again = Pathways(base + (tmp / "good.csv") + " 2>&1");
  CHECK_MESSAGE(again.exit_code == 0, again.out);
  CHECK(again.out.find("imported 0 companies") != std::string::npos);
  CHECK(again.out.find("2 were imported before") != std::string::npos);
  // Another file naming a CVR with a record: a bad row, and nothing of the file imported.
  std::ofstream(tmp / "more.csv") << "cvr,name,size_band,industry,school\n"
                                     "35551239,Plejecenter,medium,87,nord\n"
                                     "31245672,Smedjen ApS,small,25,nord\n";
  Run taken = Pathways(base + (tmp / "more.csv") + " 2>&1");
  CHECK(taken.exit_code == 2);
  CHECK(taken.out.find("more.csv:3: CVR 31245672 has a record already") != std::string::npos);
  Run verified = Pathways("verify --data " + (tmp / "store"));
  CHECK(verified.exit_code == 0);
  CHECK(verified.out.rfind("ok: ", 0) == 0);
}

}  // namespace
}  // namespace pathways
