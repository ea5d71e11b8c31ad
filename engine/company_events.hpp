#pragma once
// The event types only a company's pathway holds (a `kind: company` definition's, keyed by
// CVR number; docs/companies.md). The pathway's steps, tasks, timers and notices are the same
// events as a participant's; event_types.hpp lists these with them in PathwayEvent.
//
// What is plain here is organisation data. A contact person's name, e-mail and phone are
// theirs: sealed in the company's identity scope (`contact:<id>`), and a visit's notes in its
// guidance scope (`notes:<contact id>`), so either can be erased.

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "engine/clock.hpp"
#include "engine/event_fields.hpp"

namespace pathways::events {

// The record as it stands after the event.
struct CompanyData {
  std::string cvr;  // 8 digits passing the modulus-11 check
  std::string name;
  std::string p_number;            // the workplace (production unit), 10 digits; empty: not known
  std::string size_band;           // micro | small | medium | large (EU 2003/361)
  std::string industry;            // a DB07 code of the definition
  std::string municipality;        // code of 3 digits; empty: not known
  std::vector<std::string> green;  // the company's green-transition tags
  static constexpr auto Fields() {
    return std::tuple{Required("cvr", &CompanyData::cvr),
                      Required("name", &CompanyData::name),
                      Optional("p_number", &CompanyData::p_number),
                      Required("size_band", &CompanyData::size_band),
                      Required("industry", &CompanyData::industry),
                      Optional("municipality", &CompanyData::municipality),
                      Optional("green", &CompanyData::green)};
  }
};

struct CompanyRegistered {
  static constexpr std::string_view kType = "CompanyRegistered";
  static constexpr std::uint16_t kSchema = 1;
  CompanyData company;
  std::string state;   // the initial state
  std::string school;  // the school whose consultant keeps the dialogue
  static constexpr auto Fields() {
    return std::tuple{Required("company", &CompanyRegistered::company),
                      Required("state", &CompanyRegistered::state),
                      Optional("school", &CompanyRegistered::school)};
  }
};

// The record corrected or brought up to date (a new name, size band, industry): the whole
// record after it, and why.
struct CompanyRecorded {
  static constexpr std::string_view kType = "CompanyRecorded";
  static constexpr std::uint16_t kSchema = 1;
  CompanyData company;
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("company", &CompanyRecorded::company),
                      Required("reason", &CompanyRecorded::reason)};
  }
};

// A contact with the company: a visit, a call, a meeting or an event, on a day, by whom,
// with whom; its notes sealed in the guidance scope as `notes:<contact_id>`.
struct CompanyContactRecorded {
  static constexpr std::string_view kType = "CompanyContactRecorded";
  static constexpr std::uint16_t kSchema = 1;
  std::string contact_id;
  std::string form;    // visit | phone | meeting | event
  TimestampMs at = 0;  // when it took place (the start of its day when only a day was given)
  std::uint32_t minutes = 0;
  std::vector<std::string> staff;    // the school's users who took part
  std::vector<std::string> persons;  // the company's contact persons met (ids)
  std::string topic;
  static constexpr auto Fields() {
    return std::tuple{Required("contact_id", &CompanyContactRecorded::contact_id),
                      Required("form", &CompanyContactRecorded::form),
                      Required("at", &CompanyContactRecorded::at),
                      Optional("minutes", &CompanyContactRecorded::minutes),
                      Optional("staff", &CompanyContactRecorded::staff),
                      Optional("persons", &CompanyContactRecorded::persons),
                      Optional("topic", &CompanyContactRecorded::topic)};
  }
};

// A contact person at the company, new or changed: their role plain, their name, e-mail and
// phone sealed in the identity scope as `contact:<person_id>`.
struct ContactPersonRecorded {
  static constexpr std::string_view kType = "ContactPersonRecorded";
  static constexpr std::uint16_t kSchema = 1;
  std::string person_id;
  std::string role;
  static constexpr auto Fields() {
    return std::tuple{Required("person_id", &ContactPersonRecorded::person_id),
                      Optional("role", &ContactPersonRecorded::role)};
  }
};
struct ContactPersonRemoved {
  static constexpr std::string_view kType = "ContactPersonRemoved";
  static constexpr std::uint16_t kSchema = 1;
  std::string person_id;
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("person_id", &ContactPersonRemoved::person_id),
                      Optional("reason", &ContactPersonRemoved::reason)};
  }
};

// A need for upskilling uncovered in the dialogue, new or updated (the same need_id).
struct CompanyNeedRecorded {
  static constexpr std::string_view kType = "CompanyNeedRecorded";
  static constexpr std::uint16_t kSchema = 1;
  std::string need_id;
  std::string competences;               // what the staff should learn
  std::vector<std::string> amu_courses;  // AMU courses of interest (numbers or titles)
  std::uint32_t staff = 0;               // how many staff it concerns; 0: not said
  std::string release_from;              // YYYY-MM-DD: when they could be released
  std::string release_to;
  std::vector<std::string> green;  // green-transition tags of the need
  static constexpr auto Fields() {
    return std::tuple{Required("need_id", &CompanyNeedRecorded::need_id),
                      Required("competences", &CompanyNeedRecorded::competences),
                      Optional("amu_courses", &CompanyNeedRecorded::amu_courses),
                      Optional("staff", &CompanyNeedRecorded::staff),
                      Optional("release_from", &CompanyNeedRecorded::release_from),
                      Optional("release_to", &CompanyNeedRecorded::release_to),
                      Optional("green", &CompanyNeedRecorded::green)};
  }
};

}  // namespace pathways::events
