// Notifications from a real `pathways serve`: killed while webhooks are in flight, it sends
// them again under the same webhook-id after the restart and loses none; a partner's signed
// callback becomes a command; dead letters and endpoints over the API.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "adapters/notify/dispatcher.hpp"
#include "adapters/notify/webhook_signature.hpp"
#include "adapters/platform/system_clock.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/temp_store.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace pathways {
namespace {

using testing::HttpReply;

constexpr const char* kOutSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kInSecret = "whsec_aW5ib3VuZC1zZWNyZXQtZm9yLXRoZS10ZXN0cy0wMQ==";

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_CASE("serve: killed mid-delivery, webhooks go again under the same id and none is lost") {
  testing::WebhookReceiver receiver(*notify::ParseWebhookSecret(kOutSecret));
  receiver.Answer(204, /*hang=*/true);  // holds what arrives: in flight when the kill comes
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "workflows");
  std::filesystem::copy_file(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml",
                             dir / "workflows/amigo.yaml");
  std::ofstream(dir / "users.yaml")
      << "users:\n  anne: {role: counsellor}\n  admin: {role: administrator}\n";
  std::ofstream(dir / "notifications.yaml")
      << "retry: {schedule: [200ms, 400ms, 800ms, 1600ms], jitter: 0}\n"
         "timeout: 1s\n"
         "parties:\n"
         "  referring_authority:\n"
         "    webhook:\n"
         "      url: "
      << receiver.url("/jobcenter") << "\n      secrets: [" << kOutSecret
      << "]\n"
         "    inbound:\n"
         "      secrets: ["
      << kInSecret
      << "]\n"
         "      triggers: [approve_referral]\n"
         "      referrals: {referral_source: jobcenter, contact_person: anne}\n";
  const std::string config = dir / "pathways.yaml";
  std::ofstream(config) << "data: store\nworkflows: [workflows]\nusers: users.yaml\n"
                           "tokens: tokens.json\nnotifications: notifications.yaml\n";
  const std::map<std::string, std::string> anne = {
      {"Authorization", "Bearer " + testing::IssueToken(PATHWAYS_BIN, config, "anne")}};
  const std::map<std::string, std::string> admin = {
      {"Authorization", "Bearer " + testing::IssueToken(PATHWAYS_BIN, config, "admin")}};

  std::vector<std::string> pathways;
  {
    testing::ServerProcess server(PATHWAYS_BIN, {"--config", config});
    for (int i = 0; i < 10; ++i) {
      HttpReply lead =
          testing::Request(server.port(), "POST", "/v1/pathways",
                           R"({"referral_source":"jobcenter","contact_person":"anne"})", anne);
      REQUIRE(lead.status == 201);
      pathways.push_back(lead.Json()["pathway_id"]);
      HttpReply intake = testing::Request(
          server.port(), "POST", "/v1/pathways/" + pathways.back() + "/triggers/hold_intake",
          R"({"payload":{"age_at_entry":30}})", anne);
      REQUIRE(intake.status == 200);  // tells the referring authority
    }
    for (int i = 0; i < 500 && receiver.held() < 4; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(receiver.held() >= 4);
    server.Signal(SIGKILL);
    CHECK(server.Wait() == -SIGKILL);
  }
  const std::vector<std::string> before_kill = receiver.ids();
  receiver.Release();
  receiver.Answer(204);

  testing::ServerProcess server(PATHWAYS_BIN, {"--config", config});
  for (int i = 0; i < 1000 && receiver.accepted().size() < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto accepted = receiver.accepted();
  REQUIRE(accepted.size() == 10);
  for (const auto& [id, n] : accepted) CHECK(n == 1);
  CHECK(receiver.verified() == receiver.received());
  // What was in flight at the kill came again under the id it had.
  int again = 0;
  for (const std::string& id : before_kill) again += accepted.count(id);
  CHECK(again >= 4);

  // One outcome per notification in each pathway's history, once recorded.
  for (const std::string& p : pathways) {
    int delivered = 0;
    for (int i = 0; i < 200 && delivered == 0; ++i) {
      HttpReply h =
          testing::Request(server.port(), "GET", "/v1/pathways/" + p + "/history", "", admin);
      REQUIRE(h.status == 200);
      delivered = 0;
      const nlohmann::json history = h.Json();
      for (const auto& e : history["events"]) delivered += e["type"] == "NotificationDelivered";
      if (delivered == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(delivered == 1);
  }

  HttpReply endpoints = testing::Request(server.port(), "GET", "/v1/admin/endpoints", "", admin);
  REQUIRE(endpoints.status == 200);
  CHECK(endpoints.Json()["endpoints"][0]["name"] == "referring_authority.webhook");
  CHECK(endpoints.Json()["endpoints"][0]["enabled"] == true);
  HttpReply letters = testing::Request(server.port(), "GET", "/v1/admin/dead-letters", "", admin);
  REQUIRE(letters.status == 200);
  CHECK(letters.Json()["total"] == 0);
  CHECK(testing::Request(server.port(), "GET", "/v1/admin/dead-letters", "", anne).status == 403);
  CHECK(
      testing::Request(server.port(), "POST", "/v1/admin/deliveries/4/replay", "", admin).status ==
      404);
  const std::string metrics = testing::Request(server.port(), "GET", "/metrics").body;
  CHECK(metrics.find("pathways_notify_lag_events{adapter=\"webhook\"}") != std::string::npos);

  // The job centre approves the referral with a signed callback; it fires as the party.
  const std::string p = pathways[0];
  for (const char* trigger : {"request_rkv", "complete_rkv", "agree_plan"}) {
    const std::string body =
        std::string(trigger) == "complete_rkv" ? R"({"payload":{"track":"AMU"}})" : "{}";
    REQUIRE(testing::Request(server.port(), "POST", "/v1/pathways/" + p + "/triggers/" + trigger,
                             body, anne)
                .status == 200);
  }
  const std::string key = *notify::ParseWebhookSecret(kInSecret);
  auto callback = [&](const std::string& id, const std::string& body, const std::string& k) {
    const std::int64_t ts = NowSeconds();
    return testing::Request(server.port(), "POST", "/v1/callbacks/referring_authority", body,
                            {{"webhook-id", id},
                             {"webhook-timestamp", std::to_string(ts)},
                             {"webhook-signature", notify::SignWebhook(k, id, ts, body)},
                             {"Content-Type", "application/json"}});
  };
  const std::string approve =
      R"({"pathway_id":")" + p + R"(","trigger":"approve_referral","payload":{"approved":true}})";
  HttpReply ok = callback("cb-1", approve, key);
  REQUIRE_MESSAGE(ok.status == 200, ok.body);
  CHECK(ok.Json()["duplicate"] == false);
  HttpReply again_reply = callback("cb-1", approve, key);  // the partner retries
  CHECK(again_reply.status == 200);
  CHECK(again_reply.Json()["duplicate"] == true);
  CHECK(callback("cb-2", approve, std::string(32, 'x')).status == 401);
  const std::string other =
      R"({"pathway_id":")" + p + R"(","trigger":"drop_out","payload":{"reason":"work"}})";
  CHECK(callback("cb-3", other, key).status == 403);
  HttpReply state = testing::Request(server.port(), "GET", "/v1/pathways/" + p, "", admin);
  CHECK(state.Json()["data"]["referral_approved"] == true);

  // The job centre refers a new lead: registered as the job centre's, with the intake
  // counsellor as contact person and the participant's municipality; once for a retry.
  const std::string refer =
      R"({"lead":{"identity":{"name":"Ali Hassan","phone":"20304050"},"municipality":"751"}})";
  HttpReply referred = callback("cb-lead-1", refer, key);
  REQUIRE_MESSAGE(referred.status == 201, referred.body);
  const std::string lead = referred.Json()["pathway_id"];
  HttpReply retried = callback("cb-lead-1", refer, key);
  CHECK(retried.status == 201);
  CHECK(retried.Json()["pathway_id"] == lead);
  CHECK(retried.Json()["duplicate"] == true);
  const nlohmann::json referred_state =
      testing::Request(server.port(), "GET", "/v1/pathways/" + lead, "", anne).Json();
  CHECK(referred_state["contact_person"] == "anne");
  CHECK(referred_state["municipality"] == "751");
  CHECK(referred_state["data"]["referral_source"] == "jobcenter");
  const nlohmann::json history =
      testing::Request(server.port(), "GET", "/v1/pathways/" + lead + "/history", "", admin).Json();
  CHECK(history["events"][0]["actor"]["user"] == "referring_authority");
  // A bad lead is refused whole.
  CHECK(callback("cb-lead-2", R"({"lead":{"identity":{"name":"X"},"municipality":"75"}})", key)
            .status == 400);
  CHECK(callback("cb-lead-3", R"({"lead":{"municipality":"751"}})", key).status == 400);
  CHECK(callback("cb-lead-4", R"({"lead":{"identity":{"name":"X"},"cpr":"1"}})", key).status ==
        400);

  // SIGHUP: a broken notifications file is refused and deliveries go on by the running one;
  // a good one takes over for what comes next.
  auto intake = [&] {
    HttpReply lead =
        testing::Request(server.port(), "POST", "/v1/pathways",
                         R"({"referral_source":"jobcenter","contact_person":"anne"})", anne);
    REQUIRE(lead.status == 201);
    const std::string id = lead.Json()["pathway_id"];
    REQUIRE(testing::Request(server.port(), "POST", "/v1/pathways/" + id + "/triggers/hold_intake",
                             R"({"payload":{"age_at_entry":30}})", anne)
                .status == 200);
  };
  auto wait_for = [](testing::WebhookReceiver& r, std::size_t n) {
    for (int i = 0; i < 500 && r.accepted().size() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return r.accepted().size();
  };
  // Ten intakes and the complete_rkv of the callback's pathway so far.
  REQUIRE(wait_for(receiver, 11) == 11);
  std::ofstream(dir / "notifications.yaml") << "parties:\n  referring_authority:\n"
                                               "    webhook: {url: ftp://nowhere}\n";
  server.Signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // best effort: either way the
  intake();                                                     // running file delivers it
  CHECK(wait_for(receiver, 12) == 12);
  testing::WebhookReceiver second(*notify::ParseWebhookSecret(kOutSecret));
  std::ofstream(dir / "notifications.yaml")
      << "parties:\n  referring_authority:\n    webhook:\n      url: " << second.url("/new")
      << "\n      secrets: [" << kOutSecret << "]\n";
  server.Signal(SIGHUP);
  // The reload has happened once the endpoint shows its new target (signals are handled in
  // order, so the broken file's refusal came first).
  std::string target;
  for (int i = 0; i < 1000 && target != second.url("/new"); ++i) {
    HttpReply e = testing::Request(server.port(), "GET", "/v1/admin/endpoints", "", admin);
    const nlohmann::json endpoints = e.Json()["endpoints"];
    target = endpoints.empty() ? "" : endpoints[0].value("target", "");
    if (target != second.url("/new")) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(target == second.url("/new"));
  intake();
  CHECK(wait_for(second, 1) == 1);
  CHECK(receiver.accepted().size() == 12);

  server.Signal(SIGTERM);
  CHECK(server.Wait() == 0);
}

std::string RunCli(const std::string& args, int* status = nullptr) {
  std::string out;
  std::FILE* p = ::popen((std::string(PATHWAYS_BIN) + " " + args + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int rc = ::pclose(p);
  if (status != nullptr) *status = WEXITSTATUS(rc);
  return out;
}

TEST_CASE("pathways dead-letters: list, show and replay from the command line") {
  testing::TempDir dir;
  const std::string data = dir / "store";
  {
    adapters::SystemClock clock;
    auto store = testing::OpenWithDefinitions(data, clock);
    notify::DispatcherOptions o;
    o.UseStore(*store);
    o.catalog = testing::AmigoCatalog();
    o.clock = &clock;
    notify::Dispatcher dispatcher(std::move(o));  // no channels: every notice a dead letter
    REQUIRE(dispatcher.Start().ok());
    for (const char* p : {"a", "b"}) {
      CommandRequest r;
      r.pathway_id = p;
      r.participant_id = std::string("participant-") + p;
      r.command_id = std::string(p) + "-lead";
      r.actor = {"anne", "counsellor"};
      r.command = runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, "anne"};
      REQUIRE(store->Execute(r).ok());
      r.command_id = std::string(p) + "-intake";
      r.command = runtime::FireTrigger{"hold_intake", {{"age_at_entry", 30}}};
      REQUIRE(store->Execute(r).ok());
    }
    REQUIRE(dispatcher.WaitIdle(std::chrono::seconds(10)));
    CHECK(dispatcher.DeadLetterCount() == 2);
  }
  int rc = -1;
  const std::string listed = RunCli("dead-letters list --json --data " + data, &rc);
  CHECK(rc == 0);
  std::vector<nlohmann::json> letters;
  std::istringstream lines(listed);
  for (std::string line; std::getline(lines, line);) letters.push_back(nlohmann::json::parse(line));
  REQUIRE(letters.size() == 2);
  CHECK(letters[0]["status"] == "dead letter");
  CHECK(letters[0]["notification"]["party"] == "referring_authority");
  const std::string id = std::to_string(letters[0]["id"].get<std::uint64_t>());
  CHECK(RunCli("dead-letters list --limit 1 --data " + data).find("more: --after") !=
        std::string::npos);
  CHECK(nlohmann::json::parse(RunCli("dead-letters show " + id + " --data " + data))["id"] ==
        letters[0]["id"]);
  CHECK(RunCli("dead-letters replay " + id + " --data " + data, &rc).find("waits again") !=
        std::string::npos);
  CHECK(rc == 0);
  CHECK(RunCli("dead-letters replay " + id + " --data " + data, &rc).find("not a dead letter") !=
        std::string::npos);
  CHECK(rc == 1);
  CHECK(RunCli("dead-letters show 99 --data " + data, &rc).find("no delivery 99") !=
        std::string::npos);
  CHECK(rc == 1);
}

}  // namespace
}  // namespace pathways
