#pragma once
// Test support: the workspace over a real server on 127.0.0.1, on a RocksDB store in a temp dir
// with the shipped AMIGO and company definitions, users of every role, and a client that signs
// in, posts forms (with the session's token and this origin) and uploads files.
// REQUIRES: the test target defines PATHWAYS_SOURCE_DIR and links web.

#include <doctest/doctest.h>
#include <unistd.h>

#include <future>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "adapters/app/checkpoint_signer.hpp"
#include "adapters/app/workspace.hpp"
#include "adapters/auth/passwords.hpp"
#include "adapters/config/report_config.hpp"
#include "adapters/http/server.hpp"
#include "adapters/web/web.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways::testing {

using config::Role;

inline constexpr const char* kPassword = "correct horse battery staple";

// The shipped AMIGO definition and the company dialogue (config/workflows/company.yaml).
inline std::shared_ptr<definition::DefinitionCatalog> AmigoAndCompanyCatalog() {
  auto catalog = AmigoCatalog();
  auto company = workflows::LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) +
                                               "/config/workflows/company.yaml");
  REQUIRE(company.definition != nullptr);
  catalog->Add(company.definition);
  return catalog;
}

struct WebFixture {
  explicit WebFixture(std::string origin = "")
      : clock(kTestEpochMs),
        wall(kTestEpochMs),
        catalog(AmigoAndCompanyCatalog()),
        store(OpenWithDefinitions(tmp / "store", clock, catalog)),
        workspace({store.get(), catalog, &clock, &users}) {
    const std::string passwords = tmp / "passwords.json";
    for (const char* u : {"anne", "bo", "tove", "karin", "admin", "revisor"}) {
      REQUIRE(auth::PasswordFile(passwords).Set(u, kPassword, 0).ok());
    }
    web::WebOptions o;
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
    CryptoRandom random;
    Result<audit::note::Signer> key = audit::note::GenerateSigner("test.example/log", random);
    REQUIRE(key.ok());
    checkpoints = std::make_unique<app::CheckpointSigner>(*store, std::move(*key), 0);
    o.checkpoints = checkpoints.get();
    web = std::make_unique<web::Web>(std::move(o));
    http::ServerOptions so;
    so.port = 0;
    server = std::make_unique<http::Server>(
        so, [this](http::Request r, http::Responder done) { web->Handle(std::move(r), done); });
    REQUIRE(server->Start().ok());
    origin_header = "http://127.0.0.1:" + std::to_string(server->port());
  }
  ~WebFixture() {
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
    return Request(server->port(), "GET", target, "", h);
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
    const int fd = ConnectLocal(server->port());
    REQUIRE(fd >= 0);
    std::string req = "POST " + target +
                      " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server->port()) +
                      "\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    HttpReply reply;
    if (SendAll(fd, req)) reply = ParseReply(ReadAll(fd));
    ::close(fd);
    return reply;
  }

  // An import page's form (/admin/import, /admin/import-companies): `mode` check or import,
  // the good rows alone with `skip_bad`.
  HttpReply ImportUpload(const std::string& target, const std::string& cookie,
                         const std::string& csrf, const std::string& mode, const std::string& csv,
                         bool skip_bad = false) const {
    std::vector<std::pair<std::string, std::string>> fields = {{"csrf", csrf}, {"mode", mode}};
    if (skip_bad) fields.emplace_back("skip_bad", "true");
    return Upload(target, cookie, fields, "import.csv", csv);
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

  TempDir tmp;
  ManualClock clock;
  ManualClock wall;
  std::shared_ptr<definition::DefinitionCatalog> catalog;
  std::unique_ptr<storage::RocksEventStore> store;
  std::map<std::string, config::User> users = {
      {"anne", {"anne", "Anne Holm", Role::kCounsellor, "", "", ""}},
      {"bo", {"bo", "Bo Berg", Role::kCounsellor, "", "", ""}},
      {"tove", {"tove", "Tove Lund", Role::kTeamLead, "", "", ""}},
      {"karin", {"karin", "Karin Dahl", Role::kConsultant, "", "", ""}},
      {"admin", {"admin", "Admin", Role::kAdministrator, "", "", ""}},
      {"revisor", {"revisor", "Revisor", Role::kAuditor, "", "", ""}},
      {"partner", {"partner", "Partner", Role::kPartner, "", "", ""}}};
  app::Workspace workspace;
  config::ReportConfig reports;
  std::unique_ptr<app::CheckpointSigner> checkpoints;  // signs on demand only
  std::unique_ptr<web::Web> web;
  std::unique_ptr<http::Server> server;
  std::string origin_header;
};

}  // namespace pathways::testing
