// The API over a real server on 127.0.0.1 with a real store: who may do what, a lead's life,
// idempotency and versions, bad input that changes nothing, the manual clock, reloads, and
// the server's limits.

#include "adapters/api/api.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "tests/support/api_server.hpp"
#include "tests/support/sse_client.hpp"

namespace pathways {
namespace {

using testing::HttpReply;
using testing::IsProblem;
using testing::TestServer;

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
  // AMIGO and the company definition.
  CHECK(s.As("admin", "GET", "/v1/definitions").Json()["definitions"].size() == 2);
  CHECK(s.Lead("anne").size() > 3);  // still taking leads on the old set

  std::filesystem::remove(s.dir() + "/workflows/broken.yaml");
  CHECK(s.As("admin", "POST", "/v1/definitions/reload").Json()["unchanged"] == 2);
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
