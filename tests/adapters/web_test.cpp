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
#include "tests/support/amigo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::web {
namespace {

using config::Role;
using testing::HttpReply;

constexpr const char* kPassword = "correct horse battery staple";

struct Fixture {
  explicit Fixture(std::string origin = "")
      : clock(testing::kTestEpochMs),
        wall(testing::kTestEpochMs),
        catalog(testing::AmigoCatalog()),
        store(testing::OpenWithDefinitions(tmp / "store", clock, catalog)),
        workspace({store.get(), catalog, &clock, &users}) {
    const std::string passwords = tmp / "passwords.json";
    for (const char* u : {"anne", "bo", "tove", "admin", "revisor"}) {
      REQUIRE(auth::PasswordFile(passwords).Set(u, kPassword, 0).ok());
    }
    WebOptions o;
    o.store = store.get();
    o.catalog = catalog;
    o.clock = &clock;
    o.wall_clock = &wall;
    o.users = &users;
    o.passwords_file = passwords;
    o.sessions.idle_ms = 30 * 60'000;
    o.sessions.lifetime_ms = 10 * 3'600'000;
    o.throttle.per_user = 3;
    o.origin = std::move(origin);
    config::ReportConfigResult loaded = config::LoadReportConfig(
        std::string(PATHWAYS_SOURCE_DIR) + "/config/reports.yaml", *catalog);
    REQUIRE(loaded.diagnostics.empty());
    reports = std::move(loaded.config);
    o.reports = &reports;
    web = std::make_unique<Web>(std::move(o));
    http::ServerOptions so;
    so.port = 0;
    server = std::make_unique<http::Server>(
        so, [this](http::Request r, http::Responder done) { web->Handle(std::move(r), done); });
    REQUIRE(server->Start().ok());
    origin_header = "http://127.0.0.1:" + std::to_string(server->port());
  }
  ~Fixture() {
    server->Stop();
    server->Wait();
  }

  // A lead of `who` with `name` in the identity scope.
  void Lead(const std::string& who, const std::string& pathway, const std::string& name) {
    app::LeadRequest lead;
    lead.pathway_id = pathway;
    lead.participant_id = "p-" + pathway;
    lead.referral_source = "jobcenter";
    lead.personal[PersonalScope::kIdentity] = {{"name", name}};
    Result<CommandRequest> r = workspace.RegisterLead(users.at(who), std::move(lead));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    r->command_id = "lead-" + pathway;
    std::promise<Result<AppendResult>> done;
    workspace.Submit(users.at(who), std::move(*r),
                     [&](Result<AppendResult> a) { done.set_value(std::move(a)); });
    REQUIRE(done.get_future().get().ok());
  }

  HttpReply Get(const std::string& target, const std::string& cookies = "") const {
    std::map<std::string, std::string> h;
    if (!cookies.empty()) h["Cookie"] = cookies;
    return testing::Request(server->port(), "GET", target, "", h);
  }
  HttpReply Post(const std::string& target, const std::string& form, const std::string& cookies,
                 const std::string& origin) const {
    std::map<std::string, std::string> h = {{"Content-Type", "application/x-www-form-urlencoded"}};
    if (!cookies.empty()) h["Cookie"] = cookies;
    if (!origin.empty()) h["Origin"] = origin;
    return RawPost(target, form, h);
  }
  // The test client sends JSON's content type with a body; a form needs its own.
  HttpReply RawPost(const std::string& target, const std::string& body,
                    const std::map<std::string, std::string>& headers) const {
    const int fd = testing::ConnectLocal(server->port());
    REQUIRE(fd >= 0);
    std::string req = "POST " + target +
                      " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server->port()) +
                      "\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    HttpReply reply;
    if (testing::SendAll(fd, req)) reply = testing::ParseReply(testing::ReadAll(fd));
    ::close(fd);
    return reply;
  }

  // A form with a file (multipart/form-data): `fields` in order, then the file as `file`.
  HttpReply Upload(const std::string& target, const std::string& cookie,
                   const std::vector<std::pair<std::string, std::string>>& fields,
                   const std::string& filename, const std::string& content) const {
    const std::string b = "----pathways-test-boundary";
    std::string body;
    for (const auto& [name, value] : fields) {
      body += "--" + b + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
              value + "\r\n";
    }
    body += "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
            "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + b +
            "--\r\n";
    return RawPost(target, body,
                   {{"Content-Type", "multipart/form-data; boundary=" + b},
                    {"Cookie", cookie},
                    {"Origin", origin_header}});
  }

  // The sign-in form's token and its cookie.
  struct SignInForm {
    std::string token;
    std::string cookie;
  };
  SignInForm OpenSignIn(const std::string& cookies = "") const {
    HttpReply page = Get("/sign-in", cookies);
    REQUIRE(page.status == 200);
    std::smatch m;
    REQUIRE(std::regex_search(page.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
    const std::string set = page.headers["set-cookie"];
    REQUIRE(set.rfind("pw_signin=", 0) == 0);
    return {m[1], set.substr(0, set.find(';'))};
  }
  // Signs `user` in; the session cookie ("pw_session=…"), or the failed reply.
  std::string SignIn(const std::string& user, const std::string& password = kPassword,
                     HttpReply* reply = nullptr, const std::string& extra_cookie = "") const {
    const SignInForm form = OpenSignIn();
    std::string cookies = form.cookie;
    if (!extra_cookie.empty()) cookies += "; " + extra_cookie;
    HttpReply r = Post("/sign-in",
                       "csrf=" + form.token + "&user=" + user +
                           "&password=" + std::regex_replace(password, std::regex(" "), "+"),
                       cookies, origin_header);
    if (reply != nullptr) *reply = r;
    if (r.status != 303) return "";
    const std::string set = r.headers["set-cookie"];
    return set.rfind("pw_session=", 0) == 0 ? set.substr(0, set.find(';')) : "";
  }
  // A signed-in page's CSRF token.
  std::string Csrf(const std::string& cookie) const {
    HttpReply page = Get("/participants", cookie);
    std::smatch m;
    REQUIRE(std::regex_search(page.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
    return m[1];
  }
  std::vector<RecordedEvent> Stream(const std::string& id) const {
    auto page = store->ReadStream(id, 1, 1000);
    REQUIRE(page.ok());
    return page->events;
  }

  testing::TempDir tmp;
  ManualClock clock;
  ManualClock wall;
  std::shared_ptr<definition::DefinitionCatalog> catalog;
  std::unique_ptr<storage::RocksEventStore> store;
  std::map<std::string, config::User> users = {
      {"anne", {"anne", "Anne Holm", Role::kCounsellor, "", "", ""}},
      {"bo", {"bo", "Bo Berg", Role::kCounsellor, "", "", ""}},
      {"tove", {"tove", "Tove Lund", Role::kTeamLead, "", "", ""}},
      {"admin", {"admin", "Admin", Role::kAdministrator, "", "", ""}},
      {"revisor", {"revisor", "Revisor", Role::kAuditor, "", "", ""}},
      {"partner", {"partner", "Partner", Role::kPartner, "", "", ""}}};
  app::Workspace workspace;
  config::ReportConfig reports;
  std::unique_ptr<Web> web;
  std::unique_ptr<http::Server> server;
  std::string origin_header;
};

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
  // Checked, not loaded.
  CHECK(f.catalog->All().size() == 1);
}

TEST_CASE("web: leads imported from a CSV upload, each bad row by its line, and the progress") {
  Fixture f;
  const std::string admin = f.SignIn("admin");
  const std::string csrf = f.Csrf(admin);
  auto upload = [&](const std::string& mode, const std::string& csv, bool skip_bad = false) {
    std::vector<std::pair<std::string, std::string>> fields = {{"csrf", csrf}, {"mode", mode}};
    if (skip_bad) fields.emplace_back("skip_bad", "true");
    return f.Upload("/admin/import", admin, fields, "leads.csv", csv);
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

TEST_CASE("web: both message files have every key, every event type has words, templates parse") {
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
