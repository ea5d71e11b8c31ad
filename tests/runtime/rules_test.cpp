// Decide and Apply on the AMIGO pathway, without storage: the rules, the refusals in words,
// the effects and the timers.

#include <doctest/doctest.h>

#include "engine/runtime/calendar.hpp"
#include "engine/runtime/lifecycles.hpp"
#include "engine/runtime/pathway_rules.hpp"
#include "workflows/loader.hpp"

namespace pathways::runtime {
namespace {

const definition::Definition& Amigo() {
  static const auto loaded = workflows::LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) +
                                                           "/config/workflows/amigo.yaml");
  REQUIRE(loaded.definition != nullptr);
  return *loaded.definition;
}

// 2026-03-02T09:00:00Z, a Monday.
constexpr TimestampMs kStart = 1772442000000;
constexpr TimestampMs kDay = 86'400'000;

// One pathway driven through Decide and Apply, as the writer will.
struct Harness {
  PathwayState state;
  TimestampMs now = kStart;
  std::vector<NewEvent> last;

  Result<std::vector<NewEvent>> Try(const Command& c, std::string user = "vejleder-1") {
    DecideContext ctx{Amigo(), {user, "counsellor"}, now, "pw-1", "p-1"};
    const nlohmann::json before = state.ToJson();
    auto decided = Decide(state, c, ctx);
    CHECK(state.ToJson() == before);  // Decide never mutates
    if (!decided.ok()) return decided.status();
    // The events as stored, read back and applied, make the state Decide reported.
    const DefinitionRef ref{Amigo().id, Amigo().version, Amigo().hash};
    for (const NewEvent& e : decided->events) {
      REQUIRE(Apply(state, e.type, e.schema_version, e.data,
                    EventFacts{now, state.version + 1, "pw-1", "p-1", &ref})
                  .ok());
    }
    CHECK(state.ToJson() == decided->after.ToJson());
    last = decided->events;
    return decided->events;
  }
  void Do(const Command& c) {
    auto r = Try(c);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  }
  bool Emitted(const std::string& type, const std::string& key = "",
               const std::string& value = "") const {
    for (const NewEvent& e : last) {
      if (e.type == type && (key.empty() || (e.data.contains(key) && e.data[key] == value)))
        return true;
    }
    return false;
  }
  void Fire(const std::string& trigger, nlohmann::json payload = nlohmann::json::object()) {
    Do(FireTrigger{trigger, std::move(payload)});
  }
};

void ToPlanAgreed(Harness& h, const std::string& track, int age) {
  h.Do(RegisterLead{"jobcenter", {{"unemployed", false}}, {}, ""});
  h.Do(AssignContactPerson{"vejleder-1"});
  h.Fire("hold_intake", {{"age_at_entry", age}, {"danish_math_02", true}});
  h.Fire("request_rkv");
  h.Fire("complete_rkv", {{"track", track}});
  h.Fire("agree_plan");
  REQUIRE(h.state.state == "plan_agreed");
}

TEST_CASE("a lead starts in the initial state with its first-contact timer") {
  Harness h;
  h.Do(RegisterLead{
      "jobcenter", {{"age_at_entry", 31}}, {{PersonalScope::kIdentity, {{"name", "X"}}}}, ""});
  CHECK(h.state.state == "lead");
  CHECK(h.state.data["referral_source"] == "jobcenter");
  CHECK(h.last.front().personal.count(PersonalScope::kIdentity) == 1);
  REQUIRE(h.state.timers.count("first_contact"));
  // 5 working days after Monday 2 March: Monday 9 March, same time of day.
  CHECK(h.state.timers["first_contact"].due_at == kStart + 7 * kDay);
  CHECK(h.Try(RegisterLead{}).status().code() == StatusCode::kRejected);
}

TEST_CASE("a lead registered with its contact person has one from its first version") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, "anne"});
  CHECK(h.state.contact_person == "anne");
  CHECK(h.Emitted("LeadRegistered"));
  CHECK(h.Emitted("ContactPersonAssigned", "user", "anne"));
  CHECK(h.state.milestones.count("contact_person_assigned") == 1);
}

TEST_CASE("refusals say why in words: the state and the guard") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  auto r = h.Try(FireTrigger{"hold_intake", {{"age_at_entry", 30}}});
  REQUIRE(r.status().code() == StatusCode::kRejected);
  CHECK(r.status().message() ==
        "`hold_intake` refused in state lead (Lead): guard `contact_person_assigned` does not "
        "hold: a contact person has been assigned");
  auto wrong = h.Try(FireTrigger{"enrol", {}});
  CHECK(wrong.status().message().find("is not possible in state lead (Lead); possible there: "
                                      "hold_intake, record_entry, withdraw") != std::string::npos);
}

TEST_CASE("payloads are checked against the transition's declaration") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  h.Do(AssignContactPerson{"vejleder-1"});
  CHECK(h.Try(FireTrigger{"withdraw", {}}).status().message() ==
        "trigger `withdraw` needs payload field `reason`");
  CHECK(h.Try(FireTrigger{"hold_intake", {{"age_at_entry", "old"}}}).status().message() ==
        "payload field `age_at_entry` must be a whole number");
  CHECK(h.Try(FireTrigger{"hold_intake", {{"age_at_entry", 30}, {"shoe_size", 44}}})
            .status()
            .message()
            .find("takes no payload field `shoe_size`") != std::string::npos);
  h.Fire("hold_intake", {{"age_at_entry", 30}});
  h.Fire("request_rkv");
  CHECK(h.Try(FireTrigger{"complete_rkv", {{"track", "EUV9"}}}).status().message() ==
        "payload field `track` must be one of EUD, EUV1, EUV2, EUV3, AMU");
}

TEST_CASE("the ESF entry record: plain codes in the data, the sensitive items sealed") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  h.Do(AssignContactPerson{"vejleder-1"});
  h.now += kDay;
  CHECK(h.Try(FireTrigger{"record_entry", {{"disability", "maybe"}}}).status().message() ==
        "payload field `disability` must be one of yes, no, refused");
  h.Fire("record_entry", {{"gender", "woman"},
                          {"employment_status", "unemployed"},
                          {"disability", "refused"},
                          {"minority", "yes"}});
  CHECK(h.state.state == "lead");  // the record changes where the pathway is in nothing
  CHECK(h.state.data["gender"] == "woman");
  CHECK_FALSE(h.state.data.contains("disability"));
  REQUIRE(h.last.size() == 2);
  // The transition's plain payload has the codes only; the sensitive answers, refused or not,
  // are in the sealed part of a DataRecorded that names them.
  CHECK(h.last[0].type == "TransitionTaken");
  CHECK(h.last[0].data["payload"] ==
        nlohmann::json({{"gender", "woman"}, {"employment_status", "unemployed"}}));
  CHECK(h.last[0].data.dump().find("refused") == std::string::npos);
  CHECK(h.last[1].type == "DataRecorded");
  CHECK(h.last[1].data["personal"] == nlohmann::json({"special.disability", "special.minority"}));
  CHECK(h.last[1].data["reason"] == "trigger record_entry");
  CHECK(h.last[1].data.dump().find("refused") == std::string::npos);
  CHECK(h.last[1].personal.at(PersonalScope::kSpecial) ==
        nlohmann::json({{"disability", "refused"}, {"minority", "yes"}}));
  CHECK(h.state.personal_at.at("special.disability") == h.state.version);
  // The path: where the pathway started and went, and when.
  h.Fire("hold_intake");
  CHECK(h.state.entered.at("lead").from.empty());
  CHECK(h.state.entered.at("intake").from == "lead");
  CHECK(h.state.entered.at("intake").at == h.now);
  // Without a sealed answer, no DataRecorded.
  h.Fire("record_entry", {{"household", "other"}});
  CHECK(h.last.size() == 1);
}

TEST_CASE("a transition records its guards and their input, and applies its effects") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  h.Do(AssignContactPerson{"vejleder-1"});
  CHECK(h.state.milestones.count("contact_person_assigned"));
  h.Fire("hold_intake", {{"age_at_entry", 31}, {"unemployed", true}});
  CHECK(h.state.state == "intake");
  CHECK(h.state.data["age_at_entry"] == 31);
  const NewEvent& taken = h.last.front();
  REQUIRE(taken.type == "TransitionTaken");
  CHECK(taken.data["guards"][0] ==
        nlohmann::json{{"guard", "contact_person_assigned"}, {"holds", true}});
  CHECK(taken.data["guard_input"]["milestones"]["contact_person_assigned"] == true);
  CHECK(h.Emitted("MilestoneReached", "milestone", "intake_held"));
  CHECK(h.Emitted("NotificationRequested", "party", "referring_authority"));
  // Leaving `lead` disarms its timer; `intake` arms the 14-day one.
  CHECK(h.Emitted("TimerDisarmed", "timer", "first_contact"));
  CHECK(h.state.timers.at("no_contact_before_start").due_at == kStart + 14 * kDay);
}

TEST_CASE("no plan without RKV, and no EUV under 25") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  h.Do(AssignContactPerson{"vejleder-1"});
  h.Fire("hold_intake", {{"age_at_entry", 22}});
  h.Fire("request_rkv");
  auto early = h.Try(FireTrigger{"agree_plan", {}});
  CHECK(early.status().message().find(
            "guard `rkv_completed` does not hold: RKV has been recorded") != std::string::npos);
  h.Fire("complete_rkv", {{"track", "EUV3"}});
  // Refused already when the plan is agreed, not only at enrolment.
  auto plan = h.Try(FireTrigger{"agree_plan", {}});
  CHECK(plan.status().message().find("EUV is only for participants aged 25 or more") !=
        std::string::npos);
  h.Fire("complete_rkv", {{"track", "AMU"}});
  h.Fire("agree_plan");
  CHECK(h.state.state == "plan_agreed");
}

TEST_CASE("the KUI hears of a dropout under 25, and only then") {
  for (int age : {22, 30}) {
    Harness h;
    ToPlanAgreed(h, "AMU", age);
    h.Fire("enrol");
    h.Fire("start_amu");
    h.Fire("drop_out", {{"reason", "work"}});
    CHECK(h.state.state == "dropped_out");
    CHECK(h.state.data["dropout_reason"] == "work");
    CHECK(h.Emitted("NotificationRequested", "party", "kui") == (age < 25));
  }
}

TEST_CASE("timers fire effects once, and a stale firing is refused") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  const TimestampMs due = h.state.timers.at("first_contact").due_at;
  h.now = due;
  h.Do(FireTimer{"first_contact", due});
  CHECK(h.Emitted("RiskRaised", "type", "no_contact"));
  CHECK(h.Emitted("TaskCreated", "kind", "first_contact"));
  CHECK(h.state.open_risks.size() == 1);
  CHECK_FALSE(h.state.timers.count("first_contact"));
  CHECK(h.Try(FireTimer{"first_contact", due}).status().code() == StatusCode::kRejected);
}

TEST_CASE("a contact restarts the no-contact timer") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  const TimestampMs first_due = h.state.timers.at("first_contact").due_at;
  h.now += 2 * kDay;
  h.Do(RecordContact{"phone"});
  CHECK(h.state.timers.at("first_contact").due_at > first_due);
  CHECK(h.Try(FireTimer{"first_contact", first_due}).status().code() == StatusCode::kRejected);
}

TEST_CASE("a timer that fires a trigger, a guarded timer that skips") {
  Harness h;
  ToPlanAgreed(h, "EUV2", 35);
  h.Fire("sign_contract", {{"contract_start", "2026-04-01"}});  // meets the admission requirement
  h.Fire("enrol");
  h.Fire("start_basic_course", {{"gf2_end", "2026-03-27"}});
  h.Fire("pass_gf2_exam");
  h.Fire("finish_basic_course");
  REQUIRE(h.state.state == "apprenticeship_probation");
  const TimestampMs probation_end = h.state.timers.at("probation_end").due_at;
  TimestampMs start = 0;
  REQUIRE(ParseDate("2026-07-01", start));
  CHECK(probation_end == start);  // contract start + 3 months
  h.now = probation_end;
  h.Do(FireTimer{"probation_end", probation_end});
  CHECK(h.state.state == "in_main_course");
  CHECK(h.state.milestones.count("probation_passed"));
}

TEST_CASE("pause stops the state's timers and starts the pause timers, resume reverses it") {
  Harness h;
  ToPlanAgreed(h, "AMU", 40);
  h.Do(PausePathway{"illness"});
  CHECK(h.state.status == PathwayStatus::kPaused);
  CHECK_FALSE(h.state.timers.count("no_contact_before_start"));
  CHECK(h.state.timers.count("pause_review"));
  CHECK(h.Try(FireTrigger{"enrol", {}}).status().message().find("paused") != std::string::npos);
  h.Do(ResumePathway{});
  CHECK(h.state.status == PathwayStatus::kActive);
  CHECK(h.state.timers.count("no_contact_before_start"));
  CHECK_FALSE(h.state.timers.count("pause_review"));
}

// A small definition whose timers show each rule of arming on their own.
const definition::Definition& Timed() {
  static const auto loaded = workflows::LoadDefinition(R"(id: timed
version: 1
data:
  due: {type: date}
risks:
  late: {label: Late}
states:
  - {id: a, label: A}
  - {id: b, label: B}
  - {id: done, label: Done, terminal: true}
transitions:
  - {trigger: note, from: [a, b], payload: {due: {type: date, store_as: due}}}
  - {trigger: go, from: a, to: b}
  - {trigger: finish, from: [a, b], to: done}
timers:
  - {id: nag, active_in: [a, b], after: 2 days, repeat: true, effects: [{raise_risk: late}]}
  - {id: legal, active_in: [a, b], after: 10 days, through_pause: true,
     effects: [{raise_risk: late}]}
  - {id: deadline, active_in: [a, b], at: due, effects: [{raise_risk: late}]}
  - {id: review, while_paused: true, after: 30 days, effects: [{raise_risk: late}]}
)",
                                                       "timed.yaml");
  for (const auto& d : loaded.diagnostics) FAIL(d.ToString());
  return *loaded.definition;
}

struct TimedHarness {
  PathwayState state;
  TimestampMs now = kStart;
  void Do(const Command& c) {
    DecideContext ctx{Timed(), {"vejleder-1", "counsellor"}, now, "pw-t", "p-t"};
    auto decided = Decide(state, c, ctx);
    REQUIRE_MESSAGE(decided.ok(), decided.status().ToString());
    state = decided->after;
  }
  void FireDue(const std::string& timer) {
    const TimestampMs due = state.timers.at(timer).due_at;
    now = std::max(now, due);
    Do(FireTimer{timer, due});
  }
};

TEST_CASE("a date timer fires once per date: moving within its states or a pause re-arms nothing") {
  TimedHarness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  CHECK_FALSE(h.state.timers.count("deadline"));  // no date yet
  h.Do(FireTrigger{"note", {{"due", "2026-03-10"}}});
  REQUIRE(h.state.timers.count("deadline"));
  h.FireDue("deadline");
  CHECK(h.state.spent_timers.count("deadline"));
  h.Do(FireTrigger{"go", {}});  // b is another of its states
  CHECK_FALSE(h.state.timers.count("deadline"));
  h.Do(PausePathway{"illness"});
  h.Do(ResumePathway{});
  CHECK_FALSE(h.state.timers.count("deadline"));
  h.Do(FireTrigger{"note", {{"due", "2026-03-10"}}});  // the same date: still spent
  CHECK_FALSE(h.state.timers.count("deadline"));
  h.Do(FireTrigger{"note", {{"due", "2026-04-10"}}});  // a new date is a new deadline
  CHECK(h.state.timers.count("deadline"));
  h.Do(FireTrigger{"finish", {}});
  CHECK(h.state.timers.empty());
  CHECK(h.state.spent_timers.empty());
}

TEST_CASE("a repeating timer is armed again from each firing") {
  TimedHarness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  h.FireDue("nag");
  REQUIRE(h.state.timers.count("nag"));
  CHECK(h.state.timers.at("nag").due_at == h.now + 2 * kDay);
  h.FireDue("nag");
  CHECK(h.state.timers.at("nag").due_at == h.now + 2 * kDay);
  CHECK_FALSE(h.state.spent_timers.count("nag"));
}

TEST_CASE("a pause suspends the state's timers but not those that run through it") {
  TimedHarness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  const TimestampMs legal_due = h.state.timers.at("legal").due_at;
  h.now += kDay;
  h.Do(PausePathway{"illness"});
  CHECK_FALSE(h.state.timers.count("nag"));
  CHECK(h.state.timers.at("legal").due_at == legal_due);  // an employer's deadline runs on
  CHECK(h.state.timers.count("review"));
  h.FireDue("legal");
  CHECK(h.state.status == PathwayStatus::kPaused);
  CHECK(h.state.open_risks.size() == 1);
  h.Do(ResumePathway{});
  CHECK(h.state.timers.count("nag"));          // armed afresh
  CHECK_FALSE(h.state.timers.count("legal"));  // fired during the pause: spent
  CHECK_FALSE(h.state.timers.count("review"));
}

TEST_CASE("resolving a risk tells the one who raised it") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  REQUIRE(h.Try(RaiseRisk{"barrier_reported", ""}, "vejleder-2").ok());
  const std::string risk = h.state.open_risks.begin()->first;
  h.Do(ResolveRisk{risk, "SPS granted"});
  CHECK(h.state.open_risks.empty());
  CHECK(h.Emitted("NotificationRequested", "user", "vejleder-2"));
  CHECK(h.Try(ResolveRisk{risk, "again"}).status().code() == StatusCode::kRejected);
  CHECK(h.Try(RaiseRisk{"bad_weather", ""}).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a terminal state closes the pathway") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {}, {}, ""});
  CHECK(h.Try(FireTrigger{"withdraw", {}}).status().message().find("reason") != std::string::npos);
  h.Fire("withdraw", {{"reason", "not_interested"}});
  h.Fire("start_follow_up");
  h.Fire("record_follow_up_4_weeks");
  CHECK(h.Try(FireTrigger{"close", {}}).status().code() == StatusCode::kRejected);
  h.Fire("record_follow_up_6_months");
  h.Fire("close");
  CHECK(h.state.state == "closed");
  CHECK(h.state.status == PathwayStatus::kClosed);
  CHECK(h.state.timers.empty());
  CHECK(h.Try(RecordContact{"phone"}).status().message().find("is closed") != std::string::npos);
}

}  // namespace
}  // namespace pathways::runtime

namespace pathways::runtime {
namespace {

TEST_CASE("the fixed lifecycles follow their MSM tables") {
  CHECK(NextStatus(PathwayStatus::kActive, StatusChange::kPause) == PathwayStatus::kPaused);
  CHECK(NextStatus(PathwayStatus::kPaused, StatusChange::kResume) == PathwayStatus::kActive);
  CHECK(NextStatus(PathwayStatus::kPaused, StatusChange::kClose) == PathwayStatus::kClosed);
  CHECK_FALSE(NextStatus(PathwayStatus::kActive, StatusChange::kResume));
  CHECK_FALSE(NextStatus(PathwayStatus::kClosed, StatusChange::kResume));
  CHECK_FALSE(NextStatus(PathwayStatus::kClosed, StatusChange::kPause));
  CHECK(NextTaskStatus(TaskStatus::kOpen, TaskChange::kAcknowledge) == TaskStatus::kAcknowledged);
  CHECK(NextTaskStatus(TaskStatus::kAcknowledged, TaskChange::kComplete) == TaskStatus::kDone);
  CHECK(NextTaskStatus(TaskStatus::kEscalated, TaskChange::kComplete) == TaskStatus::kDone);
  CHECK_FALSE(NextTaskStatus(TaskStatus::kAcknowledged, TaskChange::kAcknowledge));
  CHECK_FALSE(NextTaskStatus(TaskStatus::kDone, TaskChange::kCancel));
}

TEST_CASE("tasks are acknowledged and completed through their lifecycle") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
  h.now = h.state.timers.at("first_contact").due_at;
  h.Do(FireTimer{"first_contact", h.now});
  REQUIRE(h.state.open_tasks.size() == 1);
  const std::string task = h.state.open_tasks.begin()->first;
  h.Do(AcknowledgeTask{task});
  CHECK(h.state.open_tasks.at(task).status == "acknowledged");
  CHECK(h.Try(AcknowledgeTask{task}).status().message() ==
        "task " + task + " is acknowledged already");
  h.Do(CompleteTask{task});
  CHECK(h.state.open_tasks.empty());
  CHECK(h.Try(CompleteTask{task}).status().code() == StatusCode::kRejected);
}

TEST_CASE("a reassigned task is open again, for the new assignee only") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
  h.Do(AssignContactPerson{"anne"});
  h.now = h.state.timers.at("first_contact").due_at;
  h.Do(FireTimer{"first_contact", h.now});
  REQUIRE(h.state.open_tasks.size() == 1);
  const std::string task = h.state.open_tasks.begin()->first;
  const std::string first = h.state.open_tasks.at(task).assignee;
  REQUIRE(first == "anne");
  h.Do(AcknowledgeTask{task});
  h.Do(ReassignTask{task, "bo", "anne is on leave"});
  CHECK(h.state.open_tasks.at(task).assignee == "bo");
  CHECK(h.state.open_tasks.at(task).status == "open");
  CHECK(h.Try(ReassignTask{task, "bo", ""}).status().message() ==
        "task " + task + " is bo's already");
  CHECK(h.Try(ReassignTask{"task-none", "bo", ""}).status().code() == StatusCode::kRejected);
  CHECK(h.Try(ReassignTask{task, "", ""}).status().code() == StatusCode::kInvalidArgument);
  h.Do(ReassignTask{task, first, "back"});
  CHECK(h.state.open_tasks.at(task).assignee == first);
  CHECK(NextTaskStatus(TaskStatus::kEscalated, TaskChange::kReassign) == TaskStatus::kOpen);
  CHECK_FALSE(NextTaskStatus(TaskStatus::kDone, TaskChange::kReassign));
}

TEST_CASE(
    "an employer's CVR number passes the register's check, and a refused one changes nothing") {
  Harness h;
  h.Do(RegisterLead{"jobcenter", {{"unemployed", false}}, {}, ""});
  const nlohmann::json before = h.state.ToJson();
  Result<std::vector<NewEvent>> typo = h.Try(
      RecordEmployer{"Smedjen ApS", "24256791", "Lene Smed", "lene@smedjen.example", "", true, ""});
  CHECK(typo.status().code() == StatusCode::kInvalidArgument);
  CHECK(typo.status().message().find("modulus-11") != std::string::npos);
  CHECK(h.state.ToJson() == before);
  h.Do(
      RecordEmployer{"Smedjen ApS", "24256790", "Lene Smed", "lene@smedjen.example", "", true, ""});
  CHECK(h.state.employer.cvr == "24256790");
}

}  // namespace
}  // namespace pathways::runtime
