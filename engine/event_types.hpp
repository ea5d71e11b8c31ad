#pragma once
// The event types: one struct per type and schema version, and the one place their plain
// `data` is written (Encode) and read (Decode). docs/events.md lists the same fields; a test
// compares the two.
//
// Reading is strict: a missing or mistyped field, or a field the type does not have, is
// Corruption naming the field, never a silent default. A released type's fields never change;
// a new meaning is a new struct with the next schema version.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "engine/clock.hpp"
#include "engine/company_events.hpp"
#include "engine/event.hpp"
#include "engine/event_fields.hpp"
#include "engine/result.hpp"
#include "engine/system_events.hpp"

namespace pathways::events {

// ---- Pathway streams ----

struct LeadRegistered {
  static constexpr std::string_view kType = "LeadRegistered";
  static constexpr std::uint16_t kSchema = 1;
  std::string referral_source;
  std::string state;                               // the initial state
  nlohmann::json data = nlohmann::json::object();  // initial plain fields
  std::string school;                              // the organisation it belongs to
  std::string company;  // the CVR of the company whose visit brought the lead (its record's)
  static constexpr auto Fields() {
    return std::tuple{
        Required("referral_source", &LeadRegistered::referral_source),
        Required("state", &LeadRegistered::state), Required("data", &LeadRegistered::data),
        Optional("school", &LeadRegistered::school), Optional("company", &LeadRegistered::company)};
  }
};
struct ContactPersonAssigned {
  static constexpr std::string_view kType = "ContactPersonAssigned";
  static constexpr std::uint16_t kSchema = 1;
  std::string user;
  std::string previous;
  std::string school;    // the pathway moves to this school with its new contact person
  std::string handover;  // the caseload handover it is part of (CaseloadHandedOver)
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("user", &ContactPersonAssigned::user),
                      Required("previous", &ContactPersonAssigned::previous),
                      Optional("school", &ContactPersonAssigned::school),
                      Optional("handover", &ContactPersonAssigned::handover),
                      Optional("reason", &ContactPersonAssigned::reason)};
  }
};
struct ContactRecorded {
  static constexpr std::string_view kType = "ContactRecorded";
  static constexpr std::uint16_t kSchema = 1;
  std::string channel;
  std::uint32_t minutes = 0;  // how long it took (the funder's timesheets); 0: not said
  std::string topic;
  std::string appointment_id;  // the booked appointment it was (now held)
  static constexpr auto Fields() {
    return std::tuple{Required("channel", &ContactRecorded::channel),
                      Optional("minutes", &ContactRecorded::minutes),
                      Optional("topic", &ContactRecorded::topic),
                      Optional("appointment_id", &ContactRecorded::appointment_id)};
  }
};
// The participant's employer, as organisation contact data (it replaces the one before).
struct EmployerData {
  std::string name;
  std::string cvr;
  std::string contact;
  std::string email;
  std::string phone;
  bool sme = false;
  static constexpr auto Fields() {
    return std::tuple{
        Required("name", &EmployerData::name),       Required("cvr", &EmployerData::cvr),
        Required("contact", &EmployerData::contact), Required("email", &EmployerData::email),
        Optional("phone", &EmployerData::phone),     Optional("sme", &EmployerData::sme)};
  }
};
struct EmployerRecorded {
  static constexpr std::string_view kType = "EmployerRecorded";
  static constexpr std::uint16_t kSchema = 1;
  EmployerData employer;
  std::string previous_cvr;  // the employer before, when there was one
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("employer", &EmployerRecorded::employer),
                      Optional("previous_cvr", &EmployerRecorded::previous_cvr),
                      Optional("reason", &EmployerRecorded::reason)};
  }
};
// The participant's municipality (its code), which routes the referring authority's and the
// youth guidance's notices.
struct MunicipalityRecorded {
  static constexpr std::string_view kType = "MunicipalityRecorded";
  static constexpr std::uint16_t kSchema = 1;
  std::string municipality;
  std::string previous;
  static constexpr auto Fields() {
    return std::tuple{Required("municipality", &MunicipalityRecorded::municipality),
                      Optional("previous", &MunicipalityRecorded::previous)};
  }
};
struct AppointmentBooked {
  static constexpr std::string_view kType = "AppointmentBooked";
  static constexpr std::uint16_t kSchema = 1;
  std::string appointment_id;
  TimestampMs starts_at = 0;
  TimestampMs ends_at = 0;
  std::string place;
  bool online = false;
  std::string topic;
  static constexpr auto Fields() {
    return std::tuple{Required("appointment_id", &AppointmentBooked::appointment_id),
                      Required("starts_at", &AppointmentBooked::starts_at),
                      Required("ends_at", &AppointmentBooked::ends_at),
                      Required("place", &AppointmentBooked::place),
                      Optional("online", &AppointmentBooked::online),
                      Optional("topic", &AppointmentBooked::topic)};
  }
};
struct AppointmentMoved {
  static constexpr std::string_view kType = "AppointmentMoved";
  static constexpr std::uint16_t kSchema = 1;
  std::string appointment_id;
  TimestampMs starts_at = 0;
  TimestampMs ends_at = 0;
  std::string place;
  bool online = false;
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("appointment_id", &AppointmentMoved::appointment_id),
                      Required("starts_at", &AppointmentMoved::starts_at),
                      Required("ends_at", &AppointmentMoved::ends_at),
                      Required("place", &AppointmentMoved::place),
                      Optional("online", &AppointmentMoved::online),
                      Optional("reason", &AppointmentMoved::reason)};
  }
};
struct AppointmentCancelled {
  static constexpr std::string_view kType = "AppointmentCancelled";
  static constexpr std::uint16_t kSchema = 1;
  std::string appointment_id;
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("appointment_id", &AppointmentCancelled::appointment_id),
                      Required("reason", &AppointmentCancelled::reason)};
  }
};
// Not recorded as held by its end: the scheduler's, with the missed-appointment risk after it.
struct AppointmentMissed {
  static constexpr std::string_view kType = "AppointmentMissed";
  static constexpr std::uint16_t kSchema = 1;
  std::string appointment_id;
  TimestampMs ends_at = 0;
  static constexpr auto Fields() {
    return std::tuple{Required("appointment_id", &AppointmentMissed::appointment_id),
                      Required("ends_at", &AppointmentMissed::ends_at)};
  }
};
// The participant was reminded of an appointment (the notice is the request after it).
struct AppointmentReminded {
  static constexpr std::string_view kType = "AppointmentReminded";
  static constexpr std::uint16_t kSchema = 1;
  std::string appointment_id;
  static constexpr auto Fields() {
    return std::tuple{Required("appointment_id", &AppointmentReminded::appointment_id)};
  }
};
// The participant was given the information notice of this version (what is recorded about
// them, why, and their rights).
struct InformationNoticeGiven {
  static constexpr std::string_view kType = "InformationNoticeGiven";
  static constexpr std::uint16_t kSchema = 1;
  std::string version;
  static constexpr auto Fields() {
    return std::tuple{Required("version", &InformationNoticeGiven::version)};
  }
};
// Consent to be reminded directly, on these channels, or its withdrawal (given false).
struct ConsentRecorded {
  static constexpr std::string_view kType = "ConsentRecorded";
  static constexpr std::uint16_t kSchema = 1;
  bool given = false;
  std::vector<std::string> channels;
  std::string notice_version;  // the information notice it was given under
  static constexpr auto Fields() {
    return std::tuple{Required("given", &ConsentRecorded::given),
                      Required("channels", &ConsentRecorded::channels),
                      Required("notice_version", &ConsentRecorded::notice_version)};
  }
};
struct MissedAppointmentRecorded {
  static constexpr std::string_view kType = "MissedAppointmentRecorded";
  static constexpr std::uint16_t kSchema = 1;
  static constexpr auto Fields() { return std::tuple{}; }
};
struct TransitionTaken {
  static constexpr std::string_view kType = "TransitionTaken";
  static constexpr std::uint16_t kSchema = 1;
  std::string trigger;
  std::string from;
  std::string to;  // empty: stays
  nlohmann::json payload = nlohmann::json::object();
  nlohmann::json set = nlohmann::json::object();  // the data fields written
  std::vector<GuardCheck> guards;
  nlohmann::json guard_input;  // only when there were guards
  static constexpr auto Fields() {
    return std::tuple{Required("trigger", &TransitionTaken::trigger),
                      Required("from", &TransitionTaken::from),
                      Required("to", &TransitionTaken::to),
                      Required("payload", &TransitionTaken::payload),
                      Required("set", &TransitionTaken::set),
                      Required("guards", &TransitionTaken::guards),
                      Optional("guard_input", &TransitionTaken::guard_input)};
  }
};
struct MilestoneReached {
  static constexpr std::string_view kType = "MilestoneReached";
  static constexpr std::uint16_t kSchema = 1;
  std::string milestone;
  static constexpr auto Fields() {
    return std::tuple{Required("milestone", &MilestoneReached::milestone)};
  }
};
struct RiskRaised {
  static constexpr std::string_view kType = "RiskRaised";
  static constexpr std::uint16_t kSchema = 1;
  std::string risk_id;
  std::string type;
  std::string severity;
  std::string raised_by;
  std::string because;
  static constexpr auto Fields() {
    return std::tuple{
        Required("risk_id", &RiskRaised::risk_id), Required("type", &RiskRaised::type),
        Required("severity", &RiskRaised::severity), Required("raised_by", &RiskRaised::raised_by),
        Required("because", &RiskRaised::because)};
  }
};
struct RiskResolved {
  static constexpr std::string_view kType = "RiskResolved";
  static constexpr std::uint16_t kSchema = 1;
  std::string risk_id;
  std::string type;
  std::string resolution;
  std::string raised_by;
  std::string resolved_by;
  static constexpr auto Fields() {
    return std::tuple{Required("risk_id", &RiskResolved::risk_id),
                      Required("type", &RiskResolved::type),
                      Required("resolution", &RiskResolved::resolution),
                      Required("raised_by", &RiskResolved::raised_by),
                      Required("resolved_by", &RiskResolved::resolved_by)};
  }
};
struct TaskCreated {
  static constexpr std::string_view kType = "TaskCreated";
  static constexpr std::uint16_t kSchema = 1;
  std::string task_id;
  std::string kind;  // the definition's task id
  Title title;
  std::string assignee;
  TimestampMs due_at = 0;
  std::string because;
  static constexpr auto Fields() {
    return std::tuple{
        Required("task_id", &TaskCreated::task_id), Required("kind", &TaskCreated::kind),
        Required("title", &TaskCreated::title),     Required("assignee", &TaskCreated::assignee),
        Required("due_at", &TaskCreated::due_at),   Required("because", &TaskCreated::because)};
  }
};
struct TaskAcknowledged {
  static constexpr std::string_view kType = "TaskAcknowledged";
  static constexpr std::uint16_t kSchema = 1;
  std::string task_id;
  std::string by;
  static constexpr auto Fields() {
    return std::tuple{Required("task_id", &TaskAcknowledged::task_id),
                      Required("by", &TaskAcknowledged::by)};
  }
};
struct TaskCompleted {
  static constexpr std::string_view kType = "TaskCompleted";
  static constexpr std::uint16_t kSchema = 1;
  std::string task_id;
  std::string by;
  static constexpr auto Fields() {
    return std::tuple{Required("task_id", &TaskCompleted::task_id),
                      Required("by", &TaskCompleted::by)};
  }
};
struct TaskCancelled {
  static constexpr std::string_view kType = "TaskCancelled";
  static constexpr std::uint16_t kSchema = 1;
  std::string task_id;
  std::string by;
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("task_id", &TaskCancelled::task_id),
                      Required("by", &TaskCancelled::by),
                      Required("reason", &TaskCancelled::reason)};
  }
};
struct TaskReassigned {
  static constexpr std::string_view kType = "TaskReassigned";
  static constexpr std::uint16_t kSchema = 1;
  std::string task_id;
  std::string by;
  std::string from;
  std::string to;
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("task_id", &TaskReassigned::task_id),
                      Required("by", &TaskReassigned::by), Required("from", &TaskReassigned::from),
                      Required("to", &TaskReassigned::to),
                      Required("reason", &TaskReassigned::reason)};
  }
};
struct TaskEscalated {
  static constexpr std::string_view kType = "TaskEscalated";
  static constexpr std::uint16_t kSchema = 1;
  std::string task_id;
  std::string by;
  std::string assignee;
  TimestampMs due_at = 0;
  static constexpr auto Fields() {
    return std::tuple{
        Required("task_id", &TaskEscalated::task_id), Required("by", &TaskEscalated::by),
        Required("assignee", &TaskEscalated::assignee), Required("due_at", &TaskEscalated::due_at)};
  }
};
struct NotificationRequested {
  static constexpr std::string_view kType = "NotificationRequested";
  static constexpr std::uint16_t kSchema = 1;
  std::string notification_id;  // <pathway>:n<sequence>
  std::string party;
  std::vector<std::string> categories;
  std::string because;
  std::string user;            // who is meant, when one person is (e.g. a risk's raiser)
  std::string appointment_id;  // the appointment it is about (a reminder)
  static constexpr auto Fields() {
    return std::tuple{Required("notification_id", &NotificationRequested::notification_id),
                      Required("party", &NotificationRequested::party),
                      Required("categories", &NotificationRequested::categories),
                      Required("because", &NotificationRequested::because),
                      Optional("user", &NotificationRequested::user),
                      Optional("appointment_id", &NotificationRequested::appointment_id)};
  }
};
// What an adapter did with a notification: delivered, or given up on.
struct NotificationDelivered {
  static constexpr std::string_view kType = "NotificationDelivered";
  static constexpr std::uint16_t kSchema = 1;
  std::string notification_id;
  std::string party;
  std::string channel;  // webhook | email | inbox
  std::uint32_t attempts = 0;
  std::string message_id;  // webhook-id or Message-ID
  std::string recipient;
  std::vector<std::string> categories;  // sent
  bool personal = false;                // identity or contact data was in it
  static constexpr auto Fields() {
    return std::tuple{Required("notification_id", &NotificationDelivered::notification_id),
                      Required("party", &NotificationDelivered::party),
                      Required("channel", &NotificationDelivered::channel),
                      Required("attempts", &NotificationDelivered::attempts),
                      Required("message_id", &NotificationDelivered::message_id),
                      Required("recipient", &NotificationDelivered::recipient),
                      Required("categories", &NotificationDelivered::categories),
                      Required("personal", &NotificationDelivered::personal)};
  }
};
struct NotificationDeadLettered {
  static constexpr std::string_view kType = "NotificationDeadLettered";
  static constexpr std::uint16_t kSchema = 1;
  std::string notification_id;
  std::string party;
  std::string channel;
  std::uint32_t attempts = 0;
  std::string message_id;
  std::string recipient;
  std::vector<std::string> categories;
  bool personal = false;
  std::string last_error;
  static constexpr auto Fields() {
    return std::tuple{Required("notification_id", &NotificationDeadLettered::notification_id),
                      Required("party", &NotificationDeadLettered::party),
                      Required("channel", &NotificationDeadLettered::channel),
                      Required("attempts", &NotificationDeadLettered::attempts),
                      Required("message_id", &NotificationDeadLettered::message_id),
                      Required("recipient", &NotificationDeadLettered::recipient),
                      Required("categories", &NotificationDeadLettered::categories),
                      Required("personal", &NotificationDeadLettered::personal),
                      Required("last_error", &NotificationDeadLettered::last_error)};
  }
};
struct TimerArmed {
  static constexpr std::string_view kType = "TimerArmed";
  static constexpr std::uint16_t kSchema = 1;
  std::string timer;
  TimestampMs due_at = 0;
  static constexpr auto Fields() {
    return std::tuple{Required("timer", &TimerArmed::timer),
                      Required("due_at", &TimerArmed::due_at)};
  }
};
struct TimerDisarmed {
  static constexpr std::string_view kType = "TimerDisarmed";
  static constexpr std::uint16_t kSchema = 1;
  std::string timer;
  static constexpr auto Fields() { return std::tuple{Required("timer", &TimerDisarmed::timer)}; }
};
// A timer's firing. Schema 1, as earlier builds wrote it: the timer is no longer armed, and
// nothing else (a later transition that stayed in its states could arm it again). Schema 2:
// the timer has fired for this arming and stays spent until it is armed again or the pathway
// leaves its states (TimerDisarmed). The same fields; Apply tells them apart.
template <std::uint16_t Schema>
struct TimerFiredOf {
  static constexpr std::string_view kType = "TimerFired";
  static constexpr std::uint16_t kSchema = Schema;
  std::string timer;
  TimestampMs due_at = 0;
  std::string outcome;  // fired, fired TRIGGER, skipped: …, trigger refused: …
  static constexpr auto Fields() {
    return std::tuple{Required("timer", &TimerFiredOf::timer),
                      Required("due_at", &TimerFiredOf::due_at),
                      Required("outcome", &TimerFiredOf::outcome)};
  }
};
using TimerFiredV1 = TimerFiredOf<1>;
using TimerFired = TimerFiredOf<2>;
struct PathwayPaused {
  static constexpr std::string_view kType = "PathwayPaused";
  static constexpr std::uint16_t kSchema = 1;
  std::string reason;
  std::string state;
  static constexpr auto Fields() {
    return std::tuple{Required("reason", &PathwayPaused::reason),
                      Required("state", &PathwayPaused::state)};
  }
};
struct PathwayResumed {
  static constexpr std::string_view kType = "PathwayResumed";
  static constexpr std::uint16_t kSchema = 1;
  std::string state;
  static constexpr auto Fields() { return std::tuple{Required("state", &PathwayResumed::state)}; }
};
struct PathwayClosed {
  static constexpr std::string_view kType = "PathwayClosed";
  static constexpr std::uint16_t kSchema = 1;
  std::string state;
  static constexpr auto Fields() { return std::tuple{Required("state", &PathwayClosed::state)}; }
};
struct PathwayMigrated {
  static constexpr std::string_view kType = "PathwayMigrated";
  static constexpr std::uint16_t kSchema = 1;
  DefinitionVersion from;
  DefinitionVersion to;
  std::string from_state;
  std::string to_state;
  static constexpr auto Fields() {
    return std::tuple{Required("from", &PathwayMigrated::from),
                      Required("to", &PathwayMigrated::to),
                      Required("from_state", &PathwayMigrated::from_state),
                      Required("to_state", &PathwayMigrated::to_state)};
  }
};
// Data recorded or corrected after registration: the plain fields set with the values they had
// (null: none), the personal fields by name ("guidance.barriers"; their values are in the
// event's sealed parts, the earlier ones in earlier events until erased), and why.
struct DataRecorded {
  static constexpr std::string_view kType = "DataRecorded";
  static constexpr std::uint16_t kSchema = 1;
  nlohmann::json fields = nlohmann::json::object();
  nlohmann::json previous = nlohmann::json::object();
  std::vector<std::string> personal;
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{
        Required("fields", &DataRecorded::fields), Required("previous", &DataRecorded::previous),
        Required("personal", &DataRecorded::personal), Required("reason", &DataRecorded::reason)};
  }
};
// Written by the store itself when personal keys are destroyed (docs/privacy.md).
struct PersonalDataErased {
  static constexpr std::string_view kType = "PersonalDataErased";
  static constexpr std::uint16_t kSchema = 1;
  std::vector<std::string> scopes;
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("scopes", &PersonalDataErased::scopes),
                      Optional("reason", &PersonalDataErased::reason)};
  }
};

// Every event a pathway's stream may hold, in the order docs/events.md lists them.
using PathwayEvent =
    std::variant<LeadRegistered, ContactPersonAssigned, ContactRecorded, MissedAppointmentRecorded,
                 TransitionTaken, MilestoneReached, RiskRaised, RiskResolved, TaskCreated,
                 TaskAcknowledged, TaskCompleted, TaskCancelled, TaskReassigned, TaskEscalated,
                 NotificationRequested, NotificationDelivered, NotificationDeadLettered, TimerArmed,
                 TimerDisarmed, TimerFiredV1, TimerFired, PathwayPaused, PathwayResumed,
                 PathwayClosed, PathwayMigrated, PersonalDataErased, DataRecorded, EmployerRecorded,
                 MunicipalityRecorded, AppointmentBooked, AppointmentMoved, AppointmentCancelled,
                 AppointmentMissed, AppointmentReminded, InformationNoticeGiven, ConsentRecorded,
                 CompanyRegistered, CompanyRecorded, CompanyContactRecorded, ContactPersonRecorded,
                 ContactPersonRemoved, CompanyNeedRecorded>;
// Events of the system streams.
using SystemEvent = std::variant<PersonalDataViewed, EndpointDisabled, EndpointEnabled,
                                 CaseloadHandedOver, SignedIn, SignInFailed, SignedOut,
                                 PersonalDataRestricted, MethodNoteShared, MethodNoteWithdrawn>;

std::string_view TypeOf(const PathwayEvent& event);

// The plain data as stored: every required field, optional ones when not empty.
nlohmann::json DataOf(const PathwayEvent& event);
nlohmann::json DataOf(const SystemEvent& event);

// An event ready to append (its personal parts, if any, are the caller's to add).
NewEvent Encode(const PathwayEvent& event);
NewEvent Encode(const SystemEvent& event);

// Corruption naming the type and field for anything the type's schema does not describe.
Result<PathwayEvent> DecodePathwayEvent(std::string_view type, std::uint16_t schema_version,
                                        const nlohmann::json& data);
Result<SystemEvent> DecodeSystemEvent(std::string_view type, std::uint16_t schema_version,
                                      const nlohmann::json& data);

// The catalogue: every type with its schema version and the keys of its data, for checking
// the documentation and for tools that list the types.
struct FieldInfo {
  std::string key;
  bool optional = false;
};
struct TypeInfo {
  std::string type;
  std::uint16_t schema_version = 1;
  bool system = false;  // a system stream's event
  std::vector<FieldInfo> fields;
};
std::vector<TypeInfo> Catalogue();

}  // namespace pathways::events
