#include "engine/definition/definition.hpp"

#include <algorithm>

namespace pathways::definition {
namespace {

template <typename T>
const T* FindById(const std::vector<T>& items, std::string_view id) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.id == id; });
  return it == items.end() ? nullptr : &*it;
}

nlohmann::json LabelJson(const Label& l) { return {{"da", l.da}, {"en", l.en}}; }

nlohmann::json EffectJson(const Effect& e) {
  static constexpr const char* kKinds[] = {"milestone", "raise_risk", "resolve_risk", "task",
                                           "notify"};
  nlohmann::json j = {{"kind", kKinds[static_cast<int>(e.kind)]}, {"name", e.name}};
  if (!e.severity.empty()) j["severity"] = e.severity;
  if (e.kind == Effect::Kind::kTask) j["title"] = LabelJson(e.title);
  if (e.due) j["due"] = ToString(*e.due);
  if (!e.categories.empty()) j["categories"] = e.categories;
  if (!e.condition.empty()) j["if"] = e.condition;
  // The words of a notice, only when given: the hashes of definitions without them stay.
  if (!e.ask.empty()) j["ask"] = LabelJson(e.ask);
  if (!e.by_field.empty()) j["by"] = {{"at", e.by_field}};
  if (e.by_offset) j["by"]["offset"] = ToString(*e.by_offset);
  return j;
}

}  // namespace

bool WithinDurationBound(const Duration& d) {
  const std::int64_t amount = d.amount < 0 ? -d.amount : d.amount;
  switch (d.unit) {
    case Duration::Unit::kDays: return amount <= 3653;
    case Duration::Unit::kWorkingDays: return amount <= 2610;
    case Duration::Unit::kWeeks: return amount <= 522;
    case Duration::Unit::kMonths: return amount <= 120;
  }
  return false;
}

std::string ToString(const Duration& d) {
  static constexpr const char* kUnits[] = {"days", "working days", "weeks", "months"};
  return std::to_string(d.amount) + " " + kUnits[static_cast<int>(d.unit)];
}

std::string_view KindName(Kind k) { return k == Kind::kCompany ? "company" : "participant"; }

bool IsSizeBand(std::string_view band) {
  return std::find(std::begin(kSizeBands), std::end(kSizeBands), band) != std::end(kSizeBands);
}
bool IsSmeBand(std::string_view band) { return IsSizeBand(band) && band != "large"; }

std::string_view TypeName(DataField::Type t) {
  switch (t) {
    case DataField::Type::kString: return "string";
    case DataField::Type::kInteger: return "integer";
    case DataField::Type::kNumber: return "number";
    case DataField::Type::kBoolean: return "boolean";
    case DataField::Type::kDate: return "date";
  }
  return "string";
}

bool IsSpecialValue(const DataField& field, const nlohmann::json& value) {
  return value.is_string() && std::find(field.special_values.begin(), field.special_values.end(),
                                        value.get<std::string>()) != field.special_values.end();
}

std::vector<std::string> PersonalFieldsOf(const DataCategory& category) {
  if (!category.personal.empty()) return category.personal;
  if (category.id == "identity") return {"name"};
  if (category.id == "contact") return {"email", "phone", "mobile", "address"};
  return {};
}

const State* Definition::FindState(std::string_view id) const { return FindById(states, id); }
const Party* Definition::FindParty(std::string_view id) const { return FindById(parties, id); }
const DataCategory* Definition::FindCategory(std::string_view id) const {
  return FindById(categories, id);
}
const DataField* Definition::FindField(std::string_view id) const { return FindById(data, id); }

std::vector<const Transition*> Definition::TransitionsFrom(std::string_view state,
                                                           std::string_view trigger) const {
  std::vector<const Transition*> out;
  for (const Transition& t : transitions) {
    if (t.trigger == trigger && std::find(t.from.begin(), t.from.end(), state) != t.from.end()) {
      out.push_back(&t);
    }
  }
  return out;
}

nlohmann::json Definition::ToJson() const {
  nlohmann::json j;
  j["id"] = id;
  j["version"] = version;
  j["title"] = LabelJson(title);
  j["initial"] = initial;
  if (!languages.empty()) j["languages"] = languages;  // only when set: hashes stay
  for (const auto& c : categories) {
    nlohmann::json cj = {{"id", c.id}, {"label", LabelJson(c.label)}, {"sensitive", c.sensitive}};
    if (c.special) cj["special"] = true;                   // only when set: hashes stay
    if (!c.personal.empty()) cj["personal"] = c.personal;  // likewise
    j["categories"].push_back(std::move(cj));
  }
  for (const auto& f : data) {
    nlohmann::json fj = {
        {"id", f.id}, {"type", TypeName(f.type)}, {"allowed", f.allowed}, {"category", f.category}};
    if (!f.sensitive_values.empty()) fj["sensitive_values"] = f.sensitive_values;  // hashes stay
    if (!f.special_values.empty()) fj["special_values"] = f.special_values;
    if (!f.label.empty()) fj["label"] = LabelJson(f.label);
    for (const auto& [v, l] : f.values) fj["values"][v] = LabelJson(l);
    if (!f.derived.empty()) fj["derived"] = f.derived;
    j["data"].push_back(std::move(fj));
  }
  for (const auto& s : states) {
    j["states"].push_back({{"id", s.id},
                           {"label", LabelJson(s.label)},
                           {"phase", s.phase},
                           {"terminal", s.terminal}});
  }
  for (const auto& m : milestones) {
    nlohmann::json mj = {{"id", m.id}, {"label", LabelJson(m.label)}};
    if (!m.category.empty()) mj["category"] = m.category;  // only when set: hashes stay
    j["milestones"].push_back(std::move(mj));
  }
  for (const auto& r : risks) {
    nlohmann::json rj = {{"id", r.id}, {"label", LabelJson(r.label)}, {"severity", r.severity}};
    for (const auto& e : r.on_raise) rj["notify"].push_back(EffectJson(e));
    j["risks"].push_back(std::move(rj));
  }
  for (const auto& b : barriers) {  // only when declared: hashes stay
    nlohmann::json bj = {{"id", b.id}, {"label", LabelJson(b.label)}};
    for (const auto& e : b.support) bj["support"].push_back(EffectJson(e));
    j["barriers"].push_back(std::move(bj));
  }
  for (const auto& p : parties) {
    nlohmann::json pj = {{"id", p.id},
                         {"label", LabelJson(p.label)},
                         {"external", p.external},
                         {"categories", p.categories}};
    if (!p.consent.empty()) pj["consent"] = p.consent;  // only when set: hashes stay
    j["parties"].push_back(std::move(pj));
  }
  for (const auto& g : guards) {
    j["guards"].push_back({{"id", g.id}, {"description", g.description}, {"expr", g.expression}});
    if (!g.label.empty()) j["guards"].back()["label"] = LabelJson(g.label);  // hashes stay
  }
  for (const auto& t : transitions) {
    nlohmann::json tj = {
        {"trigger", t.trigger}, {"from", t.from}, {"to", t.to}, {"guards", t.guards}};
    for (const auto& p : t.payload) {
      tj["payload"].push_back({{"id", p.id},
                               {"type", TypeName(p.type)},
                               {"required", p.required},
                               {"allowed", p.allowed},
                               {"store_as", p.store_as}});
      // Only when set, so the hashes of definitions without sealed fields stay what they were.
      if (!p.personal.empty()) tj["payload"].back()["personal"] = p.personal;
      if (!p.label.empty()) tj["payload"].back()["label"] = LabelJson(p.label);
      for (const auto& [v, l] : p.values) tj["payload"].back()["values"][v] = LabelJson(l);
    }
    if (!t.set.empty()) tj["set"] = t.set;
    for (const auto& e : t.effects) tj["effects"].push_back(EffectJson(e));
    if (!t.label.empty()) tj["label"] = LabelJson(t.label);
    j["transitions"].push_back(std::move(tj));
  }
  for (const auto& t : timers) {
    nlohmann::json tj = {{"id", t.id},
                         {"active_in", t.active_in},
                         {"restart_on", t.restart_on},
                         {"trigger", t.trigger}};
    if (t.after) tj["after"] = ToString(*t.after);
    if (!t.at_field.empty()) tj["at"] = t.at_field;
    if (t.offset) tj["offset"] = ToString(*t.offset);
    if (t.while_paused) tj["while_paused"] = true;
    // Only when set: the hashes of definitions written before these keys stay the same.
    if (t.through_pause) tj["through_pause"] = true;
    if (t.repeat) tj["repeat"] = true;
    if (!t.condition.empty()) tj["if"] = t.condition;
    if (!t.payload.empty()) tj["payload"] = t.payload;
    for (const auto& e : t.effects) tj["effects"].push_back(EffectJson(e));
    if (!t.label.empty()) tj["label"] = LabelJson(t.label);
    j["timers"].push_back(std::move(tj));
  }
  if (target) j["target"] = {{"milestone", target->milestone}, {"count", target->count}};
  // Only for a company's definition: the participants' hashes stay what they were.
  if (kind == Kind::kCompany) j["kind"] = KindName(kind);
  for (const auto& [code, l] : industries) j["industries"][code] = LabelJson(l);
  for (const auto& [tag, l] : green_tags) j["green"][tag] = LabelJson(l);
  return j;
}

}  // namespace pathways::definition
