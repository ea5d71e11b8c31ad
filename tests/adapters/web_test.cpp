// The workspace over a real server on 127.0.0.1: signing in and out, sessions that end, the
// throttle, CSRF and Origin, the security headers, the embedded assets, personal data read
// with a purpose and recorded, and text shown as text. The pages in a real browser, with
// axe-core, are tests/browser.

#include "adapters/web/web.hpp"

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
#include "engine/event_types.hpp"
#include "tests/support/web_fixture.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::web {
namespace {

using config::Role;
using testing::HttpReply;
using Fixture = testing::WebFixture;
using testing::kPassword;

TEST_CASE("web: every page is sent with a policy that allows no inline code and no framing") {
  Fixture f;
  HttpReply page = f.Get("/sign-in");
  REQUIRE(page.status == 200);
  CHECK(page.headers["content-type"] == "text/html; charset=utf-8");
  const std::string csp = page.headers["content-security-policy"];
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("style-src 'self'") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(page.headers["x-content-type-options"] == "nosniff");
  CHECK(page.headers["cache-control"] == "no-store");
  // No inline script or style in the page itself, either.
  CHECK(page.body.find("<script>") == std::string::npos);
  CHECK(page.body.find("<style") == std::string::npos);
  CHECK(page.body.find(" style=") == std::string::npos);
  CHECK(page.body.find("<html lang=\"da\">") != std::string::npos);
  // Not signed in: every other page sends the browser to sign in, and says where it was going.
  HttpReply home = f.Get("/participants");
  CHECK(home.status == 303);
  CHECK(home.headers["location"] == "/sign-in?next=/participants");
}

TEST_CASE("web: the design system's files are embedded, immutable and found where the CSS says") {
  Fixture f;
  HttpReply page = f.Get("/sign-in");
  std::smatch m;
  REQUIRE(std::regex_search(page.body, m,
                            std::regex("href=\"(/assets/[0-9a-f]{12}/dkfds/css/dkfds.min.css)\"")));
  HttpReply css = f.Get(m[1]);
  REQUIRE(css.status == 200);
  CHECK(css.headers["content-type"] == "text/css; charset=utf-8");
  CHECK(css.headers["cache-control"] == "public, max-age=31536000, immutable");
  CHECK(css.body.size() > 100'000);
  // Each font the stylesheet names in woff2 is there, relative to the stylesheet.
  std::set<std::string> fonts;
  const std::regex woff2("url\\(\\.\\./(fonts/[^)]+\\.woff2)\\)");
  for (std::sregex_iterator it(css.body.begin(), css.body.end(), woff2);
       it != std::sregex_iterator(); ++it) {
    fonts.insert((*it)[1]);
  }
  CHECK(fonts.size() >= 4);
  for (const std::string& font : fonts) {
    HttpReply r = f.Get(AssetPrefix() + "/dkfds/" + font);
    CHECK_MESSAGE(r.status == 200, font);
    CHECK(r.headers["content-type"] == "font/woff2");
  }
  CHECK(f.Get(AssetPrefix() + "/app/pathways.js").status == 200);
  // What is served is the file as it is now: a changed file is built in anew.
  for (const char* own : {"pathways.css", "pathways.js"}) {
    std::string source;
    REQUIRE(workflows::ReadWholeFile(
        std::string(PATHWAYS_SOURCE_DIR) + "/adapters/web/assets/" + own, source));
    CHECK_MESSAGE(f.Get(AssetPrefix() + "/app/" + own).body == source, own);
  }
  // Another version's address, or a file that is not there: not found.
  CHECK(f.Get("/assets/000000000000/dkfds/css/dkfds.min.css").status == 404);
  CHECK(f.Get(AssetPrefix() + "/dkfds/css/nothing.css").status == 404);
  CHECK(f.Get(AssetPrefix() + "/../web.cpp").status == 404);
}

TEST_CASE(
    "web: signing in records who and from where, gives a new session, and signing out ends it") {
  Fixture f;
  HttpReply wrong;
  CHECK(f.SignIn("anne", "not the password at all", &wrong).empty());
  CHECK(wrong.status == 401);
  CHECK(wrong.body.find(Message(Lang::kDa, "sign_in_wrong")) != std::string::npos);
  // The name typed is kept in the form; the password never is.
  CHECK(wrong.body.find("value=\"anne\"") != std::string::npos);
  CHECK(wrong.body.find("not the password") == std::string::npos);

  // A session id the browser brought along (fixation) is not the one it gets.
  HttpReply ok;
  const std::string planted = "pw_session=" + std::string(64, 'a');
  const std::string cookie = f.SignIn("anne", kPassword, &ok, planted);
  REQUIRE(!cookie.empty());
  CHECK(cookie != planted);
  CHECK(ok.headers["location"] == "/");
  // HttpOnly and SameSite=Strict; not Secure without TLS.
  const std::string set = ok.headers["set-cookie"];
  CHECK(set.find("HttpOnly") != std::string::npos);
  CHECK(set.find("SameSite=Strict") != std::string::npos);
  CHECK(set.find("Secure") == std::string::npos);
  CHECK(f.Get("/participants", planted).status == 303);
  CHECK(f.Get("/participants", cookie).status == 200);

  // Signing out ends the session on the server, not only in this browser.
  const std::string csrf = f.Csrf(cookie);
  HttpReply out = f.Post("/sign-out", "csrf=" + csrf, cookie, f.origin_header);
  CHECK(out.status == 303);
  CHECK(out.headers["location"] == "/sign-in");
  CHECK(f.Get("/participants", cookie).status == 303);

  // Recorded in `$sessions`, never the password.
  std::vector<std::string> types;
  for (const RecordedEvent& e : f.Stream("$sessions")) {
    types.push_back(e.type);
    CHECK(e.data.find("\"password\":") == std::string::npos);
    CHECK(e.data.find("not the password") == std::string::npos);
  }
  CHECK(types == std::vector<std::string>{"SignInFailed", "SignedIn", "SignedOut"});
  const RecordedEvent first = f.Stream("$sessions")[0];
  CHECK(first.data.find("\"reason\":\"password\"") != std::string::npos);
  CHECK(first.data.find("\"address\":\"127.0.0.1") != std::string::npos);
  CHECK(f.Stream("$sessions")[1].actor.user == "anne");
}

TEST_CASE("web: failed sign-ins are throttled per user, even with the right password then") {
  Fixture f;
  for (int i = 0; i < 3; ++i) CHECK(f.SignIn("bo", "wrong password number").empty());
  HttpReply r;
  CHECK(f.SignIn("bo", kPassword, &r).empty());
  CHECK(r.status == 429);
  CHECK(r.body.find("15") != std::string::npos);  // minutes to wait
  // Another user from the same address is not held back by bo's failures.
  CHECK(!f.SignIn("anne").empty());
  // Once the window has passed, bo may sign in.
  f.wall.Advance(15 * 60'000);
  CHECK(!f.SignIn("bo").empty());
  // Unknown names and partners are failures too, recorded without the name.
  HttpReply unknown;
  CHECK(f.SignIn("mallory", kPassword, &unknown).empty());
  CHECK(unknown.status == 401);
  CHECK(f.SignIn("partner", kPassword).empty());
  const std::vector<RecordedEvent> log = f.Stream("$sessions");
  CHECK(log[log.size() - 2].data.find("unknown_user") != std::string::npos);
  CHECK(log[log.size() - 2].data.find("mallory") == std::string::npos);
  CHECK(log[3].data.find("\"reason\":\"throttled\"") != std::string::npos);
}

TEST_CASE("web: a session ends after idling and after its lifetime, recorded as such") {
  Fixture f;
  const std::string cookie = f.SignIn("anne");
  f.wall.Advance(29 * 60'000);
  CHECK(f.Get("/participants", cookie).status == 200);  // a request restarts the idle time
  f.wall.Advance(29 * 60'000);
  CHECK(f.Get("/participants", cookie).status == 200);
  f.wall.Advance(30 * 60'000);
  HttpReply stale = f.Get("/participants", cookie);
  CHECK(stale.status == 303);
  CHECK(f.Stream("$sessions").back().data.find("\"reason\":\"idle\"") != std::string::npos);

  const std::string busy = f.SignIn("anne");
  for (int i = 0; i < 21; ++i) {
    f.wall.Advance(29 * 60'000);
    f.Get("/sign-in", busy);
  }
  CHECK(f.Get("/participants", busy).status == 303);
  CHECK(f.Stream("$sessions").back().data.find("\"reason\":\"expired\"") != std::string::npos);
}

TEST_CASE("web: with the sessions full, the ended are swept first, then the least recent goes") {
  ManualClock clock(testing::kTestEpochMs);
  SessionLimits limits;
  limits.max_sessions = 2;
  limits.idle_ms = 1000;
  SessionStore store(clock, limits);
  const std::string anne = store.Create("anne");
  clock.Advance(10);
  const std::string bo = store.Create("bo");
  clock.Advance(10);
  std::vector<SessionStore::Ended> ended;
  const std::string tove = store.Create("tove", &ended);
  REQUIRE(ended.size() == 1);
  CHECK(ended[0].user == "anne");
  CHECK(ended[0].reason == "evicted");
  CHECK_FALSE(store.Touch(anne));
  CHECK(store.Touch(bo));
  // Both left idle: swept, each told, and nobody live is evicted for the new one.
  clock.Advance(2000);
  ended.clear();
  const std::string admin = store.Create("admin", &ended);
  REQUIRE(ended.size() == 2);
  CHECK(ended[0].reason == "idle");
  CHECK(ended[1].reason == "idle");
  CHECK(store.Touch(admin));
}

TEST_CASE("web: a form without the session's token, or from another origin, changes nothing") {
  Fixture f;
  const std::string cookie = f.SignIn("anne");
  const std::string csrf = f.Csrf(cookie);
  // No token, a wrong token, the sign-in form's token: refused, and no purpose is set.
  for (const std::string& body :
       std::vector<std::string>{"purpose=x&next=/participants",
                                "csrf=" + std::string(64, '0') + "&purpose=x", "csrf=&purpose=x"}) {
    HttpReply r = f.Post("/purpose", body, cookie, f.origin_header);
    CHECK(r.status == 403);
    CHECK(r.body.find(Message(Lang::kDa, "stale_form")) != std::string::npos);
  }
  // The right token from a page of another site, or with no Origin at all.
  CHECK(f.Post("/purpose", "csrf=" + csrf + "&purpose=x", cookie, "http://evil.example").status ==
        403);
  CHECK(f.Post("/purpose", "csrf=" + csrf + "&purpose=x", cookie, "").status == 403);
  CHECK(f.Post("/sign-out", "csrf=" + csrf, cookie, "null").status == 403);
  // Still asked for a purpose: nothing above set one.
  CHECK(f.Get("/participants", cookie).body.find("action=\"/purpose\"") != std::string::npos);
  // The sign-in form needs its own token and cookie too.
  HttpReply forged = f.Post("/sign-in", "user=anne&password=x", "", f.origin_header);
  CHECK(forged.status == 403);
  // A stale session's form goes back to signing in, having changed nothing.
  HttpReply stale =
      f.Post("/purpose", "csrf=" + csrf + "&purpose=x", "pw_session=gone", f.origin_header);
  CHECK(stale.status == 303);
  CHECK(stale.headers["location"] == "/sign-in?ended=1");
}

TEST_CASE("web: the origin a proxy gives is the one forms must come from") {
  Fixture f("https://pathways.example.dk");
  const Fixture::SignInForm form = f.OpenSignIn();
  const std::string body =
      "csrf=" + form.token + "&user=anne&password=correct+horse+battery+staple";
  CHECK(f.Post("/sign-in", body, form.cookie, f.origin_header).status == 403);
  CHECK(f.Post("/sign-in", body, form.cookie, "https://pathways.example.dk").status == 303);
}

TEST_CASE("web: names are read for a purpose given once, each read recorded, and shown as text") {
  Fixture f;
  f.Lead("anne", "pw-1", "Maja <script>alert(1)</script> Jensen");
  f.Lead("anne", "pw-2", "Ole \"Quote\" Hansen");
  f.Lead("bo", "pw-3", "Bos Deltager");
  const std::string cookie = f.SignIn("anne");
  const std::string csrf = f.Csrf(cookie);

  // The purpose is asked first; nothing is read before it is given.
  HttpReply ask = f.Get("/participants", cookie);
  CHECK(ask.body.find("Maja") == std::string::npos);
  CHECK(f.Stream("$access:p-pw-1").empty());
  HttpReply set = f.Post("/purpose", "csrf=" + csrf + "&purpose=opf%C3%B8lgning&next=/participants",
                         cookie, f.origin_header);
  CHECK(set.status == 303);
  CHECK(set.headers["location"] == "/participants");

  HttpReply list = f.Get("/participants", cookie);
  REQUIRE(list.status == 200);
  CHECK(list.body.find("Maja &lt;script&gt;alert(1)&lt;/script&gt; Jensen") != std::string::npos);
  CHECK(list.body.find("<script>alert") == std::string::npos);
  CHECK(list.body.find("Ole &quot;Quote&quot; Hansen") != std::string::npos);
  CHECK(list.body.find("Bos Deltager") == std::string::npos);
  const std::vector<RecordedEvent> reads = f.Stream("$access:p-pw-1");
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].actor.user == "anne");
  CHECK(reads[0].data.find("opfølgning") != std::string::npos);

  // A search by name is a POST: the name stays out of the address.
  HttpReply found = f.Post("/participants", "csrf=" + csrf + "&q=ole", cookie, f.origin_header);
  CHECK(found.status == 200);
  CHECK(found.body.find("Ole &quot;Quote&quot; Hansen") != std::string::npos);
  CHECK(found.body.find("Maja") == std::string::npos);

  // The participant page: the history in words, the name read and recorded again.
  HttpReply page = f.Get("/participants/pw-1", cookie);
  REQUIRE(page.status == 200);
  CHECK(page.body.find(Message(Lang::kDa, "event_LeadRegistered")) != std::string::npos);
  CHECK(page.body.find("aria-current=\"step\"") != std::string::npos);
  CHECK(f.Stream("$access:p-pw-1").size() == 3);
  // Another counsellor's participant is not there, as in the API.
  HttpReply other = f.Get("/participants/pw-3", cookie);
  CHECK(other.status == 404);
  CHECK(f.Get("/participants/no-such", cookie).status == 404);
  CHECK(f.Stream("$access:p-pw-3").empty());
}

TEST_CASE("web: the language is switched by a link and remembered in the browser") {
  Fixture f;
  HttpReply sw = f.Get("/language?to=en&back=/sign-in");
  CHECK(sw.status == 303);
  CHECK(sw.headers["location"] == "/sign-in");
  const std::string set = sw.headers["set-cookie"];
  CHECK(set.rfind("pw_lang=en;", 0) == 0);
  CHECK(set.find("Max-Age=31536000") != std::string::npos);
  HttpReply en = f.Get("/sign-in", "pw_lang=en");
  CHECK(en.body.find("<html lang=\"en\">") != std::string::npos);
  CHECK(en.body.find(Message(Lang::kEn, "sign_in_title")) != std::string::npos);
  // Never back to another site.
  CHECK(f.Get("/language?to=da&back=//evil.example/x").headers["location"] == "/");
  CHECK(f.Get("/language?to=da&back=https://evil.example").headers["location"] == "/");
}

TEST_CASE("web: a new lead is one short form, its errors at their fields, sent twice it is one") {
  Fixture f;
  const std::string cookie = f.SignIn("anne");
  const std::string csrf = f.Csrf(cookie);
  HttpReply form = f.Get("/participants/new", cookie);
  REQUIRE(form.status == 200);
  std::smatch m;
  REQUIRE(std::regex_search(form.body, m, std::regex("name=\"cmd\" value=\"([a-z0-9-]+)\"")));
  const std::string cmd = m[1];

  // Nothing given: both required fields named at the field, with the summary linking to them.
  HttpReply empty =
      f.Post("/participants/new", "csrf=" + csrf + "&cmd=" + cmd, cookie, f.origin_header);
  CHECK(empty.status == 400);
  CHECK(empty.body.find("id=\"lead-name-error\"") != std::string::npos);
  CHECK(empty.body.find("id=\"lead-referral_source-error\"") != std::string::npos);
  CHECK(empty.body.find("href=\"#lead-name\"") != std::string::npos);
  CHECK(empty.body.find("aria-invalid=\"true\"") != std::string::npos);
  // A wrong date keeps what was typed.
  HttpReply date = f.Post("/participants/new",
                          "csrf=" + csrf + "&cmd=" + cmd +
                              "&name=Sofie+Dahl&referral_source=jobcenter&date_of_birth=17-05-1980",
                          cookie, f.origin_header);
  CHECK(date.status == 400);
  CHECK(date.body.find("id=\"lead-date_of_birth-error\"") != std::string::npos);
  CHECK(date.body.find("value=\"Sofie Dahl\"") != std::string::npos);

  const std::string good = "csrf=" + csrf + "&cmd=" + cmd +
                           "&name=Sofie+Dahl&referral_source=jobcenter&date_of_birth=1980-05-17";
  HttpReply ok = f.Post("/participants/new", good, cookie, f.origin_header);
  REQUIRE(ok.status == 303);
  CHECK(ok.headers["location"] == "/participants/pw-" + cmd + "?done=lead");
  // The same form again (a double click, a resend): the same pathway, not a second one.
  HttpReply again = f.Post("/participants/new", good, cookie, f.origin_header);
  CHECK(again.status == 303);
  CHECK(again.headers["location"] == ok.headers["location"]);
  CHECK(f.store->Caseload("anne", 100)->size() == 1);
  // The name is in the vault, never in the log's plain data.
  for (const RecordedEvent& e : f.Stream("pw-" + cmd)) {
    CHECK(e.data.find("Sofie") == std::string::npos);
  }
}

TEST_CASE("web: an action the rules refuse is shown with the reason, and nothing is written") {
  Fixture f;
  f.Lead("anne", "pw-1", "Maja Jensen");
  const std::string cookie = f.SignIn("anne");
  const std::string csrf = f.Csrf(cookie);
  REQUIRE(f.Post("/purpose", "csrf=" + csrf + "&purpose=opf%C3%B8lgning", cookie, f.origin_header)
              .status == 303);
  const std::uint64_t before = f.Stream("pw-1").size();
  // Enrolment from the lead state: not possible there.
  HttpReply refused = f.Post("/participants/pw-1/act",
                             "csrf=" + csrf + "&act=trigger&trigger=enrol&cmd=web-0000000001",
                             cookie, f.origin_header);
  CHECK(refused.status == 422);
  CHECK(refused.body.find("role=\"alert\"") != std::string::npos);
  // In words, not the engine's: the action's label, and where the pathway stands.
  CHECK(refused.body.find("Deltageren er tilmeldt uddannelsen: kan ikke gøres, mens forløbet") !=
        std::string::npos);
  CHECK(f.Stream("pw-1").size() == before);
  // A guard that does not hold: what it requires, in Danish.
  REQUIRE(f.Post("/participants/pw-1/act",
                 "csrf=" + csrf + "&act=trigger&trigger=hold_intake&cmd=web-0000000011", cookie,
                 f.origin_header)
              .status == 303);
  REQUIRE(f.Post("/participants/pw-1/act",
                 "csrf=" + csrf + "&act=trigger&trigger=request_rkv&cmd=web-0000000012", cookie,
                 f.origin_header)
              .status == 303);
  HttpReply early = f.Post("/participants/pw-1/act",
                           "csrf=" + csrf + "&act=trigger&trigger=agree_plan&cmd=web-0000000013",
                           cookie, f.origin_header);
  CHECK(early.status == 422);
  CHECK(early.body.find("Det kræver, at realkompetencevurderingen (RKV) er registreret.") !=
        std::string::npos);
  const std::uint64_t now_at = f.Stream("pw-1").size();

  // A contact: recorded, then back to the page with a receipt.
  HttpReply contact = f.Post("/participants/pw-1/act",
                             "csrf=" + csrf +
                                 "&act=contact&channel=phone&topic=%3Cb%3Ehej%3C%2Fb%3E"
                                 "&cmd=web-0000000002",
                             cookie, f.origin_header);
  CHECK(contact.status == 303);
  CHECK(contact.headers["location"] == "/participants/pw-1?done=contact");
  const std::vector<RecordedEvent> after = f.Stream("pw-1");
  CHECK(std::any_of(after.begin() + static_cast<std::ptrdiff_t>(now_at), after.end(),
                    [](const RecordedEvent& e) { return e.type == "ContactRecorded"; }));
  HttpReply page = f.Get("/participants/pw-1?done=contact", cookie);
  CHECK(page.body.find(Message(Lang::kDa, "done_contact")) != std::string::npos);
  CHECK(page.body.find("&lt;b&gt;hej&lt;/b&gt;") != std::string::npos);
  CHECK(page.body.find("<b>hej") == std::string::npos);
  // Another counsellor acting on it: as if it did not exist.
  const std::string bo = f.SignIn("bo");
  CHECK(f.Post("/participants/pw-1/act", "csrf=" + f.Csrf(bo) + "&act=contact&channel=phone", bo,
               f.origin_header)
            .status == 404);
}

TEST_CASE(
    "web: the administrator's pages are an administrator's, and a file is checked by upload") {
  Fixture f;
  const std::string anne = f.SignIn("anne");
  CHECK(f.Get("/admin", anne).status == 404);
  CHECK(f.Get("/team", anne).status == 404);
  const std::string admin = f.SignIn("admin");
  HttpReply list = f.Get("/admin", admin);
  REQUIRE(list.status == 200);
  CHECK(list.body.find("/admin/definitions/amigo/") != std::string::npos);
  const auto def = f.catalog->Newest("amigo");
  HttpReply page = f.Get("/admin/definitions/amigo/" + std::to_string(def->version), admin);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("<svg") != std::string::npos);
  CHECK(page.body.find("aria-hidden=\"true\"><svg") != std::string::npos);
  CHECK(f.Get("/admin/definitions/amigo/999", admin).status == 404);
  CHECK(f.Get("/admin/definitions/amigo/x", admin).status == 404);

  // A multipart upload: the CSRF token inside it is what counts.
  const std::string csrf = f.Csrf(admin);
  auto upload = [&](const std::string& token, const std::string& yaml) {
    return f.Upload("/admin/validate", admin, {{"csrf", token}}, "mine.yaml", yaml);
  };
  HttpReply broken = upload(csrf, "id: broken\nversion: 1\nstates:\n  - {id: a\n");
  CHECK(broken.status == 422);
  CHECK(std::regex_search(broken.body, std::regex("upload\\.yaml:\\d+:\\d+")));
  CHECK(upload(std::string(64, '0'), "id: x\n").status == 403);
  std::string amigo;
  REQUIRE(workflows::ReadWholeFile(testing::AmigoPath(), amigo));
  HttpReply valid = upload(csrf, amigo);
  CHECK(valid.status == 200);
  CHECK(valid.body.find("<svg") != std::string::npos);
  // Checked, not loaded: the catalogue holds what it held (AMIGO and the company dialogue).
  CHECK(f.catalog->All().size() == 2);
}

TEST_CASE(
    "web: the messages of both languages have every key, every event type has words, templates "
    "parse") {
  std::set<std::string> da;
  std::set<std::string> en;
  for (const auto& [k, v] : Messages(Lang::kDa)) da.insert(k);
  for (const auto& [k, v] : Messages(Lang::kEn)) en.insert(k);
  CHECK(da == en);
  CHECK(da.size() > 50);
  for (const events::TypeInfo& t : events::Catalogue()) {
    if (t.system) continue;
    CHECK_MESSAGE(da.count("event_" + t.type) == 1, t.type);
  }
  const std::vector<std::string> templates = TemplateNames();
  CHECK(templates.size() >= 20);
  CHECK(std::count(templates.begin(), templates.end(), "_trigger_fields") == 1);
  for (const std::string& name : templates) {
    CHECK_MESSAGE(TemplateError(name).empty(), name, ": ", TemplateError(name));
  }
  CHECK(Message(Lang::kEn, "overdue_count", {{"count", "3"}}) == "3 overdue");
}

}  // namespace
}  // namespace pathways::web
