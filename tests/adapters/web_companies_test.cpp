// The companies' pages over a real server on 127.0.0.1 (docs/companies.md, "The workspace"):
// a record registered in one form, the company page and its forms, contact persons and notes
// read for a purpose and recorded, the list's filters, the pipeline, and a company's task in
// the inbox. The pages in a real browser, with axe-core, are tests/browser/companies.mjs.

#include <doctest/doctest.h>

#include <regex>

#include "adapters/app/method_notes.hpp"
#include "adapters/web/messages.hpp"
#include "engine/runtime/timer_scheduler.hpp"
#include "tests/support/web_fixture.hpp"

namespace pathways::web {
namespace {

using testing::HttpReply;
using Fixture = testing::WebFixture;

constexpr const char* kCvr = "31245672";  // passes the modulus-11 check
constexpr const char* kRecord = "company-31245672";

// A consultant signed in, with a purpose given, posting forms of the companies' pages.
struct Consultant {
  Consultant(Fixture& fixture, const std::string& user) : f(fixture) {
    cookie = f.SignIn(user);
    REQUIRE(!cookie.empty());
    csrf = f.Csrf(cookie);
    REQUIRE(f.Post("/purpose", "csrf=" + csrf + "&purpose=virksomhedsdialog&next=/", cookie,
                   f.origin_header)
                .status == 303);
  }
  HttpReply Post(const std::string& target, const std::string& form) const {
    return f.Post(target, "csrf=" + csrf + "&" + form, cookie, f.origin_header);
  }
  HttpReply Act(const std::string& form) const {
    return Post(std::string("/companies/") + kCvr + "/act", form);
  }
  HttpReply Get(const std::string& target) const { return f.Get(target, cookie); }

  Fixture& f;
  std::string cookie;
  std::string csrf;
};

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

void Register(const Consultant& c) {
  HttpReply ok = c.Post("/companies/new", std::string("cmd=web-register-1&cvr=") + kCvr +
                                              "&name=Smedjen+i+Brabrand+ApS&size_band=small"
                                              "&industry=25&green=energy_efficiency");
  REQUIRE(ok.status == 303);
}

TEST_CASE("web: a company is registered in one form, its errors at their fields, sent twice once") {
  Fixture f;
  Consultant karin(f, "karin");
  HttpReply form = karin.Get("/companies/new");
  REQUIRE(form.status == 200);
  CHECK(form.body.find("name=\"size_band\"") != std::string::npos);

  // A mistyped CVR, no name, no size band, no industry: each named at its field, and no record.
  HttpReply bad = karin.Post("/companies/new", "cmd=web-register-1&cvr=31245673");
  CHECK(bad.status == 400);
  for (const char* field : {"cvr", "name", "size_band", "industry"}) {
    CHECK_MESSAGE(
        bad.body.find("id=\"company-" + std::string(field) + "-error\"") != std::string::npos,
        field);
  }
  CHECK(bad.body.find("value=\"31245673\"") != std::string::npos);
  CHECK(f.Stream("company-31245673").empty());
  // An industry the definition does not have: refused by the rules, nothing written.
  HttpReply unknown =
      karin.Post("/companies/new", std::string("cmd=web-register-1&cvr=") + kCvr +
                                       "&name=Smedjen&size_band=small&industry=9999");
  CHECK(unknown.status == 400);
  CHECK(unknown.body.find("role=\"alert\"") != std::string::npos);
  CHECK(f.Stream(kRecord).empty());

  Register(karin);
  Register(karin);  // the same form again: done once
  const std::vector<RecordedEvent> events = f.Stream(kRecord);
  CHECK(std::count_if(events.begin(), events.end(),
                      [](const RecordedEvent& e) { return e.type == "CompanyRegistered"; }) == 1);
  // Another form for the same CVR: said in words, nothing written.
  HttpReply twice =
      karin.Post("/companies/new", std::string("cmd=web-register-2&cvr=") + kCvr +
                                       "&name=Smedjen+igen&size_band=small&industry=25");
  CHECK(twice.status == 422);
  CHECK(twice.body.find(Message(Lang::kDa, "company_exists", {{"cvr", kCvr}})) !=
        std::string::npos);
  CHECK(f.Stream(kRecord).size() == events.size());

  // The consultant's own list has it, kept by them; the company page shows its stage.
  HttpReply list = karin.Get("/companies");
  REQUIRE(list.status == 200);
  CHECK(list.body.find("Smedjen i Brabrand ApS") != std::string::npos);
  CHECK(list.body.find("href=\"/companies/" + std::string(kCvr) + "\"") != std::string::npos);
  HttpReply page = karin.Get(std::string("/companies/") + kCvr + "?done=company");
  REQUIRE(page.status == 200);
  CHECK(page.body.find(Message(Lang::kDa, "done_company")) != std::string::npos);
  CHECK(page.body.find("Identificeret") != std::string::npos);
  CHECK(Count(page.body, "aria-current=\"step\"") == 1);
}

TEST_CASE("web: the company page keeps the dialogue, persons and notes read and recorded") {
  Fixture f;
  Consultant karin(f, "karin");
  Register(karin);

  // A contact person: their own data sealed, never in the log's plain data.
  REQUIRE(karin
              .Act("act=person&cmd=web-person-1&name=Lene+Smed&role=Indehaver"
                   "&email=lene%40smedjen.example&phone=12345678")
              .status == 303);
  // A visit with notes, meeting her; the notes sealed too.
  HttpReply contact = karin.Act(
      "act=contact&cmd=web-contact-1&form=visit&date=2026-03-02&minutes=45&person=p1"
      "&topic=F%C3%B8rste+bes%C3%B8g&notes=Ejeren+overvejer+at+s%C3%A6lge");
  REQUIRE(contact.status == 303);
  CHECK(contact.headers["location"] == std::string("/companies/") + kCvr + "?done=company_contact");
  REQUIRE(karin.Act("act=trigger&cmd=web-step-1&trigger=make_contact").status == 303);
  REQUIRE(karin
              .Act("act=need&cmd=web-need-1&competences=Svejsning+MIG%2FMAG&courses=48596%2C+40123"
                   "&staff=2&green=energy_efficiency")
              .status == 303);
  for (const RecordedEvent& e : f.Stream(kRecord)) {
    CHECK(e.data.find("Lene") == std::string::npos);
    CHECK(e.data.find("smedjen.example") == std::string::npos);
    CHECK(e.data.find("overvejer") == std::string::npos);
  }

  const std::size_t reads_before = f.Stream("$access:" + std::string(kRecord)).size();
  HttpReply page = karin.Get(std::string("/companies/") + kCvr);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("Lene Smed") != std::string::npos);
  CHECK(page.body.find("mailto:lene@smedjen.example") != std::string::npos);
  CHECK(page.body.find("Ejeren overvejer at sælge") != std::string::npos);
  CHECK(page.body.find("Svejsning MIG/MAG") != std::string::npos);
  CHECK(page.body.find("48596, 40123") != std::string::npos);
  CHECK(page.body.find("Kontaktet") != std::string::npos);
  const std::vector<RecordedEvent> reads = f.Stream("$access:" + std::string(kRecord));
  REQUIRE(reads.size() == reads_before + 1);
  CHECK(reads.back().actor.user == "karin");
  CHECK(reads.back().data.find("virksomhedsdialog") != std::string::npos);

  // A team lead keeps the record too, but reads no contact notes (guidance is the
  // consultants').
  Consultant tove(f, "tove");
  HttpReply lead = tove.Get(std::string("/companies/") + kCvr);
  REQUIRE(lead.status == 200);
  CHECK(lead.body.find("Lene Smed") != std::string::npos);
  CHECK(lead.body.find("overvejer") == std::string::npos);
  CHECK(lead.body.find("action=\"/companies/" + std::string(kCvr) + "/act\"") != std::string::npos);
  // An auditor sees the record and keeps nothing: no forms.
  Consultant revisor(f, "revisor");
  HttpReply audit = revisor.Get(std::string("/companies/") + kCvr);
  REQUIRE(audit.status == 200);
  CHECK(audit.body.find("/act\"") == std::string::npos);
  CHECK(revisor.Act("act=trigger&cmd=web-step-9&trigger=start_dialogue").status == 400);

  // A step the stage does not offer: refused in words, nothing written.
  const std::size_t before = f.Stream(kRecord).size();
  HttpReply refused = karin.Act("act=trigger&cmd=web-step-2&trigger=release_staff");
  CHECK(refused.status == 422);
  CHECK(refused.body.find("id=\"refusal\"") != std::string::npos);
  // A decline without its reason, a contact on no day, minutes that are no number: each said.
  CHECK(karin.Act("act=trigger&cmd=web-step-3&trigger=decline").status == 400);
  CHECK(karin.Act("act=contact&cmd=web-contact-2&form=visit&date=i+g%C3%A5r").status == 400);
  CHECK(karin.Act("act=contact&cmd=web-contact-3&form=visit&date=2026-03-02&minutes=lidt").status ==
        400);
  CHECK(karin.Act("act=contact&cmd=web-contact-4&form=letter&date=2026-03-02").status == 400);
  CHECK(f.Stream(kRecord).size() == before);

  // The contact person removed: no longer among the contact persons (the visit still says whom
  // it met).
  REQUIRE(karin.Act("act=remove_person&cmd=web-person-2&person_id=p1&reason=Stoppet").status ==
          303);
  HttpReply after = karin.Get(std::string("/companies/") + kCvr);
  CHECK(after.body.find("id=\"person-name-p1\"") == std::string::npos);
  CHECK(after.body.find(Message(Lang::kDa, "company_no_persons")) != std::string::npos);
}

TEST_CASE("web: the list is filtered in the address, the pipeline counts, who sees which") {
  Fixture f;
  Consultant karin(f, "karin");
  Register(karin);
  REQUIRE(karin
              .Post("/companies/new",
                    "cmd=web-register-2&cvr=29876541&name=Byg+%26+Anl%C3%A6g+A%2FS"
                    "&size_band=large&industry=41")
              .status == 303);
  REQUIRE(karin.Act("act=trigger&cmd=web-step-1&trigger=make_contact").status == 303);

  HttpReply contacted = karin.Get("/companies?state=contacted");
  REQUIRE(contacted.status == 200);
  CHECK(contacted.body.find("Smedjen") != std::string::npos);
  CHECK(contacted.body.find("Byg &amp; Anlæg") == std::string::npos);
  HttpReply building = karin.Get("/companies?industry=41");
  CHECK(building.body.find("Byg &amp; Anlæg") != std::string::npos);
  CHECK(building.body.find("Smedjen") == std::string::npos);
  HttpReply green = karin.Get("/companies?green=energy_efficiency");
  CHECK(green.body.find("Smedjen") != std::string::npos);
  CHECK(green.body.find("Byg &amp; Anlæg") == std::string::npos);
  // A filter naming what is not there: said, nothing listed.
  HttpReply unknown = karin.Get("/companies?state=asleep");
  CHECK(unknown.status == 400);
  CHECK(unknown.body.find("Smedjen") == std::string::npos);

  // The pipeline: counts per stage, no company named.
  HttpReply pipeline = karin.Get("/companies/pipeline");
  REQUIRE(pipeline.status == 200);
  CHECK(pipeline.body.find("Smedjen") == std::string::npos);
  CHECK(pipeline.body.find("<th scope=\"row\">Kontaktet</th><td>1") != std::string::npos);
  CHECK(pipeline.body.find("<th scope=\"row\">Identificeret</th><td>1") != std::string::npos);

  // A counsellor sees the companies their participants work for, and no other.
  f.Lead("anne", "pw-1", "Maja Jensen");
  Consultant anne(f, "anne");
  CHECK(anne.Get("/companies").body.find("Smedjen") == std::string::npos);
  CHECK(anne.Get(std::string("/companies/") + kCvr).status == 404);
  HttpReply employer = anne.Post("/participants/pw-1/act",
                                 std::string("act=employer&cmd=web-employer-1&cvr=") + kCvr +
                                     "&name=Smedjen&contact=Lene&email=lene%40smedjen.example");
  REQUIRE_MESSAGE(employer.status == 303, employer.body);
  CHECK(anne.Get("/companies").body.find("Smedjen") != std::string::npos);
  // The company page names her participant to her, as one employed there.
  HttpReply page = anne.Get(std::string("/companies/") + kCvr);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("href=\"/participants/pw-1\"") != std::string::npos);
  CHECK(page.body.find("Maja Jensen") != std::string::npos);
  CHECK(page.body.find("/act\"") == std::string::npos);  // she keeps no company
  // The consultant sees the employee's stage, not her name.
  HttpReply kept = karin.Get(std::string("/companies/") + kCvr);
  CHECK(kept.body.find("Maja") == std::string::npos);
  CHECK(kept.body.find(Message(Lang::kDa, "company_employee_unnamed")) != std::string::npos);
}

TEST_CASE("web: a company's follow-up task is in the consultant's inbox, linked to its page") {
  Fixture f;
  Consultant karin(f, "karin");
  Register(karin);
  // Two weeks without a first contact: the timer gives the consultant a task.
  f.clock.Advance(15LL * 24 * 3'600'000);
  auto sweep = runtime::FireDueTimers(*f.store, *f.store, f.clock.NowMs(), 100);
  REQUIRE(sweep.ok());
  REQUIRE(sweep->fired >= 1);
  HttpReply tasks = karin.Get("/tasks");
  REQUIRE(tasks.status == 200);
  CHECK(tasks.body.find("Tag første kontakt til virksomheden") != std::string::npos);
  CHECK(tasks.body.find("href=\"/companies/" + std::string(kCvr) + "\">Smedjen i Brabrand ApS") !=
        std::string::npos);
  // The list shows it overdue once its due day has passed, and the task is done from the page.
  f.clock.Advance(10LL * 24 * 3'600'000);
  CHECK(karin.Get("/companies").body.find("badge-error") != std::string::npos);
  HttpReply page = karin.Get(std::string("/companies/") + kCvr);
  std::smatch m;
  REQUIRE(std::regex_search(page.body, m, std::regex("name=\"task_id\" value=\"([a-z0-9-]+)\"")));
  REQUIRE(karin.Act("act=complete&cmd=web-task-1&task_id=" + std::string(m[1])).status == 303);
  CHECK(karin.Get("/tasks").body.find("Tag første kontakt") == std::string::npos);
}

TEST_CASE(
    "web: method notes are shared once, read by every school's staff, withdrawn by the author") {
  Fixture f;
  Consultant karin(f, "karin");
  const std::string note =
      "cmd=web-note-0001&topic=outreach&title=Bes%C3%B8g+om+morgenen"
      "&text=Ring+f%C3%B8rst.%0A%0AKom+kl.+7%2C+f%C3%B8r+produktionen+starter.";
  REQUIRE(karin.Post("/notes", note).status == 303);
  REQUIRE(karin.Post("/notes", note).status == 303);  // the same form again: shared once
  CHECK(f.Stream(app::kMethodNotesStream).size() == 1);
  // Nothing to share without a heading, or on no topic: said, nothing written.
  CHECK(karin.Post("/notes", "cmd=web-note-0002&topic=outreach&text=Tekst").status == 400);
  CHECK(karin.Post("/notes", "cmd=web-note-0003&topic=gossip&title=T&text=Tekst").status == 400);
  CHECK(f.Stream(app::kMethodNotesStream).size() == 1);

  // Every staff role reads it, its paragraphs as typed; an auditor shares none.
  Consultant anne(f, "anne");
  HttpReply read = anne.Get("/notes");
  REQUIRE(read.status == 200);
  CHECK(read.body.find("Besøg om morgenen") != std::string::npos);
  CHECK(read.body.find("<p>Kom kl. 7, før produktionen starter.</p>") != std::string::npos);
  CHECK(anne.Get("/notes?topic=guidance").body.find("Besøg om morgenen") == std::string::npos);
  CHECK(anne.Get("/notes?topic=gossip").status == 400);
  Consultant revisor(f, "revisor");
  HttpReply audit = revisor.Get("/notes");
  CHECK(audit.body.find("Besøg om morgenen") != std::string::npos);
  CHECK(audit.body.find("id=\"share-title\"") == std::string::npos);
  CHECK(revisor.Post("/notes", "cmd=web-note-0004&topic=outreach&title=T&text=X").status == 403);

  // Only the author (or the school's team lead) withdraws it; then it is gone from the page.
  const std::string own = karin.Get("/notes").body;
  std::smatch m;
  REQUIRE(std::regex_search(own, m, std::regex("action=\"/notes/([a-z0-9-]+)/withdraw\"")));
  const std::string id = m[1];
  CHECK(read.body.find("/notes/" + id + "/withdraw") == std::string::npos);
  CHECK(anne.Post("/notes/" + id + "/withdraw", "reason=nej").status == 403);
  REQUIRE(karin.Post("/notes/" + id + "/withdraw", "reason=for%C3%A6ldet").status == 303);
  CHECK(anne.Get("/notes").body.find("Besøg om morgenen") == std::string::npos);
  CHECK(karin.Post("/notes/" + id + "/withdraw", "").status == 404);
  CHECK(f.Stream(app::kMethodNotesStream).size() == 2);
}

}  // namespace
}  // namespace pathways::web

namespace pathways::web {
namespace {

TEST_CASE("web: companies imported from a CSV upload, a taken CVR a bad row, nothing half done") {
  Fixture f;
  const std::string admin = f.SignIn("admin");
  const std::string csrf = f.Csrf(admin);
  auto upload = [&](const std::string& mode, const std::string& csv, bool skip_bad = false) {
    return f.ImportUpload("/admin/import-companies", admin, csrf, mode, csv, skip_bad);
  };
  HttpReply form = f.Get("/admin/import-companies", admin);
  REQUIRE(form.status == 200);
  CHECK(form.body.find("action=\"/admin/import-companies\"") != std::string::npos);
  CHECK(f.Get("/admin/import-companies", f.SignIn("karin")).status == 404);

  // Karin registered one by hand; the file names it again, mistypes a CVR and an industry.
  Consultant karin(f, "karin");
  Register(karin);
  const std::string file =
      "cvr;name;size_band;industry;contact_name;contact_email\n"
      "12345674;Bryggeriet A/S;medium;11;Per Brygger;per@bryggeriet.dk\n"
      "31245673;Tastefejl ApS;small;25;;\n"
      "20000007;Smedjen Nord;small;9999;;\n"
      "31245672;Smedjen i Brabrand ApS;small;25;;\n";
  HttpReply checked = upload("check", file);
  CHECK(checked.status == 200);
  CHECK(checked.body.find("3 fejl; 1 rækker er i orden") != std::string::npos);
  for (const char* line : {"3", "4", "5"}) {
    CHECK_MESSAGE(checked.body.find("<td class=\"app-number\">" + std::string(line) + "</td>") !=
                      std::string::npos,
                  line);
  }
  CHECK(checked.body.find("CVR 31245672 has a record already") != std::string::npos);
  HttpReply refused = upload("import", file);
  CHECK(refused.status == 422);
  CHECK(refused.body.find("Intet er importeret") != std::string::npos);
  CHECK(f.Stream("company-12345674").empty());

  // The good row alone, when asked; the same file again registers nothing twice.
  HttpReply some = upload("import", file, /*skip_bad=*/true);
  CHECK(some.status == 200);
  CHECK(some.body.find("1 virksomheder er importeret; 0 var importeret før; 3 rækker med fejl") !=
        std::string::npos);
  const std::vector<RecordedEvent> imported = f.Stream("company-12345674");
  const std::size_t events = imported.size();
  CHECK(imported.front().type == "CompanyRegistered");
  CHECK(std::count_if(imported.begin(), imported.end(), [](const RecordedEvent& e) {
          return e.type == "ContactPersonRecorded";
        }) == 1);
  HttpReply again = upload("import", file, true);
  CHECK(again.body.find("0 virksomheder er importeret; 1 var importeret før") != std::string::npos);
  CHECK(f.Stream("company-12345674").size() == events);
}

}  // namespace
}  // namespace pathways::web
