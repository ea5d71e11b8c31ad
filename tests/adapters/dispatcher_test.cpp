// The notification adapters end to end, with real parts: a real store on a temp dir, real
// webhook receivers and a real SMTP server on 127.0.0.1, the AMIGO definition's routes.

#include "adapters/notify/dispatcher.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <latch>
#include <set>
#include <thread>

#include "adapters/config/notify_config.hpp"
#include "adapters/notify/base64.hpp"
#include "adapters/platform/system_clock.hpp"
#include "engine/runtime/timer_scheduler.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/smtp_receiver.hpp"
#include "tests/support/temp_store.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace pathways {
namespace {

using testing::WebhookReceiver;

// The receivers verify with the old secret; Pathways signs with both while rotating.
constexpr const char* kOldSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kNewSecret = "whsec_bmV3LXNlY3JldC1mb3ItdGhlLXRlc3RzLTEyMzQ1Ng==";

std::string OldKey() { return *notify::ParseWebhookSecret(kOldSecret); }

config::WebhookTarget Hook(const WebhookReceiver& r, const std::string& path) {
  config::WebhookTarget t;
  t.url = r.url(path);
  t.secrets = {kNewSecret, kOldSecret};
  return t;
}

// A store on the AMIGO definition and the adapters over it.
class Rig {
 public:
  Rig() : clock_(testing::kTestEpochMs) {
    catalog_ = testing::AmigoCatalog();
    store_ = testing::OpenWithDefinitions(tmp_ / "store", clock_, catalog_);
  }
  ~Rig() {
    if (dispatcher_) dispatcher_->Stop();
  }

  void Start(config::NotifyConfig c) {
    c.timeout = std::chrono::milliseconds(2000);
    notify::DispatcherOptions o;
    o.UseStore(*store_);
    o.catalog = catalog_;
    o.clock = &wall_;
    o.config = std::move(c);
    o.team_leads = team_leads;
    o.contact_persons = contact_persons;
    dispatcher_ = std::make_unique<notify::Dispatcher>(std::move(o));
    REQUIRE(dispatcher_->Start().ok());
  }
  void Restart() {
    config::NotifyConfig c = *dispatcher_->config();
    dispatcher_->Stop();
    dispatcher_.reset();
    Start(std::move(c));
  }

  AppendResult Do(const std::string& pathway, runtime::Command command,
                  const std::string& user = "anne") {
    CommandRequest r;
    r.pathway_id = pathway;
    r.participant_id = "participant-" + pathway;
    r.command_id = pathway + "-" + std::to_string(++commands_);
    r.actor = {user, "counsellor"};
    r.command = std::move(command);
    auto done = store_->Execute(std::move(r));
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    return *done;
  }

  // A lead with its contact person, then the intake, which tells the referring authority.
  void Intake(const std::string& id) {
    Do(id, runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, "anne"});
    Do(id, runtime::FireTrigger{"hold_intake", {{"age_at_entry", 30}}});
  }

  // A participant aged 22 from lead to dropout on the AMU track: the referring authority, the
  // partner school, the employer and (under 25) KUI are told along the way.
  void YoungDropout(const std::string& id) {
    using runtime::FireTrigger;
    Do(id, runtime::RegisterLead{
               "jobcenter",
               {{"unemployed", false}},
               {{PersonalScope::kIdentity, {{"name", "Maja Jensen"}, {"email", "maja@x.dk"}}},
                {PersonalScope::kGuidance, {{"barriers", {"reading", "financial"}}}}},
               "anne"});
    Do(id, FireTrigger{"hold_intake", {{"age_at_entry", 22}}});
    Do(id, FireTrigger{"request_rkv", nlohmann::json::object()});
    Do(id, FireTrigger{"complete_rkv", {{"track", "AMU"}}});
    Do(id, FireTrigger{"agree_plan", nlohmann::json::object()});
    Do(id, FireTrigger{"enrol", nlohmann::json::object()});
    Do(id, FireTrigger{"start_amu", nlohmann::json::object()});
    Do(id, FireTrigger{"drop_out", {{"reason", "work"}}});
  }

  std::vector<RecordedEvent> History(const std::string& id) {
    auto page = store_->ReadStream(id, 1, 1000);
    REQUIRE(page.ok());
    return page->events;
  }
  std::vector<RecordedEvent> OfType(const std::string& id, const std::string& type) {
    std::vector<RecordedEvent> out;
    for (auto& e : History(id)) {
      if (e.type == type) out.push_back(std::move(e));
    }
    return out;
  }

  void Idle(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    // Idle: nothing in flight, and no retry due within the next minute.
    const bool idle = dispatcher_->WaitIdle(timeout, 60'000);
    REQUIRE_MESSAGE(idle, "not idle: " << dispatcher_->Metrics());
  }

  notify::Dispatcher& dispatcher() { return *dispatcher_; }
  storage::RocksEventStore& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  const testing::TempDir& tmp() const { return tmp_; }

  // For the next Start.
  std::map<std::string, std::vector<std::string>> team_leads;
  std::map<std::string, notify::ContactPerson> contact_persons;

 private:
  testing::TempDir tmp_;
  ManualClock clock_;
  adapters::SystemClock wall_;
  std::shared_ptr<definition::DefinitionCatalog> catalog_;
  std::unique_ptr<storage::RocksEventStore> store_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
  int commands_ = 0;
};

nlohmann::json DataOf(const RecordedEvent& e) { return nlohmann::json::parse(e.data); }

TEST_CASE(
    "webhooks: each notification once per webhook-id, signed while rotating, only the route's "
    "data, KUI hears of a dropout under 25, no barrier code leaves") {
  WebhookReceiver receiver(OldKey());
  Rig rig;
  config::NotifyConfig c;
  c.parties["referring_authority"].webhook = Hook(receiver, "/jobcenter");
  c.parties["partner_school"].webhook = Hook(receiver, "/school");
  c.parties["kui"].webhook = Hook(receiver, "/kui");
  rig.Start(c);
  rig.YoungDropout("p1");
  rig.Idle();

  // Every request is answered in the history: delivered, or a dead letter for the employer,
  // who has no channel configured.
  const auto requested = rig.OfType("p1", "NotificationRequested");
  const auto delivered = rig.OfType("p1", "NotificationDelivered");
  const auto dead = rig.OfType("p1", "NotificationDeadLettered");
  REQUIRE(requested.size() == 9);
  CHECK(delivered.size() == 8);
  REQUIRE(dead.size() == 1);
  CHECK(DataOf(dead[0])["party"] == "employer");
  CHECK(DataOf(dead[0])["last_error"].get<std::string>().find("no channel") != std::string::npos);
  std::set<std::string> answered;
  for (const auto& e : delivered) {
    CHECK(DataOf(e)["attempts"] == 1);
    CHECK(DataOf(e)["channel"] == "webhook");
    answered.insert(DataOf(e)["notification_id"]);
  }
  for (const auto& e : dead) answered.insert(DataOf(e)["notification_id"]);
  CHECK(answered.size() == requested.size());

  // The receiver saw each webhook-id exactly once, every signature verified.
  const auto accepted = receiver.accepted();
  CHECK(accepted.size() == 8);
  for (const auto& [id, n] : accepted) CHECK(n == 1);
  CHECK(receiver.verified() == receiver.received());
  for (const auto& e : delivered) {
    CHECK(accepted.count(DataOf(e)["message_id"].get<std::string>()) == 1);
  }

  int kui = 0;
  for (const auto& [id, raw] : receiver.bodies()) {
    CHECK(raw.find("reading") == std::string::npos);  // barrier codes never leave
    CHECK(raw.find("barriers") == std::string::npos);
    CHECK(raw.find("financial") == std::string::npos);
    const nlohmann::json body = nlohmann::json::parse(raw);
    const nlohmann::json& d = body["data"];
    CHECK(body["type"] == "pathway.notification");
    if (d["party"] == "referring_authority") {
      CHECK_FALSE(d.contains("identity"));  // its routes name no identity
      CHECK(raw.find("Maja") == std::string::npos);
    }
    CHECK(raw.find("maja@x.dk") == std::string::npos);  // contact details: no route asks
    if (d["party"] == "kui") {
      ++kui;
      CHECK(d["identity"]["name"] == "Maja Jensen");
      CHECK(d["fields"]["age_at_entry"] == 22);
      if (d["because"] == "trigger drop_out") {
        CHECK(d["state"]["id"] == "dropped_out");
        CHECK(d["state"]["label"]["da"] == "Frafald");
        CHECK(d["fields"]["dropout_reason"] == "work");
      }
    }
  }
  CHECK(kui == 2);  // the start of the course and the dropout
}

TEST_CASE("a receiver that is down for a while loses nothing, retries back off") {
  WebhookReceiver receiver(OldKey());
  receiver.Answer(503);
  Rig rig;
  config::NotifyConfig c;
  c.retry_delays = {std::chrono::milliseconds(50), std::chrono::milliseconds(100),
                    std::chrono::milliseconds(200), std::chrono::milliseconds(400),
                    std::chrono::milliseconds(800)};
  c.jitter = 0;
  c.parties["referring_authority"].webhook = Hook(receiver, "/jobcenter");
  rig.Start(c);
  for (int i = 0; i < 20; ++i) {
    const std::string id = "down-" + std::to_string(i);
    rig.Intake(id);
  }
  for (int i = 0; i < 500 && receiver.received() < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(receiver.received() >= 20);  // every one tried, and refused
  CHECK(receiver.accepted().empty());
  receiver.Answer(204);
  rig.Idle();
  const auto accepted = receiver.accepted();
  CHECK(accepted.size() == 20);
  for (const auto& [id, n] : accepted) CHECK(n == 1);
  CHECK(rig.dispatcher().DeadLetterCount() == 0);
  const auto delivered = rig.OfType("down-7", "NotificationDelivered");
  REQUIRE(delivered.size() == 1);
  CHECK(DataOf(delivered[0])["attempts"].get<int>() >= 2);
  const std::string metrics = rig.dispatcher().Metrics();
  CHECK(metrics.find("pathways_notify_delivered_total{adapter=\"webhook\"} 20") !=
        std::string::npos);
  CHECK(metrics.find("pathways_notify_lag_events{adapter=\"webhook\"} 0") != std::string::npos);
}

TEST_CASE("after the last attempt a dead letter: in the history, listed, and replayed once") {
  WebhookReceiver receiver(OldKey());
  receiver.Answer(503);
  Rig rig;
  config::NotifyConfig c;
  c.retry_delays = {std::chrono::milliseconds(20), std::chrono::milliseconds(40)};
  c.jitter = 0;
  c.parties["referring_authority"].webhook = Hook(receiver, "/jobcenter");
  rig.Start(c);
  rig.Intake("p1");
  rig.Idle();

  CHECK(receiver.received() == 3);  // three attempts, then it is given up
  auto dead = rig.OfType("p1", "NotificationDeadLettered");
  REQUIRE(dead.size() == 1);
  CHECK(DataOf(dead[0])["attempts"] == 3);
  CHECK(DataOf(dead[0])["last_error"] == "answered 503");
  auto page = rig.dispatcher().DeadLetters("", 10);
  REQUIRE(page.ok());
  REQUIRE(page->letters.size() == 1);
  const notify::Delivery letter = page->letters[0];
  CHECK(letter.status() == notify::DeliveryStatus::kDeadLetter);
  CHECK(letter.last_error == "answered 503");
  CHECK(rig.dispatcher().DeadLetterCount() == 1);
  CHECK(rig.dispatcher().Metrics().find("pathways_notify_dead_letters 1") != std::string::npos);

  // A replay while it is still a dead letter is sent again under the same webhook-id.
  receiver.Answer(204);
  REQUIRE(rig.dispatcher().Replay(letter.id).ok());
  rig.Idle();
  const auto accepted = receiver.accepted();
  REQUIRE(accepted.size() == 1);
  CHECK(accepted.begin()->first == notify::Dispatcher::WebhookId(letter));
  CHECK(rig.OfType("p1", "NotificationDelivered").size() == 1);
  CHECK(rig.dispatcher().DeadLetterCount() == 0);
  // Delivered, it has left the ledger; replaying it again is refused.
  CHECK_FALSE(rig.dispatcher().Get(letter.id)->has_value());
  CHECK(rig.dispatcher().Replay(letter.id).status().code() == StatusCode::kNotFound);
}

TEST_CASE("410 disables an endpoint, and so does failing past disable_after, enabling it") {
  WebhookReceiver receiver(OldKey());
  receiver.Answer(410);
  WebhookReceiver flaky(OldKey());
  flaky.Answer(500);
  Rig rig;
  config::NotifyConfig c;
  c.retry_delays = {std::chrono::milliseconds(30), std::chrono::milliseconds(30)};
  c.jitter = 0;
  c.disable_after = std::chrono::milliseconds(20);
  c.parties["referring_authority"].webhook = Hook(receiver, "/jobcenter");
  c.parties["partner_school"].webhook = Hook(flaky, "/school");
  rig.Start(c);
  rig.Intake("p1");
  rig.Idle();
  CHECK(receiver.received() == 1);  // a 410 is not retried
  // The next one is not even sent: the endpoint is disabled.
  rig.Do("p1", runtime::FireTrigger{"request_rkv", nlohmann::json::object()});
  rig.Do("p1", runtime::FireTrigger{"complete_rkv", {{"track", "AMU"}}});
  rig.Idle();
  CHECK(receiver.received() == 1);
  auto dead = rig.OfType("p1", "NotificationDeadLettered");
  REQUIRE(dead.size() == 2);
  CHECK(DataOf(dead[1])["last_error"].get<std::string>().find("is disabled") != std::string::npos);

  // The partner school fails without a success past disable_after: disabled as well.
  rig.Do("p1", runtime::FireTrigger{"agree_plan", nlohmann::json::object()});
  rig.Do("p1", runtime::FireTrigger{"enrol", nlohmann::json::object()});
  rig.Idle();
  std::map<std::string, notify::EndpointView> endpoints;
  for (auto& e : rig.dispatcher().Endpoints()) endpoints[e.name] = e;
  REQUIRE(endpoints.count("referring_authority.webhook") == 1);
  CHECK(endpoints["referring_authority.webhook"].health.disabled_at != 0);
  CHECK(endpoints["referring_authority.webhook"].health.disabled_reason ==
        "the receiver answered 410 Gone");
  CHECK(endpoints["partner_school.webhook"].health.disabled_at != 0);
  CHECK(endpoints["partner_school.webhook"].health.disabled_reason.find("failing since") == 0);

  // Administrators are told in the $notify stream, chained like every event.
  auto told = rig.store().ReadStream("$notify", 1, 10);
  REQUIRE(told.ok());
  std::set<std::string> disabled;
  for (const auto& e : told->events) {
    if (e.type == "EndpointDisabled") disabled.insert(DataOf(e)["endpoint"]);
  }
  CHECK(disabled == std::set<std::string>{"partner_school.webhook", "referring_authority.webhook"});

  // Health survives a restart; enabled again and replayed, everything arrives.
  rig.Restart();
  CHECK(rig.dispatcher().Metrics().find("pathways_notify_endpoints_disabled 2") !=
        std::string::npos);
  receiver.Answer(204);
  REQUIRE(rig.dispatcher().Enable("referring_authority.webhook").ok());
  CHECK(rig.dispatcher().Enable("nobody.webhook").code() == StatusCode::kNotFound);
  auto page = rig.dispatcher().DeadLetters("", 100);
  REQUIRE(page.ok());
  for (const auto& letter : page->letters) {
    if (letter.endpoint == "referring_authority.webhook") {
      REQUIRE(rig.dispatcher().Replay(letter.id).ok());
    }
  }
  rig.Idle();
  CHECK(receiver.accepted().size() == 2);
}

TEST_CASE("a restart sends what was not recorded again, under the same webhook-id") {
  WebhookReceiver receiver(OldKey());
  receiver.Answer(204, /*hang=*/true);  // holds every request: nothing is recorded
  Rig rig;
  config::NotifyConfig c;
  c.retry_delays = {std::chrono::milliseconds(100)};
  c.parties["referring_authority"].webhook = Hook(receiver, "/jobcenter");
  rig.Start(c);
  rig.Intake("p1");
  for (int i = 0; i < 200 && receiver.held() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(receiver.held() == 1);
  const std::string first_id = receiver.ids().at(0);
  // The receiver got it but never answered; the attempt times out while stopping, and the
  // delivery stays in the ledger with no outcome recorded.
  rig.dispatcher().Stop();
  CHECK(rig.OfType("p1", "NotificationDelivered").empty());
  receiver.Release();
  receiver.Answer(204);
  rig.Restart();
  rig.Idle();
  REQUIRE(receiver.accepted().size() == 1);
  CHECK(receiver.accepted().begin()->first == first_id);
  CHECK(rig.OfType("p1", "NotificationDelivered").size() == 1);
}

TEST_CASE("the counsellor's inbox: a risk's raiser hears it resolved, overdue tasks escalate") {
  Rig rig;
  config::NotifyConfig c;
  c.parties["counsellor"].inbox = {config::kContactPerson};
  c.parties["team_lead"].inbox = {"lead"};
  rig.Start(c);
  rig.Do("p1", runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, "anne"});
  rig.Do("p1", runtime::RaiseRisk{"no_contact", ""}, "anne");
  const auto raised = rig.OfType("p1", "RiskRaised");
  REQUIRE(raised.size() == 1);
  rig.Do("p1", runtime::ResolveRisk{DataOf(raised[0])["risk_id"], "called her"}, "bo");
  rig.Do("p1", runtime::FireTrigger{"hold_intake", {{"age_at_entry", 30}}});
  rig.Do("p1", runtime::FireTrigger{"request_rkv", nlohmann::json::object()});  // a task
  rig.Idle();
  auto delivered = rig.OfType("p1", "NotificationDelivered");
  REQUIRE_FALSE(delivered.empty());
  bool anne_told = false;
  for (const auto& e : delivered) {
    if (DataOf(e)["party"] == "counsellor") {
      CHECK(DataOf(e)["channel"] == "inbox");
      anne_told = anne_told || DataOf(e)["recipient"] == "anne";
    }
  }
  CHECK(anne_told);

  // Past its due date the task escalates, and the team lead is told.
  const auto task = rig.OfType("p1", "TaskCreated");
  REQUIRE(task.size() == 1);
  rig.clock().Set(DataOf(task[0])["due_at"].get<TimestampMs>() + 1);
  auto sweep = runtime::FireDueTimers(rig.store(), rig.store(), rig.clock().NowMs(), 100);
  REQUIRE(sweep.ok());
  const auto escalated = rig.OfType("p1", "TaskEscalated");
  REQUIRE(escalated.size() == 1);
  CHECK(DataOf(escalated[0])["task_id"] == DataOf(task[0])["task_id"]);
  CHECK(DataOf(escalated[0])["assignee"] == "anne");
  // Once: the escalated task is no longer watched.
  sweep = runtime::FireDueTimers(rig.store(), rig.store(), rig.clock().NowMs() + 86'400'000, 100);
  REQUIRE(sweep.ok());
  CHECK(rig.OfType("p1", "TaskEscalated").size() == 1);
  rig.Idle();
  bool lead_told = false;
  for (const auto& e : rig.OfType("p1", "NotificationDelivered")) {
    lead_told =
        lead_told || (DataOf(e)["party"] == "team_lead" && DataOf(e)["recipient"] == "lead");
  }
  CHECK(lead_told);
}

TEST_CASE("email to KUI over SMTP with STARTTLS, in Danish, with the route's data only") {
  testing::TempDir mail;
  testing::SmtpReceiver smtp(mail / "maildir");
  REQUIRE_MESSAGE(smtp.ready(), "python3-aiosmtpd did not start");
  Rig rig;
  config::NotifyConfig c;
  config::SmtpSettings s;
  s.url = "smtp://127.0.0.1:" + std::to_string(smtp.port());
  s.from = "pathways@skole.example";
  s.ca_file = std::string(PATHWAYS_SOURCE_DIR) + "/tests/data/tls/server.crt";
  c.smtp = s;
  c.parties["kui"].email = config::EmailTarget{{"ungeindsats@kommune.example"}, "da"};
  c.templates_dir = std::string(PATHWAYS_SOURCE_DIR) + "/config/templates";  // as shipped
  rig.Start(c);
  rig.YoungDropout("p1");
  rig.Idle(std::chrono::seconds(20));

  std::vector<std::string> got;
  for (int i = 0; i < 100 && got.size() < 2; ++i) {
    got = smtp.Messages();
    if (got.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(got.size() == 2);
  bool dropout = false;
  for (const std::string& raw : got) {
    CHECK(raw.find("To: <ungeindsats@kommune.example>") != std::string::npos);
    CHECK(raw.find("Message-ID: <ntf_") != std::string::npos);
    // The plain-text part (base64 in the message) in Danish.
    const std::size_t part = raw.find("text/plain; charset=UTF-8");
    REQUIRE(part != std::string::npos);
    const std::size_t start = raw.find("\n\n", part) != std::string::npos
                                  ? raw.find("\n\n", part) + 2
                                  : raw.find("\r\n\r\n", part) + 4;
    std::string encoded = raw.substr(start, raw.find("--", start) - start);
    std::erase_if(encoded, [](char ch) { return ch == '\r' || ch == '\n'; });
    std::string text;
    REQUIRE(notify::Base64Decode(encoded, text));
    CHECK(text.find("Navn: Maja Jensen") != std::string::npos);
    CHECK(text.find("reading") == std::string::npos);
    CHECK(text.find("{{") == std::string::npos);
    // In words: what happened, the state by its label, never an id.
    dropout =
        dropout || (text.find("Deltageren er faldet fra uddannelsen.\n") != std::string::npos &&
                    text.find("Status: Frafald\n") != std::string::npos);
    CHECK(text.find("dropped_out") == std::string::npos);
  }
  CHECK(dropout);
  for (const auto& e : rig.OfType("p1", "NotificationDelivered")) {
    if (DataOf(e)["party"] == "kui") {
      CHECK(DataOf(e)["channel"] == "email");
      CHECK(DataOf(e)["personal"] == true);
      CHECK(DataOf(e)["recipient"] == "ungeindsats@kommune.example");
    }
  }
}

TEST_CASE("the notifications file: every problem with file:line:col, parties checked") {
  testing::TempDir tmp;
  std::ofstream(tmp / "notifications.yaml") << "retry:\n"
                                               "  schedule: [5s, soon]\n"
                                               "  jiter: 0.1\n"
                                               "parties:\n"
                                               "  kui:\n"
                                               "    webhook:\n"
                                               "      url: ftp://kui.example\n"
                                               "      secrets: [whsec_c2hvcnQ=]\n"
                                               "    email:\n"
                                               "      to: [not-an-address]\n";
  config::NotifyConfigResult r = config::LoadNotifyConfig(tmp / "notifications.yaml");
  std::vector<std::string> lines;
  for (const auto& d : r.diagnostics) lines.push_back(d.ToString());
  REQUIRE(lines.size() == 6);
  const std::string f = tmp / "notifications.yaml";
  CHECK(lines[0] ==
        f + ":2:18: error: retry delay `soon` must be a number and a unit: ms, s, m, h or d");
  CHECK(lines[1].starts_with(f + ":3:3: error: unknown key `jiter`"));
  CHECK(lines[2] == f + ":7:12: error: webhook url must start with https:// or http://");
  CHECK(lines[3] == f + ":8:17: error: party kui webhook: a webhook secret holds 24 to 64 bytes");
  CHECK(lines[4].find("email needs the `smtp` server") != std::string::npos);
  CHECK(lines[5] == f + ":10:12: error: `not-an-address` is not an email address (nor employer, "
                        "municipality or participant)");

  std::ofstream(tmp / "typo.yaml") << "templates: tempaltes\n";
  config::NotifyConfigResult typo = config::LoadNotifyConfig(tmp / "typo.yaml");
  REQUIRE(typo.diagnostics.size() == 1);
  CHECK(typo.diagnostics[0].ToString() == tmp / "typo.yaml" + ":1:12: error: templates directory " +
                                              tmp / "tempaltes" + " not found");

  config::NotifyConfig c;
  c.file = "n.yaml";
  c.parties["kui"].inbox = {"anne"};
  c.parties["kui"].line = 3;
  c.parties["kui"].column = 3;
  c.parties["jobcentre"].line = 9;
  c.parties["jobcentre"].column = 3;
  auto problems = config::CheckParties(c, {{"kui", true}, {"counsellor", false}});
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].ToString() ==
        "n.yaml:9:3: error: party `jobcentre` is not a party of any loaded definition");
  CHECK(problems[1].ToString() ==
        "n.yaml:3:3: error: party `kui` is external: the counsellor inbox is for staff only");

  // Links to confirm by: in emails only, never for staff, and only triggers that exist.
  std::ofstream(tmp / "confirm.yaml") << "smtp: {directory: mail, from: p@skole.example}\n"
                                         "parties:\n"
                                         "  employer:\n"
                                         "    confirm: {triggers: [pass_probation], valid: soon}\n"
                                         "  union:\n"
                                         "    email: {to: [a@union.example]}\n"
                                         "    confirm: {valid: 2d}\n";
  config::NotifyConfigResult links = config::LoadNotifyConfig(tmp / "confirm.yaml");
  std::vector<std::string> link_problems;
  for (const auto& d : links.diagnostics) link_problems.push_back(d.ToString());
  const std::string cf = tmp / "confirm.yaml";
  REQUIRE(link_problems.size() == 3);
  CHECK(link_problems[0] == cf + ":4:14: error: party employer: confirm links travel in its "
                                 "emails: give it `email`");
  CHECK(link_problems[1] == cf + ":4:50: error: valid is a duration such as `14d` or `48h`");
  CHECK(link_problems[2] ==
        cf + ":7:14: error: party union: confirm needs the `triggers` its links may fire");
  config::NotifyConfig staff;
  staff.file = "n.yaml";
  staff.parties["counsellor"].confirm = config::ConfirmTarget{{"pass_probation"}};
  staff.parties["counsellor"].line = 4;
  staff.parties["counsellor"].column = 3;
  staff.parties["employer"].confirm = config::ConfirmTarget{{"pass_probaton"}};
  staff.parties["employer"].line = 7;
  staff.parties["employer"].column = 3;
  problems = config::CheckParties(staff, {{"employer", true}, {"counsellor", false}});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].ToString() ==
        "n.yaml:4:3: error: party `counsellor` is internal: staff sign "
        "in to the workspace, not by links");
  problems = config::CheckTriggers(staff, {"pass_probation", "sign_contract"});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].ToString() ==
        "n.yaml:7:3: error: party `employer` may fire `pass_probaton`, which no loaded definition "
        "has (did you mean `pass_probation`?)");

  CHECK(config::ParseInterval("250ms") == std::chrono::milliseconds(250));
  CHECK(config::ParseInterval("5d") == std::chrono::hours(120));
  CHECK_FALSE(config::ParseInterval("5 d"));
  CHECK_FALSE(config::ParseInterval("-5s"));
}

TEST_CASE("a party with no channel: dead letters that say so, routed anew once it has one") {
  WebhookReceiver receiver(OldKey());
  Rig rig;
  rig.Start(config::NotifyConfig{});
  rig.Intake("p1");
  rig.Idle();
  auto page = rig.dispatcher().DeadLetters("", 10);
  REQUIRE(page.ok());
  REQUIRE(page->letters.size() == 1);
  const notify::Delivery letter = page->letters[0];
  CHECK(letter.channel == notify::Channel::kNone);
  CHECK(letter.last_error == "party referring_authority has no channel in the config");

  // The administrator configures the job centre's webhook and replays the letter.
  config::NotifyConfig c;
  c.parties["referring_authority"].webhook = Hook(receiver, "/jobcenter");
  rig.dispatcher().Stop();
  rig.Start(c);
  REQUIRE(rig.dispatcher().Replay(letter.id).ok());
  rig.Idle();
  CHECK(receiver.accepted().size() == 1);
  const auto delivered = rig.OfType("p1", "NotificationDelivered");
  REQUIRE(delivered.size() == 1);
  CHECK(DataOf(delivered[0])["channel"] == "webhook");
  CHECK(rig.dispatcher().DeadLetterCount() == 0);
}

TEST_CASE("two replays of one dead letter at once: it is revived once, the count stays true") {
  Rig rig;
  rig.Start(config::NotifyConfig{});  // no channel: every notification is a dead letter at once
  constexpr int kLetters = 40;
  for (int i = 0; i < kLetters; ++i) rig.Intake("p" + std::to_string(i));
  rig.Idle();
  auto page = rig.dispatcher().DeadLetters("", 1000);
  REQUIRE(page.ok());
  REQUIRE(page->letters.size() == kLetters);

  std::atomic<int> revived{0};
  std::atomic<int> refused{0};
  for (const notify::Delivery& letter : page->letters) {
    std::latch start(2);
    auto replay = [&] {
      start.arrive_and_wait();
      auto r = rig.dispatcher().Replay(letter.id);
      (r.ok() ? revived : refused).fetch_add(1);
    };
    std::thread a(replay);
    std::thread b(replay);
    a.join();
    b.join();
  }
  // Mostly one of each pair is refused; a second replay that comes after the adapter has
  // buried the letter again (still no channel) rightly revives it once more.
  CHECK(revived.load() >= kLetters);
  CHECK(revived.load() + refused.load() == 2 * kLetters);
  // Every replayed letter is dead again, and the gauge counts each once (two revivals of one
  // dead letter used to count it down twice, and the gauge wrapped).
  rig.Idle();
  auto again = rig.dispatcher().DeadLetters("", 1000);
  REQUIRE(again.ok());
  CHECK(again->letters.size() == kLetters);
  CHECK(rig.dispatcher().DeadLetterCount() == kLetters);
}

TEST_CASE("after the participant's identity is erased, a notification says so and sends none") {
  WebhookReceiver receiver(OldKey());
  Rig rig;
  config::NotifyConfig c;
  c.parties["kui"].webhook = Hook(receiver, "/kui");
  rig.Start(c);
  using runtime::FireTrigger;
  rig.Do("p1", runtime::RegisterLead{
                   "jobcenter",
                   {{"unemployed", false}},
                   {{PersonalScope::kIdentity, {{"name", "Maja Jensen"}, {"cpr", "0101041234"}}}},
                   "anne"});
  rig.Do("p1", FireTrigger{"hold_intake", {{"age_at_entry", 22}}});
  rig.Do("p1", FireTrigger{"request_rkv", nlohmann::json::object()});
  rig.Do("p1", FireTrigger{"complete_rkv", {{"track", "AMU"}}});
  rig.Do("p1", FireTrigger{"agree_plan", nlohmann::json::object()});
  rig.Do("p1", FireTrigger{"enrol", nlohmann::json::object()});
  EraseRequest erase;
  erase.participant_id = "participant-p1";
  erase.scopes = {PersonalScope::kIdentity, PersonalScope::kGuidance};
  erase.command_id = "erase-p1";
  erase.actor = {"admin", "administrator"};
  erase.reason = "request from the participant";
  REQUIRE(rig.store().ErasePersonalData(erase).ok());
  rig.Do("p1", FireTrigger{"start_amu", nlohmann::json::object()});  // KUI: identity, status
  rig.Idle();
  const auto bodies = receiver.bodies();
  REQUIRE(bodies.size() == 1);
  const std::string& raw = bodies.begin()->second;
  CHECK(raw.find("Maja") == std::string::npos);
  CHECK(raw.find("0101041234") == std::string::npos);
  const nlohmann::json body = nlohmann::json::parse(raw);
  CHECK(body["data"]["identity"] == nlohmann::json{{"erased", true}});
  CHECK(body["data"]["state"]["id"] == "in_amu");
  const auto delivered = rig.OfType("p1", "NotificationDelivered");
  REQUIRE(delivered.size() == 1);
  CHECK(DataOf(delivered[0])["personal"] == false);
}

TEST_CASE("a reload routes what comes next by the new file, bad templates keep the old one") {
  WebhookReceiver receiver(OldKey());
  Rig rig;
  rig.Start(config::NotifyConfig{});
  rig.Intake("p1");
  rig.Idle();
  CHECK(rig.dispatcher().DeadLetterCount() == 1);

  config::NotifyConfig c;
  c.parties["referring_authority"].webhook = Hook(receiver, "/jobcenter");
  const std::shared_ptr<const config::NotifyConfig> before = rig.dispatcher().config();
  REQUIRE(rig.dispatcher().Reload(c).ok());
  CHECK(before->parties.empty());  // a snapshot taken before stays as it was
  CHECK(rig.dispatcher().config()->parties.count("referring_authority") == 1);
  rig.Do("p1", runtime::FireTrigger{"request_rkv", nlohmann::json::object()});
  rig.Do("p1", runtime::FireTrigger{"complete_rkv", {{"track", "AMU"}}});  // tells the authority
  rig.Idle();
  CHECK(receiver.accepted().size() == 1);
  CHECK(rig.dispatcher().DeadLetterCount() == 1);  // the old one waits for a replay

  std::filesystem::create_directories(rig.tmp() / "templates");
  std::ofstream(rig.tmp() / "templates/notification.da.txt") << "{{#unclosed}}\n";
  config::NotifyConfig broken = c;
  broken.templates_dir = rig.tmp() / "templates";
  const Status refused = rig.dispatcher().Reload(broken);
  CHECK(refused.code() == StatusCode::kInvalidArgument);
  CHECK(refused.message().find("notification.da.txt") != std::string::npos);
  CHECK(rig.dispatcher().config()->templates_dir.empty());  // the running file stays
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

// Every .eml file in `dir`, whole.
std::vector<std::string> Mails(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".eml") continue;
    std::ifstream in(e.path());
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

config::NotifyConfig MailToFiles(const std::string& dir) {
  config::NotifyConfig c;
  c.smtp = config::SmtpSettings{};
  c.smtp->directory = dir;
  c.smtp->from = "pathways@skole.example";
  return c;
}

TEST_CASE("each participant's own partners: their employer, their municipality, their school") {
  Rig rig;
  const std::string dir = rig.tmp() / "mail";
  config::NotifyConfig c = MailToFiles(dir);
  c.parties["employer"].email = config::EmailTarget{{config::kEmployerAddress}, "da"};
  c.parties["referring_authority"].email =
      config::EmailTarget{{config::kMunicipalityAddress}, "da"};
  c.parties["team_lead"].inbox = {config::kTeamLeads};
  c.municipalities["751"] = {"751", "Aarhus Kommune", {{"referring_authority", {"jc@aarhus.dk"}}}};
  c.municipalities["791"] = {"791", "Viborg Kommune", {{"kui", {"kui@viborg.dk"}}}};
  rig.team_leads = {{"amigo_skolen", {"tove"}}};
  rig.Start(c);

  using runtime::FireTrigger;
  auto lead = [&](const std::string& id, const std::string& school) {
    rig.Do(id, runtime::RegisterLead{"jobcenter", {{"unemployed", false}}, {}, "anne", school});
  };
  lead("p1", "amigo_skolen");
  rig.Do("p1", runtime::RecordMunicipality{"751"});
  rig.Do("p1", runtime::RecordEmployer{"Smedje A/S", "12345678", "Ole Smed", "ole@smedje.dk", "",
                                       true, ""});
  for (const char* t : {"request_rkv", "complete_rkv", "agree_plan", "enrol", "start_amu"}) {
    if (std::string(t) == "request_rkv") {
      rig.Do("p1", FireTrigger{"hold_intake", {{"age_at_entry", 40}}});
    }
    rig.Do("p1", FireTrigger{t, std::string(t) == "complete_rkv" ? nlohmann::json{{"track", "AMU"}}
                                                                 : nlohmann::json::object()});
  }
  // Viborg has no address for the referring authority; p3 has no municipality at all.
  lead("p2", "skolen_nordvest");
  rig.Do("p2", runtime::RecordMunicipality{"791"});
  rig.Do("p2", FireTrigger{"hold_intake", {{"age_at_entry", 40}}});
  lead("p3", "amigo_skolen");
  rig.Do("p3", FireTrigger{"hold_intake", {{"age_at_entry", 40}}});
  rig.Idle();

  std::map<std::string, std::string> to_of;  // recipient -> one mail
  for (const std::string& m : Mails(dir)) {
    const std::size_t at = m.find("To: <") + 5;
    to_of[m.substr(at, m.find('>', at) - at)] = m;
  }
  REQUIRE(to_of.count("jc@aarhus.dk"));
  REQUIRE(to_of.count("ole@smedje.dk"));
  CHECK(to_of.size() == 2);
  // Addressed to the employer by name, to its contact person.
  CHECK(to_of["ole@smedje.dk"].find("Til Smedje A/S, att. Ole Smed") != std::string::npos);
  bool recorded = false;
  for (const auto& e : rig.OfType("p1", "NotificationDelivered")) {
    recorded =
        recorded || (DataOf(e)["party"] == "employer" && DataOf(e)["recipient"] == "ole@smedje.dk");
  }
  CHECK(recorded);
  auto why_dead = [&](const std::string& id) {
    auto dead = rig.OfType(id, "NotificationDeadLettered");
    REQUIRE(dead.size() == 1);
    return DataOf(dead[0])["last_error"].get<std::string>();
  };
  CHECK(why_dead("p2") ==
        "municipality 791 (Viborg Kommune) has no address for "
        "referring_authority");
  CHECK(why_dead("p3") == "the pathway has no municipality recorded");

  // An overdue task goes to the team lead of the pathway's school, and of no other.
  const auto p1_task = rig.OfType("p1", "TaskCreated");
  REQUIRE_FALSE(p1_task.empty());
  lead("p4", "skolen_nordvest");
  rig.Do("p4", FireTrigger{"hold_intake", {{"age_at_entry", 40}}});
  rig.Do("p4", FireTrigger{"request_rkv", nlohmann::json::object()});
  rig.clock().Set(rig.clock().NowMs() + 90LL * 86'400'000);
  REQUIRE(runtime::FireDueTimers(rig.store(), rig.store(), rig.clock().NowMs(), 1000).ok());
  rig.Idle();
  auto told = [&](const std::string& id) {
    for (const auto& e : rig.OfType(id, "NotificationDelivered")) {
      if (DataOf(e)["party"] == "team_lead") return DataOf(e)["recipient"].get<std::string>();
    }
    std::string dead;
    for (const auto& e : rig.OfType(id, "NotificationDeadLettered")) {
      if (DataOf(e)["party"] == "team_lead") dead = DataOf(e)["last_error"];
    }
    return "dead: " + dead;
  };
  CHECK(told("p1") == "tove");
  CHECK(told("p4") == "dead: no team lead in the users file for school skolen_nordvest");
}

TEST_CASE("the participant: only with consent, on the channels chosen, their address never kept") {
  testing::WebhookReceiver gateway(OldKey());
  Rig rig;
  const std::string dir = rig.tmp() / "mail";
  config::NotifyConfig c = MailToFiles(dir);
  c.parties["participant"].email = config::EmailTarget{{config::kParticipantAddress}, "da"};
  config::WebhookTarget sms = Hook(gateway, "/sms");
  sms.sms = true;
  c.parties["participant"].webhook = sms;
  rig.contact_persons["anne"] = {"Anne Holm", "anne@skole.dk", "12 34 56 78"};
  rig.Start(c);

  rig.Do("p1", runtime::RegisterLead{
                   "jobcenter",
                   nlohmann::json::object(),
                   {{PersonalScope::kIdentity,
                     {{"name", "Maja Jensen"}, {"email", "maja@x.dk"}, {"mobile", "+4520304050"}}}},
                   "anne",
                   ""});
  const TimestampMs day = 86'400'000;
  auto book_and_remind = [&](const std::string& id) {
    // 3 days ahead at 09:00 UTC (10.00 Danish time in winter).
    const TimestampMs starts = (rig.clock().NowMs() / day + 3) * day + 9 * 3'600'000;
    rig.Do("p1", runtime::BookAppointment{id, starts, starts + 3'600'000, "Lokale 2", false, ""});
    rig.Do("p1", runtime::FireTimer{std::string(runtime::kReminderTimerPrefix) + id,
                                    starts - runtime::kReminderBeforeMs});
  };
  // Without consent: the reminder is spent, nothing requested.
  book_and_remind("m1");
  CHECK(rig.OfType("p1", "AppointmentReminded").size() == 1);
  CHECK(rig.OfType("p1", "NotificationRequested").empty());

  rig.Do("p1", runtime::GiveInformationNotice{"2026-09"});
  rig.Do("p1", runtime::RecordConsent{true, {"sms"}});
  book_and_remind("m2");
  rig.Idle();
  REQUIRE(gateway.bodies().size() == 1);
  const nlohmann::json text = nlohmann::json::parse(gateway.bodies().begin()->second);
  CHECK(text["to"] == "+4520304050");
  const std::string words = text["text"];
  CHECK(words.find("Husk dit møde") != std::string::npos);
  CHECK(words.find("kl. 10.00") != std::string::npos);
  CHECK(words.find("Lokale 2") != std::string::npos);
  CHECK(words.find("Anne Holm på 12 34 56 78") != std::string::npos);
  CHECK(gateway.verified() == 1);
  CHECK(Mails(dir).empty());  // email was not consented to

  rig.Do("p1", runtime::RecordConsent{true, {"email", "sms"}});
  book_and_remind("m3");
  rig.Idle();
  CHECK(gateway.bodies().size() == 2);
  const std::vector<std::string> mails = Mails(dir);
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].find("To: <maja@x.dk>") != std::string::npos);
  CHECK(mails[0].find("Husk dit møde med Anne Holm") != std::string::npos);

  // The history says who and how, never the address or the number.
  std::set<std::string> channels;
  for (const auto& e : rig.OfType("p1", "NotificationDelivered")) {
    CHECK(DataOf(e)["party"] == "participant");
    channels.insert(DataOf(e)["channel"].get<std::string>());
    CHECK(DataOf(e)["recipient"].get<std::string>().find("the participant") == 0);
  }
  CHECK(channels == std::set<std::string>{"email", "sms"});
  for (const auto& e : rig.History("p1")) {
    CHECK(e.data.find("maja@x.dk") == std::string::npos);
    CHECK(e.data.find("20304050") == std::string::npos);
  }
}

}  // namespace
}  // namespace pathways
