#include "tests/runtime/notice_leak_check.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "adapters/notify/email_text.hpp"
#include "adapters/notify/payload.hpp"
#include "engine/personal_view.hpp"

namespace pathways::testing {
namespace {

// What one notice must not contain: `in_body` as written in the webhook's JSON (a quoted key
// or value), `anywhere` in the body and every rendered text alike.
struct Forbidden {
  std::set<std::string> in_body;
  std::set<std::string> anywhere;
};

std::string Quoted(const std::string& word) { return '"' + word + '"'; }

void ForbidValue(Forbidden& f, const nlohmann::json& value) {
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    f.in_body.insert(Quoted(text));
    // Short codes ("yes") are too common as words to search for alone; their keys are.
    if (text.size() >= 5) f.anywhere.insert(text);
  }
}

// What the definition marks as never for an external party, whatever was recorded.
void ForbidByDefinition(Forbidden& f, const definition::Definition& def,
                        const definition::Party& party) {
  auto sensitive = [&](const std::string& category) {
    const definition::DataCategory* c = def.FindCategory(category);
    return c != nullptr && c->sensitive;
  };
  for (const auto& field : def.data) {
    for (const auto& v : field.sensitive_values) f.in_body.insert(Quoted(v));
    if (sensitive(field.category)) f.in_body.insert(Quoted(field.id));
    if (!party.consent.empty()) continue;  // its consent covers what it is
    for (const auto& v : field.special_values) {
      f.in_body.insert(Quoted(v));
      if (const auto words = field.values.find(v); words != field.values.end()) {
        f.anywhere.insert(words->second.da);
        f.anywhere.insert(words->second.en);
      }
    }
  }
  for (const auto& m : def.milestones) {
    if (!m.category.empty() && sensitive(m.category)) f.in_body.insert(Quoted(m.id));
  }
  for (const auto& b : def.barriers) {
    for (const std::string& word : {b.id, b.label.da, b.label.en}) f.in_body.insert(Quoted(word));
  }
}

// What the pathway's sealed data holds that this party may not see.
void ForbidPersonal(Forbidden& f, const definition::Definition& def, const definition::Party& party,
                    const PersonalView& view, const std::vector<std::string>& received) {
  std::set<std::string> shareable;
  for (const std::string& category : received) {
    if (const definition::DataCategory* c = def.FindCategory(category)) {
      for (const std::string& field : definition::PersonalFieldsOf(*c)) shareable.insert(field);
    }
  }
  std::set<std::string> own;  // the consent party's own: its consent, and membership
  if (!party.consent.empty()) {
    own.insert(party.consent);
    for (const auto& field : def.data) {
      if (!field.special_values.empty()) own.insert(field.id);
    }
  }
  for (const auto& [scope, fields] : view.fields) {
    for (const auto& [key, value] : fields.items()) {
      if (scope == PersonalScope::kIdentity) {
        if (shareable.count(key) != 0) continue;
        ForbidValue(f, value);
        if (value.is_string()) f.anywhere.insert(value.get<std::string>());
        continue;
      }
      if (own.count(key) != 0) continue;
      // A plain field's name (referral_source) may go with its plain values; the sealed
      // value never does.
      if (def.FindField(key) == nullptr) f.in_body.insert(Quoted(key));
      ForbidValue(f, value);
    }
  }
  f.in_body.insert(Quoted("cpr"));
  f.anywhere.insert("CPR");
}

std::vector<std::string> Rendered(const notify::Payload& payload) {
  static const notify::EmailTemplates templates;
  std::vector<std::string> out = {payload.body.dump()};
  for (const char* language : {"da", "en"}) {
    const notify::EmailText words = templates.Render(payload, language);
    for (const std::string* text : {&words.subject, &words.text, &words.html, &words.sms}) {
      out.push_back(*text);
    }
  }
  return out;
}

}  // namespace

std::size_t CheckExternalNotices(storage::RocksEventStore& store,
                                 const definition::DefinitionCatalog& catalog) {
  auto rows = store.ReadOutbox(0, 1'000'000);
  REQUIRE(rows.ok());
  std::size_t checked = 0;
  for (const auto& entry : *rows) {
    // Not a structured binding: clang 14 refuses them in the lambdas below.
    const std::uint64_t position = entry.first;
    const nlohmann::json& row = entry.second;
    const nlohmann::json ref = row.value("definition", nlohmann::json::object());
    auto def = catalog.Find(ref.value("id", ""), ref.value("version", 0u));
    REQUIRE(def != nullptr);
    const definition::Party* party = def->FindParty(row.value("party", ""));
    if (party == nullptr || !party->external) continue;

    // Every scope at hand: the builder must pick, not the caller.
    auto view =
        ReadPersonal(store, row.value("pathway_id", ""),
                     {PersonalScope::kIdentity, PersonalScope::kGuidance, PersonalScope::kSpecial});
    REQUIRE_MESSAGE(view.ok(), view.status().ToString());
    const notify::Payload payload = notify::BuildPayload(row, def.get(), *view);

    Forbidden forbidden;
    ForbidByDefinition(forbidden, *def, *party);
    ForbidPersonal(forbidden, *def, *party, *view, payload.categories);
    const std::vector<std::string> sent = Rendered(payload);
    for (std::size_t i = 0; i < sent.size(); ++i) {
      const std::string what = i == 0 ? "body" : "e-mail or SMS";
      for (const std::string& word : forbidden.anywhere) {
        CHECK_MESSAGE(sent[i].find(word) == std::string::npos,
                      "the notice at " << position << " to " << party->id << " (" << what
                                       << ") names " << word);
      }
      if (i != 0) continue;
      for (const std::string& word : forbidden.in_body) {
        CHECK_MESSAGE(
            sent[i].find(word) == std::string::npos,
            "the notice at " << position << " to " << party->id << " (body) names " << word);
      }
    }
    ++checked;
  }
  return checked;
}

}  // namespace pathways::testing
