// Who hears what, end to end with real receivers: an erased participant's notices say so;
// each participant's own employer, municipality and school; the participant themself, only with
// consent; the union, only with the participant's sealed consent, and never any
// special-category data.

#include <doctest/doctest.h>

#include <set>

#include "adapters/notify/dispatcher.hpp"
#include "engine/runtime/timer_scheduler.hpp"
#include "tests/support/notify_rig.hpp"

namespace pathways {
namespace {

using testing::DataOf;
using testing::Hook;
using testing::Mails;
using testing::MailToFiles;
using testing::OldKey;
using testing::WebhookReceiver;
using Rig = testing::NotifyRig;

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
  rig.Do("p1", runtime::RecordEmployer{"Smedje A/S", "12345674", "Ole Smed", "ole@smedje.dk", "",
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

// An apprentice whose contract ends, referred by their union, with the ESF answers recorded and
// `consent` the sealed answer to the union hearing of them.
void ContractEnds(Rig& rig, const std::string& id, bool consent) {
  using runtime::FireTrigger;
  rig.Do(id, runtime::RegisterLead{
                 "union",
                 nlohmann::json::object(),
                 {{PersonalScope::kIdentity, {{"name", "Jonas " + id}, {"cpr", "0101901234"}}}},
                 "anne"});
  rig.Do(id,
         FireTrigger{"hold_intake",
                     {{"age_at_entry", 36}, {"danish_math_02", true}, {"union_consent", consent}}});
  rig.Do(id, FireTrigger{"record_entry",
                         {{"gender", "man"}, {"disability", "yes"}, {"minority", "yes"}}});
  rig.Do(id, FireTrigger{"request_rkv", nlohmann::json::object()});
  rig.Do(id, FireTrigger{"complete_rkv", {{"track", "EUV2"}}});
  rig.Do(id, FireTrigger{"agree_plan", nlohmann::json::object()});
  rig.Do(id, FireTrigger{"enrol", nlohmann::json::object()});
  rig.Do(id, FireTrigger{"start_basic_course", {{"gf2_end", "2026-06-26"}}});
  rig.Do(id, FireTrigger{"pass_gf2_exam", nlohmann::json::object()});
  rig.Do(id, FireTrigger{"finish_basic_course", nlohmann::json::object()});
  rig.Do(id, FireTrigger{"sign_contract", {{"contract_start", "2026-07-01"}}});
  rig.Do(id, FireTrigger{"terminate_contract", nlohmann::json::object()});
}

TEST_CASE("the union hears only with the participant's sealed consent, and of no ESF answer") {
  WebhookReceiver receiver(OldKey());
  Rig rig;
  config::NotifyConfig c;
  c.parties["union"].webhook = Hook(receiver, "/union");
  c.parties["referring_authority"].webhook = Hook(receiver, "/jobcenter");
  rig.Start(c);
  ContractEnds(rig, "p1", true);
  ContractEnds(rig, "p2", false);
  rig.Idle();

  // The plain log holds neither answer: who came from the union, who consented, who has a
  // disability (only that they were asked, by name).
  for (const std::string id : {"p1", "p2"}) {
    for (const auto& e : rig.History(id)) {
      for (const char* never : {R"("referral_source":"union")", R"("union_consent":)",
                                R"("disability":)", R"("minority":)"}) {
        CHECK_MESSAGE(e.data.find(never) == std::string::npos, id << " " << e.type << " " << never);
      }
    }
  }
  std::size_t union_bodies = 0;
  for (const auto& [message, raw] : receiver.bodies()) {
    const nlohmann::json body = nlohmann::json::parse(raw);
    const nlohmann::json& d = body["data"];
    for (const char* never : {"0101901234", "disability", "minority", "union_consent"}) {
      CHECK_MESSAGE(raw.find(never) == std::string::npos, never);
    }
    if (d["party"] == "union") {
      ++union_bodies;
      CHECK(d["pathway_id"] == "p1");
      CHECK(d["identity"] == nlohmann::json{{"name", "Jonas p1"}});
    } else {
      CHECK(raw.find("union") == std::string::npos);
      CHECK(raw.find("Fagforening") == std::string::npos);
    }
  }
  CHECK(union_bodies == 1);
  std::vector<nlohmann::json> withheld;
  for (const auto& e : rig.OfType("p2", "NotificationDeadLettered")) {
    if (DataOf(e)["party"] == "union") withheld.push_back(DataOf(e));
  }
  REQUIRE(withheld.size() == 1);
  CHECK(withheld[0]["last_error"] ==
        "withheld: union hears only with the participant's consent (union_consent), and it "
        "is not given");
}

}  // namespace
}  // namespace pathways
