// Company definitions (`kind: company`): the shipped one loads with its code lists, the
// catalogue keeps a default of each kind whatever the order of the files, and each problem of
// a company definition is reported at its line.

#include <doctest/doctest.h>

#include <algorithm>

#include "engine/definition/catalog.hpp"
#include "tests/workflows/load_messages.hpp"
#include "workflows/loader.hpp"

namespace pathways::workflows {
namespace {

const std::string kCompany = R"(id: firms
kind: company
version: 1
parties:
  team_lead: {label: Teamleder, external: false, categories: [status]}
categories:
  status: {label: {da: Status, en: Status}}
states:
  - {id: identified, label: {da: Identificeret, en: Identified}}
  - {id: contacted, label: {da: Kontaktet, en: Contacted}, terminal: true}
transitions:
  - {trigger: make_contact, from: identified, to: contacted}
industries:
  "25": {da: Metalvarer, en: Metal products}
  "4321": {da: El-installation, en: Electrical installation}
green:
  green_jobs: {da: Grønne jobs, en: Green jobs}
)";

using testing::Has;
using testing::Replace;

// The problems of a company definition loaded as firms.yaml.
std::vector<std::string> Problems(const std::string& yaml) {
  return testing::Messages(yaml, "firms.yaml");
}

TEST_CASE("the shipped company definition loads with its industries and green tags") {
  LoadResult r =
      LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/company.yaml");
  REQUIRE_MESSAGE(r.definition != nullptr,
                  (r.diagnostics.empty() ? "" : r.diagnostics[0].ToString()));
  const definition::Definition& d = *r.definition;
  CHECK(d.kind == definition::Kind::kCompany);
  CHECK(d.industries.size() == 88);  // DB07's main groups
  CHECK(d.industries.at("01").da == "Plante- og husdyravl, jagt og service");
  CHECK(d.green_tags.count("green_competences") == 1);
  for (const auto& party : d.parties) CHECK_FALSE(party.external);
  // The dialogue the issue asks for: a decline with a reason from a code list, a dormant spell.
  CHECK(d.FindField("decline_reason")->allowed ==
        std::vector<std::string>{"cannot_release_staff", "no_need", "bad_timing", "other"});
  CHECK(d.FindState("dormant") != nullptr);
  CHECK(d.ToJson()["kind"] == "company");
}

TEST_CASE("the catalogue keeps a default definition of each kind, whatever the order") {
  LoadResult company = LoadDefinition(kCompany, "firms.yaml");
  REQUIRE(company.definition != nullptr);
  LoadResult amigo =
      LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml");
  REQUIRE(amigo.definition != nullptr);
  for (bool company_first : {true, false}) {
    definition::DefinitionCatalog catalog;
    if (company_first) catalog.Add(company.definition);
    catalog.Add(amigo.definition);
    if (!company_first) catalog.Add(company.definition);
    CHECK(catalog.Newest()->id == "amigo");
    CHECK(catalog.NewestOfKind(definition::Kind::kCompany)->id == "firms");
    CHECK(catalog.NewestOfKind(definition::Kind::kParticipant)->id == "amigo");
  }
  // A participant's definition never carries a kind in its hash: the hashes of the files
  // written before company definitions stay.
  CHECK_FALSE(amigo.definition->ToJson().contains("kind"));
}

TEST_CASE("a company definition's problems are reported at their lines") {
  CHECK(Problems(kCompany).empty());
  CHECK(Has(Problems(Replace(kCompany, "kind: company", "kind: firm")),
            "firms.yaml:2:7: error: kind is `participant` (the default) or `company`, not `firm`"));
  CHECK(Has(Problems(Replace(kCompany, "  \"4321\":", "  \"43a1\":")),
            "firms.yaml:15:3: error: industry `43a1` is not a DB07 code"));
  CHECK(Has(Problems(Replace(kCompany, "external: false", "external: true")),
            "party team_lead is external: a company's notices stay in the school"));
  const std::string without_industries =
      kCompany.substr(0, kCompany.find("industries:")) + "green:\n  green_jobs: {da: G, en: G}\n";
  CHECK(Has(Problems(without_industries), "a company's definition needs `industries`"));
  CHECK(Has(Problems(kCompany + "barriers:\n  dyslexia: {label: {da: Ordblind, en: Dyslexia}}\n"),
            "a company's definition has no `barriers`"));
  // The code lists belong to a company's definition only.
  CHECK(Has(Problems(Replace(kCompany, "kind: company\n", "")),
            "`industries` belongs to a company's definition (`kind: company`)"));
}

}  // namespace
}  // namespace pathways::workflows
