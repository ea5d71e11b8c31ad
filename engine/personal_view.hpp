#pragma once
// The personal data of one stream as it stands: the newest value of each field, scope by
// scope, read from the events' sealed parts. A scope whose key was destroyed reads as erased.
// What the personal-data API shows and what a notification may carry both come from here.
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
};

// Reads `stream_id` from the start; only `scopes` are revealed.
Result<PersonalView> ReadPersonal(const EventStore& store, const std::string& stream_id,
                                  const std::vector<PersonalScope>& scopes);

}  // namespace pathways
