// Retention under the ESF rules on a real store: an erasure asked for before the audit end
// erases the guidance data at once and keeps the identity data for the auditors only; the
// sweep erases it when the audit end's day is over; after it everything goes at once.

#include "adapters/app/retention.hpp"

#include <doctest/doctest.h>

#include <future>

#include "adapters/app/workspace.hpp"
#include "engine/personal_view.hpp"
#include "engine/runtime/calendar.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways::app {
namespace {

using config::Role;

struct RetentionFixture {
  RetentionFixture()
      : clock(testing::kTestEpochMs),
        catalog(testing::AmigoCatalog()),
        store(testing::OpenWithDefinitions(tmp / "store", clock, catalog)),
        workspace({store.get(), catalog, &clock, &users}) {}

  // A lead of participant `participant` with a name and a note.
  void Lead(const std::string& pathway, const std::string& participant) {
    CommandRequest r;
    r.pathway_id = pathway;
    r.participant_id = participant;
    r.command_id = "lead-" + pathway;
    r.actor = {"anne", "counsellor"};
    r.command = runtime::RegisterLead{"jobcenter",
                                      nlohmann::json::object(),
                                      {{PersonalScope::kIdentity, {{"name", "Maja Jensen"}}},
                                       {PersonalScope::kGuidance, {{"note", "ordblind"}}}},
                                      "anne",
                                      ""};
    REQUIRE(store->Execute(std::move(r)).ok());
  }
  PersonalView Read(const std::string& pathway) {
    Result<PersonalView> v =
        ReadPersonal(*store, pathway,
                     {PersonalScope::kIdentity, PersonalScope::kGuidance, PersonalScope::kSpecial});
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    return std::move(*v);
  }
  // What the workspace shows `user` of the pathway's identity.
  nlohmann::json IdentityFor(const std::string& user, const std::string& pathway) {
    std::promise<Result<Workspace::PersonalRead>> done;
    workspace.ReadPersonal(
        users.at(user), pathway, "revision",
        [&](Result<Workspace::PersonalRead> r) { done.set_value(std::move(r)); });
    Result<Workspace::PersonalRead> read = done.get_future().get();
    REQUIRE(read.ok());
    auto it = read->view.fields.find(PersonalScope::kIdentity);
    return it == read->view.fields.end() ? nlohmann::json() : it->second;
  }
  ErasureRequest Request(const std::string& participant, const std::string& command) {
    return {participant, command, {"admin", "administrator"}, "the participant asked"};
  }

  testing::TempDir tmp;
  ManualClock clock;
  std::shared_ptr<definition::DefinitionCatalog> catalog;
  std::unique_ptr<storage::RocksEventStore> store;
  std::map<std::string, config::User> users = {
      {"anne", {"anne", "Anne Holm", Role::kCounsellor, "", "", ""}},
      {"admin", {"admin", "Admin", Role::kAdministrator, "", "", ""}},
      {"revisor", {"revisor", "Revisor", Role::kAuditor, "", "", ""}}};
  Workspace workspace;
};

// Noon of a day, Danish time.
TimestampMs Noon(const std::string& day) {
  TimestampMs at = 0;
  REQUIRE(runtime::ParseDate(day, at));
  return at + 12 * 3'600'000;
}

TEST_CASE("retention: before the audit end the identity is kept for auditors, then erased") {
  RetentionFixture f;
  f.Lead("pw-1", "p-1");
  const std::string audit_end = "2026-12-31";

  Result<ErasureOutcome> asked =
      RequestErasure(*f.store, audit_end, f.clock.NowMs(), f.Request("p-1", "erase-1"));
  REQUIRE_MESSAGE(asked.ok(), asked.status().ToString());
  CHECK(asked->erased == std::vector<PersonalScope>{PersonalScope::kGuidance});
  CHECK(asked->restricted ==
        std::vector<PersonalScope>{PersonalScope::kIdentity, PersonalScope::kSpecial});
  CHECK(asked->until == audit_end);

  // Guidance is gone; the identity is kept apart from what readers get.
  PersonalView view = f.Read("pw-1");
  CHECK(view.erased == std::set<PersonalScope>{PersonalScope::kGuidance});
  CHECK(view.fields.count(PersonalScope::kIdentity) == 0);
  CHECK(view.restricted_until.at(PersonalScope::kIdentity) == audit_end);
  CHECK(view.restricted.at(PersonalScope::kIdentity)["name"] == "Maja Jensen");
  // Through the workspace: the auditor reads it, the administrator and counsellor do not.
  CHECK(f.IdentityFor("revisor", "pw-1")["name"] == "Maja Jensen");
  CHECK(f.IdentityFor("admin", "pw-1").is_null());
  CHECK(f.IdentityFor("anne", "pw-1").is_null());

  // Sent again (a retry): nothing twice.
  REQUIRE(RequestErasure(*f.store, audit_end, f.clock.NowMs(), f.Request("p-1", "erase-1")).ok());
  Result<std::vector<Restriction>> listed = Restrictions(*f.store);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].participant_id == "p-1");
  CHECK((*listed)[0].until == audit_end);
  CHECK((*listed)[0].actor.user == "admin");
  CHECK_FALSE((*listed)[0].erased_at.has_value());

  // On the audit end's own day nothing happens; half an hour after its midnight (Danish time),
  // the identity goes.
  CHECK(EraseExpired(*f.store, Noon(audit_end)).value() == 0);
  CHECK(f.Read("pw-1").restricted.count(PersonalScope::kIdentity) == 1);
  const TimestampMs after = Noon(audit_end) + 12 * 3'600'000 + 30 * 60'000;
  CHECK(runtime::DayNumber(after) > runtime::DayNumber(Noon(audit_end)));
  CHECK(EraseExpired(*f.store, after).value() == 1);
  view = f.Read("pw-1");
  CHECK(view.erased.count(PersonalScope::kIdentity) == 1);
  CHECK(view.restricted.empty());
  CHECK(view.restricted_until.empty());
  CHECK(f.IdentityFor("revisor", "pw-1").is_null());
  listed = Restrictions(*f.store);
  REQUIRE(listed.ok());
  REQUIRE((*listed)[0].erased_at.has_value());
  CHECK(*(*listed)[0].erased_at == f.clock.NowMs());  // the store's clock stamped the erasure
  // Done once: the next sweep has nothing to do.
  CHECK(EraseExpired(*f.store, after + 86'400'000).value() == 0);
}

TEST_CASE("retention: after the audit end, or with none, everything is erased at once") {
  RetentionFixture f;
  f.Lead("pw-1", "p-1");
  f.Lead("pw-2", "p-2");
  Result<ErasureOutcome> late =
      RequestErasure(*f.store, "2025-12-31", f.clock.NowMs(), f.Request("p-1", "erase-1"));
  REQUIRE(late.ok());
  CHECK(late->erased.size() == 3);  // the guidance, identity and special scopes
  CHECK(late->restricted.empty());
  CHECK(f.Read("pw-1").erased.size() == 2);  // the scopes it had data in
  Result<ErasureOutcome> none =
      RequestErasure(*f.store, "", f.clock.NowMs(), f.Request("p-2", "erase-2"));
  REQUIRE(none.ok());
  CHECK(f.Read("pw-2").erased.size() == 2);
  CHECK(Restrictions(*f.store).value().empty());
}

TEST_CASE("retention: a bad request changes nothing") {
  RetentionFixture f;
  f.Lead("pw-1", "p-1");
  const std::uint64_t head = f.store->Head().position;
  Result<ErasureOutcome> unknown =
      RequestErasure(*f.store, "2026-12-31", f.clock.NowMs(), f.Request("p-9", "erase-9"));
  CHECK(unknown.status().code() == StatusCode::kNotFound);
  CHECK(RequestErasure(*f.store, "2026-13-40", f.clock.NowMs(), f.Request("p-1", "erase-1"))
            .status()
            .code() == StatusCode::kInvalidArgument);
  CHECK(RequestErasure(*f.store, "2026-12-31", f.clock.NowMs(), f.Request("p-1", ""))
            .status()
            .code() == StatusCode::kInvalidArgument);
  CHECK(f.store->Head().position == head);
  CHECK(f.Read("pw-1").fields.size() == 2);
}

}  // namespace
}  // namespace pathways::app
