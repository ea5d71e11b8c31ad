// The administrator's and the auditor's pages over a real server on 127.0.0.1: leads imported
// from an upload, the funder's reports as tables, charts and downloads, the chain verified and
// a pathway as it stood. The pages in a real browser, with axe-core, are tests/browser.

#include <doctest/doctest.h>

#include <future>
#include <regex>
#include <set>

#include "adapters/app/workspace.hpp"
#include "adapters/auth/passwords.hpp"
#include "adapters/http/server.hpp"
#include "adapters/web/assets.hpp"
#include "adapters/web/messages.hpp"
#include "adapters/web/pages.hpp"
#include "adapters/web/web.hpp"
#include "engine/event_types.hpp"
#include "tests/support/web_fixture.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::web {
namespace {

using config::Role;
using testing::HttpReply;
using Fixture = testing::WebFixture;
using testing::kPassword;

TEST_CASE("web: leads imported from a CSV upload, each bad row by its line, and the progress") {
  Fixture f;
  const std::string admin = f.SignIn("admin");
  const std::string csrf = f.Csrf(admin);
  auto upload = [&](const std::string& mode, const std::string& csv, bool skip_bad = false) {
    return f.ImportUpload("/admin/import", admin, csrf, mode, csv, skip_bad);
  };
  auto leads = [&] {
    auto counts = f.store->Counts();
    REQUIRE(counts.ok());
    auto n = counts->find("state:lead");
    return n == counts->end() ? std::int64_t{0} : n->second;
  };
  CHECK(f.Get("/admin/import", admin).status == 200);
  CHECK(f.Get("/admin/import", f.SignIn("anne")).status == 404);

  // A Danish spreadsheet's file (semicolons) with a bad row: each problem by its line, and
  // nothing imported, whether checked or imported.
  const std::string bad =
      "referral_source;identity.name;data.unemployed\n"
      "jobcenter;Ali <b>Hassan</b>;ja\n"
      "union;Mette Jensen;måske\n"
      ";Ole Olsen;nej\n";
  HttpReply checked = upload("check", bad);
  CHECK(checked.status == 200);
  CHECK(checked.body.find("<td class=\"app-number\">3</td>") != std::string::npos);
  CHECK(checked.body.find("`måske` is not true/false") != std::string::npos);
  CHECK(checked.body.find("<td class=\"app-number\">4</td>") != std::string::npos);
  CHECK(checked.body.find("2 fejl; 1 rækker er i orden") != std::string::npos);
  HttpReply refused = upload("import", bad);
  CHECK(refused.status == 422);
  CHECK(refused.body.find("Intet er importeret") != std::string::npos);
  CHECK(leads() == 0);
  // With the good rows only, when asked.
  HttpReply some = upload("import", bad, /*skip_bad=*/true);
  CHECK(some.status == 200);
  CHECK(some.body.find("1 henvendelser er importeret; 0 var importeret før; 2 rækker med fejl") !=
        std::string::npos);
  CHECK(leads() == 1);
  // The same file again registers nothing twice.
  HttpReply again = upload("import", bad, true);
  CHECK(again.body.find("0 henvendelser er importeret; 1 var importeret før") != std::string::npos);
  CHECK(leads() == 1);
  // Not CSV at all: refused as a whole.
  HttpReply broken = upload("import", "referral_source,identity.name\n\"jobcenter,Ali\n", true);
  CHECK(broken.status == 422);
  CHECK(broken.body.find("quoted cell is not closed") != std::string::npos);
  CHECK(leads() == 1);

  // Progress: the target with the numbers beside the charts.
  HttpReply progress = f.Get("/admin/progress", admin);
  REQUIRE(progress.status == 200);
  CHECK(progress.body.find("class=\"app-chart\"") != std::string::npos);
  CHECK(progress.body.find("<strong>0</strong> af målet 200") != std::string::npos);
  CHECK(
      std::regex_search(progress.body, std::regex("Henvendelse</th><td class=\"app-number\">1<")));
  CHECK(progress.body.find("style=") == std::string::npos);
  CHECK(f.Get("/admin/progress?school=nowhere", admin).status == 404);
  // No notifier in this server: nothing to show, said so.
  CHECK(f.Get("/admin/notifications", admin).status == 404);
}

TEST_CASE("web: the reports, as tables and charts, downloaded, shared and opened to names") {
  Fixture f;
  f.Lead("anne", "pw-1", "Maja Jensen");
  const std::string anne = f.SignIn("anne");
  const std::string csrf = f.Csrf(anne);
  auto act = [&](const std::string& form) {
    return f.Post("/participants/pw-1/act", "csrf=" + csrf + "&act=trigger&" + form, anne,
                  f.origin_header);
  };
  // The entry record through the counsellor's own form, a sensitive item included.
  REQUIRE(act("trigger=record_entry&p.gender=woman&p.employment_status=unemployed&"
              "p.education_level=isced_0_2&p.household=other&p.disability=yes&"
              "cmd=web-0000000001")
              .status == 303);
  REQUIRE(act("trigger=hold_intake&p.age_at_entry=40&cmd=web-0000000002").status == 303);

  // Counsellors have no reports, and no link to them.
  CHECK(f.Get("/reports", anne).status == 404);
  CHECK(f.Get("/participants", anne).body.find("href=\"/reports\"") == std::string::npos);

  const std::string admin = f.SignIn("admin");
  const std::string position = std::to_string(f.store->Head().position);
  HttpReply esf = f.Get("/reports", admin);
  REQUIRE(esf.status == 200);
  CHECK(esf.body.find("href=\"/reports\" aria-current=\"page\"") != std::string::npos);
  CHECK(esf.body.find("Opgjort ved position " + position) != std::string::npos);
  // EECO01 and EECO12 (read from the sealed answer): one woman, a link to who she is.
  const std::regex eeco01(
      "<td>EECO01</td><th scope=\"row\">[^<]+</th><td class=\"app-number\"><a "
      "href=\"/reports/esf/cell\\?code=EECO01&amp;value=woman\">1</a></td>");
  CHECK(std::regex_search(esf.body, eeco01));
  CHECK(std::regex_search(esf.body, std::regex("<td>EECO12</td>.*?value=total\">1</a>")));
  CHECK(esf.body.find("class=\"app-chart\"") != std::string::npos);
  CHECK(esf.body.find("Ufuldstændige registreringer (0)") != std::string::npos);
  CHECK(esf.body.find("style=") == std::string::npos);

  // Shared outside the partnership: the one woman is withheld, marked, never a link.
  HttpReply shared = f.Get("/reports/esf?shared=true", admin);
  REQUIRE(shared.status == 200);
  CHECK(shared.body.find("<abbr title=\"" + Message(Lang::kDa, "reports_suppressed") +
                         "\">&lt;5</abbr>") != std::string::npos);
  CHECK(shared.body.find("/reports/esf/cell") == std::string::npos);
  CHECK(shared.body.find("Ufuldstændige") == std::string::npos);

  // The same figures to download, under the session.
  HttpReply csv = f.Get("/reports/esf?format=csv&shared=true", admin);
  REQUIRE(csv.status == 200);
  CHECK(csv.headers["content-type"] == "text/csv; charset=utf-8");
  CHECK(csv.headers["content-disposition"] == "attachment; filename=\"esf-" + position + ".csv\"");
  CHECK(csv.body.find("\nEECO01,Deltagere i alt,entry,<5,0,0,<5\n") != std::string::npos);
  CHECK(f.Get("/reports/project?format=json", admin).body.find("\"target\"") != std::string::npos);

  // As the log stood at the registration: nobody had entered yet; a bad position is said.
  HttpReply then = f.Get("/reports/esf?at=1", admin);
  REQUIRE(then.status == 200);
  CHECK(then.body.find("/reports/esf/cell") == std::string::npos);
  HttpReply bad = f.Get("/reports/esf?at=99999", admin);
  CHECK(bad.status == 400);
  CHECK(bad.body.find("class=\"alert alert-error\"") != std::string::npos);
  CHECK(f.Get("/reports/esf?from=2026-13-01", admin).status == 400);

  // A figure opened to its participants: the purpose first, then the names, each read recorded.
  const std::string cell = "/reports/esf/cell?code=EECO01&value=woman";
  HttpReply ask = f.Get(cell, admin);
  REQUIRE(ask.status == 200);
  CHECK(ask.body.find("name=\"next\" value=\"/reports/esf/cell?code=EECO01&amp;value=woman\"") !=
        std::string::npos);
  CHECK(f.Stream("$access:p-pw-1").empty());
  REQUIRE(f.Post("/purpose", "csrf=" + f.Csrf(admin) + "&purpose=ESF-afrapportering", admin,
                 f.origin_header)
              .status == 303);
  HttpReply names = f.Get(cell, admin);
  REQUIRE(names.status == 200);
  CHECK(names.body.find("Maja Jensen") != std::string::npos);
  CHECK(names.body.find("href=\"/participants/pw-1\"") != std::string::npos);
  const std::vector<RecordedEvent> reads = f.Stream("$access:p-pw-1");
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].data.find("ESF-afrapportering") != std::string::npos);
  CHECK(reads[0].actor.user == "admin");
  CHECK(f.Get("/reports/esf/cell?code=EECO01&value=man", admin).body.find("Maja") ==
        std::string::npos);
  CHECK(f.Get("/reports/esf/cell?code=NOPE&value=woman", admin).status == 404);
  CHECK(f.Get(cell + "&shared=true", admin).status == 404);

  // The project's figures: the target with its forecast drawn, and the funnel.
  const std::string revisor = f.SignIn("revisor");
  HttpReply project = f.Get("/reports/project", revisor);
  REQUIRE(project.status == 200);
  CHECK(project.body.find("Nået: 0 af målet 200") != std::string::npos);
  CHECK(project.body.find("class=\"app-chart-forecast\"") != std::string::npos);
  CHECK(std::regex_search(
      project.body, std::regex("<th scope=\"row\">Henvendelse</th><td class=\"app-number\">1<")));
  CHECK(project.body.find("style=") == std::string::npos);
  // In English, on the auditor's links to the pathway's audit page.
  HttpReply en = f.Get("/reports/esf", revisor + "; pw_lang=en");
  CHECK(en.body.find("ESF+ indicators") != std::string::npos);
  CHECK(en.body.find("Total number of participants") != std::string::npos);
}

TEST_CASE("web: an auditor verifies the chain and sees a pathway as it stood, and who read it") {
  Fixture f;
  f.Lead("anne", "pw-1", "Maja Jensen");
  // Anne reads the name (recorded); a day later the pathway moves on.
  const std::string anne = f.SignIn("anne");
  const std::string csrf = f.Csrf(anne);
  f.Post("/purpose", "csrf=" + csrf + "&purpose=opf%C3%B8lgning", anne, f.origin_header);
  REQUIRE(f.Get("/participants/pw-1", anne).status == 200);
  f.clock.Advance(24 * 3'600'000);
  REQUIRE(f.Post("/participants/pw-1/act",
                 "csrf=" + csrf + "&act=trigger&trigger=hold_intake&cmd=web-0000000003", anne,
                 f.origin_header)
              .status == 303);
  // A counsellor has no audit pages.
  CHECK(f.Get("/audit", anne).status == 404);

  const std::string revisor = f.SignIn("revisor");
  HttpReply verify = f.Get("/audit/verify", revisor);
  REQUIRE(verify.status == 200);
  CHECK(verify.body.find(Message(Lang::kDa, "audit_chain_ok")) != std::string::npos);
  CHECK(std::regex_search(verify.body, std::regex("<code class=\"app-hash\">[0-9a-f]{64}</code>")));

  // On the day of registration it was a lead; today it is in intake, and the page says why.
  const std::string day0 = "2026-03-02";
  HttpReply then = f.Get("/audit/pathways/pw-1?at=" + day0, revisor);
  REQUIRE(then.status == 200);
  const auto def = f.catalog->Newest("amigo");
  CHECK(then.body.find("<dd>" + def->FindState("lead")->label.da + "</dd>") != std::string::npos);
  HttpReply now = f.Get("/audit/pathways/pw-1", revisor);
  CHECK(now.body.find("<dd>" + def->FindState("intake")->label.da + "</dd>") != std::string::npos);
  // Why, in words: the transition taken, by whom, and its conditions (never their ids).
  CHECK(now.body.find("Deltageren har haft den indledende vejledning, af ") != std::string::npos);
  CHECK(now.body.find("deltageren har fået en kontaktperson ✓") != std::string::npos);
  CHECK(now.body.find("hold_intake") == std::string::npos);
  CHECK(f.Get("/audit/pathways/pw-1?at=2026-01-01", revisor).status == 404);
  CHECK(f.Get("/audit/pathways/pw-1?at=yesterday", revisor).status == 400);
  CHECK(f.Get("/audit/pathways/none", revisor).status == 404);

  HttpReply reads = f.Get("/audit/pathways/pw-1/reads", revisor);
  REQUIRE(reads.status == 200);
  CHECK(reads.body.find("Anne Holm") != std::string::npos);
  CHECK(reads.body.find("opfølgning") != std::string::npos);
  // The auditor reads who read, not the name itself.
  CHECK(reads.body.find("Maja") == std::string::npos);

  // The log as a download: every event with its hash, personal data sealed.
  HttpReply csv = f.Get("/audit/export?format=csv", revisor);
  REQUIRE(csv.status == 200);
  CHECK(csv.headers["content-type"] == "text/csv; charset=utf-8");
  CHECK(csv.headers["content-disposition"] == "attachment; filename=\"pathways-export.csv\"");
  const std::string last = csv.headers["x-pathways-export-last"];
  CHECK(last == std::to_string(f.store->Head().position));
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') ==
        static_cast<std::ptrdiff_t>(f.store->Head().position + 1));  // the header, then each
  CHECK(csv.body.find("Maja") == std::string::npos);
  HttpReply part = f.Get("/audit/export?format=jsonl&from=2&to=3", revisor);
  CHECK(std::count(part.body.begin(), part.body.end(), '\n') == 2);
  CHECK(f.Get("/audit/export?from=0", revisor).status == 400);
  CHECK(f.Get("/audit/export?school=nowhere", revisor).status == 404);
  CHECK(f.Get("/audit/export", anne).status == 404);
}

}  // namespace
}  // namespace pathways::web
