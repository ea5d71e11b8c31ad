// The API over a real server on 127.0.0.1 with a real store: who may do what, a lead's life,
// idempotency and versions, bad input that changes nothing, the manual clock, reloads, and
// the server's limits.

#include "adapters/api/api.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "adapters/http/server.hpp"
#include "engine/storage/backup.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/sse_client.hpp"
#include "tests/support/temp_store.hpp"
#include "tests/support/tls_client.hpp"
#include "workflows/definition_set.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways {
namespace {

using testing::HttpReply;

const char* kUsers = R"(users:
  anne: {name: Anne, role: counsellor, organisation: school}
  bo: {name: Bo, role: counsellor, organisation: school}
  admin: {name: Admin, role: administrator, organisation: school}
  revisor: {name: Revisor, role: auditor, organisation: fund}
  jobcenter: {name: Jobcenter, role: partner, organisation: jc}
)";

// A server with the AMIGO definition on a manual clock, and a token per user.
class TestServer {
 public:
  explicit TestServer(http::ServerOptions so = {}, api::LiveFeedOptions live = {},
                      const char* users = kUsers)
      : clock_(testing::kTestEpochMs) {
    std::filesystem::create_directories(tmp_ / "workflows");
    std::filesystem::copy_file(testing::AmigoPath(), tmp_ / "workflows/amigo.yaml");
    std::ofstream(tmp_ / "users.yaml") << users;
    std::ofstream(tmp_ / "pathways.yaml")
        << "data: store\nworkflows: [workflows]\nusers: users.yaml\ntokens: tokens.json\n";
    config::ConfigResult cfg = config::LoadServerConfig(tmp_ / "pathways.yaml");
    REQUIRE(cfg.diagnostics.empty());
    config_ = cfg.config;
    workflows::DefinitionSet set = workflows::LoadDefinitionSet(config_.workflows);
    REQUIRE(set.diagnostics.empty());
    catalog_ = std::make_shared<definition::DefinitionCatalog>();
    catalog_->Merge(set.definitions);
    store_ = testing::OpenWithDefinitions(config_.data_dir, clock_, catalog_);
    tokens_ = std::make_unique<api::TokenStore>(config_.tokens_file);
    for (const auto& [id, user] : config_.users) {
      auto token = tokens_->Issue(id, clock_.NowMs());
      REQUIRE(token.ok());
      token_of_[id] = *token;
    }
    REQUIRE(tokens_->Reload().ok());
    scheduler_ = std::make_unique<runtime::TimerScheduler>(*store_, *store_, clock_);
    scheduler_->Start();
    api::ApiOptions ao;
    ao.store = store_.get();
    ao.catalog = catalog_;
    ao.clock = &clock_;
    ao.manual_clock = &clock_;
    ao.scheduler = scheduler_.get();
    ao.tokens = tokens_.get();
    ao.users = config_.users;
    ao.schools = config_.schools;
    ao.max_queue = 10'000;
    ao.live = live;
    ao.backup_dir = tmp_ / "backups";
    config::ReportConfigResult reports = config::LoadReportConfig(
        std::string(PATHWAYS_SOURCE_DIR) + "/config/reports.yaml", *catalog_);
    REQUIRE(reports.diagnostics.empty());
    reports_ = reports.config;
    ao.reports = &reports_;
    std::vector<std::string> paths = config_.workflows;
    ao.reload = [this, paths](std::vector<std::string>& added, std::size_t& unchanged) {
      workflows::ReloadReport r = workflows::ReloadDefinitions(*catalog_, paths);
      for (const auto& d : r.added) added.push_back(d->id);
      unchanged = r.unchanged;
      return r.diagnostics;
    };
    api_ = std::make_unique<api::Api>(std::move(ao));
    so.host = "127.0.0.1";
    so.port = 0;
    server_ = std::make_unique<http::Server>(so, [this](http::Request r, http::Responder done) {
      api_->Handle(std::move(r), std::move(done));
    });
    REQUIRE(server_->Start().ok());
  }
  ~TestServer() {
    server_->Stop();
    server_->Wait(5000);
    scheduler_->Stop();
  }

  HttpReply As(const std::string& user, const std::string& method, const std::string& target,
               const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    headers["Authorization"] = "Bearer " + token_of_.at(user);
    return testing::Request(server_->port(), method, target, body, headers);
  }
  // Registers a lead for `counsellor` and returns its pathway id.
  std::string Lead(const std::string& counsellor) {
    HttpReply r = As(counsellor, "POST", "/v1/pathways",
                     R"({"referral_source":"jobcenter","personal":{"identity":{"name":"N N"}}})");
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.Json()["pathway_id"];
  }

  std::map<std::string, std::string> Auth(const std::string& user) const {
    return {{"Authorization", "Bearer " + token_of_.at(user)}};
  }
  std::uint16_t port() const { return server_->port(); }
  http::ServerStats server_stats() const { return server_->Stats(); }
  storage::RocksEventStore& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  const std::string& dir() const { return tmp_.path(); }

 private:
  testing::TempDir tmp_;
  ManualClock clock_;
  config::ServerConfig config_;
  config::ReportConfig reports_;
  std::shared_ptr<definition::DefinitionCatalog> catalog_;
  std::unique_ptr<storage::RocksEventStore> store_;
  std::unique_ptr<api::TokenStore> tokens_;
  std::unique_ptr<runtime::TimerScheduler> scheduler_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::Server> server_;
  std::map<std::string, std::string> token_of_;
};

const char* kSchoolUsers = R"(schools:
  amigo_skolen: {name: AMIGO-skolen}
  teknisk_skole: {name: Teknisk Skole}
users:
  anne: {name: Anne, role: counsellor, school: amigo_skolen}
  bo: {name: Bo, role: counsellor, school: amigo_skolen}
  carl: {name: Carl, role: counsellor, school: teknisk_skole}
  tove: {name: Tove, role: team_lead, school: amigo_skolen}
  sara: {name: Sara, role: administrator, school: teknisk_skole}
  admin: {name: Admin, role: administrator}
)";

bool IsProblem(const HttpReply& r, int status, const std::string& type) {
  const auto j = r.Json();
  return r.status == status && r.headers.count("content-type") &&
         r.headers.at("content-type") == "application/problem+json" && j.is_object() &&
         j.value("type", "") == "https://pathways.example/problems/" + type &&
         j.value("status", 0) == status && !j.value("detail", "").empty();
}

TEST_CASE("access: no token 401, a role that may not 403, another counsellor's pathway 404") {
  TestServer s;
  const std::string mine = s.Lead("anne");

  HttpReply none = testing::Request(s.port(), "GET", "/v1/pathways/" + mine);
  CHECK(IsProblem(none, 401, "unauthorized"));
  CHECK(none.headers.count("www-authenticate") == 1);
  HttpReply forged = testing::Request(s.port(), "GET", "/v1/pathways/" + mine, "",
                                      {{"Authorization", "Bearer pw_0000_forged"}});
  CHECK(IsProblem(forged, 401, "unauthorized"));

  CHECK(s.As("anne", "GET", "/v1/pathways/" + mine).status == 200);
  HttpReply other = s.As("bo", "GET", "/v1/pathways/" + mine);
  HttpReply missing = s.As("bo", "GET", "/v1/pathways/no-such-pathway");
  CHECK(IsProblem(other, 404, "not-found"));
  CHECK(other.Json()["detail"].get<std::string>().find(mine) != std::string::npos);
  CHECK(missing.status == 404);
  CHECK(
      IsProblem(s.As("bo", "POST", "/v1/pathways/" + mine + "/contacts", "{}"), 404, "not-found"));

  // Auditors read everything and change nothing; partners have no business here.
  CHECK(s.As("revisor", "GET", "/v1/pathways/" + mine).status == 200);
  CHECK(IsProblem(s.As("revisor", "POST", "/v1/pathways/" + mine + "/contacts", "{}"), 403,
                  "forbidden"));
  CHECK(IsProblem(s.As("jobcenter", "GET", "/v1/pathways/" + mine), 403, "forbidden"));
  CHECK(IsProblem(s.As("anne", "POST", "/v1/definitions/reload"), 403, "forbidden"));
  CHECK(s.As("admin", "GET", "/v1/pathways/" + mine).status == 200);
  CHECK(IsProblem(s.As("anne", "GET", "/v1/caseload?counsellor=bo"), 403, "forbidden"));
  // Public: health and metrics.
  CHECK(testing::Request(s.port(), "GET", "/healthz").status == 200);
  CHECK(testing::Request(s.port(), "GET", "/readyz").status == 200);
  CHECK(testing::Request(s.port(), "GET", "/metrics").body.find("pathways_writer_batches_total") !=
        std::string::npos);
}

TEST_CASE("a lead's life over HTTP: register, read, act, refusals and history") {
  TestServer s;
  HttpReply created = s.As("anne", "POST", "/v1/pathways",
                           R"({"referral_source":"jobcenter","data":{"unemployed":true}})");
  REQUIRE(created.status == 201);
  const std::string id = created.Json()["pathway_id"];
  CHECK(created.headers["location"] == "/v1/pathways/" + id);

  HttpReply read = s.As("anne", "GET", "/v1/pathways/" + id);
  REQUIRE(read.status == 200);
  auto p = read.Json();
  CHECK(p["state"]["id"] == "lead");
  CHECK(p["state"]["label"]["da"].is_string());
  CHECK(p["contact_person"] == "anne");
  CHECK(p["data"]["unemployed"] == true);
  CHECK(read.headers["etag"] == "\"" + std::to_string(p["version"].get<int>()) + "\"");

  HttpReply refused = s.As("anne", "POST", "/v1/pathways/" + id + "/triggers/enrol", "{}");
  CHECK(IsProblem(refused, 409, "rejected"));
  CHECK(refused.Json()["detail"].get<std::string>().find("lead") != std::string::npos);

  s.clock().Advance(3'600'000);  // an hour later
  HttpReply intake = s.As("anne", "POST", "/v1/pathways/" + id + "/triggers/hold_intake",
                          R"({"payload":{"age_at_entry":31}})");
  REQUIRE_MESSAGE(intake.status == 200, intake.body);
  CHECK(s.As("anne", "GET", "/v1/pathways/" + id).Json()["state"]["id"] == "intake");
  CHECK(s.As("anne", "POST", "/v1/pathways/" + id + "/contacts",
             R"({"channel":"phone","minutes":25,"topic":"Uddannelsesplan"})")
            .status == 200);
  CHECK(IsProblem(s.As("anne", "POST", "/v1/pathways/" + id + "/contacts", R"({"minutes":1441})"),
                  400, "invalid-body"));
  HttpReply risk =
      s.As("anne", "POST", "/v1/pathways/" + id + "/risks", R"({"type":"no_contact"})");
  REQUIRE_MESSAGE(risk.status == 200, risk.body);
  const auto risks = s.As("anne", "GET", "/v1/pathways/" + id).Json()["risks"];
  REQUIRE(risks.size() == 1);
  CHECK(s.As("anne", "POST",
             "/v1/pathways/" + id + "/risks/" + risks[0]["id"].get<std::string>() + "/resolve",
             R"({"resolution":"called back"})")
            .status == 200);
  CHECK(s.As("anne", "POST", "/v1/pathways/" + id + "/pause", R"({"reason":"illness"})").status ==
        200);
  CHECK(IsProblem(s.As("anne", "POST", "/v1/pathways/" + id + "/pause", "{}"), 409, "rejected"));
  CHECK(s.As("anne", "POST", "/v1/pathways/" + id + "/resume").status == 200);

  // Data after registration, with why; without a why, or from an auditor, nothing changes.
  CHECK(IsProblem(
      s.As("anne", "POST", "/v1/pathways/" + id + "/data", R"({"fields":{"danish_math_02":true}})"),
      400, "invalid-body"));
  CHECK(IsProblem(s.As("revisor", "POST", "/v1/pathways/" + id + "/data",
                       R"({"fields":{"danish_math_02":true},"reason":"prøve"})"),
                  403, "forbidden"));
  HttpReply data = s.As("anne", "POST", "/v1/pathways/" + id + "/data",
                        R"({"fields":{"danish_math_02":true},)"
                        R"("personal":{"guidance":{"note":"vil gerne være tømrer"}},)"
                        R"("reason":"prøve bestået"})");
  REQUIRE_MESSAGE(data.status == 200, data.body);
  CHECK(s.As("anne", "GET", "/v1/pathways/" + id).Json()["data"]["danish_math_02"] == true);

  // A barrier: its code sealed in the guidance scope, plain nowhere in the history.
  HttpReply barrier = s.As("anne", "POST", "/v1/pathways/" + id + "/barriers",
                           R"({"code":"dyslexia","note":"læser langsomt"})");
  REQUIRE_MESSAGE(barrier.status == 200, barrier.body);
  CHECK(IsProblem(s.As("anne", "POST", "/v1/pathways/" + id + "/barriers", R"({"code":"luck"})"),
                  400, "invalid-request"));
  const auto guidance =
      s.As("anne", "GET", "/v1/pathways/" + id + "/personal?purpose=test").Json()["guidance"];
  bool sealed_code = false;
  for (const auto& [field, value] : guidance.items()) {
    sealed_code = sealed_code || (field.starts_with("barrier_r") && value["code"] == "dyslexia");
  }
  CHECK(sealed_code);
  const std::string all = s.As("anne", "GET", "/v1/pathways/" + id + "/history").body;
  CHECK(all.find("dyslexia") == std::string::npos);
  CHECK(all.find("læser") == std::string::npos);
  CHECK(all.find("agree_support") != std::string::npos);  // the support it led to

  // The contact's length and topic are in the history, for the funder's timesheets.
  const std::string told = s.As("anne", "GET", "/v1/pathways/" + id + "/history").body;
  CHECK(told.find(R"("minutes":25,"topic":"Uddannelsesplan")") != std::string::npos);
  HttpReply history = s.As("anne", "GET", "/v1/pathways/" + id + "/history?limit=3");
  REQUIRE(history.status == 200);
  CHECK(history.Json()["events"].size() == 3);
  CHECK(history.Json()["events"][0]["type"] == "LeadRegistered");
  CHECK(history.Json()["next_from"] == 4);

  HttpReply as_of = s.As("revisor", "GET", "/v1/pathways/" + id + "/as-of?at=2026-03-02T08:00:00Z");
  REQUIRE(as_of.status == 200);
  CHECK(as_of.Json()["pathway"]["state"]["id"] == "lead");
  CHECK(as_of.Json()["rejections"].size() == 1);  // the refused enrolment, at the same moment

  HttpReply stats = s.As("revisor", "GET", "/v1/stats");
  CHECK(stats.Json()["states"]["intake"] == 1);
  CHECK(stats.Json()["target"]["count"] == 200);
  CHECK(s.As("revisor", "GET", "/v1/audit/verify").Json()["ok"] == true);
}

TEST_CASE("Idempotency-Key answers a retry with the original, another request with 422") {
  TestServer s;
  const std::string body = R"({"referral_source":"jobcenter"})";
  HttpReply first = s.As("anne", "POST", "/v1/pathways", body, {{"Idempotency-Key", "lead-7"}});
  REQUIRE(first.status == 201);
  const std::uint64_t head = s.store().Head().position;
  HttpReply again = s.As("anne", "POST", "/v1/pathways", body, {{"Idempotency-Key", "lead-7"}});
  CHECK(again.status == 201);
  CHECK(again.Json()["pathway_id"] == first.Json()["pathway_id"]);
  CHECK(again.Json()["version"] == first.Json()["version"]);
  CHECK(again.Json()["duplicate"] == true);
  CHECK(s.store().Head().position == head);  // nothing written twice
  HttpReply other = s.As("anne", "POST", "/v1/pathways", R"({"referral_source":"union"})",
                         {{"Idempotency-Key", "lead-7"}});
  CHECK(IsProblem(other, 422, "idempotency-key-reused"));
  // Keys are per user: Bo's lead-7 is another request altogether.
  CHECK(s.As("bo", "POST", "/v1/pathways", body, {{"Idempotency-Key", "lead-7"}}).status == 201);

  const std::string id = first.Json()["pathway_id"];
  const std::string version = std::to_string(first.Json()["version"].get<int>());
  HttpReply stale =
      s.As("anne", "POST", "/v1/pathways/" + id + "/contacts", "{}", {{"If-Match", "\"1\""}});
  CHECK(IsProblem(stale, 412, "version-mismatch"));
  HttpReply fresh = s.As("anne", "POST", "/v1/pathways/" + id + "/contacts", "{}",
                         {{"If-Match", "\"" + version + "\""}});
  CHECK(fresh.status == 200);
  CHECK(IsProblem(
      s.As("anne", "POST", "/v1/pathways/" + id + "/contacts", "{}", {{"If-Match", "soon"}}), 400,
      "invalid-request"));
}

TEST_CASE("bad input answers 400/404/405/413 problem+json and writes nothing") {
  http::ServerOptions small;
  small.max_body_bytes = 4096;
  TestServer s(small);
  const std::string id = s.Lead("anne");
  const std::uint64_t head = s.store().Head().position;
  const std::string contacts = "/v1/pathways/" + id + "/contacts";
  CHECK(IsProblem(s.As("anne", "POST", contacts, "{\"channel\":"), 400, "invalid-body"));
  CHECK(IsProblem(s.As("anne", "POST", contacts, "[1,2]"), 400, "invalid-body"));
  CHECK(IsProblem(s.As("anne", "POST", contacts, R"({"channel":7})"), 400, "invalid-body"));
  CHECK(IsProblem(s.As("anne", "POST", contacts, R"({"chanel":"phone"})"), 400, "invalid-body"));
  CHECK(
      IsProblem(s.As("anne", "POST", contacts, "{\"channel\":\"\xff\xfe\"}"), 400, "invalid-body"));
  CHECK(IsProblem(s.As("anne", "POST", "/v1/admin/clock", R"({"advance_ms":1e400})"), 403,
                  "forbidden"));
  CHECK(IsProblem(
      s.As("admin", "POST", "/v1/admin/clock", R"({"advance_ms":123456789012345678901234567890})"),
      400, "invalid-body"));
  HttpReply wrong_type = s.As("anne", "POST", "/v1/pathways/" + id + "/triggers/hold_intake",
                              R"({"payload":{"age_at_entry":"old"}})");
  CHECK_MESSAGE(IsProblem(wrong_type, 400, "invalid-request"), wrong_type.body);
  CHECK(IsProblem(s.As("anne", "POST", contacts, std::string(8000, ' ')), 413, "body-too-large"));
  CHECK(IsProblem(s.As("anne", "GET", "/v1/nothing-here"), 404, "not-found"));
  CHECK(IsProblem(s.As("anne", "DELETE", "/v1/pathways/" + id), 405, "method-not-allowed"));
  CHECK(s.store().Head().position == head);
  CHECK(s.As("anne", "GET", "/v1/pathways/" + id).status == 200);  // still serving
}

TEST_CASE("paths are split before they are decoded, ids with `/` are refused, queries are strict") {
  TestServer s;
  const std::string id = s.Lead("anne");
  const std::uint64_t head = s.store().Head().position;
  // `%2F` stays inside its segment: this names a pathway `<id>/history`, which does not exist.
  CHECK(s.As("anne", "GET", "/v1/pathways/" + id + "/history").status == 200);
  CHECK(IsProblem(s.As("anne", "GET", "/v1/pathways/" + id + "%2Fhistory"), 404, "not-found"));
  // A pathway that could never be addressed is not created.
  CHECK(IsProblem(
      s.As("anne", "POST", "/v1/pathways", R"({"pathway_id":"x/y","referral_source":"jobcenter"})"),
      400, "invalid-request"));
  CHECK(IsProblem(
      s.As("anne", "POST", "/v1/pathways", R"({"pathway_id":"x y","referral_source":"jobcenter"})"),
      400, "invalid-request"));
  CHECK(s.store().Head().position == head);

  // Every query parameter is read strictly, and a bad one is named.
  const std::string history = "/v1/pathways/" + id + "/history";
  for (const char* bad :
       {"?limit=abc", "?limit=-1", "?limit=0", "?limit=1001", "?from=-5", "?from=1e3", "?from=0"}) {
    HttpReply r = s.As("anne", "GET", history + bad);
    CHECK_MESSAGE(IsProblem(r, 400, "invalid-request"), bad, " ", r.body);
  }
  CHECK(s.As("anne", "GET", history + "?limit=1").Json()["events"].size() == 1);
  for (const char* bad : {"/v1/caseload?limit=abc", "/v1/caseload?overdue=maybe",
                          "/v1/tasks?limit=abc", "/v1/caseload?limit=0"}) {
    HttpReply r = s.As("anne", "GET", bad);
    CHECK_MESSAGE(IsProblem(r, 400, "invalid-request"), bad, " ", r.body);
    CHECK(r.Json()["detail"].get<std::string>().find('`') != std::string::npos);
  }
  CHECK(s.As("anne", "GET", "/v1/caseload?overdue=false").status == 200);
  CHECK(IsProblem(s.As("revisor", "GET", "/v1/audit/export?from=-1"), 400, "invalid-request"));

  // A 405 says which methods the path takes.
  HttpReply wrong = s.As("anne", "DELETE", "/v1/pathways/" + id);
  CHECK(IsProblem(wrong, 405, "method-not-allowed"));
  CHECK(wrong.headers["allow"] == "GET");
  CHECK(s.As("anne", "PUT", "/v1/pathways").headers["allow"] == "POST");
}

TEST_CASE("the manual clock refuses a step that would overflow") {
  TestServer s;
  const std::string now =
      s.As("admin", "POST", "/v1/admin/clock", R"({"advance_ms":0})").Json()["now"];
  CHECK(IsProblem(s.As("admin", "POST", "/v1/admin/clock", R"({"advance_ms":9223372036854775807})"),
                  400, "invalid-body"));
  CHECK(IsProblem(s.As("admin", "POST", "/v1/admin/clock", R"({"to":"9999-12-31T00:00:00Z"})"), 400,
                  "invalid-body"));
  CHECK(s.As("admin", "POST", "/v1/admin/clock", R"({"advance_ms":0})").Json()["now"] == now);
}

TEST_CASE("the manual clock: advancing fires what fell due, and tasks turn overdue") {
  TestServer s;
  const std::string id = s.Lead("anne");
  auto before = s.As("anne", "GET", "/v1/pathways/" + id).Json();
  REQUIRE(before["timers"].size() >= 1);
  HttpReply advanced = s.As("admin", "POST", "/v1/admin/clock", R"({"advance_ms":2592000000})");
  REQUIRE_MESSAGE(advanced.status == 200, advanced.body);
  CHECK(advanced.Json()["timers_fired"].get<int>() >= 1);
  CHECK(advanced.Json()["now"] == "2026-04-01T08:00:00.000Z");
  auto after = s.As("anne", "GET", "/v1/pathways/" + id).Json();
  CHECK(after["version"].get<int>() > before["version"].get<int>());
  HttpReply tasks = s.As("anne", "GET", "/v1/tasks");
  REQUIRE(tasks.status == 200);
  CHECK(tasks.Json()["assignee"] == "anne");
  HttpReply caseload = s.As("anne", "GET", "/v1/caseload");
  REQUIRE(caseload.status == 200);
  CHECK(caseload.Json()["pathways"].size() == 1);
  CHECK(s.As("anne", "GET", "/v1/caseload?state=completed").Json()["pathways"].empty());
  CHECK(IsProblem(s.As("admin", "POST", "/v1/admin/clock", R"({"advance_ms":-5})"), 400,
                  "invalid-body"));
}

TEST_CASE("a reassigned task moves inboxes, and its new assignee may work it") {
  TestServer s;
  const std::string id = s.Lead("anne");
  REQUIRE(s.As("admin", "POST", "/v1/admin/clock", R"({"advance_ms":2592000000})").status == 200);
  auto tasks = s.As("anne", "GET", "/v1/tasks").Json()["tasks"];
  REQUIRE(tasks.size() == 1);
  const std::string task = tasks[0]["task_id"];
  const std::string base = "/v1/pathways/" + id + "/tasks/" + task;
  CHECK(IsProblem(s.As("bo", "POST", base + "/acknowledge"), 404, "not-found"));
  CHECK(IsProblem(s.As("anne", "POST", base + "/reassign", R"({"assignee":"revisor"})"), 400,
                  "invalid-body"));
  CHECK(IsProblem(s.As("anne", "POST", base + "/reassign", R"({})"), 400, "invalid-body"));
  HttpReply moved =
      s.As("anne", "POST", base + "/reassign", R"({"assignee":"bo","reason":"on leave"})");
  REQUIRE_MESSAGE(moved.status == 200, moved.body);
  CHECK(s.As("anne", "GET", "/v1/tasks").Json()["tasks"].empty());
  auto bos = s.As("bo", "GET", "/v1/tasks").Json()["tasks"];
  REQUIRE(bos.size() == 1);
  CHECK(bos[0]["task_id"] == task);
  // Bo sees the pathway while the task is his, and may complete it; then it is Anne's alone.
  CHECK(s.As("bo", "GET", "/v1/pathways/" + id).status == 200);
  CHECK(IsProblem(s.As("bo", "POST", base + "/reassign", R"({"assignee":"bo"})"), 409, "rejected"));
  REQUIRE(s.As("bo", "POST", base + "/complete").status == 200);
  CHECK(s.As("bo", "GET", "/v1/tasks").Json()["tasks"].empty());
  CHECK(IsProblem(s.As("bo", "GET", "/v1/pathways/" + id), 404, "not-found"));
  auto history = s.As("anne", "GET", "/v1/pathways/" + id + "/history").Json()["events"];
  bool recorded = false;
  for (const auto& e : history) {
    recorded = recorded || (e["type"] == "TaskReassigned" && e["data"]["from"] == "anne" &&
                            e["data"]["to"] == "bo" && e["data"]["by"] == "anne");
  }
  CHECK(recorded);
}

TEST_CASE(
    "live: a counsellor's stream carries their pathways only, and resumes after Last-Event-ID") {
  api::LiveFeedOptions live;
  live.heartbeat = std::chrono::milliseconds(200);
  TestServer s(http::ServerOptions{}, live);
  const std::string before = s.Lead("anne");  // before the stream opens: not sent
  testing::SseClient anne(s.port(), "/v1/live", s.Auth("anne"));
  REQUIRE(anne.head().status == 200);
  CHECK(anne.head().headers.at("content-type") == "text/event-stream");
  testing::SseClient admin(s.port(), "/v1/live", s.Auth("admin"));
  REQUIRE(admin.head().status == 200);

  const std::string bos = s.Lead("bo");
  const std::string mine = s.Lead("anne");
  REQUIRE(
      s.As("anne", "POST", "/v1/pathways/" + mine + "/contacts", R"({"channel":"phone"})").status ==
      200);
  const auto history = s.As("anne", "GET", "/v1/pathways/" + mine + "/history").Json()["events"];
  const std::uint64_t last = history.back()["position"];

  const auto& got = anne.WaitFor(history.size());
  REQUIRE(got.size() == history.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].id == history[i]["position"].get<std::uint64_t>());
    CHECK(got[i].type == history[i]["type"]);
    CHECK(got[i].data["pathway_id"] == mine);
    CHECK(got[i].data["data"] == history[i]["data"]);
  }
  CHECK(anne.Drain(300).size() == history.size());  // nothing of Bo's came, nothing twice
  CHECK(anne.text().find(": keep-alive") != std::string::npos);
  // An administrator sees both new pathways.
  std::set<std::string> pathways;
  for (const auto& e : admin.WaitFor(history.size() + 3, 2000))
    pathways.insert(e.data["pathway_id"]);
  CHECK(pathways == std::set<std::string>{bos, mine});

  // Reconnecting after the last event seen: what happened meanwhile, and only that.
  REQUIRE(s.As("anne", "POST", "/v1/pathways/" + mine + "/missed-appointments").status == 200);
  REQUIRE(
      s.As("anne", "POST", "/v1/pathways/" + before + "/contacts", R"({"channel":"sms"})").status ==
      200);
  auto headers = s.Auth("anne");
  headers["Last-Event-ID"] = std::to_string(last);
  testing::SseClient resumed(s.port(), "/v1/live", headers);
  const auto mine_now = s.As("anne", "GET", "/v1/pathways/" + mine).Json()["version"];
  const auto before_now = s.As("anne", "GET", "/v1/pathways/" + before).Json()["version"];
  const std::size_t missed = mine_now.get<std::size_t>() - history.size();
  const auto& more = resumed.WaitFor(missed + 3);  // the contact restarts two timers
  REQUIRE(more.size() >= missed + 1);
  CHECK(more[0].id == last + 1);
  CHECK(more[0].type == "MissedAppointmentRecorded");
  CHECK(more[missed].data["pathway_id"] == before);
  CHECK(more.back().data["version"] == before_now);
  // One pathway only, from its start.
  testing::SseClient one(s.port(), "/v1/live?pathway=" + before + "&after=0", s.Auth("anne"));
  const auto& all = one.WaitFor(before_now.get<std::size_t>());
  CHECK(all.size() == before_now.get<std::size_t>());
  for (const auto& e : all) CHECK(e.data["pathway_id"] == before);

  // Who may not, and what is not a position.
  CHECK(IsProblem(testing::Request(s.port(), "GET", "/v1/live", "", s.Auth("jobcenter")), 403,
                  "forbidden"));
  testing::SseClient bad(s.port(), "/v1/live?after=-1", s.Auth("anne"));
  CHECK(IsProblem(bad.head(), 400, "invalid-request"));
  testing::SseClient hidden(s.port(), "/v1/live?pathway=" + bos, s.Auth("anne"));
  CHECK(IsProblem(hidden.head(), 404, "not-found"));
}

TEST_CASE("audit export over HTTP: the whole log streamed, as JSON Lines or CSV, sealed") {
  TestServer s;
  for (int i = 0; i < 40; ++i) s.Lead(i % 2 ? "anne" : "bo");
  const std::uint64_t head = s.store().Head().position;
  HttpReply jsonl = s.As("revisor", "GET", "/v1/audit/export");
  REQUIRE(jsonl.status == 200);
  CHECK(jsonl.headers.at("content-type") == "application/x-ndjson");
  CHECK(jsonl.headers.at("x-pathways-export-last") == std::to_string(head));
  std::uint64_t expect = 1;
  for (std::size_t at = 0, nl; (nl = jsonl.body.find('\n', at)) != std::string::npos; at = nl + 1) {
    auto line = nlohmann::json::parse(jsonl.body.substr(at, nl - at));
    CHECK(line["position"] == expect++);
  }
  CHECK(expect == head + 1);
  CHECK(jsonl.body.find("N N") == std::string::npos);  // the leads' names stay sealed
  CHECK(jsonl.body.find("\"encrypted\":true") != std::string::npos);

  HttpReply csv = s.As("admin", "GET", "/v1/audit/export?format=csv&from=3&to=5");
  REQUIRE(csv.status == 200);
  CHECK(csv.headers.at("content-type") == "text/csv; charset=utf-8");
  CHECK(csv.body.rfind("position,stream_id,", 0) == 0);
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == 4);

  CHECK(IsProblem(s.As("anne", "GET", "/v1/audit/export"), 403, "forbidden"));
  CHECK(IsProblem(s.As("revisor", "GET", "/v1/audit/export?from=0"), 400, "invalid-request"));
  CHECK(IsProblem(s.As("revisor", "GET", "/v1/audit/export?format=xml"), 400, "invalid-request"));
}

TEST_CASE("an administrator backs up the running store, the backup restores and verifies") {
  TestServer s;
  s.Lead("anne");
  CHECK(IsProblem(s.As("revisor", "POST", "/v1/admin/backup"), 403, "forbidden"));
  HttpReply taken = s.As("admin", "POST", "/v1/admin/backup");
  REQUIRE_MESSAGE(taken.status == 200, taken.body);
  const std::uint64_t head = s.store().Head().position;
  CHECK(taken.Json()["backup_id"] == 1);
  CHECK(taken.Json()["head_position"] == head);
  s.Lead("bo");  // the server keeps writing during and after
  CHECK(s.As("admin", "POST", "/v1/admin/backup").Json()["backup_id"] == 2);
  auto restored = storage::RestoreBackup(s.dir() + "/backups", 1, s.dir() + "/restored");
  REQUIRE_MESSAGE(restored.ok(), restored.status().ToString());
  CHECK(restored->ok);
  CHECK(restored->head.position == head);
  CHECK_FALSE(std::filesystem::exists(s.dir() + "/backups/master-key"));
}

TEST_CASE(
    "personal data: only for roles that need it, and every read recorded before it is shown") {
  TestServer s;
  HttpReply lead = s.As("anne", "POST", "/v1/pathways",
                        R"({"referral_source":"jobcenter","personal":{"identity":{"name":"Ane )"
                        R"(Hansen","phone":"12345678"},"guidance":{"barrier":"reading"}}})");
  REQUIRE(lead.status == 201);
  const std::string id = lead.Json()["pathway_id"];
  const std::string base = "/v1/pathways/" + id + "/personal";
  const std::uint64_t head = s.store().Head().position;

  HttpReply mine = s.As("anne", "GET", base + "?purpose=phone%20call");
  REQUIRE_MESSAGE(mine.status == 200, mine.body);
  CHECK(mine.Json()["identity"]["name"] == "Ane Hansen");
  CHECK(mine.Json()["guidance"]["barrier"] == "reading");
  CHECK(mine.headers.at("cache-control") == "no-store");
  CHECK(s.store().Head().position == head + 1);  // the read is in the log
  HttpReply admin = s.As("admin", "GET", base);
  REQUIRE(admin.status == 200);
  CHECK(admin.Json()["identity"]["phone"] == "12345678");
  CHECK_FALSE(admin.Json().contains("guidance"));  // barriers are the counsellor's alone
  CHECK(IsProblem(s.As("bo", "GET", base), 404, "not-found"));
  CHECK(IsProblem(s.As("jobcenter", "GET", base), 403, "forbidden"));
  CHECK(s.store().Head().position == head + 2);  // refusals recorded no read

  HttpReply log = s.As("revisor", "GET", base + "/reads");
  REQUIRE(log.status == 200);
  const auto reads = log.Json()["reads"];
  REQUIRE(reads.size() == 2);
  CHECK(reads[0]["by"]["user"] == "anne");
  CHECK(reads[0]["data"]["purpose"] == "phone call");
  CHECK(reads[0]["data"]["scopes"] == nlohmann::json::array({"identity", "guidance", "special"}));
  CHECK(reads[1]["by"]["user"] == "admin");
  CHECK(IsProblem(s.As("anne", "GET", base + "/reads"), 403, "forbidden"));
  // Nothing of the person is in the record, and a pathway id may not pose as the record.
  CHECK(log.body.find("Ane Hansen") == std::string::npos);
  CHECK(IsProblem(
      s.As("anne", "POST", "/v1/pathways", R"({"referral_source":"x","pathway_id":"$access:p-1"})"),
      400, "invalid-request"));

  // Erased: the scope reads as erased, and the read is still recorded.
  const std::string participant =
      s.As("anne", "GET", "/v1/pathways/" + id).Json()["participant_id"];
  REQUIRE(s.store()
              .ErasePersonalData({participant,
                                  {PersonalScope::kGuidance},
                                  "erase-1",
                                  {"admin", "administrator"},
                                  "request"})
              .ok());
  HttpReply after = s.As("anne", "GET", base);
  CHECK(after.Json()["guidance"] == nlohmann::json{{"erased", true}});
  CHECK(after.Json()["identity"]["name"] == "Ane Hansen");
}

TEST_CASE("live: streams past the cap answer 503, and a stopping server ends every stream") {
  api::LiveFeedOptions live;
  live.max_streams = 2;
  auto s = std::make_unique<TestServer>(http::ServerOptions{}, live);
  testing::SseClient a(s->port(), "/v1/live", s->Auth("anne"));
  testing::SseClient b(s->port(), "/v1/live", s->Auth("bo"));
  REQUIRE(a.head().status == 200);
  REQUIRE(b.head().status == 200);
  testing::SseClient c(s->port(), "/v1/live", s->Auth("admin"));
  CHECK(IsProblem(c.head(), 503, "too-many-streams"));
  CHECK(c.head().headers.count("retry-after") == 1);
  const auto t0 = std::chrono::steady_clock::now();
  s.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  a.Drain(500);
  b.Drain(500);
  CHECK(a.ended());
  CHECK(b.ended());
}

TEST_CASE("reloading over the API refuses a broken file and keeps serving the old set") {
  TestServer s;
  std::ofstream(s.dir() + "/workflows/broken.yaml") << "id: amigo\nversion: 2\nstates: [\n";
  HttpReply refused = s.As("admin", "POST", "/v1/definitions/reload");
  CHECK(IsProblem(refused, 422, "definitions-invalid"));
  CHECK(refused.Json()["diagnostics"][0]["file"].get<std::string>().find("broken.yaml") !=
        std::string::npos);
  CHECK(s.As("admin", "GET", "/v1/definitions").Json()["definitions"].size() == 1);
  CHECK(s.Lead("anne").size() > 3);  // still taking leads on the old set

  std::filesystem::remove(s.dir() + "/workflows/broken.yaml");
  CHECK(s.As("admin", "POST", "/v1/definitions/reload").Json()["unchanged"] == 1);
  HttpReply valid = s.As("admin", "POST", "/v1/definitions/validate", "id: x\nversion: 1\n");
  CHECK(IsProblem(valid, 422, "definition-invalid"));
}

TEST_CASE("limits: a slow client is cut off, and connections past the cap get 503") {
  http::ServerOptions tight;
  tight.read_timeout_ms = 300;
  tight.idle_timeout_ms = 30'000;
  tight.max_connections = 2;
  TestServer s(tight);
  // Half a request line, then nothing: once a request has begun the read timeout applies,
  // not the long idle one.
  const int slow = testing::ConnectLocal(s.port(), 5000);
  REQUIRE(slow >= 0);
  REQUIRE(testing::SendAll(slow, "GET /healthz HT"));
  const auto t0 = std::chrono::steady_clock::now();
  const std::string nothing = testing::ReadAll(slow);
  const auto waited = std::chrono::steady_clock::now() - t0;
  ::close(slow);
  CHECK(nothing.empty());
  CHECK(waited < std::chrono::seconds(3));
  // Until the server has let the slow one go, it still counts against the cap: a second
  // connection made before then would be the third.
  for (int i = 0; i < 250 && s.server_stats().connections_open > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(s.server_stats().connections_open == 0);

  const int a = testing::ConnectLocal(s.port());
  const int b = testing::ConnectLocal(s.port());
  // Both accepted (the server counts a connection when its accept has run), at most 5 s.
  for (int i = 0; i < 250 && s.server_stats().connections_open < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(s.server_stats().connections_open >= 2);
  HttpReply third = testing::Request(s.port(), "GET", "/healthz");
  CHECK(IsProblem(third, 503, "too-many-connections"));
  ::close(a);
  ::close(b);
  HttpReply later;
  for (int i = 0; i < 50 && later.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    later = testing::Request(s.port(), "GET", "/healthz");
  }
  CHECK(later.status == 200);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

// "/v1/pathways/{id}/risks/{risk}/resolve" -> "/v1/pathways/{}/risks/{}/resolve"
std::string Pattern(const std::string& templated) {
  std::string out;
  for (std::size_t i = 0; i < templated.size(); ++i) {
    if (templated[i] == '{') {
      out += "{}";
      i = templated.find('}', i);
    } else {
      out += templated[i];
    }
  }
  return out;
}

TEST_CASE(
    "docs/api/openapi.yaml names exactly the server's routes, and every one answers as "
    "documented") {
  const YAML::Node spec =
      YAML::LoadFile(std::string(PATHWAYS_SOURCE_DIR) + "/docs/api/openapi.yaml");
  REQUIRE(spec["openapi"].as<std::string>().rfind("3.1", 0) == 0);
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& path : spec["paths"]) {
    for (const auto& op : path.second) {
      std::string method = op.first.as<std::string>();
      if (method == "parameters") continue;
      for (char& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.emplace(method, Pattern(path.first.as<std::string>()));
    }
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& r : api::Api::Routes()) served.insert(r);
  for (const auto& r : served) {
    INFO("served but not documented: " << r.first << " " << r.second);
    CHECK(documented.count(r) == 1);
  }
  for (const auto& r : documented) {
    INFO("documented but not served: " << r.first << " " << r.second);
    CHECK(served.count(r) == 1);
  }

  // Call each operation with real ids, as an administrator; the answer's status must be one
  // the spec lists for it, and a success must have the documented content type.
  TestServer s;
  const std::string id = s.Lead("anne");
  REQUIRE(
      s.As("admin", "POST", "/v1/pathways/" + id + "/risks", R"({"type":"no_contact"})").status ==
      200);
  auto pathway = s.As("admin", "GET", "/v1/pathways/" + id).Json();
  const std::string risk = pathway["risks"][0]["id"];
  const std::string task = pathway["tasks"].empty() ? "t1" : pathway["tasks"][0]["id"];
  const std::map<std::string, std::string> values = {
      {"id", id},          {"trigger", "hold_intake"},  {"risk", risk},
      {"task", task},      {"action", "acknowledge"},   {"name", "kui.webhook"},
      {"party", "kui"},    {"appointment", "apt-test"}, {"change", "move"},
      {"counsellor", "bo"}};
  std::string amigo;
  REQUIRE(workflows::ReadWholeFile(testing::AmigoPath(), amigo));
  const std::map<std::string, std::string> bodies = {
      {"POST /v1/pathways", R"({"referral_source":"union","contact_person":"bo"})"},
      {"POST /v1/pathways/{}/triggers/{}", R"({"payload":{"age_at_entry":30}})"},
      {"POST /v1/pathways/{}/risks", R"({"type":"no_contact"})"},
      {"POST /v1/pathways/{}/contact-person", R"({"user":"bo"})"},
      {"POST /v1/pathways/{}/data", R"({"fields":{"unemployed":true},"reason":"rettet"})"},
      {"POST /v1/pathways/{}/barriers", R"({"code":"transport"})"},
      {"POST /v1/pathways/{}/employer",
       R"({"name":"Smedje A/S","cvr":"12345678","contact":"Ole Smed","email":"ole@smedje.example"})"},
      {"POST /v1/pathways/{}/municipality", R"({"code":"751"})"},
      {"POST /v1/pathways/{}/appointments",
       R"({"appointment_id":"apt-test","starts_at":"2099-02-03T10:00","ends_at":"2099-02-03T11:00","place":"Lokale 1"})"},
      {"POST /v1/pathways/{}/appointments/{}/{}",
       R"({"starts_at":"2099-02-04T10:00","ends_at":"2099-02-04T11:00"})"},
      {"POST /v1/pathways/{}/information-notice", R"({"version":"2026-09"})"},
      {"POST /v1/pathways/{}/consent", R"({"given":true,"channels":["email"]})"},
      {"POST /v1/pathways/{}/personal/erasure", R"({"reason":"the participant asked"})"},
      {"POST /v1/caseloads/{}/handover", R"({"to":"anne","reason":"Bo har orlov"})"},
      {"POST /v1/pathways/{}/migrate", R"({"to_version":1,"dry_run":true})"},
      {"POST /v1/admin/clock", R"({"advance_ms":1000})"},
      {"POST /v1/definitions/validate", amigo},
  };
  const std::map<std::string, std::string> queries = {
      {"GET /v1/pathways/{}/as-of", "?at=2026-03-02T09:00:00Z"},
      {"GET /v1/caseload", "?counsellor=anne"},
      {"GET /v1/appointments", "?counsellor=bo"},
  };
  // What this server cannot do otherwise: it runs no notification adapters (501), a new lead
  // has no open task to work, and it has only one version to migrate to.
  const std::map<std::string, int> expected = {
      {"GET /v1/admin/dead-letters", 501},
      {"GET /v1/admin/deliveries/{}", 501},
      {"POST /v1/admin/deliveries/{}/replay", 501},
      {"GET /v1/admin/endpoints", 501},
      {"POST /v1/admin/endpoints/{}/enable", 501},
      {"POST /v1/callbacks/{}", 501},
      {"POST /v1/pathways/{}/tasks/{}/{}", 409},
      {"POST /v1/pathways/{}/migrate", 409},
      {"GET /v1/team", 400}};  // a server without schools has no teams
  int called = 0;
  for (const auto& path : spec["paths"]) {
    const std::string templated = path.first.as<std::string>();
    std::string concrete;
    for (std::size_t i = 0; i < templated.size(); ++i) {
      if (templated[i] != '{') {
        concrete += templated[i];
        continue;
      }
      const std::size_t end = templated.find('}', i);
      concrete += values.at(templated.substr(i + 1, end - i - 1));
      i = end;
    }
    for (const auto& op : path.second) {
      std::string method = op.first.as<std::string>();
      if (method == "parameters") continue;
      for (char& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      const std::string key = method + " " + Pattern(templated);
      const std::string body = bodies.count(key) ? bodies.at(key) : "";
      const std::string query = queries.count(key) ? queries.at(key) : "";
      HttpReply r;
      if (key == "GET /v1/live") {  // a stream that does not end: its head is the answer
        testing::SseClient live(s.port(), concrete, s.Auth("admin"));
        r = live.head();
      } else {
        r = s.As("admin", method, concrete + query, body);
      }
      INFO(key << " answered " << r.status << ": " << r.body);
      // Each call is made to succeed, unless this server cannot (no notification adapters).
      const int wanted = expected.count(key) ? expected.at(key) : 0;
      if (wanted != 0) {
        CHECK(r.status == wanted);
      } else {
        CHECK(r.status >= 200);
        CHECK(r.status < 300);
      }
      const YAML::Node documented_answer = op.second["responses"][std::to_string(r.status)];
      CHECK(documented_answer.IsDefined());
      if (r.status >= 200 && r.status < 300 && documented_answer["content"]) {
        const std::string type = r.headers["content-type"];
        CHECK(documented_answer["content"][type.substr(0, type.find(';'))].IsDefined());
      }
      ++called;
    }
  }
  CHECK(called == static_cast<int>(served.size()));
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

TEST_CASE("TLS: with a certificate the server speaks HTTPS only, and the certificate verifies") {
  const std::string dir = std::string(PATHWAYS_SOURCE_DIR) + "/tests/data/tls/";
  http::ServerOptions so;
  so.certificate_file = dir + "server.crt";
  so.private_key_file = dir + "server.key";
  TestServer s(so);
  testing::TlsReply health = testing::TlsRequest(s.port(), dir + "server.crt", "/healthz");
  REQUIRE_MESSAGE(health.handshake_ok, health.error);
  CHECK(health.reply.status == 200);
  CHECK(health.reply.Json()["status"] == "ok");
  // A client that does not trust the certificate refuses it; plain HTTP gets no answer.
  testing::TlsReply untrusted =
      testing::TlsRequest(s.port(), "/etc/ssl/certs/ca-certificates.crt", "/healthz");
  CHECK_FALSE(untrusted.handshake_ok);
  CHECK(testing::Request(s.port(), "GET", "/healthz").status == 0);

  // A key that does not match the certificate: the server does not start.
  http::ServerOptions wrong;
  wrong.port = 0;
  wrong.certificate_file = dir + "server.crt";
  wrong.private_key_file = dir + "server.crt";
  http::Server bad(wrong, [](http::Request, http::Responder done) { done({}); });
  CHECK(bad.Start().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("many short connections at once: every one answered, none left open") {
  // Sessions end on several threads at once; this once deadlocked the server's bookkeeping.
  TestServer s;
  const std::string id = s.Lead("anne");
  std::vector<int> idle;  // open connections the server keeps track of meanwhile
  for (int i = 0; i < 64; ++i) idle.push_back(testing::ConnectLocal(s.port()));
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 16; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 150; ++i) {
        if (s.As("anne", "GET", "/v1/pathways/" + id).status == 200) ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  for (int fd : idle) ::close(fd);
  CHECK(ok == 16 * 150);

  // Keep-alive connections that all end at the same moment, round after round.
  for (int round = 0; round < 20; ++round) {
    std::vector<int> fds;
    for (int i = 0; i < 64; ++i) {
      const int fd = testing::ConnectLocal(s.port());
      REQUIRE(fd >= 0);
      REQUIRE(testing::SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
      fds.push_back(fd);
    }
    for (int fd : fds) {
      char buf[512];
      CHECK(::recv(fd, buf, sizeof buf, 0) > 0);
    }
    for (int fd : fds) ::close(fd);
  }
  HttpReply after = testing::Request(s.port(), "GET", "/healthz");
  CHECK(after.status == 200);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

TEST_CASE("schools over HTTP: figures by school, the team, a handover, a school's export") {
  TestServer s({}, {}, kSchoolUsers);
  const std::string a = s.Lead("anne");
  s.Lead("anne");
  s.Lead("carl");
  HttpReply stats = s.As("anne", "GET", "/v1/stats");
  REQUIRE(stats.status == 200);
  const nlohmann::json figures = stats.Json();
  CHECK(figures["states"]["lead"] == 3);
  CHECK(figures["schools"]["amigo_skolen"]["states"]["lead"] == 2);
  CHECK(figures["schools"]["amigo_skolen"]["name"] == "AMIGO-skolen");
  CHECK(figures["schools"]["teknisk_skole"]["states"]["lead"] == 1);
  CHECK(s.As("carl", "GET", "/v1/stats?school=amigo_skolen").Json()["states"]["lead"] == 2);
  CHECK(IsProblem(s.As("anne", "GET", "/v1/stats?school=nowhere"), 400, "invalid-request"));
  // An administrator of the partnership names the school; a school's registers for its own.
  CHECK(IsProblem(s.As("admin", "POST", "/v1/pathways", R"({"referral_source":"union"})"), 400,
                  "invalid-body"));
  CHECK(s.As("admin", "POST", "/v1/pathways",
             R"({"referral_source":"union","school":"teknisk_skole","contact_person":"carl"})")
            .status == 201);
  CHECK(IsProblem(s.As("sara", "POST", "/v1/pathways",
                       R"({"referral_source":"union","school":"amigo_skolen"})"),
                  403, "forbidden"));

  HttpReply team = s.As("tove", "GET", "/v1/team");
  REQUIRE(team.status == 200);
  CHECK(team.Json()["school"] == "amigo_skolen");
  CHECK(team.Json()["counsellors"].size() == 2);
  CHECK(team.Json()["counsellors"][0]["pathways"] == 2);
  CHECK(s.As("anne", "GET", "/v1/team").status == 403);
  CHECK(s.As("tove", "GET", "/v1/team?school=teknisk_skole").status == 403);
  CHECK(s.As("tove", "GET", "/v1/pathways/" + a).status == 200);
  CHECK(s.As("sara", "GET", "/v1/pathways/" + a).status == 404);

  HttpReply handed = s.As("tove", "POST", "/v1/caseloads/anne/handover",
                          R"({"to":"bo","reason":"Anne har orlov"})");
  REQUIRE_MESSAGE(handed.status == 200, handed.body);
  CHECK(handed.Json()["moved"].size() == 2);
  CHECK(s.As("bo", "GET", "/v1/caseload").Json()["pathways"].size() == 2);
  CHECK(
      IsProblem(s.As("tove", "POST", "/v1/caseloads/bo/handover", R"({"to":"carl","reason":"x"})"),
                403, "forbidden"));

  // A school's administrator exports their school's pathways, not the other's.
  HttpReply own = s.As("sara", "GET", "/v1/audit/export");
  REQUIRE(own.status == 200);
  CHECK(own.body.find(a) == std::string::npos);
  CHECK(own.body.find("\"stream_id\":\"pw-") != std::string::npos);
  CHECK(s.As("sara", "GET", "/v1/audit/export?school=amigo_skolen").status == 403);
  CHECK(s.As("admin", "GET", "/v1/audit/export?school=amigo_skolen").body.find(a) !=
        std::string::npos);
}

TEST_CASE("reports over HTTP: the ESF+ indicators and the project's figures, now and as of then") {
  TestServer s;
  const std::string id = s.Lead("anne");
  const std::uint64_t registered = s.store().Head().position;
  REQUIRE(s.As("anne", "POST", "/v1/pathways/" + id + "/triggers/record_entry",
               R"({"payload":{"gender":"woman","employment_status":"unemployed",)"
               R"("education_level":"isced_0_2","household":"other","age_at_entry":40,)"
               R"("disability":"yes"}})")
              .status == 400);  // the age comes from the identity or the initial guidance
  REQUIRE(s.As("anne", "POST", "/v1/pathways/" + id + "/triggers/record_entry",
               R"({"payload":{"gender":"woman","employment_status":"unemployed",)"
               R"("education_level":"isced_0_2","household":"other","disability":"yes"}})")
              .status == 200);
  REQUIRE(s.As("anne", "POST", "/v1/pathways/" + id + "/triggers/hold_intake",
               R"({"payload":{"age_at_entry":40}})")
              .status == 200);

  HttpReply r = s.As("revisor", "GET", "/v1/reports/esf");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  const nlohmann::json j = r.Json();
  CHECK(j["position"] == s.store().Head().position);
  CHECK(j["operation"] == "AMIGO");
  CHECK(j["indicators"][0]["code"] == "EECO01");
  CHECK(j["indicators"][0]["by"]["woman"]["count"] == 1);
  CHECK(j["indicators"][0]["total"]["count"] == 1);
  CHECK_FALSE(j["indicators"][0]["total"].contains("pathways"));
  auto indicator = [](const nlohmann::json& report, const std::string& code) {
    for (const auto& i : report["indicators"]) {
      if (i["code"] == code) return i;
    }
    return nlohmann::json();
  };
  CHECK(indicator(j, "EECO12")["total"]["count"] == 1);  // read from the sealed answer
  CHECK(j["incomplete"].empty());
  // Opened to the pathways it counts, for the partnership's own eyes.
  CHECK(s.As("admin", "GET", "/v1/reports/esf?pathways=true")
            .Json()["indicators"][0]["total"]["pathways"] == nlohmann::json::array({id}));

  // As of the lead's registration: nobody had entered yet.
  HttpReply then = s.As("revisor", "GET", "/v1/reports/esf?at=" + std::to_string(registered));
  REQUIRE(then.status == 200);
  CHECK(then.Json()["position"] == registered);
  CHECK(then.Json()["indicators"][0]["total"]["count"] == 0);

  HttpReply csv = s.As("revisor", "GET", "/v1/reports/esf?format=csv&lang=en&shared=true");
  REQUIRE(csv.status == 200);
  CHECK(csv.headers["content-type"] == "text/csv; charset=utf-8");
  CHECK(csv.headers["x-pathways-position"] == std::to_string(s.store().Head().position));
  CHECK(csv.body.find("\nEECO01,Total number of participants,entry,<5,0,0,<5\n") !=
        std::string::npos);

  HttpReply project = s.As("admin", "GET", "/v1/reports/project");
  REQUIRE_MESSAGE(project.status == 200, project.body);
  CHECK(project.Json()["position"] == s.store().Head().position);
  CHECK(project.Json()["target"]["count"] == 200);
  CHECK(project.Json()["funnel"][1]["stage"] == "intake_held");
  CHECK(project.Json()["funnel"][1]["reached"] == 1);
  CHECK(project.Json()["forecast"]["leads_needed"] == 0);  // nobody decided yet: no rate
  CHECK(s.As("admin", "GET", "/v1/reports/project?format=csv")
            .body.starts_with("section,key,value\n"));
  CHECK(IsProblem(s.As("anne", "GET", "/v1/reports/project"), 403, "forbidden"));
  CHECK(IsProblem(s.As("anne", "GET", "/v1/reports/esf"), 403, "forbidden"));
  CHECK(
      IsProblem(s.As("revisor", "GET", "/v1/reports/esf?from=2026-13-01"), 400, "invalid-request"));
  CHECK(IsProblem(s.As("revisor", "GET", "/v1/reports/esf?shared=maybe"), 400, "invalid-request"));
  CHECK(IsProblem(s.As("revisor", "GET", "/v1/reports/esf?at=99999"), 400, "invalid-request"));
  CHECK(
      IsProblem(s.As("revisor", "GET", "/v1/reports/esf?school=nowhere"), 400, "invalid-request"));
}

TEST_CASE("erasure over HTTP: restricted until the audit end, the auditor reads it, listed") {
  TestServer s;
  const std::string id = s.Lead("anne");
  CHECK(IsProblem(
      s.As("anne", "POST", "/v1/pathways/" + id + "/personal/erasure", R"({"reason":"asked"})"),
      403, "forbidden"));
  CHECK(IsProblem(s.As("admin", "POST", "/v1/pathways/" + id + "/personal/erasure", "{}"), 400,
                  "invalid-body"));
  const std::uint64_t head = s.store().Head().position;
  HttpReply erased = s.As("admin", "POST", "/v1/pathways/" + id + "/personal/erasure",
                          R"({"reason":"the participant asked"})");
  REQUIRE_MESSAGE(erased.status == 200, erased.body);
  const nlohmann::json e = erased.Json();
  CHECK(e["erased"] == nlohmann::json::array({"guidance"}));
  CHECK(e["restricted"] == nlohmann::json::array({"identity", "special"}));
  CHECK(e["until"] == "2032-12-31");  // config/reports.yaml
  CHECK(e["position"].get<std::uint64_t>() > head);

  HttpReply admin = s.As("admin", "GET", "/v1/pathways/" + id + "/personal?purpose=check");
  REQUIRE(admin.status == 200);
  CHECK(admin.Json()["identity"] ==
        nlohmann::json({{"restricted", true}, {"until", "2032-12-31"}}));
  HttpReply auditor = s.As("revisor", "GET", "/v1/pathways/" + id + "/personal?purpose=revision");
  REQUIRE(auditor.status == 200);
  CHECK(auditor.Json()["identity"]["name"] == "N N");
  CHECK(auditor.Json()["restricted"]["identity"] == "2032-12-31");

  HttpReply listed = s.As("revisor", "GET", "/v1/audit/restrictions");
  REQUIRE(listed.status == 200);
  REQUIRE(listed.Json()["restrictions"].size() == 1);
  CHECK(listed.Json()["restrictions"][0]["until"] == "2032-12-31");
  CHECK(listed.Json()["restrictions"][0]["requested_by"] == "admin");
  CHECK(listed.Json()["restrictions"][0]["erased_at"].is_null());
  CHECK(IsProblem(s.As("anne", "GET", "/v1/audit/restrictions"), 403, "forbidden"));
}

}  // namespace
}  // namespace pathways
