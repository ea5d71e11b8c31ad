#include "engine/personal_view.hpp"

#include <algorithm>

namespace pathways {

Result<PersonalView> ReadPersonal(const EventStore& store, const std::string& stream_id,
                                  const std::vector<PersonalScope>& scopes) {
  PersonalView view;
  for (std::uint64_t from = 1; from != 0;) {
    Result<StreamPage> page = store.ReadStream(stream_id, from, 1000);
    if (!page.ok()) return page.status();
    for (const RecordedEvent& e : page->events) {
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
  return view;
}

}  // namespace pathways
