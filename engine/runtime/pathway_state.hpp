#pragma once
// PathwayState: one participant's pathway as the events made it. Only Apply changes it.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/clock.hpp"
#include "engine/definition/definition.hpp"
#include "engine/result.hpp"

namespace pathways::runtime {

enum class PathwayStatus : std::uint8_t { kActive, kPaused, kClosed };
std::string_view StatusName(PathwayStatus s);

struct RiskFlag {
  std::string id;    // unique within the pathway
  std::string type;  // a risk type of the definition
  std::string severity;
  std::string raised_by;  // user, or "system" for timers
  TimestampMs raised_at = 0;
};

struct Task {
  std::string id;    // unique within the pathway
  std::string kind;  // the definition's task id
  std::string title_da;
  std::string title_en;
  std::string assignee;  // the contact person when it was created
  TimestampMs due_at = 0;
  std::string status = "open";  // open | acknowledged | escalated (done and cancelled leave)
};

struct ArmedTimer {
  TimestampMs armed_at = 0;
  TimestampMs due_at = 0;
};

// The participant's employer: organisation contact data, not the participant's personal data.
// Notices to the party `employer` go to its address.
struct Employer {
  std::string name;
  std::string cvr;      // 8 digits
  std::string contact;  // the person at the employer
  std::string email;
  std::string phone;
  bool sme = false;  // a small or medium-sized enterprise (the funder counts them)
  bool operator==(const Employer&) const = default;
  // {name, cvr, contact, email, phone, sme}: the state row, the outbox row and the API alike.
  nlohmann::json ToJson() const;
};

// A meeting the counsellor booked with the participant. It leaves the state when it is held
// (a contact recorded for it), cancelled or missed (not recorded by its end).
struct Appointment {
  std::string id;
  TimestampMs starts_at = 0;
  TimestampMs ends_at = 0;
  std::string place;  // an address or room, or the link of an online meeting
  bool online = false;
  std::string topic;
  bool reminded = false;  // the participant was reminded of it
};

// What the participant agreed to be told directly, after being given the information notice.
struct Consent {
  std::string notice_version;         // the information notice given (empty: none yet)
  bool given = false;                 // consent to reminders
  std::vector<std::string> channels;  // email, sms
};

// When a pathway first entered a state, and from which (empty: it started there).
struct StateEntry {
  TimestampMs at = 0;
  std::string from;
  bool operator==(const StateEntry&) const = default;
};

// A company's contact person: their role plain; name, e-mail and phone are sealed in the
// company's identity scope (`contact:<id>`).
struct ContactPerson {
  std::string role;
  TimestampMs since = 0;
  bool operator==(const ContactPerson&) const = default;
};

// A need for upskilling the dialogue uncovered.
struct CompanyNeed {
  std::string competences;
  std::vector<std::string> amu_courses;
  std::uint32_t staff = 0;
  std::string release_from;  // YYYY-MM-DD, or empty
  std::string release_to;
  std::vector<std::string> green;
  TimestampMs recorded_at = 0;  // first recorded
  bool operator==(const CompanyNeed&) const = default;
};

// The record of a company a `kind: company` pathway keeps (its contact person is the
// consultant, its municipality the pathway's). Empty cvr: the pathway is a participant's.
struct Company {
  std::string cvr;
  std::string name;
  std::string p_number;
  std::string size_band;
  std::string industry;
  std::vector<std::string> green;
  std::map<std::string, ContactPerson> persons;  // by id
  std::map<std::string, CompanyNeed> needs;      // by id
  TimestampMs first_contact_at = 0;              // the first contact recorded (its day)
  bool sme() const { return definition::IsSmeBand(size_band); }
  bool operator==(const Company&) const = default;
};

struct PathwayState {
  std::string pathway_id;
  std::string participant_id;
  std::string definition_id;
  std::uint32_t definition_version = 0;
  std::string definition_hash;
  std::uint64_t version = 0;  // the stream version of the last applied event
  std::string state;          // the definition's state id
  PathwayStatus status = PathwayStatus::kActive;
  std::string contact_person;
  std::string school;        // the organisation of the partnership it belongs to ("": none named)
  Employer employer;         // empty name: none recorded
  std::string municipality;  // the participant's municipality code (routes the authority's notices)
  std::map<std::string, Appointment> appointments;  // open ones, by id
  Consent consent;
  nlohmann::json data = nlohmann::json::object();
  std::map<std::string, TimestampMs> milestones;
  std::map<std::string, RiskFlag> open_risks;  // by risk id
  std::map<std::string, Task> open_tasks;      // by task id
  std::map<std::string, ArmedTimer> timers;    // by timer id
  // Timers that fired and are not armed again (id -> the due time they fired for): a timer
  // fires once per arming, not again at the next transition that stays in its states.
  std::map<std::string, TimestampMs> spent_timers;
  TimestampMs created_at = 0;
  TimestampMs last_contact_at = 0;
  std::uint64_t sequence = 0;  // numbers risk and task ids
  // The path so far, for the funder's figures without reading the log: when each state was
  // first entered and from where, how many contacts were recorded, and the stream version
  // whose sealed parts hold the newest value of each personal field recorded after
  // registration ("identity.esf_disability" -> version).
  std::map<std::string, StateEntry> entered;
  std::uint32_t contacts = 0;
  std::map<std::string, std::uint64_t> personal_at;
  Company company;  // a company's pathway only
  // A participant's: the CVR of the company whose visit brought them (its record), if one did.
  std::string referred_by_company;

  bool exists() const { return version > 0; }
  bool is_company() const { return !company.cvr.empty(); }
  // Canonical JSON (sorted keys): what replay compares byte for byte.
  nlohmann::json ToJson() const;
  // The inverse of ToJson. Corruption when `j` is not a state ToJson wrote.
  static Result<PathwayState> FromJson(const nlohmann::json& j);
};

}  // namespace pathways::runtime
