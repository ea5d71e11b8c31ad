// Company records over HTTP (docs/companies.md): who sees and keeps which record, the
// participants' routes never serving one, contact persons read only with a recorded read, a
// lead naming the company that sent it, and bad input answered with a problem that changes
// nothing.

#include <doctest/doctest.h>

#include "tests/support/api_server.hpp"

namespace pathways {
namespace {

using testing::HttpReply;
using testing::IsProblem;
using testing::TestServer;

const char* kCompanyUsers = R"(schools:
  amigo_skolen: {name: AMIGO-skolen}
  teknisk_skole: {name: Teknisk Skole}
users:
  karin: {name: Karin, role: consultant, school: amigo_skolen}
  kasper: {name: Kasper, role: consultant, school: teknisk_skole}
  anne: {name: Anne, role: counsellor, school: amigo_skolen}
  bo: {name: Bo, role: counsellor, school: amigo_skolen}
  tove: {name: Tove, role: team_lead, school: amigo_skolen}
  admin: {name: Admin, role: administrator}
  revisor: {name: Revisor, role: auditor, organisation: fund}
  jobcenter: {name: Jobcenter, role: partner, organisation: jc}
)";

constexpr const char* kSmedie =
    R"({"cvr":"31245672","name":"Smedie Nord ApS","size_band":"small","industry":"25",)"
    R"("green":["energy_efficiency"],"municipality":"751"})";

TEST_CASE("companies over HTTP: the school's consultant keeps a record, each role sees its own") {
  TestServer s({}, {}, kCompanyUsers);
  HttpReply made = s.As("karin", "POST", "/v1/companies", kSmedie);
  REQUIRE_MESSAGE(made.status == 201, made.body);
  CHECK(made.headers["location"] == "/v1/companies/31245672");
  CHECK(made.Json()["pathway_id"] == "company-31245672");

  HttpReply record = s.As("karin", "GET", "/v1/companies/31245672");
  REQUIRE(record.status == 200);
  const nlohmann::json r = record.Json();
  CHECK(r["consultant"] == "karin");
  CHECK(r["school"] == "amigo_skolen");
  CHECK(r["sme"] == true);
  CHECK(r["state"]["id"] == "identified");
  CHECK(r["industry"]["label"]["en"] ==
        "Manufacture of fabricated metal products, except machinery");
  CHECK(r["green"][0]["label"]["da"] == "Energieffektivisering");

  // The other school's consultant: as if it did not exist. A partner: no companies at all.
  CHECK(IsProblem(s.As("kasper", "GET", "/v1/companies/31245672"), 404, "not-found"));
  CHECK(IsProblem(s.As("kasper", "POST", "/v1/companies/31245672/contacts", R"({"form":"visit"})"),
                  404, "not-found"));
  CHECK(IsProblem(s.As("jobcenter", "GET", "/v1/companies/31245672"), 403, "forbidden"));
  CHECK(IsProblem(s.As("jobcenter", "GET", "/v1/companies"), 403, "forbidden"));
  // The team lead of the school keeps it too; the auditor reads it and keeps nothing.
  CHECK(s.As("tove", "POST", "/v1/companies/31245672/contacts", R"({"form":"phone"})").status ==
        201);
  CHECK(s.As("revisor", "GET", "/v1/companies/31245672").status == 200);
  CHECK(IsProblem(s.As("revisor", "POST", "/v1/companies/31245672/contacts", R"({"form":"visit"})"),
                  403, "forbidden"));

  // A counsellor sees the company once a participant of theirs works there, and keeps nothing.
  CHECK(IsProblem(s.As("anne", "GET", "/v1/companies/31245672"), 404, "not-found"));
  const std::string lead = s.Lead("anne");
  REQUIRE(
      s.As("anne", "POST", "/v1/pathways/" + lead + "/employer",
           R"({"name":"Smedie Nord ApS","cvr":"31245672","contact":"Lis","email":"lis@smedie.example"})")
          .status == 200);
  CHECK(s.As("anne", "GET", "/v1/companies/31245672").status == 200);
  CHECK(s.As("anne", "GET", "/v1/companies").Json()["companies"].size() == 1);
  CHECK(s.As("bo", "GET", "/v1/companies").Json()["companies"].empty());
  CHECK(IsProblem(s.As("anne", "POST", "/v1/companies/31245672/contacts", R"({"form":"visit"})"),
                  403, "forbidden"));

  // The participants' routes never serve a company's record, even to an administrator.
  CHECK(IsProblem(s.As("admin", "GET", "/v1/pathways/company-31245672"), 404, "not-found"));
  CHECK(IsProblem(s.As("admin", "POST", "/v1/pathways/company-31245672/contacts", "{}"), 404,
                  "not-found"));
  CHECK(
      IsProblem(s.As("admin", "POST", "/v1/pathways/company-31245672/triggers/make_contact", "{}"),
                404, "not-found"));

  // Lists, filtered; the consultant's own.
  CHECK(s.As("karin", "GET", "/v1/companies").Json()["companies"].size() == 1);
  CHECK(s.As("kasper", "GET", "/v1/companies").Json()["companies"].empty());
  CHECK(s.As("admin", "GET", "/v1/companies?industry=2").Json()["companies"].size() == 1);
  CHECK(s.As("admin", "GET", "/v1/companies?industry=41").Json()["companies"].empty());
  CHECK(s.As("admin", "GET", "/v1/companies?green=energy_efficiency").Json()["companies"].size() ==
        1);
  CHECK(s.As("admin", "GET", "/v1/companies?state=contacted").Json()["companies"].empty());
  CHECK(s.As("admin", "GET", "/v1/companies?consultant=karin").Json()["companies"].size() == 1);

  // A consultant's tasks are theirs to read, and nobody else's inbox is.
  CHECK(s.As("karin", "GET", "/v1/tasks").status == 200);
  CHECK(IsProblem(s.As("karin", "GET", "/v1/tasks?assignee=anne"), 403, "forbidden"));
  CHECK(IsProblem(s.As("karin", "GET", "/v1/caseload?counsellor=anne"), 403, "forbidden"));
  CHECK(IsProblem(s.As("karin", "GET", "/v1/pathways/" + lead), 403, "forbidden"));
}

TEST_CASE("companies over HTTP: contact persons are sealed and read only with the read recorded") {
  TestServer s({}, {}, kCompanyUsers);
  REQUIRE(s.As("karin", "POST", "/v1/companies", kSmedie).status == 201);
  HttpReply person =
      s.As("karin", "POST", "/v1/companies/31245672/persons",
           R"({"name":"Lis Berg","role":"Produktionschef","email":"lis@smedie.example"})");
  REQUIRE_MESSAGE(person.status == 201, person.body);
  REQUIRE(s.As("karin", "POST", "/v1/companies/31245672/contacts",
               R"({"form":"visit","persons":["p1"],"notes":"Tre svejsere kan frigives"})")
              .status == 201);
  // The record names the role, never the person.
  const std::string record = s.As("karin", "GET", "/v1/companies/31245672").body;
  CHECK(record.find("Produktionschef") != std::string::npos);
  CHECK(record.find("Lis Berg") == std::string::npos);
  CHECK(s.As("karin", "GET", "/v1/companies/31245672/history").body.find("Lis Berg") ==
        std::string::npos);

  CHECK(IsProblem(s.As("karin", "GET", "/v1/companies/31245672/personal"), 400, "invalid-request"));
  HttpReply read = s.As("karin", "GET", "/v1/companies/31245672/personal?purpose=opfolgning");
  REQUIRE_MESSAGE(read.status == 200, read.body);
  CHECK(read.Json()["persons"]["p1"]["name"] == "Lis Berg");
  CHECK(read.Json()["notes"]["k2"] == "Tre svejsere kan frigives");
  // A team lead reads the contact persons, not the consultant's notes.
  HttpReply lead_read = s.As("tove", "GET", "/v1/companies/31245672/personal?purpose=overblik");
  REQUIRE(lead_read.status == 200);
  CHECK(lead_read.Json()["persons"]["p1"]["email"] == "lis@smedie.example");
  CHECK(lead_read.Json()["notes"].empty());
  auto reads = s.store().ReadStream("$access:company-31245672", 1, 10);
  REQUIRE(reads.ok());
  REQUIRE(reads->events.size() == 2);
  CHECK(reads->events[0].actor.user == "karin");
  CHECK(reads->events[1].actor.user == "tove");

  // An employer chosen from the records: the record's name and SME status, whatever is sent.
  const std::string worker = s.Lead("anne");
  REQUIRE(
      s.As("anne", "POST", "/v1/pathways/" + worker + "/employer",
           R"({"cvr":"31245672","contact":"Lis Berg","email":"lis@smedie.example","sme":false})")
          .status == 200);
  const nlohmann::json employer = s.As("anne", "GET", "/v1/pathways/" + worker).Json()["employer"];
  CHECK(employer["name"] == "Smedie Nord ApS");
  CHECK(employer["sme"] == true);
  CHECK(IsProblem(s.As("anne", "POST", "/v1/pathways/" + worker + "/employer",
                       R"({"cvr":"12345674","contact":"Ole","email":"ole@x.example"})"),
                  400, "invalid-request"));

  // The figures: one record, its first contact, its employee on a pathway.
  HttpReply figures = s.As("tove", "GET", "/v1/reports/companies");
  REQUIRE_MESSAGE(figures.status == 200, figures.body);
  CHECK(figures.Json()["records"] == 1);
  CHECK(figures.Json()["by_stage"]["amigo_skolen"]["identified"] == 1);
  CHECK(figures.Json()["with_employee"] == 1);
  CHECK(IsProblem(s.As("tove", "GET", "/v1/reports/companies?school=nowhere"), 400,
                  "invalid-request"));
  CHECK(IsProblem(s.As("jobcenter", "GET", "/v1/reports/companies"), 403, "forbidden"));

  // A lead from the company's visit names it; a CVR without a record is refused.
  HttpReply named = s.As("anne", "POST", "/v1/pathways",
                         R"({"referral_source":"company_visit","company":"31245672"})");
  REQUIRE_MESSAGE(named.status == 201, named.body);
  CHECK(s.store().LoadPathway(named.Json()["pathway_id"]).value()->referred_by_company ==
        "31245672");
  CHECK(IsProblem(s.As("anne", "POST", "/v1/pathways",
                       R"({"referral_source":"company_visit","company":"12345674"})"),
                  400, "invalid-body"));
}

TEST_CASE("companies over HTTP: bad input is a problem naming it, and nothing changes") {
  TestServer s({}, {}, kCompanyUsers);
  // The request's own checks answer `invalid-body`; the record's rules, `invalid-request`.
  auto problem = [&](const std::string& body, const std::string& words,
                     const char* type = "invalid-request") {
    HttpReply r = s.As("karin", "POST", "/v1/companies", body);
    CHECK_MESSAGE(IsProblem(r, 400, type), r.body);
    CHECK_MESSAGE(r.Json().value("detail", "").find(words) != std::string::npos, r.body);
  };
  problem(R"({"cvr":"31245673","name":"X","size_band":"small","industry":"25"})", "modulus-11",
          "invalid-body");
  problem(R"({"cvr":"31245672","name":"X","size_band":"small","industry":"00"})",
          "industry `00` is not a DB07 code");
  problem(R"({"cvr":"31245672","name":"X","size_band":"huge","industry":"25"})", "size_band");
  problem(R"({"cvr":"31245672","name":"X","size_band":"small","industry":"25","green":["blue"]})",
          "green tag `blue`");
  problem(R"({"cvr":"31245672","name":"X","size_band":"small","industry":"25","p_number":"12"})",
          "P-number");
  problem(R"({"cvr":"31245672","size_band":"small","industry":"25"})", "name", "invalid-body");
  CHECK(s.As("admin", "GET", "/v1/companies").Json()["companies"].empty());
  CHECK(s.store().ReadAll(1, 10).value().events.empty());

  // A contact with no company's record: nothing to record it on.
  CHECK(IsProblem(s.As("karin", "POST", "/v1/companies/12345674/contacts", R"({"form":"visit"})"),
                  404, "not-found"));
  CHECK(IsProblem(s.As("karin", "POST", "/v1/companies/1234/contacts", R"({"form":"visit"})"), 404,
                  "not-found"));

  REQUIRE(s.As("karin", "POST", "/v1/companies", kSmedie).status == 201);
  const std::uint64_t version = s.As("karin", "GET", "/v1/companies/31245672").Json()["version"];
  CHECK(IsProblem(s.As("karin", "POST", "/v1/companies", kSmedie), 409, "rejected"));
  CHECK(IsProblem(s.As("karin", "POST", "/v1/companies/31245672/contacts", R"({"form":"letter"})"),
                  400, "invalid-request"));
  CHECK(IsProblem(s.As("karin", "POST", "/v1/companies/31245672/contacts",
                       R"({"form":"visit","persons":["p7"]})"),
                  400, "invalid-request"));
  CHECK(IsProblem(
      s.As("karin", "POST", "/v1/companies/31245672/needs",
           R"({"competences":"Svejsning","release_from":"2027-04-01","release_to":"2027-03-01"})"),
      400, "invalid-request"));
  CHECK(
      IsProblem(s.As("karin", "POST", "/v1/companies/31245672/consultant", R"({"user":"kasper"})"),
                400, "invalid-body"));
  CHECK(IsProblem(s.As("karin", "POST", "/v1/companies/31245672/triggers/release_staff", "{}"), 409,
                  "rejected"));
  CHECK(IsProblem(s.As("karin", "POST", "/v1/companies/31245672/triggers/decline", "{}"), 409,
                  "rejected"));
  CHECK(s.As("karin", "GET", "/v1/companies/31245672").Json()["version"] == version);
  // A decline says why, with a reason from the code list.
  REQUIRE(s.As("karin", "POST", "/v1/companies/31245672/triggers/make_contact", "{}").status ==
          200);
  const std::uint64_t contacted = s.As("karin", "GET", "/v1/companies/31245672").Json()["version"];
  CHECK(IsProblem(s.As("karin", "POST", "/v1/companies/31245672/triggers/decline", "{}"), 400,
                  "invalid-request"));
  CHECK(IsProblem(s.As("karin", "POST", "/v1/companies/31245672/triggers/decline",
                       R"({"payload":{"reason":"busy"}})"),
                  400, "invalid-request"));
  CHECK(s.As("karin", "GET", "/v1/companies/31245672").Json()["version"] == contacted);
  REQUIRE(s.As("karin", "POST", "/v1/companies/31245672/triggers/decline",
               R"({"payload":{"reason":"cannot_release_staff"}})")
              .status == 200);
  CHECK(s.As("karin", "GET", "/v1/companies/31245672").Json()["data"]["decline_reason"] ==
        "cannot_release_staff");
}

}  // namespace
}  // namespace pathways
