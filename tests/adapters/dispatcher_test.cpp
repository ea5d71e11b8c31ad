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

#include "engine/codec/base64.hpp"
#include "engine/runtime/timer_scheduler.hpp"
#include "tests/support/notify_rig.hpp"
#include "tests/support/smtp_receiver.hpp"

namespace pathways {
namespace {

using testing::DataOf;
using testing::Hook;
using testing::OldKey;
using testing::WebhookReceiver;
using Rig = testing::NotifyRig;

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
    if (d["party"] == "referring_authority") {  // it referred her: named, by name alone
      CHECK(d["identity"] == nlohmann::json{{"name", "Maja Jensen"}});
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
    REQUIRE(codec::Base64Decode(encoded, text));
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
