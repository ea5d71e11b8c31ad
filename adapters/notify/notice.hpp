#pragma once
// A notification in words: what happened, what the receiver is asked to do and by when, and
// the facts it carries under their labels, in Danish and English, from the definition. It goes
// out in the payload (`data.notice`) for a receiver to show as it is, and the email templates
// are rendered from it.
//
// - kind: `milestone` (a transition), `risk` (a risk raised, or with `resolved` resolved),
//   `reminder` (a timer), `deadline` (any notice whose notify effect says `by` when), `appointment`
//   (the participant's reminder of a meeting, with `appointment`: when in words, place, topic), or
//   `participant` (any other notice to the participant: what to remember, by when);
// - what: the transition's or timer's label (else the state the pathway is now in), or the
//   risk's label;
// - ask and by: the notify effect's `ask`, and its `by` date (a date field plus an offset);
// - facts: the state, the fields and the milestones the payload carries, values in words
//   ("3. februar 2027", "Ja"), never an id;
// - counsellor: the contact person's name and how to reach them, when known;
// - to: who it is addressed to, when known: the participant's own employer by name, else the
//   organisation the notifications file names for the party ("Aarhus Kommune, Jobcenter").
//
// Thread-safe: pure functions.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/clock.hpp"
#include "engine/definition/definition.hpp"

namespace pathways::notify {

// Who the receiver can contact about the participant: the users file's entry for the
// pathway's contact person.
struct ContactPerson {
  std::string name;
  std::string email;
  std::string phone;
};

// The address of a signed link (adapters/auth/links.hpp) by which whoever receives a party's
// email confirms on its pathway without an account: link `id` of `party` on `pathway_id`,
// valid until `expires_at`. Empty: no link.
using ConfirmLinkMaker =
    std::function<std::string(const std::string& party, const std::string& pathway_id,
                              const std::string& id, TimestampMs expires_at)>;

// "3. februar 2027" (da) or "3 February 2027" (en) for "2027-02-03"; the text itself when it
// is not a date.
std::string DateInWords(const std::string& iso_date, const std::string& language);
// "onsdag 3. februar 2027 kl. 10.00" (da) or "Wednesday 3 February 2027 at 10:00" (en), Danish
// time.
std::string MomentInWords(TimestampMs at, const std::string& language);
// A data field's value as a person reads it, in both languages: labelled values, Ja/Nej,
// dates in words, numbers as they are.
definition::Label ValueInWords(const definition::DataField& field, const nlohmann::json& value);

// The notice for outbox row `row` whose payload data (payload.hpp) is `data`. `definition`
// may be null (then only the kind and the state id); `contact` may be null; `addressee` is
// the organisation it goes to ("": the party's label).
nlohmann::json BuildNotice(const nlohmann::json& row, const nlohmann::json& data,
                           const definition::Definition* definition, const ContactPerson* contact,
                           const std::string& addressee = "");

}  // namespace pathways::notify
