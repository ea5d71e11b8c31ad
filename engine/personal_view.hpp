#pragma once
// The personal data of one stream as it stands: the newest value of each field, scope by
// scope, read from the events' sealed parts. A scope whose key was destroyed reads as erased;
// a scope restricted until the ESF audit end (an erasure asked for before it, docs/privacy.md)
// is kept apart, for the auditors only. What the personal-data API shows and what a
// notification may carry both come from here.
//
// Thread-safe: a free function over the store's reads.

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "engine/event_store.hpp"

namespace pathways {

struct PersonalView {
  std::map<PersonalScope, nlohmann::json> fields;  // objects; only scopes that have any
  std::set<PersonalScope> erased;
  // Restricted scopes: the day they are kept until (YYYY-MM-DD), and their fields — never in
  // `fields`, so no reader shows or sends them without asking for them by name.
  std::map<PersonalScope, std::string> restricted_until;
  std::map<PersonalScope, nlohmann::json> restricted;
};

// The stream that holds a participant's restrictions (PersonalDataRestricted).
std::string RetentionStreamId(const std::string& participant_id);

// Reads `stream_id` from the start, and its participant's restrictions; only `scopes` are
// revealed.
Result<PersonalView> ReadPersonal(const EventStore& store, const std::string& stream_id,
                                  const std::vector<PersonalScope>& scopes);

}  // namespace pathways
