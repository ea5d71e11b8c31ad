// The API's surface over a real server: docs/api/openapi.yaml names exactly the routes the
// server has, each answering as documented; TLS; many short connections at once.

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/support/api_server.hpp"
#include "tests/support/sse_client.hpp"
#include "tests/support/tls_client.hpp"

namespace pathways {
namespace {

using testing::HttpReply;
using testing::IsProblem;
using testing::TestServer;

// A path item, or the one its `$ref` names in another file beside openapi.yaml
// ("companies.yaml#/paths/company").
YAML::Node PathItem(const YAML::Node& item) {
  if (!item["$ref"]) return item;
  const std::string ref = item["$ref"].as<std::string>();
  const std::size_t hash = ref.find("#/");
  REQUIRE(hash != std::string::npos);
  YAML::Node node =
      YAML::LoadFile(std::string(PATHWAYS_SOURCE_DIR) + "/docs/api/" + ref.substr(0, hash));
  std::string pointer = ref.substr(hash + 2);
  for (std::size_t start = 0; start <= pointer.size();) {
    std::size_t end = pointer.find('/', start);
    if (end == std::string::npos) end = pointer.size();
    node = node[pointer.substr(start, end - start)];
    REQUIRE_MESSAGE(node.IsDefined(), "no " << ref);
    start = end + 1;
  }
  return node;
}

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
    for (const auto& op : PathItem(path.second)) {
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
  // A company's record with a contact person (p1) and a need (n2).
  REQUIRE(s.As("admin", "POST", "/v1/companies",
               R"({"cvr":"31245672","name":"Smedie Nord ApS","size_band":"small","industry":"25"})")
              .status == 201);
  REQUIRE(
      s.As("admin", "POST", "/v1/companies/31245672/persons", R"({"name":"Lis Berg"})").status ==
      201);
  REQUIRE(s.As("admin", "POST", "/v1/companies/31245672/needs", R"({"competences":"Svejsning"})")
              .status == 201);
  HttpReply note = s.As("admin", "POST", "/v1/method-notes",
                        R"({"topic":"outreach","title":"Besøg om morgenen","text":"Det virker."})");
  REQUIRE(note.status == 201);
  const std::string note_id = note.Json()["id"].get<std::string>();
  HttpReply checkpoint = s.As("admin", "POST", "/v1/audit/checkpoint");
  REQUIRE(checkpoint.status == 201);
  const std::map<std::string, std::string> values = {
      {"id", id},           {"trigger", "hold_intake"},  {"risk", risk},
      {"task", task},       {"action", "acknowledge"},   {"name", "kui.webhook"},
      {"party", "kui"},     {"appointment", "apt-test"}, {"change", "move"},
      {"counsellor", "bo"}, {"cvr", "31245672"},         {"person", "p1"},
      {"need", "n2"},       {"step", "make_contact"},    {"note", note_id}};
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
       R"({"name":"Smedje A/S","cvr":"12345674","contact":"Ole Smed","email":"ole@smedje.example"})"},
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
      {"POST /v1/companies",
       R"({"cvr":"29876541","name":"Byggefirmaet Øst A/S","size_band":"medium","industry":"41"})"},
      {"POST /v1/companies/{}",
       R"({"name":"Smedie Nord ApS","size_band":"medium","industry":"25","reason":"vokset"})"},
      {"POST /v1/companies/{}/contacts",
       R"({"form":"visit","persons":["p1"],"notes":"Godt møde"})"},
      {"POST /v1/companies/{}/persons", R"({"name":"Per Hansen","role":"Direktør"})"},
      {"POST /v1/companies/{}/persons/{}", R"({"name":"Lis Berg","role":"Produktionschef"})"},
      {"POST /v1/companies/{}/needs", R"({"competences":"Truckcertifikat","staff":2})"},
      {"POST /v1/companies/{}/needs/{}", R"({"competences":"Svejsning","staff":3})"},
      {"POST /v1/companies/{}/consultant", R"({"user":"karin"})"},
      {"POST /v1/method-notes", R"({"topic":"guidance","title":"Korte samtaler","text":"Tit."})"},
      {"POST /v1/method-notes/{}/withdraw", R"({"reason":"forældet"})"},
      {"POST /v1/audit/proofs/inclusion", checkpoint.body},
      {"POST /v1/audit/proofs/consistency", checkpoint.body},
  };
  const std::map<std::string, std::string> queries = {
      {"GET /v1/pathways/{}/as-of", "?at=2026-03-02T09:00:00Z"},
      {"GET /v1/caseload", "?counsellor=anne"},
      {"GET /v1/appointments", "?counsellor=bo"},
      {"GET /v1/companies/{}/as-of", "?at=2099-03-02T09:00:00Z"},
      {"GET /v1/companies/{}/personal", "?purpose=test"},
      {"GET /v1/audit/proofs/inclusion", "?pathway=" + id},
      {"POST /v1/audit/proofs/inclusion", "?pathway=" + id},
  };
  // What this server cannot do otherwise: it runs no notification adapters and has no
  // witnesses (501), a new lead
  // has no open task to work, and it has only one version to migrate to.
  const std::map<std::string, int> expected = {
      {"GET /v1/admin/dead-letters", 501},
      {"GET /v1/admin/deliveries/{}", 501},
      {"POST /v1/admin/deliveries/{}/replay", 501},
      {"GET /v1/admin/endpoints", 501},
      {"POST /v1/admin/endpoints/{}/enable", 501},
      {"POST /v1/callbacks/{}", 501},
      {"POST /v1/audit/checkpoint/cosignatures", 501},
      {"POST /v1/pathways/{}/tasks/{}/{}", 409},
      {"POST /v1/companies/{}/tasks/{}/{}", 409},
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
    for (const auto& op : PathItem(path.second)) {
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
