// A pathway moved from AMIGO version 3, which kept a union referral and the union consent
// plain, to version 4, which seals them: from the move on they are in the special scope and
// nowhere in the plain state, and the pathway replays to what is stored.

#include <doctest/doctest.h>

#include <algorithm>

#include "engine/personal_view.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/loader.hpp"

namespace pathways {
namespace {

std::shared_ptr<const definition::Definition> Load(const std::string& file) {
  auto loaded =
      workflows::LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/" + file);
  REQUIRE(loaded.definition != nullptr);
  return loaded.definition;
}

TEST_CASE("moved to version 4, a union referral and consent kept plain are sealed") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto catalog = std::make_shared<definition::DefinitionCatalog>();
  catalog->Add(Load("amigo-v3.yaml"));
  auto store = testing::OpenWithDefinitions(tmp / "store", clock, catalog);
  int commands = 0;
  auto run = [&](runtime::Command command) {
    CommandRequest r;
    r.pathway_id = "pw-1";
    r.participant_id = "p-1";
    r.command_id = "cmd-" + std::to_string(++commands);
    r.actor = {"vejleder-1", "counsellor"};
    r.command = std::move(command);
    auto done = store->Execute(std::move(r));
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
  };
  run(runtime::RegisterLead{"union", nlohmann::json::object(), {}, "vejleder-1"});
  run(runtime::FireTrigger{"hold_intake", {{"age_at_entry", 30}, {"union_consent", true}}});
  auto before = store->LoadPathway("pw-1");
  REQUIRE(before.ok());
  CHECK((**before).data["referral_source"] == "union");  // version 3 kept it plain
  CHECK((**before).data["union_consent"] == true);

  auto v4 = Load("amigo.yaml");
  REQUIRE(v4->version == 4);
  catalog->Add(v4);
  std::map<std::string, std::string> mapping;
  for (const auto& s : catalog->Find("amigo", 3)->states) mapping[s.id] = s.id;
  run(runtime::MigratePathway{4, mapping});

  auto after = store->LoadPathway("pw-1");
  REQUIRE(after.ok());
  const runtime::PathwayState& s = **after;
  CHECK(s.definition_version == 4);
  CHECK_FALSE(s.data.contains("referral_source"));
  CHECK_FALSE(s.data.contains("union_consent"));
  Result<PersonalView> sealed = ReadPersonal(*store, "pw-1", {PersonalScope::kSpecial});
  REQUIRE(sealed.ok());
  CHECK(sealed->fields.at(PersonalScope::kSpecial) ==
        nlohmann::json({{"referral_source", "union"}, {"union_consent", true}}));
  // The move's own events do not say it plain again.
  auto last = store->ReadStream("pw-1", 1, 1000);
  REQUIRE(last.ok());
  const auto migrated =
      std::find_if(last->events.begin(), last->events.end(),
                   [](const RecordedEvent& e) { return e.type == "PathwayMigrated"; });
  REQUIRE(migrated != last->events.end());
  for (auto e = migrated; e != last->events.end(); ++e) {
    CHECK_MESSAGE(e->data.find("\"union\"") == std::string::npos, e->type);
    CHECK_MESSAGE(e->data.find("\"union_consent\":true") == std::string::npos, e->type);
  }
  CHECK(std::any_of(migrated, last->events.end(),
                    [](const RecordedEvent& e) { return e.type == "DataRecorded"; }));

  runtime::PathwayState replayed;
  for (const RecordedEvent& e : last->events) REQUIRE(runtime::Apply(replayed, e).ok());
  CHECK(replayed.ToJson().dump() == s.ToJson().dump());
}

}  // namespace
}  // namespace pathways
