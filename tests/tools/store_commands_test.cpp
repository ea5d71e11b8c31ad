// The store's commands a user runs on a pathway's history: replay as of a time, migrate to
// another version, the ESF+ report from a store.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/amigo_store.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

using testing::Pathways;
using testing::Run;

TEST_CASE("replay: the state as of a time and the steps that led there") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  {
    auto store = testing::OpenWithDefinitions(tmp / "store", clock);
    int n = 0;
    auto run = [&](runtime::Command c) {
      CommandRequest r;
      r.pathway_id = "pw-1";
      r.participant_id = "p-1";
      r.command_id = "c" + std::to_string(++n);
      r.actor = {"vejleder-1", "counsellor"};
      r.command = std::move(c);
      REQUIRE(store->Execute(std::move(r)).ok());
    };
    run(runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
    run(runtime::AssignContactPerson{"vejleder-1"});
    clock.Advance(3'600'000);
    CommandRequest early;
    early.pathway_id = "pw-1";
    early.command_id = "too-early";
    early.actor = {"vejleder-2", "counsellor"};
    early.command = runtime::FireTrigger{"enrol", nlohmann::json::object()};
    REQUIRE(store->Execute(early).status().code() == StatusCode::kRejected);
    clock.Advance(86'400'000);  // the next day
    run(runtime::FireTrigger{"hold_intake", {{"age_at_entry", 33}}});
  }
  Run now = Pathways("replay --data " + (tmp / "store") + " --pathway pw-1");
  CHECK(now.exit_code == 0);
  CHECK(now.out.find("state intake, status active") != std::string::npos);
  CHECK(now.out.find("hold_intake: lead -> intake  guards: contact_person_assigned=true  by "
                     "vejleder-1 (counsellor)") != std::string::npos);
  // The refusal stands where it happened: after the assignment, before the intake.
  const std::size_t refusal = now.out.find("REFUSED FireTrigger enrol in state lead: ");
  CHECK(refusal != std::string::npos);
  CHECK(now.out.find("by vejleder-2 (counsellor)", refusal) != std::string::npos);
  CHECK(refusal > now.out.find("ContactPersonAssigned"));
  CHECK(refusal < now.out.find("hold_intake: lead -> intake"));

  Run before =
      Pathways("replay --data " + (tmp / "store") + " --pathway pw-1 --as-of 2026-03-02T12:00:00Z");
  CHECK(before.out.find("state lead, status active") != std::string::npos);
  CHECK(before.out.find("hold_intake: lead -> intake") == std::string::npos);
  CHECK(before.out.find("REFUSED") != std::string::npos);  // 09:00, before noon

  Run json = Pathways("replay --json --data " + (tmp / "store") + " --pathway pw-1");
  auto parsed = nlohmann::json::parse(json.out);
  CHECK(parsed["state"]["state"] == "intake");
  CHECK(parsed["history"].size() > 3);
  REQUIRE(parsed["rejections"].size() == 1);
  CHECK(parsed["rejections"][0]["command_id"] == "too-early");

  CHECK(Pathways("replay --data " + (tmp / "store") + " --pathway pw-1 --as-of soon 2>&1")
            .exit_code == 2);
  Run missing = Pathways("replay --data " + (tmp / "store") + " --pathway nobody 2>&1");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("has no events") != std::string::npos);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

using testing::Pathways;
using testing::Run;

TEST_CASE("migrate: a dry run lists what would move, then the pathways move") {
  // Pathways started on the shipped version 1 move to the shipped version 2.
  testing::TempDir tmp;
  const std::string v1 = std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo-v1.yaml";
  const std::string v2 = std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo-v2.yaml";
  {
    auto loaded = workflows::LoadDefinitionFile(v1);
    REQUIRE(loaded.definition != nullptr);
    REQUIRE(loaded.definition->version == 1);
    auto catalog = std::make_shared<definition::DefinitionCatalog>();
    catalog->Add(loaded.definition);
    ManualClock clock(testing::kTestEpochMs);
    auto store = testing::OpenWithDefinitions(tmp / "store", clock, catalog);
    for (const char* id : {"pw-a", "pw-b"}) {
      CommandRequest r;
      r.pathway_id = id;
      r.participant_id = std::string("p-") + id;
      r.command_id = std::string("lead-") + id;
      r.actor = {"vejleder-1", "counsellor"};
      r.command = runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""};
      REQUIRE(store->Execute(std::move(r)).ok());
    }
  }
  const std::string base = "migrate --data " + (tmp / "store") + " --workflow " + v1 +
                           " --workflow " + v2 + " --from-version 1 --to-version 2";
  Run unmapped = Pathways(base + " --dry-run --map lead=lead 2>&1");
  CHECK(unmapped.exit_code == 1);
  CHECK(unmapped.out.find("refused pw-a: the mapping leaves states unmapped: intake") !=
        std::string::npos);

  Run dry = Pathways(base + " --dry-run --map-same-names");
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("would move pw-a: lead -> lead") != std::string::npos);
  CHECK(dry.out.find("would move 2 pathways from amigo version 1 to 2; 0 refused") !=
        std::string::npos);

  Run real = Pathways(base + " --map-same-names");
  CHECK(real.exit_code == 0);
  CHECK(real.out.find("moved 2 pathways") != std::string::npos);
  Run again = Pathways(base + " --map-same-names");
  CHECK(again.out.find("moved 0 pathways") != std::string::npos);
  Run replay = Pathways("replay --data " + (tmp / "store") + " --pathway pw-b");
  CHECK(replay.out.find("on amigo version 2") != std::string::npos);
  CHECK(Pathways("verify --data " + (tmp / "store")).exit_code == 0);
}

TEST_CASE("migrate: the demo store, seeded on version 1, moves to version 2 whole") {
  // The demo as a first run of an older release left it: the shipped config with only
  // amigo-v1.yaml, participants spread over the pathway.
  testing::TempDir tmp;
  std::filesystem::copy(std::string(PATHWAYS_SOURCE_DIR) + "/config", tmp / "config",
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove(tmp / "config/workflows/amigo.yaml");
  std::filesystem::remove(tmp / "config/workflows/amigo-v2.yaml");
  std::filesystem::remove(tmp / "config/workflows/amigo-v3.yaml");
  // Nor had it reports (their indicators read later versions' fields).
  std::string server;
  REQUIRE(workflows::ReadWholeFile(tmp / "config/pathways.yaml", server));
  const std::size_t reports = server.find("\nreports:");
  REQUIRE(reports != std::string::npos);
  server.erase(reports + 1, server.find('\n', reports + 1) - reports);
  std::ofstream(tmp / "config/pathways.yaml", std::ios::trunc) << server;
  // Nor did its notifications file know the participant, a party since version 2 (the last
  // entry of the file).
  std::string notifications;
  REQUIRE(workflows::ReadWholeFile(tmp / "config/notifications.yaml", notifications));
  const std::size_t participant = notifications.find("\n  # The participant");
  REQUIRE(participant != std::string::npos);
  std::ofstream(tmp / "config/notifications.yaml") << notifications.substr(0, participant + 1);
  std::filesystem::create_directories(tmp / "var");
  {
    testing::ServerProcess server(PATHWAYS_BIN, {"--config", tmp / "config/pathways.yaml"});
    server.Signal(SIGTERM);
    CHECK(server.Wait() == 0);
  }
  const std::string store = tmp / "var/store";
  const std::string base = "migrate --data " + store + " --workflow " + PATHWAYS_SOURCE_DIR +
                           "/config/workflows --from-version 1 --to-version 2 --map-same-names";
  Run dry = Pathways(base + " --dry-run");
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("would move 36 pathways from amigo version 1 to 2; 0 refused") !=
        std::string::npos);
  Run real = Pathways(base);
  CHECK(real.exit_code == 0);
  CHECK(real.out.find("moved 36 pathways from amigo version 1 to 2; 0 refused") !=
        std::string::npos);
  CHECK(Pathways(base + " --dry-run").out.find("would move 0 pathways") != std::string::npos);
  CHECK(Pathways("verify --data " + store).exit_code == 0);
  Run replay = Pathways("replay --data " + store + " --pathway demo-36");
  CHECK(replay.out.find("on amigo version 2") != std::string::npos);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

using testing::Pathways;
using testing::Run;

TEST_CASE("report esf: the indicators from a store, as JSON and CSV, as of a day or position") {
  testing::TempDir tmp;
  std::uint64_t lead_only = 0;
  {
    ManualClock clock(testing::kTestEpochMs);  // Monday 2 March 2026
    auto store = testing::OpenWithDefinitions(tmp / "store", clock);
    int n = 0;
    auto run = [&](runtime::Command command) {
      CommandRequest r;
      r.pathway_id = "pw-1";
      r.participant_id = "p-1";
      r.command_id = "c" + std::to_string(++n);
      r.actor = {"anne", "counsellor"};
      r.command = std::move(command);
      REQUIRE(store->Execute(std::move(r)).ok());
    };
    runtime::RegisterLead lead;
    lead.referral_source = "jobcenter";
    lead.contact_person = "anne";
    lead.personal[PersonalScope::kIdentity] = {{"date_of_birth", "1970-01-01"}};
    run(lead);
    lead_only = store->Head().position;
    clock.Advance(2LL * 24 * 3600 * 1000);
    run(runtime::FireTrigger{"record_entry",
                             {{"gender", "man"},
                              {"employment_status", "inactive"},
                              {"education_level", "isced_3_4"},
                              {"household", "other"},
                              {"homeless", "yes"}}});
    run(runtime::FireTrigger{"hold_intake", nlohmann::json::object()});
  }
  const std::string base = "report esf --data " + (tmp / "store") + " --workflow " +
                           PATHWAYS_SOURCE_DIR + "/config/workflows --reports " +
                           PATHWAYS_SOURCE_DIR + "/config/reports.yaml";
  Run json = Pathways(base + " 2>&1");
  REQUIRE_MESSAGE(json.exit_code == 0, json.out);
  const nlohmann::json j = nlohmann::json::parse(json.out);
  CHECK(j["indicators"][0]["by"]["man"]["count"] == 1);
  CHECK(j["indicators"][7]["code"] == "EECO08");  // 56 at entry
  CHECK(j["indicators"][7]["total"]["count"] == 1);
  CHECK(j["indicators"][15]["code"] == "EECO16");  // sealed, read with the master key
  CHECK(j["indicators"][15]["total"]["count"] == 1);

  // As of the end of the day of registration (before the initial guidance), and as of the
  // lead's position: no participants yet.
  for (const std::string& at : {std::string("2026-03-02"), std::to_string(lead_only)}) {
    Run then = Pathways(base + " --at " + at);
    REQUIRE_MESSAGE(then.exit_code == 0, then.out);
    CHECK(nlohmann::json::parse(then.out)["position"] == lead_only);
    CHECK(nlohmann::json::parse(then.out)["indicators"][0]["total"]["count"] == 0);
  }
  Run csv = Pathways(base + " --format csv --lang en --from 2026-03-01 --to 2026-03-31");
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.starts_with("code,label,at,Woman,Man,Non-binary,total\n"));
  CHECK(csv.out.find("\nEECO04,Inactive,entry,0,1,0,1\n") != std::string::npos);

  const std::string project = "report project --data " + (tmp / "store") + " --workflow " +
                              PATHWAYS_SOURCE_DIR + "/config/workflows --reports " +
                              PATHWAYS_SOURCE_DIR + "/config/reports.yaml";
  Run figures = Pathways(project + " 2>&1");
  REQUIRE_MESSAGE(figures.exit_code == 0, figures.out);
  const nlohmann::json p = nlohmann::json::parse(figures.out);
  CHECK(p["as_of"] == "2026-03-04T08:00:00.000Z");  // the time of the last event
  CHECK(p["funnel"][0]["reached"] == 1);
  CHECK(p["forecast"]["days_left"] > 400);

  Run bad = Pathways(base + " --at soon 2>&1");
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("--at is a log position or a day YYYY-MM-DD") != std::string::npos);
  CHECK(Pathways(base + " --at 999 2>&1").out.find("past the log's head") != std::string::npos);
  const std::string broken = tmp / "reports.yaml";
  std::ofstream(broken) << "definition: amigo\nindicators: {}\n";
  Run refused = Pathways("report esf --data " + (tmp / "store") + " --workflow " +
                         PATHWAYS_SOURCE_DIR + "/config/workflows --reports " + broken + " 2>&1");
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.find(broken + ":2:13: error: indicators is a list") != std::string::npos);
}

}  // namespace
}  // namespace pathways
