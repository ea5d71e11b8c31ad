// The company links: each participant's pathway under its employer and under the company whose
// visit brought the lead, written with the commands that change them and rebuilt when a store
// of an older format is opened for writing.

#include <doctest/doctest.h>

#include "engine/storage/store_format.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

constexpr const char* kBrewery = "12345674";
constexpr const char* kSmithy = "20000007";

int commands = 0;

void Ok(storage::RocksEventStore& store, const std::string& pathway, runtime::Command command) {
  CommandRequest r;
  r.pathway_id = pathway;
  r.participant_id = "p-" + pathway;
  r.command_id = "links-" + std::to_string(++commands);
  r.actor = {"vejleder-1", "counsellor"};
  r.command = std::move(command);
  auto done = store.Execute(std::move(r));
  REQUIRE_MESSAGE(done.ok(), done.status().ToString());
}

// "pathway:employed/referred" for each link of `cvr`, in pathway order.
std::vector<std::string> Links(storage::RocksEventStore& store, const std::string& cvr) {
  auto links = store.CompanyLinks(cvr, 100);
  REQUIRE_MESSAGE(links.ok(), links.status().ToString());
  std::vector<std::string> out;
  for (const CompanyLink& l : *links) {
    out.push_back(l.pathway_id + ":" + (l.employed ? "e" : "") + (l.referred ? "r" : ""));
  }
  return out;
}

runtime::RecordEmployer Employer(const char* cvr) {
  runtime::RecordEmployer e;
  e.name = "Virksomhed " + std::string(cvr);
  e.cvr = cvr;
  e.contact = "Mester";
  e.email = "mester@example.dk";
  e.sme = true;
  e.reason = "ansat";
  return e;
}

void Lead(storage::RocksEventStore& store, const std::string& pathway, std::string company) {
  runtime::RegisterLead lead;
  lead.referral_source = "company_visit";
  lead.company = std::move(company);
  Ok(store, pathway, lead);
}

TEST_CASE("company links follow the employer and the company that brought the lead") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = testing::OpenWithDefinitions(tmp / "store", clock);
  Lead(*store, "pw-1", kBrewery);
  Lead(*store, "pw-2", "");
  CHECK(Links(*store, kBrewery) == std::vector<std::string>{"pw-1:r"});

  Ok(*store, "pw-1", Employer(kBrewery));
  Ok(*store, "pw-2", Employer(kBrewery));
  CHECK(Links(*store, kBrewery) == std::vector<std::string>{"pw-1:er", "pw-2:e"});
  CHECK(Links(*store, kSmithy).empty());

  // A new employer moves the link; the referral stays where the lead came from.
  Ok(*store, "pw-1", Employer(kSmithy));
  CHECK(Links(*store, kBrewery) == std::vector<std::string>{"pw-1:r", "pw-2:e"});
  CHECK(Links(*store, kSmithy) == std::vector<std::string>{"pw-1:e"});
  CHECK(store->CompanyLinks("bad\x01id", 10).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a store of format 6 gets its company links from the state rows when opened to write") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  {
    auto store = testing::OpenWithDefinitions(tmp / "store", clock);
    Lead(*store, "pw-1", kBrewery);
    Ok(*store, "pw-2",
       runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, "", "", ""});
    Ok(*store, "pw-2", Employer(kBrewery));
  }
  {
    // What a build of format 6 left: no links, the store marked 6.
    testing::RawDb raw(tmp / "store");
    raw.Clear(storage::cf::kCompanyLinks);
    raw.SetFormatVersion(6);
  }
  {
    auto store = testing::OpenWithDefinitions(tmp / "store", clock);
    CHECK(Links(*store, kBrewery) == std::vector<std::string>{"pw-1:r", "pw-2:e"});
  }
  testing::RawDb raw(tmp / "store");
  const std::string version =
      raw.Get(storage::cf::kMeta, std::string(storage::meta::kFormatVersion));
  CHECK(static_cast<unsigned char>(version[0]) == storage::kStoreFormatVersion);
}

}  // namespace
}  // namespace pathways
