// The decider's migrations: a pathway moved to another version of its definition, with what
// the new version seals sealed from then on.

#include "engine/runtime/decider.hpp"

namespace pathways::runtime::internal {

// What `target` seals that the pathway holds plain (a union referral, a union consent kept
// as a data field by an older version): sealed in the special scope from here on, the plain
// fields unset. The events before keep what they said.
Status Decider::SealForVersion(const definition::Definition& target) {
  nlohmann::json fields = nlohmann::json::object();
  nlohmann::json previous = nlohmann::json::object();
  nlohmann::json sealed = nlohmann::json::object();
  std::vector<std::string> names;
  for (const auto& [key, value] : s_.data.items()) {
    const definition::DataField* f = target.FindField(key);
    bool special = f != nullptr && definition::IsSpecialValue(*f, value);
    if (f == nullptr) {
      for (const auto& t : target.transitions) {
        for (const auto& p : t.payload)
          special = special || (p.id == key && p.personal == "special");
      }
    }
    if (!special) continue;
    fields[key] = nullptr;
    previous[key] = nullptr;  // not said plain again
    sealed[key] = value;
    names.push_back("special." + key);
  }
  if (names.empty()) return Status::Ok();
  events::DataRecorded recorded;
  recorded.fields = std::move(fields);
  recorded.previous = std::move(previous);
  recorded.personal = std::move(names);
  recorded.reason =
      "sealed on the move to version " + std::to_string(target.version) + ": special-category data";
  return Emit(std::move(recorded), {{PersonalScope::kSpecial, std::move(sealed)}});
}

Status Decider::Handle(const MigratePathway& c) {
  const definition::Definition* target = ctx_.target;
  if (target == nullptr || target->id != ctx_.definition.id ||
      target->version != c.target_version) {
    return Status::Rejected(ctx_.definition.id + " version " + std::to_string(c.target_version) +
                            " is not loaded");
  }
  if (target->version == ctx_.definition.version) {
    return Status::Rejected("the pathway already runs on version " +
                            std::to_string(target->version));
  }
  std::vector<std::string> unmapped;
  for (const auto& st : ctx_.definition.states) {
    auto it = c.mapping.find(st.id);
    if (it == c.mapping.end()) {
      unmapped.push_back(st.id);
    } else if (target->FindState(it->second) == nullptr) {
      return Status::Rejected("state " + st.id + " maps to " + it->second + ", which version " +
                              std::to_string(target->version) + " does not have");
    }
  }
  if (!unmapped.empty()) {
    std::string list;
    for (const auto& u : unmapped) list += (list.empty() ? "" : ", ") + u;
    return Status::Rejected("the mapping leaves states unmapped: " + list);
  }
  // The old version's timers end here; the new version's are armed by its own rules.
  // A spent timer stays spent where the new version has a timer of that id (it fired once
  // for this stay already).
  std::vector<std::string> armed;
  for (const auto& [id, t] : s_.timers) armed.push_back(id);
  for (const auto& [id, due] : s_.spent_timers) {
    const bool kept = std::any_of(target->timers.begin(), target->timers.end(),
                                  [&id = id](const definition::Timer& t) { return t.id == id; });
    if (!kept) armed.push_back(id);
  }
  for (const auto& id : armed) {
    if (Status st = Emit(events::TimerDisarmed{id}); !st.ok()) return st;
  }
  Status st = Emit(
      events::PathwayMigrated{{ctx_.definition.id, ctx_.definition.version, ctx_.definition.hash},
                              {target->id, target->version, target->hash},
                              s_.state,
                              c.mapping.at(s_.state)});
  if (!st.ok()) return st;
  if (st = SealForVersion(*target); !st.ok()) return st;
  DecideContext next{*target, ctx_.actor, ctx_.now, ctx_.pathway_id, ctx_.participant_id, nullptr};
  Decider on_target(s_, next);
  if (st = on_target.SyncTimers(); !st.ok()) return st;
  for (Emitted& e : on_target.TakeEvents()) {
    if (st = Emit(std::move(e.event), std::move(e.personal)); !st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace pathways::runtime::internal
