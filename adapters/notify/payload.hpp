#pragma once
// What a party receives for a notification: built from the outbox row (the request and the
// pathway's plain facts when it was made) and the pathway's definition, from allow-lists only —
// nothing is copied whole, so nothing the definition does not name for the party can leave:
//
// - the categories sent are those the request asks for that the party holds; a sensitive one
//   (barriers, notes, health, special-category data) never goes to an external party, and with
//   no definition (a version no longer loaded) only the status goes;
// - `status`: the state (id, labels, phase), the pathway's status and the milestones that say
//   where it is; a milestone the definition files under a category of its own (an SPS grant,
//   under health) goes only with that category, and none goes without the definition;
// - any other category: the pathway's data fields the definition files under it; a field
//   with no category never goes, and a sensitive value of a field (a dropout for health
//   reasons) is named under `withheld` for an external party, its value never sent;
// - personal data: each category carries the identity fields it names, by name
//   (definition::PersonalFieldsOf: `identity` the name, `contact` the contact details, unless
//   the definition lists others), read from the identity scope only when the participant's
//   key still exists (otherwise `{"erased": true}`). Never the CPR number, never the guidance or
//   special scopes (barriers, ESF's sensitive items, union membership);
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

// Which personal scopes the categories need read: identity, when one of them carries identity
// fields under `definition`; none without a definition.
std::vector<PersonalScope> PersonalScopesFor(const std::vector<std::string>& categories,
                                             const definition::Definition* definition);

// `definition` may be null (a version no longer loaded): then only the request itself, the
// state id and the status go out. `personal` is what ReadPersonal found (ignored unless asked
// for). `contact_person`, the pathway's contact person, signs the notice (`data.notice`,
// notice.hpp); `addressee`, the organisation it goes to, heads it (routing.hpp: AddresseeOf).
Payload BuildPayload(const nlohmann::json& row, const definition::Definition* definition,
                     const PersonalView& personal, const ContactPerson* contact_person = nullptr,
                     const std::string& addressee = "");

}  // namespace pathways::notify
