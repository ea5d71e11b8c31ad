// Schools and team leads in the application layer: a pathway belongs to one school, staff of a
// school see that school's pathways and figures, a transfer moves a pathway and its counts to
// another school, and a team lead sees the team's load and hands a caseload over as one
// recorded operation.

#include <doctest/doctest.h>

#include <future>
#include <sstream>

#include "adapters/app/workspace.hpp"
#include "engine/runtime/processor.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways::app {
namespace {

using config::Role;

struct Schools {
  Schools()
      : clock(testing::kTestEpochMs),
        catalog(testing::AmigoCatalog()),
        store(testing::OpenWithDefinitions(tmp / "store", clock, catalog)),
        workspace({store.get(), catalog, &clock, &users, &schools}) {}

  const config::User& User(const std::string& id) const { return users.at(id); }

  Result<AppendResult> Submit(const std::string& who, Result<CommandRequest> r) {
    if (!r.ok()) return r.status();
    if (r->command_id.empty()) r->command_id = "c" + std::to_string(++commands);
    std::promise<Result<AppendResult>> done;
    workspace.Submit(User(who), std::move(*r),
                     [&](Result<AppendResult> a) { done.set_value(std::move(a)); });
    return done.get_future().get();
  }
  Result<AppendResult> Lead(const std::string& who, const std::string& pathway,
                            const std::string& school = "", const std::string& contact = "") {
    LeadRequest lead;
    lead.pathway_id = pathway;
    lead.participant_id = "p-" + pathway;
    lead.referral_source = "jobcenter";
    lead.school = school;
    lead.contact_person = contact;
    return Submit(who, workspace.RegisterLead(User(who), std::move(lead)));
  }
  Result<AppendResult> On(const std::string& who, const std::string& pathway,
                          runtime::Command command) {
    return Submit(who, workspace.OnPathway(User(who), pathway, std::move(command)));
  }
  bool Sees(const std::string& who, const std::string& pathway) {
    return workspace.Pathway(User(who), pathway).ok();
  }
  std::int64_t Count(const std::string& key) {
    auto counts = store->Counts();
    REQUIRE(counts.ok());
    auto it = counts->find(key);
    return it == counts->end() ? 0 : it->second;
  }

  int commands = 0;
  testing::TempDir tmp;
  ManualClock clock;
  std::shared_ptr<definition::DefinitionCatalog> catalog;
  std::unique_ptr<storage::RocksEventStore> store;
  std::map<std::string, config::School> schools = {
      {"amigo_skolen", {"amigo_skolen", "AMIGO-skolen"}},
      {"teknisk_skole", {"teknisk_skole", "Teknisk Skole"}}};
  std::map<std::string, config::User> users = {
      {"anne", {"anne", "Anne", Role::kCounsellor, "", "", "", "amigo_skolen"}},
      {"bo", {"bo", "Bo", Role::kCounsellor, "", "", "", "amigo_skolen"}},
      {"carl", {"carl", "Carl", Role::kCounsellor, "", "", "", "teknisk_skole"}},
      {"tove", {"tove", "Tove", Role::kTeamLead, "", "", "", "amigo_skolen"}},
      {"skoleadmin",
       {"skoleadmin", "Skoleadmin", Role::kAdministrator, "", "", "", "teknisk_skole"}},
      {"admin", {"admin", "Admin", Role::kAdministrator, "", "", "", ""}},
      {"audit", {"audit", "Audit", Role::kAuditor, "", "", "", ""}}};
  Workspace workspace;
};

TEST_CASE("schools: a lead belongs to its school, and staff of a school see that school's") {
  Schools f;
  REQUIRE(f.Lead("anne", "pw-a").ok());
  CHECK(f.workspace.Pathway(f.User("anne"), "pw-a")->school == "amigo_skolen");
  // A partnership-wide administrator names the school, and a contact person of it.
  CHECK(f.Lead("admin", "pw-x").status().code() == StatusCode::kInvalidArgument);
  CHECK(f.Lead("admin", "pw-x", "nowhere").status().code() == StatusCode::kInvalidArgument);
  CHECK(f.Lead("admin", "pw-x", "teknisk_skole", "anne").status().code() ==
        StatusCode::kInvalidArgument);
  REQUIRE(f.Lead("admin", "pw-c", "teknisk_skole", "carl").ok());
  // Staff of a school register for it only.
  CHECK(f.Lead("tove", "pw-y", "teknisk_skole").status().code() == StatusCode::kPermissionDenied);

  CHECK(f.Sees("tove", "pw-a"));
  CHECK_FALSE(f.Sees("tove", "pw-c"));
  CHECK(f.Sees("skoleadmin", "pw-c"));
  CHECK_FALSE(f.Sees("skoleadmin", "pw-a"));
  CHECK_FALSE(f.Sees("bo", "pw-a"));
  for (const char* all : {"admin", "audit"}) {
    CHECK(f.Sees(all, "pw-a"));
    CHECK(f.Sees(all, "pw-c"));
  }
  // A team lead reads their counsellors' caseloads, not another school's.
  CHECK(*f.workspace.CaseloadOwner(f.User("tove"), &f.users.at("anne").id) == "anne");
  const std::string carl = "carl";
  CHECK(f.workspace.CaseloadOwner(f.User("tove"), &carl).status().code() ==
        StatusCode::kPermissionDenied);
  // The whole partnership's administration is for partnership-wide administrators.
  CHECK(Allowed(Access::kAdmin, f.User("admin")));
  CHECK_FALSE(Allowed(Access::kAdmin, f.User("skoleadmin")));
  CHECK(Allowed(Access::kWrite, f.User("tove")));
  CHECK(f.workspace.SeesSchool(f.User("tove"), "amigo_skolen"));
  CHECK_FALSE(f.workspace.SeesSchool(f.User("tove"), "teknisk_skole"));
  CHECK(f.workspace.SeesSchool(f.User("admin"), "teknisk_skole"));

  // Figures by school.
  const std::string lead = "state:" + f.catalog->Newest()->initial;
  CHECK(f.Count(lead) == 2);
  CHECK(f.Count("school:amigo_skolen/" + lead) == 1);
  CHECK(f.Count("school:teknisk_skole/" + lead) == 1);
}

TEST_CASE("schools: a contact person of another school moves the pathway there, figures too") {
  Schools f;
  REQUIRE(f.Lead("anne", "pw-a").ok());
  const std::string lead = "state:" + f.catalog->Newest()->initial;
  REQUIRE(f.On("tove", "pw-a", runtime::AssignContactPerson{"carl", "", "", "flytter"}).ok());
  Result<runtime::PathwayState> moved = f.workspace.Pathway(f.User("admin"), "pw-a");
  REQUIRE(moved.ok());
  CHECK(moved->school == "teknisk_skole");
  CHECK(moved->contact_person == "carl");
  CHECK(f.Count("school:amigo_skolen/" + lead) == 0);
  CHECK(f.Count("school:teknisk_skole/" + lead) == 1);
  CHECK(f.Count("school:teknisk_skole/milestone:contact_person_assigned") == 1);
  // Now it is the other school's.
  CHECK_FALSE(f.Sees("tove", "pw-a"));
  CHECK(f.Sees("skoleadmin", "pw-a"));
}

TEST_CASE("schools: an export of one school holds its pathways' whole histories, nothing else") {
  Schools f;
  REQUIRE(f.Lead("anne", "pw-a").ok());
  REQUIRE(f.Lead("carl", "pw-c").ok());
  // A read of personal data goes to a system stream, which no school's export holds.
  std::promise<Result<Workspace::PersonalRead>> read;
  f.workspace.ReadPersonal(
      f.User("anne"), "pw-a", "samtale",
      [&](Result<Workspace::PersonalRead> r) { read.set_value(std::move(r)); });
  REQUIRE(read.get_future().get().ok());
  auto streams = [&](const std::string& school) {
    ExportOptions o;
    o.school = school;
    ExportCursor cursor = f.store->StartExport(o);
    std::string out;
    while (!cursor.done()) REQUIRE(f.store->ExportChunk(o, cursor, 1 << 20, out).ok());
    std::map<std::string, int> events;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      ++events[nlohmann::json::parse(line)["stream_id"].get<std::string>()];
    }
    return events;
  };
  const auto all = streams("");
  CHECK(all.size() == 3);  // pw-a, pw-c and the read's $access stream
  CHECK(streams("amigo_skolen") == std::map<std::string, int>{{"pw-a", all.at("pw-a")}});
  CHECK(streams("teknisk_skole") == std::map<std::string, int>{{"pw-c", all.at("pw-c")}});
  // Moved to the other school, the whole history goes with it.
  REQUIRE(f.On("admin", "pw-a", runtime::AssignContactPerson{"carl", "", "", "flytter"}).ok());
  const auto moved = streams("teknisk_skole");
  CHECK(moved.size() == 2);
  CHECK(moved.at("pw-a") == all.at("pw-a") + 1);
  CHECK(streams("amigo_skolen").empty());
}

TEST_CASE("team lead: the team's load, tasks that need a look, a caseload handed over at once") {
  Schools f;
  REQUIRE(f.Lead("anne", "pw-1").ok());
  REQUIRE(f.Lead("anne", "pw-2").ok());
  REQUIRE(f.Lead("carl", "pw-3").ok());
  REQUIRE(f.On("anne", "pw-1", runtime::FireTrigger{"hold_intake", {}}).ok());
  REQUIRE(f.On("anne", "pw-1", runtime::FireTrigger{"request_rkv", {}}).ok());
  f.clock.Advance(30LL * 24 * 3600 * 1000);  // every task overdue

  Result<TeamView> team = f.workspace.Team(f.User("tove"), "");
  REQUIRE(team.ok());
  CHECK(team->school == "amigo_skolen");
  REQUIRE(team->counsellors.size() == 2);  // anne and bo, not carl
  const TeamView::Member& anne = team->counsellors[0];
  CHECK(anne.id == "anne");
  CHECK(anne.pathways == 2);
  CHECK(anne.open_tasks >= 1);
  CHECK(anne.overdue_tasks == anne.open_tasks);
  CHECK(team->counsellors[1].pathways == 0);
  REQUIRE(team->attention.size() == anne.open_tasks);
  CHECK(team->attention[0].task["assignee"] == "anne");
  CHECK(f.workspace.Team(f.User("tove"), "teknisk_skole").status().code() ==
        StatusCode::kPermissionDenied);
  CHECK(f.workspace.Team(f.User("anne"), "").status().code() == StatusCode::kPermissionDenied);
  CHECK(f.workspace.Team(f.User("admin"), "").status().code() == StatusCode::kInvalidArgument);

  auto hand = [&](const std::string& who, Handover h) {
    std::promise<Result<HandoverResult>> done;
    f.workspace.HandOver(f.User(who), std::move(h),
                         [&](Result<HandoverResult> r) { done.set_value(std::move(r)); });
    return done.get_future().get();
  };
  CHECK(hand("anne", {"anne", "bo", "orlov"}).status().code() == StatusCode::kPermissionDenied);
  CHECK(hand("tove", {"anne", "carl", "orlov"}).status().code() == StatusCode::kPermissionDenied);
  CHECK(hand("tove", {"anne", "bo", ""}).status().code() == StatusCode::kInvalidArgument);
  CHECK(hand("tove", {"bo", "anne", "orlov"}).status().code() == StatusCode::kRejected);
  const std::uint64_t before = f.store->Head().position;

  Result<HandoverResult> done = hand("tove", {"anne", "bo", "Anne har orlov"});
  REQUIRE_MESSAGE(done.ok(), done.status().ToString());
  CHECK(done->failed.empty());
  CHECK(std::set<std::string>(done->moved.begin(), done->moved.end()) ==
        std::set<std::string>{"pw-1", "pw-2"});
  CHECK(f.store->Caseload("anne", 100)->empty());
  CHECK(f.store->Caseload("bo", 100)->size() == 2);
  CHECK(f.store->Inbox("anne", 100)->empty());
  CHECK(f.store->Inbox("bo", 100)->size() == anne.open_tasks);

  // Recorded first as one operation, then named on every pathway it moved.
  auto after = f.store->ReadAll(before + 1, 100);
  REQUIRE(after.ok());
  REQUIRE_FALSE(after->events.empty());
  const RecordedEvent& op = after->events.front();
  CHECK(op.stream_id == "$caseloads");
  CHECK(op.type == "CaseloadHandedOver");
  const nlohmann::json recorded = nlohmann::json::parse(op.data);
  CHECK(recorded["handover_id"] == done->handover_id);
  CHECK(recorded["from"] == "anne");
  CHECK(recorded["reason"] == "Anne har orlov");
  int named = 0;
  for (const RecordedEvent& e : after->events) {
    if (e.type != "ContactPersonAssigned") continue;
    const nlohmann::json d = nlohmann::json::parse(e.data);
    CHECK(d["handover"] == done->handover_id);
    CHECK(d["previous"] == "anne");
    ++named;
  }
  CHECK(named == 2);
}

}  // namespace
}  // namespace pathways::app
