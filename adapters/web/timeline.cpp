// A pathway's history in words, newest first: the participant's page and the company's page
// show it alike.

#include <algorithm>

#include "adapters/web/web_impl.hpp"

namespace pathways::web {

Result<json> Web::Impl::Timeline(const Page& p, const std::string& id,
                                 const definition::Definition* def) const {
  auto state_label = [&](const std::string& state) {
    return def != nullptr ? LabelOf(def->states, state, p.lang) : state;
  };
  json timeline = json::array();
  for (std::uint64_t from = 1; from != 0;) {
    auto page = o.store->ReadStream(id, from, 1000);
    if (!page.ok()) return page.status();
    for (const RecordedEvent& e : page->events) {
      if (e.type == "TimerArmed" || e.type == "TimerDisarmed" ||
          e.type == "NotificationRequested" || e.type == "NotificationDelivered") {
        continue;
      }
      const json data = json::parse(e.data, nullptr, false);
      std::string what = Message(p.lang, "event_" + e.type);
      if (const std::string detail = Detail(e.type, data, def, p.lang); !detail.empty()) {
        what += ": " + detail;
      }
      std::string guards;
      if (e.type == "TransitionTaken" && data.is_object()) {
        what = Message(p.lang, "event_transition",
                       {{"from", state_label(data.value("from", ""))},
                        {"to", state_label(data.value("to", "").empty() ? data.value("from", "")
                                                                        : data.value("to", ""))},
                        {"trigger", data.value("trigger", "")}});
        for (const auto& g : data.value("guards", json::array())) {
          if (!g.is_object() || !g.value("holds", false)) continue;
          if (!guards.empty()) guards += "; ";
          guards += def != nullptr ? GuardInWords(*def, g.value("guard", ""), p.lang)
                                   : g.value("guard", "");
        }
      }
      timeline.push_back(
          {{"what", what},
           {"when", When(e.occurred_at, p.lang)},
           {"who", Who(e.actor, def, p.lang)},
           {"reason", data.is_object() ? ReasonInWords(data.value("reason", ""), def, p.lang) : ""},
           {"guards", guards}});
    }
    from = page->next_version;
  }
  std::reverse(timeline.begin(), timeline.end());
  return timeline;
}

}  // namespace pathways::web
