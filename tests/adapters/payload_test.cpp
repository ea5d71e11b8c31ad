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

// Every scope at hand, as if a caller read them all: the builder takes only what each
// category names.
PersonalView Everything() {
  PersonalView v;
  v.fields[PersonalScope::kIdentity] = {{"name", "Maja Jensen"},
                                        {"cpr", "0101041234"},
                                        {"date_of_birth", "2004-01-01"},
                                        {"email", "maja@x.dk"},
                                        {"disability", "yes"}};
  v.fields[PersonalScope::kGuidance] = {{"barriers", {"reading"}}};
  v.fields[PersonalScope::kSpecial] = {
      {"referral_source", "union"}, {"union_consent", true}, {"minority", "yes"}};
  return v;
}

TEST_CASE("personal data is built field by field from what each category names") {
  const auto shipped = testing::AmigoCatalog()->Newest();
  const definition::Definition& amigo = *shipped;
  const PersonalView all = Everything();

  // KUI: the name (identity) and the date of birth (birth), nothing else of the identity.
  Payload kui = BuildPayload(Row("kui", {"identity", "birth", "status"}), &amigo, all);
  const nlohmann::json& d = kui.body["data"];
  CHECK(d["identity"] == nlohmann::json{{"name", "Maja Jensen"}});
  CHECK(d["birth"] == nlohmann::json{{"date_of_birth", "2004-01-01"}});
  CHECK(kui.personal);
  const std::string sent = kui.body.dump();
  for (const char* never : {"0101041234", "cpr", "maja@x.dk", "disability", "barriers", "reading",
                            "union", "minority"}) {
    CHECK_MESSAGE(sent.find(never) == std::string::npos, never);
  }
  // The referring authority asks for status only: no personal data at all.
  Payload status = BuildPayload(Row("referring_authority", {"status"}), &amigo, all);
  CHECK_FALSE(status.personal);
  CHECK(status.body.dump().find("Maja") == std::string::npos);
  // A category the party does not hold is dropped, whatever the request asks.
  Payload asked =
      BuildPayload(Row("referring_authority", {"status", "contract", "barriers"}), &amigo, all);
  CHECK(asked.categories == std::vector<std::string>{"status"});
  // Only the identity scope is ever read for a notice.
  CHECK(PersonalScopesFor({"identity", "birth", "status"}, &amigo) ==
        std::vector<PersonalScope>{PersonalScope::kIdentity});
  CHECK(PersonalScopesFor({"status"}, &amigo).empty());
  CHECK(PersonalScopesFor({"identity"}, nullptr).empty());
}

TEST_CASE("a union referral is never in the plain facts a partner receives") {
  const auto shipped = testing::AmigoCatalog()->Newest();
  const definition::Definition& amigo = *shipped;
  nlohmann::json row = Row("referring_authority", {"status"});
  row["data"]["referral_source"] = nullptr;  // sealed at registration
  row["data"]["campaign"] = "efterår";
  Payload out = BuildPayload(row, &amigo, Everything());
  CHECK_FALSE(out.body["data"]["fields"].contains("referral_source"));
  CHECK(out.body["data"]["fields"]["campaign"] == "efterår");
  CHECK(out.body.dump().find("Fagforening") == std::string::npos);
}

}  // namespace
}  // namespace pathways::notify
