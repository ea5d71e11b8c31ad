#pragma once
// What a party receives for a notification: built from the outbox row (the request and the
// pathway's plain facts when it was made) and the pathway's definition, with the route's data
// categories only.
//
// - `status`: the state (id, labels, phase), the pathway's status and the milestones that say
//   where it is; a milestone the definition files under a category of its own (an SPS grant,
//   under health) goes only with that category, and none goes without the definition;
// - any other category: the pathway's data fields the definition files under it;
// - `identity` and `contact`: personal data from the vault, only when the route names the
//   category and the participant's identity key still exists (otherwise `{"erased": true}`).
//   Contact details are the identity fields email, phone, mobile and address; every other
//   identity field is identity. Guidance data (barriers, notes, health) never leaves;
// - `notice`: the same in words, Danish and English (notice.hpp).
//
// The body is the same for every attempt (its timestamp is the request's), so a receiver that
// deduplicates by webhook-id sees one message, however often it is sent.
//
// Thread-safe: pure functions.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/notify/notice.hpp"
#include "engine/definition/definition.hpp"
#include "engine/personal_view.hpp"

namespace pathways::notify {

struct Payload {
  nlohmann::json body;                  // Standard Webhooks shape: {type, timestamp, data}
  std::vector<std::string> categories;  // what it carries
  bool personal = false;                // it carries identity or contact data
};

// Which personal scopes the categories ask for (identity, for identity or contact).
std::vector<PersonalScope> PersonalScopesFor(const std::vector<std::string>& categories);

// `definition` may be null (a version no longer loaded): then only the request itself, the
// state id and the status go out. `personal` is what ReadPersonal found (ignored unless asked
// for). `contact_person`, the pathway's contact person, signs the notice (`data.notice`,
// notice.hpp).
Payload BuildPayload(const nlohmann::json& row, const definition::Definition* definition,
                     const PersonalView& personal, const ContactPerson* contact_person = nullptr);

}  // namespace pathways::notify
