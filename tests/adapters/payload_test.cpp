// What a party receives: milestones that say where the pathway is go with `status`; one filed
// under a category of its own (the SPS grant, health) only to a party given that category, so
// never to an external partner.

#include "adapters/notify/payload.hpp"

#include <doctest/doctest.h>

#include "tests/support/amigo_store.hpp"

namespace pathways::notify {
namespace {

nlohmann::json Row(const std::string& party, const std::vector<std::string>& categories) {
  return {{"notification_id", "pw-1:n3"},
          {"pathway_id", "pw-1"},
          {"participant_id", "p-1"},
          {"party", party},
          {"categories", categories},
          {"because", "trigger start_amu"},
          {"position", 7},
          {"state", "in_amu"},
          {"status", "active"},
          {"data", {{"track", "AMU"}, {"sps_applied", true}}},
          {"milestones",
           {{"intake_held", 1772442000000},
            {"sps_granted", 1772443000000},
            {"not_in_the_definition", 1772444000000}}}};
}

TEST_CASE("an SPS grant is told only with health, never with the pathway's status") {
  const auto shipped = testing::AmigoCatalog()->Newest();  // keeps the definition alive
  const definition::Definition& amigo = *shipped;
  const PersonalView nobody;

  Payload external = BuildPayload(Row("referring_authority", {"status", "track"}), &amigo, nobody);
  const nlohmann::json& out = external.body["data"];
  CHECK(out["milestones"].contains("intake_held"));
  CHECK_FALSE(out["milestones"].contains("sps_granted"));
  CHECK_FALSE(out["milestones"].contains("not_in_the_definition"));
  CHECK_FALSE(out["fields"].contains("sps_applied"));
  CHECK(out["fields"]["track"] == "AMU");
  CHECK(external.body.dump().find("sps") == std::string::npos);

  Payload internal = BuildPayload(Row("counsellor", {"status", "health"}), &amigo, nobody);
  CHECK(internal.body["data"]["milestones"].contains("sps_granted"));

  // Without the definition nothing says what a milestone reveals: none goes out.
  Payload unknown = BuildPayload(Row("referring_authority", {"status"}), nullptr, nobody);
  CHECK(unknown.body["data"]["milestones"].empty());
}

TEST_CASE("a dropout for health, family or money is withheld from every external party") {
  const auto shipped = testing::AmigoCatalog()->Newest();  // keeps the definition alive
  const definition::Definition& amigo = *shipped;
  const PersonalView nobody;
  for (const char* reason : {"health", "family", "finances"}) {
    CAPTURE(reason);
    nlohmann::json row = Row("referring_authority", {"status"});
    row["data"]["dropout_reason"] = reason;
    Payload external = BuildPayload(row, &amigo, nobody);
    CHECK(external.body.dump().find(reason) == std::string::npos);
    CHECK(external.body["data"]["withheld"] == nlohmann::json::array({"dropout_reason"}));
    row["party"] = "counsellor";  // the school's own people know
    CHECK(BuildPayload(row, &amigo, nobody).body["data"]["fields"]["dropout_reason"] == reason);
  }
  nlohmann::json row = Row("kui", {"status"});
  row["data"]["dropout_reason"] = "work";
  Payload told = BuildPayload(row, &amigo, nobody);
  CHECK(told.body["data"]["fields"]["dropout_reason"] == "work");
  CHECK_FALSE(told.body["data"].contains("withheld"));
}

}  // namespace
}  // namespace pathways::notify
