// An employer without an account confirms through the signed link in a real email: a real
// `pathways serve` sends the notice to a real SMTP server on 127.0.0.1; the link in it opens
// a page offering what the notifications file lets the employer confirm now; the confirmation
// is a command acting as the party, and the link works once. Altered, foreign and expired
// links change nothing.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "adapters/auth/links.hpp"
#include "engine/codec/base64.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/smtp_receiver.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

using testing::HttpReply;

// A server on the AMIGO pathway whose employer emails carry links to confirm the probation;
// `valid` how long a link works.
struct Rig {
  explicit Rig(const std::string& valid) : smtp(mail / "maildir") {
    REQUIRE_MESSAGE(smtp.ready(), "python3-aiosmtpd did not start");
    std::filesystem::create_directories(dir / "workflows");
    std::filesystem::copy_file(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml",
                               dir / "workflows/amigo.yaml");
    std::ofstream(dir / "users.yaml")
        << "users:\n  anne: {role: counsellor, name: Anne Vejleder, phone: \"+45 11 22 33 44\"}\n"
           "  admin: {role: administrator}\n";
    std::ofstream(dir / "notifications.yaml")
        << "smtp:\n  url: smtp://127.0.0.1:" << smtp.port()
        << "\n  from: pathways@skole.example\n  ca_file: " << PATHWAYS_SOURCE_DIR
        << "/tests/data/tls/server.crt\n"
           "parties:\n"
           "  employer:\n"
           "    email: {to: [employer], language: da}\n"
           "    confirm: {triggers: [pass_probation, terminate_contract], valid: "
        << valid << "}\n";
    config = dir / "pathways.yaml";
    std::ofstream(config) << "data: store\nworkflows: [workflows]\nusers: users.yaml\n"
                             "tokens: tokens.json\nnotifications: notifications.yaml\n";
    anne = {{"Authorization", "Bearer " + testing::IssueToken(PATHWAYS_BIN, config, "anne")}};
    server = std::make_unique<testing::ServerProcess>(PATHWAYS_BIN,
                                                      std::vector<std::string>{"--config", config});
  }

  // A participant on EUV2 whose contract, signed before the enrolment, starts after GF2: on
  // probation, the employer told.
  std::string OnProbation() {
    HttpReply lead =
        Post("/v1/pathways", R"({"referral_source":"jobcenter","contact_person":"anne"})");
    REQUIRE(lead.status == 201);
    const std::string p = lead.Json()["pathway_id"];
    REQUIRE(Post("/v1/pathways/" + p + "/employer",
                 R"({"name":"Smedjen ApS","cvr":"12345674","contact":"Mette Smed",)"
                 R"("email":"mette@smedjen.example","sme":true})")
                .status == 200);
    for (const auto& [trigger, body] : std::vector<std::pair<std::string, std::string>>{
             {"hold_intake", R"({"payload":{"age_at_entry":30}})"},
             {"request_rkv", "{}"},
             {"complete_rkv", R"({"payload":{"track":"EUV2"}})"},
             {"agree_plan", "{}"},
             {"sign_contract", R"({"payload":{"contract_start":"2027-02-01"}})"},
             {"enrol", "{}"},
             {"start_basic_course", R"({"payload":{"gf2_end":"2027-01-29"}})"},
             {"pass_gf2_exam", "{}"},
             {"finish_basic_course", "{}"}}) {
      HttpReply r = Post("/v1/pathways/" + p + "/triggers/" + trigger, body);
      REQUIRE_MESSAGE(r.status == 200, trigger, ": ", r.body);
    }
    return p;
  }

  // An email's plain text: its first text/plain part, decoded from base64.
  static std::string PlainText(std::string message) {
    std::erase(message, '\r');
    const std::size_t part = message.find("Content-Type: text/plain");
    const std::size_t body = message.find("\n\n", part);
    const std::size_t end = message.find("\n--", body);
    if (part == std::string::npos || body == std::string::npos || end == std::string::npos) {
      return {};
    }
    std::string base64;
    for (char c : message.substr(body + 2, end - body - 2)) {
      if (c != '\n') base64.push_back(c);
    }
    std::string text;
    return codec::Base64Decode(base64, text) ? text : std::string();
  }

  // The link in the employer's email about `pathway`, once it has arrived.
  std::string LinkFor(const std::string& pathway) {
    const std::regex link("http://127\\.0\\.0\\.1:[0-9]+(/confirm/[A-Za-z0-9_.-]+)");
    for (int i = 0; i < 1000; ++i) {
      for (const std::string& m : smtp.Messages()) {
        const std::string text = PlainText(m);
        std::smatch found;
        if (m.find("To: <mette@smedjen.example>") != std::string::npos &&
            text.find(pathway) != std::string::npos && std::regex_search(text, found, link)) {
          return found[1];
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const std::vector<std::string> got = smtp.Messages();
    FAIL("no email with a link arrived; ", got.size(),
         " other(s), the first: ", got.empty() ? std::string() : PlainText(got.front()));
    return {};
  }

  HttpReply Post(const std::string& path, const std::string& body) {
    return testing::Request(server->port(), "POST", path, body, anne);
  }
  HttpReply Page(const std::string& method, const std::string& path, const std::string& form = "") {
    const std::string origin = "http://127.0.0.1";  // as the test client sends Host
    return testing::Request(
        server->port(), method, path, form,
        {{"Origin", origin}, {"Content-Type", "application/x-www-form-urlencoded"}});
  }
  nlohmann::json State(const std::string& p) {
    return testing::Request(server->port(), "GET", "/v1/pathways/" + p, "", anne).Json();
  }

  testing::TempDir dir;
  testing::TempDir mail;
  testing::SmtpReceiver smtp;
  std::string config;
  std::map<std::string, std::string> anne;
  std::unique_ptr<testing::ServerProcess> server;
};

TEST_CASE("confirm link: an employer confirms the probation from the email, once") {
  Rig rig("14d");
  const std::string p = rig.OnProbation();
  const std::string link = rig.LinkFor(p);

  // The page: what the employer may confirm now, with no personal data and no session.
  HttpReply page = rig.Page("GET", link);
  REQUIRE_MESSAGE(page.status == 200, page.body);
  CHECK(page.body.find("Bekræft for Smedjen ApS") != std::string::npos);
  CHECK(page.body.find("name=\"trigger\" value=\"pass_probation\"") != std::string::npos);
  CHECK(page.body.find("name=\"trigger\" value=\"terminate_contract\"") != std::string::npos);
  CHECK(page.body.find("Anne Vejleder") != std::string::npos);  // whom to ask
  CHECK(page.headers.count("set-cookie") == 0);

  // A trigger the file does not give the employer is refused and changes nothing.
  CHECK(rig.Page("POST", link, "trigger=drop_out&p.reason=work").status == 422);
  // A POST from another site is refused.
  CHECK(testing::Request(rig.server->port(), "POST", link, "trigger=pass_probation",
                         {{"Origin", "https://evil.example"},
                          {"Content-Type", "application/x-www-form-urlencoded"}})
            .status == 403);
  CHECK(rig.State(p)["state"]["id"] == "apprenticeship_probation");

  // Confirmed: the command acts as the party, and the page thanks.
  HttpReply done = rig.Page("POST", link, "trigger=pass_probation");
  REQUIRE_MESSAGE(done.status == 303, done.body);
  CHECK(done.headers["location"] == link + "?done=1");
  HttpReply thanks = rig.Page("GET", link + "?done=1");
  CHECK(thanks.status == 200);
  CHECK(thanks.body.find("Prøvetiden er udløbet") != std::string::npos);
  const nlohmann::json state = rig.State(p);
  CHECK(state["state"]["id"] == "in_main_course");
  const nlohmann::json history =
      testing::Request(rig.server->port(), "GET", "/v1/pathways/" + p + "/history", "", rig.anne)
          .Json();
  bool by_employer = false;
  for (const auto& e : history["events"]) {
    if (e["type"] == "TransitionTaken" && e["data"]["trigger"] == "pass_probation") {
      by_employer = e["actor"]["user"] == "employer" && e["actor"]["role"] == "partner";
    }
  }
  CHECK(by_employer);

  // Used: the same form again changes nothing; another confirmation is refused.
  CHECK(rig.Page("POST", link, "trigger=pass_probation").status == 410);
  CHECK(rig.Page("POST", link, "trigger=terminate_contract").status == 410);
  HttpReply used = rig.Page("GET", link);
  CHECK(used.status == 410);
  CHECK(used.body.find("Linket er brugt") != std::string::npos);
  CHECK(rig.State(p)["state"]["id"] == "in_main_course");

  // Altered or foreign links are not links.
  std::string altered = link;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  CHECK(rig.Page("GET", altered).status == 404);
  auth::LinkSigner foreign(std::string(32, 'k'));
  const std::string forged = "/confirm/" + foreign.Sign({"x1", "employer", p, 4'102'444'800'000});
  CHECK(rig.Page("GET", forged).status == 404);
  CHECK(rig.Page("POST", forged, "trigger=terminate_contract").status == 404);
  CHECK(rig.State(p)["state"]["id"] == "in_main_course");
}

TEST_CASE("confirm link: an expired link says whom to ask and changes nothing") {
  Rig rig("1ms");
  const std::string p = rig.OnProbation();
  const std::string link = rig.LinkFor(p);
  HttpReply page = rig.Page("GET", link);
  CHECK(page.status == 410);
  CHECK(page.body.find("Linket er udløbet") != std::string::npos);
  CHECK(page.body.find("Anne Vejleder") != std::string::npos);
  CHECK(rig.Page("POST", link, "trigger=pass_probation").status == 410);
  CHECK(rig.State(p)["state"]["id"] == "apprenticeship_probation");
}

}  // namespace
}  // namespace pathways
