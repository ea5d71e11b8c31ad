#include "adapters/notify/payload.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "adapters/notify/json_fields.hpp"
#include "engine/codec/event_json.hpp"

namespace pathways::notify {
namespace {

bool Has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Whether a category's data may go to `party`: it holds the category, and a sensitive one
// (special-category data among them) never goes to an external party.
bool MayReceive(const definition::Definition& def, const definition::Party* party,
                const std::string& category) {
  const definition::DataCategory* c = def.FindCategory(category);
  if (c == nullptr || party == nullptr || !Has(party->categories, category)) return false;
  return !(c->sensitive && party->external);
}

}  // namespace

std::vector<PersonalScope> PersonalScopesFor(const std::vector<std::string>& categories,
                                             const definition::Definition* definition) {
  if (definition == nullptr) return {};
  for (const std::string& id : categories) {
    const definition::DataCategory* c = definition->FindCategory(id);
    if (c != nullptr && !definition::PersonalFieldsOf(*c).empty()) {
      return {PersonalScope::kIdentity};
    }
  }
  return {};
}

Payload BuildPayload(const nlohmann::json& row, const definition::Definition* definition,
                     const PersonalView& personal, const ContactPerson* contact_person,
                     const std::string& addressee) {
  Payload p;
  // What goes is what the request asks for and the party may receive, by the definition; with
  // no definition, nothing but the status.
  const definition::Party* party =
      definition == nullptr ? nullptr : definition->FindParty(StringField(row, "party"));
  const nlohmann::json requested = row.value("categories", nlohmann::json::array());
  for (const auto& c : requested) {
    if (!c.is_string()) continue;
    const std::string id = c.get<std::string>();
    if (definition == nullptr ? id == "status" : MayReceive(*definition, party, id)) {
      p.categories.push_back(id);
    }
  }
  const bool external = party == nullptr || party->external;
  nlohmann::json data = {{"notification_id", StringField(row, "notification_id")},
                         {"pathway_id", StringField(row, "pathway_id")},
                         {"participant_id", StringField(row, "participant_id")},
                         {"party", StringField(row, "party")},
                         {"because", StringField(row, "because")},
                         {"position", row.value("position", std::uint64_t{0})},
                         {"categories", p.categories}};
  if (const auto def = row.find("definition"); def != row.end()) data["definition"] = *def;
  if (party != nullptr) data["party_label"] = {{"da", party->label.da}, {"en", party->label.en}};

  const std::string state = StringField(row, "state");
  if (Has(p.categories, "status")) {
    nlohmann::json s = {{"id", state}};
    if (definition != nullptr) {
      if (const definition::State* st = definition->FindState(state)) {
        s["label"] = {{"da", st->label.da}, {"en", st->label.en}};
        s["phase"] = st->phase;
      }
    }
    data["state"] = std::move(s);
    data["status"] = StringField(row, "status");
  }

  // Milestones that say where the pathway is go with `status`; one filed under a category of
  // its own (an SPS grant, which reveals a disability) only to a party given that category.
  // A milestone the definition does not know never goes out.
  nlohmann::json milestones = nlohmann::json::object();
  if (definition != nullptr) {
    const nlohmann::json reached = row.value("milestones", nlohmann::json::object());
    for (const auto& [m, at] : reached.items()) {
      const auto known = std::find_if(definition->milestones.begin(), definition->milestones.end(),
                                      [&m = m](const auto& d) { return d.id == m; });
      if (known == definition->milestones.end() || !at.is_number_integer()) continue;
      if (Has(p.categories, known->category.empty() ? "status" : known->category)) {
        milestones[m] = codec::FormatIso8601(at.get<TimestampMs>());
      }
    }
  }
  if (Has(p.categories, "status") || !milestones.empty())
    data["milestones"] = std::move(milestones);

  // Data fields only by the category the definition files them under: a field the
  // definition does not know (or no definition) never goes out.
  // A value the definition marks sensitive (a dropout for health reasons) is withheld from an
  // external party: the field is named under `withheld`, its value never sent.
  nlohmann::json fields = nlohmann::json::object();
  nlohmann::json withheld = nlohmann::json::array();
  if (definition != nullptr) {
    const nlohmann::json plain = row.value("data", nlohmann::json::object());
    for (const auto& [key, value] : plain.items()) {
      const definition::DataField* f = definition->FindField(key);
      if (f == nullptr || f->category.empty() || !Has(p.categories, f->category)) continue;
      if (value.is_null()) continue;  // unset, or sealed (a special value)
      const definition::DataCategory* category = definition->FindCategory(f->category);
      if (category == nullptr || category->sensitive) continue;
      const bool sensitive_value =
          value.is_string() && std::find(f->sensitive_values.begin(), f->sensitive_values.end(),
                                         value.get<std::string>()) != f->sensitive_values.end();
      if (sensitive_value && external) {
        withheld.push_back(key);
      } else {
        fields[key] = value;
      }
    }
  }
  if (!fields.empty()) data["fields"] = std::move(fields);
  if (!withheld.empty()) data["withheld"] = std::move(withheld);

  // Personal data by name, category by category: each carries the identity fields it lists
  // (definition::PersonalFieldsOf), never the CPR number, and never another scope's data.
  if (definition != nullptr) {
    const auto who = personal.fields.find(PersonalScope::kIdentity);
    for (const std::string& id : p.categories) {
      const definition::DataCategory* c = definition->FindCategory(id);
      const std::vector<std::string> names = definition::PersonalFieldsOf(*c);
      if (names.empty()) continue;
      if (personal.erased.count(PersonalScope::kIdentity)) {
        data[id] = {{"erased", true}};
        continue;
      }
      nlohmann::json out = nlohmann::json::object();
      for (const std::string& name : names) {
        if (name == "cpr" || who == personal.fields.end()) continue;
        if (const auto v = who->second.find(name); v != who->second.end() && v->is_string()) {
          out[name] = *v;
        }
      }
      p.personal = p.personal || !out.empty();
      data[id] = std::move(out);
    }
  }

  data["notice"] = BuildNotice(row, data, definition, contact_person, addressee);
  p.body = {{"type", "pathway.notification"},
            {"timestamp", codec::FormatIso8601(row.value("occurred_at", TimestampMs{0}))},
            {"data", std::move(data)}};
  return p;
}

}  // namespace pathways::notify
