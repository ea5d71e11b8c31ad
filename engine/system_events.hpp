#pragma once
// The event types of the store's own streams (ids starting with `$`): reads of personal data,
// endpoints, caseload handovers, sign-ins, retention and the schools' method notes. event_types.hpp
// lists them with the pathways' in its variants; docs/events.md documents both.

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "engine/clock.hpp"
#include "engine/event_fields.hpp"

namespace pathways::events {

// `$access:<participant>`: who read a participant's personal data (the actor), and why.
struct PersonalDataViewed {
  static constexpr std::string_view kType = "PersonalDataViewed";
  static constexpr std::uint16_t kSchema = 1;
  std::string pathway_id;
  std::vector<std::string> scopes;
  std::string purpose;
  static constexpr auto Fields() {
    return std::tuple{Required("pathway_id", &PersonalDataViewed::pathway_id),
                      Required("scopes", &PersonalDataViewed::scopes),
                      Required("purpose", &PersonalDataViewed::purpose)};
  }
};
// `$notify`: an endpoint the adapters stopped sending to, and when it came back.
struct EndpointDisabled {
  static constexpr std::string_view kType = "EndpointDisabled";
  static constexpr std::uint16_t kSchema = 1;
  std::string endpoint;  // party.channel
  std::string reason;
  TimestampMs failing_since = 0;
  static constexpr auto Fields() {
    return std::tuple{Required("endpoint", &EndpointDisabled::endpoint),
                      Required("reason", &EndpointDisabled::reason),
                      Required("failing_since", &EndpointDisabled::failing_since)};
  }
};
// `$caseloads`: a counsellor's whole caseload handed to another as one operation; each
// pathway's ContactPersonAssigned names it.
struct CaseloadHandedOver {
  static constexpr std::string_view kType = "CaseloadHandedOver";
  static constexpr std::uint16_t kSchema = 1;
  std::string handover_id;
  std::string from;
  std::string to;
  std::string reason;
  std::vector<std::string> pathways;
  static constexpr auto Fields() {
    return std::tuple{Required("handover_id", &CaseloadHandedOver::handover_id),
                      Required("from", &CaseloadHandedOver::from),
                      Required("to", &CaseloadHandedOver::to),
                      Required("reason", &CaseloadHandedOver::reason),
                      Required("pathways", &CaseloadHandedOver::pathways)};
  }
};
// `$sessions`: the workspace's sign-ins (never a password). The actor is the user signing in or
// out; a failed attempt's is `system`, and it names the user only when the name is one.
struct SignedIn {
  static constexpr std::string_view kType = "SignedIn";
  static constexpr std::uint16_t kSchema = 1;
  std::string user;
  std::string address;  // the client's network address
  static constexpr auto Fields() {
    return std::tuple{Required("user", &SignedIn::user), Required("address", &SignedIn::address)};
  }
};
struct SignInFailed {
  static constexpr std::string_view kType = "SignInFailed";
  static constexpr std::uint16_t kSchema = 1;
  std::string user;    // empty: the name given is no user's
  std::string reason;  // password | unknown_user | throttled
  std::string address;
  static constexpr auto Fields() {
    return std::tuple{Optional("user", &SignInFailed::user),
                      Required("reason", &SignInFailed::reason),
                      Required("address", &SignInFailed::address)};
  }
};
struct SignedOut {
  static constexpr std::string_view kType = "SignedOut";
  static constexpr std::uint16_t kSchema = 1;
  std::string user;
  std::string reason;  // signed_out | idle | expired | evicted
  static constexpr auto Fields() {
    return std::tuple{Required("user", &SignedOut::user), Required("reason", &SignedOut::reason)};
  }
};
struct EndpointEnabled {
  static constexpr std::string_view kType = "EndpointEnabled";
  static constexpr std::uint16_t kSchema = 1;
  std::string endpoint;
  static constexpr auto Fields() {
    return std::tuple{Required("endpoint", &EndpointEnabled::endpoint)};
  }
};

// `$retention` and `$retention:<participant>`: an erasure asked for before the ESF audit end
// (docs/privacy.md). The guidance scope is erased at once; `scopes` are kept, readable by
// auditors only, until the end of the day `until`, and erased after it.
struct PersonalDataRestricted {
  static constexpr std::string_view kType = "PersonalDataRestricted";
  static constexpr std::uint16_t kSchema = 1;
  std::string participant_id;
  std::vector<std::string> scopes;
  std::string until;  // YYYY-MM-DD
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("participant_id", &PersonalDataRestricted::participant_id),
                      Required("scopes", &PersonalDataRestricted::scopes),
                      Required("until", &PersonalDataRestricted::until),
                      Optional("reason", &PersonalDataRestricted::reason)};
  }
};

// `$method-notes`: what a school found works in its outreach, onboarding or guidance, shared
// with the partnership (docs/companies.md, "Method notes"). About ways of working, never about
// a person: nothing in it is sealed.
struct MethodNoteShared {
  static constexpr std::string_view kType = "MethodNoteShared";
  static constexpr std::uint16_t kSchema = 1;
  std::string note_id;
  std::string school;
  std::string topic;  // outreach | onboarding | guidance | other
  std::string title;
  std::string text;
  static constexpr auto Fields() {
    return std::tuple{
        Required("note_id", &MethodNoteShared::note_id),
        Optional("school", &MethodNoteShared::school), Required("topic", &MethodNoteShared::topic),
        Required("title", &MethodNoteShared::title), Required("text", &MethodNoteShared::text)};
  }
};

struct MethodNoteWithdrawn {
  static constexpr std::string_view kType = "MethodNoteWithdrawn";
  static constexpr std::uint16_t kSchema = 1;
  std::string note_id;
  std::string reason;
  static constexpr auto Fields() {
    return std::tuple{Required("note_id", &MethodNoteWithdrawn::note_id),
                      Optional("reason", &MethodNoteWithdrawn::reason)};
  }
};

}  // namespace pathways::events
