#pragma once
// The pathway's rules: Decide turns a command into events or a rejection; Apply is the only
// code that changes a PathwayState. Replay runs Apply alone.
//
// Decide reads the state, the definition and the context (actor, time) and never mutates;
// what it decides (time, ids, guard results) is written into the events, and Apply reads
// only the events. Thread-safe: pure functions.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "engine/definition/definition.hpp"
#include "engine/event.hpp"
#include "engine/event_types.hpp"
#include "engine/result.hpp"
#include "engine/runtime/pathway_state.hpp"

namespace pathways::runtime {

// ---- commands (imperative) ----
struct RegisterLead {
  std::string referral_source;
  nlohmann::json data = nlohmann::json::object();  // initial data fields
  std::map<PersonalScope, nlohmann::json> personal;
  std::string contact_person;  // optional: assigned in the same command, so never without one
  std::string school;          // the organisation of the partnership it belongs to
  std::string company;         // the CVR of the company whose visit brought the lead, if one did
};
// A new contact person; with `school`, the pathway moves to that school (a transfer). A
// caseload handover names its operation (`handover`) on every pathway it moves.
struct AssignContactPerson {
  std::string user;
  std::string school;
  std::string handover;
  std::string reason;
};
struct RecordContact {
  std::string channel;        // phone, meeting, email, sms, video
  std::uint32_t minutes = 0;  // how long it took, at most a day; 0: not said
  std::string topic;
  std::string appointment_id;  // the booked appointment this contact was: it is held
};
// The participant's employer (organisation contact data), replacing the one before.
struct RecordEmployer {
  std::string name;
  std::string cvr;  // a CVR number (runtime/cvr.hpp)
  std::string contact;
  std::string email;
  std::string phone;
  bool sme = false;
  std::string reason;
};
// The participant's municipality, by its code (3 digits, e.g. 751 for Aarhus).
struct RecordMunicipality {
  std::string code;
};
// Appointments: booked for a time in the future, moved, cancelled; held when a contact is
// recorded for it; missed by itself when it is not by its end.
struct BookAppointment {
  std::string appointment_id;  // chosen by the caller (as a pathway's id), unique on the pathway
  TimestampMs starts_at = 0;
  TimestampMs ends_at = 0;
  std::string place;
  bool online = false;
  std::string topic;
};
struct MoveAppointment {
  std::string appointment_id;
  TimestampMs starts_at = 0;
  TimestampMs ends_at = 0;
  std::string place;  // empty: where it was
  bool online = false;
  std::string reason;
};
struct CancelAppointment {
  std::string appointment_id;
  std::string reason;
};
// The information notice of `version` given to the participant; consent to reminders (or its
// withdrawal) can only follow one.
struct GiveInformationNotice {
  std::string version;
};
struct RecordConsent {
  bool given = false;
  std::vector<std::string> channels;  // email, sms
};
struct RecordMissedAppointment {};
// A barrier the participant told of: raises the risk `barrier_reported` (resolved like any
// risk, with the resolution recorded) and the definition's support for it. The code and the
// note are sealed in the guidance scope.
struct RecordBarrier {
  std::string code;  // a barrier of the definition
  std::string note;
};
// Records or corrects data after registration, whenever it comes up: plain data fields (a
// test's result) and personal fields of either scope (a barrier told once there is trust).
// `reason` is required: every change says why; the values before stay in the history.
struct RecordData {
  nlohmann::json fields = nlohmann::json::object();  // data fields of the definition
  std::map<PersonalScope, nlohmann::json> personal;  // objects of personal fields by scope
  std::string reason;
};
struct FireTrigger {
  std::string trigger;
  nlohmann::json payload = nlohmann::json::object();
};
struct RaiseRisk {
  std::string type;
  std::string severity;  // empty: the risk type's default
};
struct ResolveRisk {
  std::string risk_id;
  std::string resolution;
};
struct PausePathway {
  std::string reason;
};
struct ResumePathway {};
struct AcknowledgeTask {
  std::string task_id;
};
struct CompleteTask {
  std::string task_id;
};
struct CancelTask {
  std::string task_id;
  std::string reason;
};
// Gives an open task to another user; it is open again for them (not acknowledged).
struct ReassignTask {
  std::string task_id;
  std::string assignee;
  std::string reason;
};
// Moves the pathway to another version of its definition. `mapping` names, for every state
// of the current version, the state of the target version it becomes; refused if any state
// is unmapped or maps to a state the target does not have.
struct MigratePathway {
  std::uint32_t target_version = 0;
  std::map<std::string, std::string> mapping;
};
struct FireTimer {
  std::string timer_id;
  TimestampMs due_at = 0;  // must match the armed timer: a stale firing is refused
};

// ---- a company's pathway (runtime/company.hpp) ----

// The record as a consultant gives it.
struct CompanyFields {
  std::string cvr;
  std::string name;
  std::string p_number;   // 10 digits, or empty
  std::string size_band;  // micro | small | medium | large
  std::string industry;   // a DB07 code of the definition
  std::string municipality;
  std::vector<std::string> green;  // tags of the definition
};
// A new company record, on the pathway `company-<cvr>`, kept by `consultant` for `school`.
struct RegisterCompany {
  CompanyFields company;
  std::string consultant;
  std::string school;
};
// The record corrected or brought up to date: the whole record as it is now (the CVR stays).
struct RecordCompany {
  CompanyFields company;
  std::string reason;
};
// A contact with the company, on the day `at` (at most a day ahead, not before it was
// registered by more than a year); its notes sealed in the guidance scope.
struct RecordCompanyContact {
  std::string form;  // visit | phone | meeting | event
  TimestampMs at = 0;
  std::uint32_t minutes = 0;
  std::vector<std::string> staff;    // users; empty: the actor
  std::vector<std::string> persons;  // contact persons of the record
  std::string topic;
  std::string notes;
};
// A contact person, new (empty id) or changed; name, e-mail and phone sealed.
struct RecordContactPerson {
  std::string person_id;
  std::string name;
  std::string role;
  std::string email;
  std::string phone;
};
struct RemoveContactPerson {
  std::string person_id;
  std::string reason;
};
// A need for upskilling, new (empty id) or updated.
struct RecordCompanyNeed {
  std::string need_id;
  std::string competences;
  std::vector<std::string> amu_courses;
  std::uint32_t staff = 0;
  std::string release_from;  // YYYY-MM-DD
  std::string release_to;
  std::vector<std::string> green;
};

// What became of a notification the pathway asked for, as its adapter reports it: delivered,
// or given up on after the last attempt (a dead letter). Allowed on a closed pathway, since
// the notice of its closing is delivered after it.
struct RecordDelivery {
  std::string notification_id;  // of the NotificationRequested event
  std::string party;
  std::string channel;  // webhook | email | inbox
  bool delivered = true;
  std::uint32_t attempts = 0;
  std::string last_error;  // dead letters: why the last attempt failed
  std::string message_id;  // webhook-id or Message-ID: what the receiver saw
  std::string recipient;   // inbox: the user; email: the address; webhook: the endpoint's name
  std::vector<std::string> categories;  // the data categories the payload carried
  bool personal = false;                // it carried personal data (identity or contact)
};

// Timers with this prefix are a task's due time (`task:<task id>`), derived from the open
// tasks rather than the definition: firing one escalates the task to the team lead.
inline constexpr std::string_view kTaskTimerPrefix = "task:";
// An appointment's end (`appointment:<id>`): not held by then, it is missed.
inline constexpr std::string_view kAppointmentTimerPrefix = "appointment:";
// The day before an appointment (`reminder:<id>`): the participant who consented is reminded.
inline constexpr std::string_view kReminderTimerPrefix = "reminder:";
// How long before an appointment the participant is reminded.
inline constexpr TimestampMs kReminderBeforeMs = 24LL * 3600 * 1000;

// The party that is the participant: told only with consent, on the channels consented to.
inline constexpr std::string_view kParticipantParty = "participant";

using Command =
    std::variant<RegisterLead, AssignContactPerson, RecordContact, RecordMissedAppointment,
                 FireTrigger, RaiseRisk, ResolveRisk, PausePathway, ResumePathway, AcknowledgeTask,
                 CompleteTask, CancelTask, MigratePathway, FireTimer, ReassignTask, RecordDelivery,
                 RecordData, RecordBarrier, RecordEmployer, RecordMunicipality, BookAppointment,
                 MoveAppointment, CancelAppointment, GiveInformationNotice, RecordConsent,
                 RegisterCompany, RecordCompany, RecordCompanyContact, RecordContactPerson,
                 RemoveContactPerson, RecordCompanyNeed>;
// Whether the command starts a pathway (a lead's or a company's).
bool IsRegistration(const Command& c);
std::string_view CommandName(const Command& c);

struct DecideContext {
  const definition::Definition& definition;
  Actor actor;
  TimestampMs now = 0;
  std::string pathway_id;
  std::string participant_id;
  // MigratePathway only: the version to move to (same id). Not owned.
  const definition::Definition* target = nullptr;
};

// Events for the command, or Rejected with a reason an administrator understands (current
// state, the guard that failed and why), or InvalidArgument for a malformed command.
struct Decision {
  std::vector<NewEvent> events;  // encoded from the typed events, with their personal parts
  PathwayState after;            // the state once they are applied
};
Result<Decision> Decide(const PathwayState& state, const Command& command,
                        const DecideContext& context);

// What Apply needs of an event besides its type and data: its place in the stream and the
// definition it was decided under.
struct EventFacts {
  TimestampMs occurred_at = 0;
  std::uint64_t version = 0;
  std::string_view pathway_id;
  std::string_view participant_id;
  const DefinitionRef* definition = nullptr;
};

// Changes `state` by one event.
Status Apply(PathwayState& state, const events::PathwayEvent& event, const EventFacts& facts);
// The same for an event as stored: Corruption for a type, schema version or data it cannot
// read (naming the field), never a silent default.
Status Apply(PathwayState& state, std::string_view type, std::uint16_t schema_version,
             const nlohmann::json& data, const EventFacts& facts);
Status Apply(PathwayState& state, const RecordedEvent& event);

}  // namespace pathways::runtime
