#include "adapters/notify/payload.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "engine/codec/event_json.hpp"

namespace pathways::notify {
namespace {

constexpr std::array<std::string_view, 4> kContactFields = {"email", "phone", "mobile", "address"};

bool IsContactField(const std::string& key) {
  return std::find(kContactFields.begin(), kContactFields.end(), key) != kContactFields.end();
}

bool Has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string Text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<PersonalScope> PersonalScopesFor(const std::vector<std::string>& categories) {
  if (Has(categories, "identity") || Has(categories, "contact")) return {PersonalScope::kIdentity};
  return {};
}

Payload BuildPayload(const nlohmann::json& row, const definition::Definition* definition,
                     const PersonalView& personal, const ContactPerson* contact_person) {
  Payload p;
  const nlohmann::json requested = row.value("categories", nlohmann::json::array());
  for (const auto& c : requested) {
    if (c.is_string()) p.categories.push_back(c.get<std::string>());
  }
  nlohmann::json data = {{"notification_id", Text(row, "notification_id")},
                         {"pathway_id", Text(row, "pathway_id")},
                         {"participant_id", Text(row, "participant_id")},
                         {"party", Text(row, "party")},
                         {"because", Text(row, "because")},
                         {"position", row.value("position", std::uint64_t{0})},
                         {"categories", p.categories}};
  if (const auto def = row.find("definition"); def != row.end()) data["definition"] = *def;
  if (definition != nullptr) {
    for (const auto& party : definition->parties) {
      if (party.id == Text(row, "party")) {
        data["party_label"] = {{"da", party.label.da}, {"en", party.label.en}};
      }
    }
  }

  const std::string state = Text(row, "state");
  if (Has(p.categories, "status")) {
    nlohmann::json s = {{"id", state}};
    if (definition != nullptr) {
      if (const definition::State* st = definition->FindState(state)) {
        s["label"] = {{"da", st->label.da}, {"en", st->label.en}};
        s["phase"] = st->phase;
      }
    }
    data["state"] = std::move(s);
    data["status"] = Text(row, "status");
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
    bool external = true;
    for (const auto& party : definition->parties) {
      if (party.id == Text(row, "party")) external = party.external;
    }
    const nlohmann::json plain = row.value("data", nlohmann::json::object());
    for (const auto& [key, value] : plain.items()) {
      const definition::DataField* f = definition->FindField(key);
      if (f == nullptr || f->category.empty() || !Has(p.categories, f->category)) continue;
      bool sensitive = false;
      for (const auto& cat : definition->categories) {
        if (cat.id == f->category) sensitive = cat.sensitive;
      }
      if (sensitive) continue;
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

  const bool identity = Has(p.categories, "identity");
  const bool contact = Has(p.categories, "contact");
  if (identity || contact) {
    if (personal.erased.count(PersonalScope::kIdentity)) {
      if (identity) data["identity"] = {{"erased", true}};
      if (contact) data["contact"] = {{"erased", true}};
    } else {
      nlohmann::json who = nlohmann::json::object();
      nlohmann::json reach = nlohmann::json::object();
      if (auto it = personal.fields.find(PersonalScope::kIdentity); it != personal.fields.end()) {
        for (const auto& [key, value] : it->second.items()) {
          (IsContactField(key) ? reach : who)[key] = value;
        }
      }
      if (identity) {
        p.personal = p.personal || !who.empty();
        data["identity"] = std::move(who);
      }
      if (contact) {
        p.personal = p.personal || !reach.empty();
        data["contact"] = std::move(reach);
      }
    }
  }

  data["notice"] = BuildNotice(row, data, definition, contact_person);
  p.body = {{"type", "pathway.notification"},
            {"timestamp", codec::FormatIso8601(row.value("occurred_at", TimestampMs{0}))},
            {"data", std::move(data)}};
  return p;
}

}  // namespace pathways::notify
