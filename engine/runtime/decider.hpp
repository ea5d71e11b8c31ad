#pragma once
// The decider: one command to events, on a scratch copy of the state. One class, its parts in
// files by concept: decide.cpp the core (events, guards, effects, triggers, timers, risks,
// pauses, migrations); decide_participant.cpp registration, data and the participant's
// partners; decide_appointments.cpp appointments, the information notice and consent;
// decide_tasks.cpp tasks and deliveries; decide_company.cpp a company's record, contacts and
// needs; decide_migration.cpp moving to another version.
//
// Internal to engine/runtime/: include pathway_rules.hpp instead.

#include <map>
#include <string>
#include <vector>

#include "engine/runtime/lifecycles.hpp"
#include "engine/runtime/pathway_rules.hpp"

namespace pathways::runtime::internal {

using definition::Effect;

inline const Actor kScheduler{"system", "scheduler"};
inline constexpr const char* kTeamLeadParty = "team_lead";

// "id (English label)", for messages.
std::string StateLabel(const definition::Definition& def, const std::string& id);
// Checks one value against a declared type; returns the problem or "".
std::string TypeProblem(const nlohmann::json& v, definition::DataField::Type type,
                        const std::vector<std::string>& allowed);
bool IsDigits(const std::string& s, std::size_t n);
// Something@something.tld, no spaces: the check a form makes, not RFC 5322.
bool PlausibleEmail(const std::string& s);

class Decider {
 public:
  Decider(const PathwayState& state, const DecideContext& ctx) : s_(state), ctx_(ctx) {}

  struct Emitted {
    events::PathwayEvent event;
    std::map<PersonalScope, nlohmann::json> personal;
  };
  std::vector<Emitted> TakeEvents() { return std::move(events_); }
  PathwayState TakeState() { return std::move(s_); }

  // Applies the event to the scratch state at once, so what follows decides on it.
  Status Emit(events::PathwayEvent event, std::map<PersonalScope, nlohmann::json> personal = {});

  nlohmann::json GuardInput(const nlohmann::json& payload) const;

  // Whether guard `id` holds; a guard that fails to evaluate rejects the command.
  Result<bool> Holds(const std::string& id, const nlohmann::json& input) const;

  std::string GuardWords(const std::string& id) const;

  Status Effects(const std::vector<Effect>& effects, const nlohmann::json& payload,
                 const std::string& because);

  // The participant is told only what they consented to be told.
  Status Notify(const std::string& party, const std::vector<std::string>& categories,
                const std::string& because, const std::string& user = "",
                const std::string& appointment_id = "");

  // The id the next risk raised gets.
  std::string NextRiskId() const;

  // `personal`: sealed parts for the RiskRaised event (a barrier's code).
  Status RaiseRiskOf(const std::string& type, const std::string& severity,
                     const std::string& because,
                     std::map<PersonalScope, nlohmann::json> personal = {});

  // Resolving tells the one who raised it.
  Status Resolve(const RiskFlag& r, const std::string& resolution);

  // Whether timer `t` runs in the pathway's current state and status.
  bool Running(const definition::Timer& t) const;
  // Whether `t` belongs to where the pathway is: in its states (a pause only suspends it), or
  // paused for a timer of the pause.
  bool Belongs(const definition::Timer& t) const;

  // Arms each timer on entering its states, once per arming: a timer that fired stays spent
  // while the pathway stays in its states, unless its date field moved (a new course end is a
  // new deadline). Disarms timers on leaving, and suspends them during a pause unless they
  // run through it.
  Status SyncTimers();

  // Re-arms the `after` timers that `activity` restarts, spent ones too: "no contact for 14
  // days" counts again from this contact.
  Status Restart(const std::string& activity);

  std::optional<TimestampMs> DueOf(const definition::Timer& t) const;

  Status CheckPayload(const std::string& trigger,
                      const std::vector<const definition::Transition*>& candidates,
                      const nlohmann::json& payload, nlohmann::json& set) const;

  Status Trigger(const FireTrigger& command);

  Status FireTimerCommand(const FireTimer& c);

  Status Run(const Command& command);

 private:
  // A participant's command on a participant's definition, a company's on a company's.
  Status CheckKind(const Command& command) const;
  Status Handle(const RegisterLead& c);
  // The fields the definition derives from the identity scope — an age, on the day of
  // `registered_at`, from `date_of_birth` or else `cpr` — into `data`; nothing without either.
  Status DeriveFromIdentity(const nlohmann::json& identity, TimestampMs registered_at,
                            nlohmann::json& data) const;
  // Data fields of the definition, each of its field's type.
  Status CheckData(const nlohmann::json& data) const;
  Status Handle(const RecordData& c);
  Status Handle(const RecordBarrier& c);
  Status Handle(const AssignContactPerson& c);
  Status Handle(const RecordContact& c);
  Status Handle(const RecordEmployer& c);
  Status Handle(const RecordMunicipality& c);
  // Times of an appointment: in the future, ending after it starts, within 12 hours.
  Status CheckTimes(TimestampMs starts_at, TimestampMs ends_at) const;
  Status Handle(const BookAppointment& c);
  Status Handle(const MoveAppointment& c);
  Status Handle(const CancelAppointment& c);
  // Its end passed without a contact recorded for it: missed, and the risk raised.
  Status MissAppointment(const FireTimer& c);
  // The day before: the participant who consented is reminded (when the definition has them
  // as a party); the reminder is spent either way.
  Status Remind(const FireTimer& c);
  Status Handle(const GiveInformationNotice& c);
  Status Handle(const RecordConsent& c);
  Status Handle(const RecordMissedAppointment&);
  Status Handle(const FireTrigger& c);
  Status Handle(const RaiseRisk& c);
  Status Handle(const ResolveRisk& c);
  Status Handle(const PausePathway& c);
  Status Handle(const ResumePathway&);
  Status Handle(const FireTimer& c);
  Status Handle(const MigratePathway& c);
  Status SealForVersion(const definition::Definition& target);
  Status Handle(const AcknowledgeTask& c);
  Status Handle(const CompleteTask& c);
  Status Handle(const CancelTask& c);
  Status Handle(const ReassignTask& c);

  // A task past its due date goes to the team lead (when the definition has that party); the
  // assignee keeps it.
  Status EscalateTask(const FireTimer& c);

  Status Handle(const RecordDelivery& c);

  // decide_company.cpp
  Status CheckCompany(const CompanyFields& f) const;
  Status Handle(const RegisterCompany& c);
  Status Handle(const RecordCompany& c);
  Status Handle(const RecordCompanyContact& c);
  Status Handle(const RecordContactPerson& c);
  Status Handle(const RemoveContactPerson& c);
  Status Handle(const RecordCompanyNeed& c);

  // `event` names the task and the actor; it is emitted when the task's lifecycle allows it.
  Status TaskChangeTo(const std::string& task_id, TaskChange change, events::PathwayEvent event);

  PathwayState s_;
  const DecideContext& ctx_;
  std::vector<Emitted> events_;
};

}  // namespace pathways::runtime::internal
