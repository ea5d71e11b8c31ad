#include "engine/personal_view.hpp"

#include <algorithm>

#include "engine/event_types.hpp"

namespace pathways {

std::string RetentionStreamId(const std::string& participant_id) {
  return "$retention:" + participant_id;
}

Result<PersonalView> ReadPersonal(const EventStore& store, const std::string& stream_id,
                                  const std::vector<PersonalScope>& scopes) {
  PersonalView view;
  std::string participant;
  for (std::uint64_t from = 1; from != 0;) {
    Result<StreamPage> page = store.ReadStream(stream_id, from, 1000);
    if (!page.ok()) return page.status();
    for (const RecordedEvent& e : page->events) {
      participant = e.participant_id;
      if (e.personal.empty()) continue;
      Result<std::vector<RevealedPersonal>> revealed = store.RevealPersonal(e);
      if (!revealed.ok()) return revealed.status();
      for (const RevealedPersonal& p : *revealed) {
        if (std::find(scopes.begin(), scopes.end(), p.scope) == scopes.end()) continue;
        if (!p.fields) {
          view.erased.insert(p.scope);
          continue;
        }
        nlohmann::json& into = view.fields[p.scope];
        if (!into.is_object()) into = nlohmann::json::object();
        into.update(*p.fields);
      }
    }
    from = page->next_version;
  }
  for (PersonalScope s : view.erased) view.fields.erase(s);
  if (participant.empty()) return view;

  // Restrictions: a handful at most, in a stream of their own that most participants never
  // have (one point lookup says so).
  const std::string retention = RetentionStreamId(participant);
  Result<StreamPage> restrictions = store.ReadStream(retention, 1, 1);
  if (restrictions.ok() && restrictions->next_version != 0) {
    restrictions = store.ReadStream(retention, 1, 100);
  }
  if (!restrictions.ok()) return restrictions.status();
  for (const RecordedEvent& e : restrictions->events) {
    if (e.type != events::PersonalDataRestricted::kType) continue;
    Result<events::SystemEvent> decoded = events::DecodeSystemEvent(
        e.type, e.schema_version, nlohmann::json::parse(e.data, nullptr, false));
    if (!decoded.ok()) return decoded.status();
    const auto& restriction = std::get<events::PersonalDataRestricted>(*decoded);
    for (const std::string& name : restriction.scopes) {
      for (PersonalScope s : scopes) {
        // Only a scope with data to keep apart is restricted: not one erased, or never used.
        if (PersonalScopeName(s) != name) continue;
        if (!view.fields.count(s) && !view.restricted.count(s)) continue;
        view.restricted_until[s] = restriction.until;
        if (auto f = view.fields.find(s); f != view.fields.end()) {
          view.restricted[s] = std::move(f->second);
          view.fields.erase(f);
        }
      }
    }
  }
  return view;
}

}  // namespace pathways
