// Schools, reports and erasure over HTTP: figures by school, the team and a handover, the
// ESF+ indicators and the project's figures, an erasure restricted until the audit end.

#include <doctest/doctest.h>

#include "tests/support/api_server.hpp"

namespace pathways {
namespace {

using testing::HttpReply;
using testing::IsProblem;
using testing::kSchoolUsers;
using testing::TestServer;

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
