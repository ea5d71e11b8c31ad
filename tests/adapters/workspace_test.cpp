// The application layer without a transport: who may do what, decided once for the JSON API
// and the web pages alike.

#include "adapters/app/workspace.hpp"

#include <doctest/doctest.h>

#include <future>

#include "tests/support/amigo_store.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways::app {
namespace {

using config::Role;

struct Fixture {
  Fixture()
      : clock(testing::kTestEpochMs),
        catalog(testing::AmigoCatalog()),
        store(testing::OpenWithDefinitions(tmp / "store", clock, catalog)),
        workspace({store.get(), catalog, &clock, &users}) {}

  const config::User& User(const std::string& id) const { return users.at(id); }

  // Registers a lead as `who` and waits for it.
  std::string Lead(const std::string& who, const std::string& pathway) {
    LeadRequest lead;
    lead.pathway_id = pathway;
    lead.participant_id = "p-" + pathway;
    lead.referral_source = "jobcenter";
    Result<CommandRequest> r = workspace.RegisterLead(User(who), std::move(lead));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    r->command_id = "lead-" + pathway;
    REQUIRE(Submit(who, std::move(*r)).ok());
    return pathway;
  }
  Result<AppendResult> Submit(const std::string& who, CommandRequest r) {
    if (r.command_id.empty()) r.command_id = "c" + std::to_string(++commands);
    std::promise<Result<AppendResult>> done;
    workspace.Submit(User(who), std::move(r),
                     [&](Result<AppendResult> a) { done.set_value(std::move(a)); });
    return done.get_future().get();
  }

  int commands = 0;
  testing::TempDir tmp;
  ManualClock clock;
  std::shared_ptr<definition::DefinitionCatalog> catalog;
  std::unique_ptr<storage::RocksEventStore> store;
  std::map<std::string, config::User> users = {
      {"anne", {"anne", "Anne", Role::kCounsellor, "", "", ""}},
      {"bo", {"bo", "Bo", Role::kCounsellor, "", "", ""}},
      {"admin", {"admin", "Admin", Role::kAdministrator, "", "", ""}},
      {"audit", {"audit", "Audit", Role::kAuditor, "", "", ""}},
      {"partner", {"partner", "Partner", Role::kPartner, "", "", ""}}};
  Workspace workspace;
};

TEST_CASE("workspace: a counsellor's leads are their own, and others' pathways are not there") {
  Fixture f;
  f.Lead("anne", "pw-a");
  Result<runtime::PathwayState> own = f.workspace.Pathway(f.User("anne"), "pw-a");
  REQUIRE(own.ok());
  CHECK(own->contact_person == "anne");

  // Bo gets the answer a missing pathway gets.
  Result<runtime::PathwayState> other = f.workspace.Pathway(f.User("bo"), "pw-a");
  CHECK(other.status().code() == StatusCode::kNotFound);
  CHECK(other.status().message() == "no pathway pw-a");
  CHECK(f.workspace.Pathway(f.User("bo"), "pw-none").status().message() == "no pathway pw-none");
  CHECK(f.workspace.OnPathway(f.User("bo"), "pw-a", runtime::RecordContact{"phone"})
            .status()
            .code() == StatusCode::kNotFound);
  // The store's own streams are no pathways.
  CHECK(f.workspace.Pathway(f.User("admin"), "$access:p-pw-a").status().code() ==
        StatusCode::kNotFound);

  // Administrators and auditors see it; only administrators write.
  CHECK(f.workspace.Pathway(f.User("audit"), "pw-a").ok());
  CHECK(f.workspace.OnPathway(f.User("audit"), "pw-a", runtime::RecordContact{"phone"})
            .status()
            .code() == StatusCode::kPermissionDenied);
  CHECK(f.workspace.OnPathway(f.User("admin"), "pw-a", runtime::RecordContact{"phone"}).ok());

  // A counsellor registers for their own caseload only; a contact person is a counsellor.
  LeadRequest for_bo;
  for_bo.referral_source = "jobcenter";
  for_bo.contact_person = "bo";
  CHECK(f.workspace.RegisterLead(f.User("anne"), for_bo).status().code() ==
        StatusCode::kPermissionDenied);
  Result<CommandRequest> by_admin = f.workspace.RegisterLead(f.User("admin"), for_bo);
  REQUIRE(by_admin.ok());
  CHECK(std::get<runtime::RegisterLead>(by_admin->command).contact_person == "bo");
  LeadRequest for_auditor = for_bo;
  for_auditor.contact_person = "audit";
  CHECK(f.workspace.RegisterLead(f.User("admin"), for_auditor).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(f.workspace.RegisterLead(f.User("partner"), for_bo).status().code() ==
        StatusCode::kPermissionDenied);
}

TEST_CASE("workspace: a task handed over brings its pathway into the new counsellor's sight") {
  Fixture f;
  f.Lead("anne", "pw-a");
  // Requesting the RKV makes a task for the contact person.
  for (runtime::FireTrigger step :
       {runtime::FireTrigger{"hold_intake", {{"age_at_entry", 31}, {"danish_math_02", true}}},
        runtime::FireTrigger{"request_rkv", nlohmann::json::object()}}) {
    Result<CommandRequest> r = f.workspace.OnPathway(f.User("anne"), "pw-a", step);
    REQUIRE(r.ok());
    Result<AppendResult> done = f.Submit("anne", std::move(*r));
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
  }
  runtime::PathwayState s = *f.workspace.Pathway(f.User("anne"), "pw-a");
  REQUIRE_FALSE(s.open_tasks.empty());
  const std::string task = s.open_tasks.begin()->first;
  CHECK_FALSE(f.workspace.Pathway(f.User("bo"), "pw-a").ok());

  // Only to a counsellor or an administrator.
  CHECK(f.workspace.OnPathway(f.User("anne"), "pw-a", runtime::ReassignTask{task, "audit", "away"})
            .status()
            .code() == StatusCode::kInvalidArgument);
  Result<CommandRequest> handover =
      f.workspace.OnPathway(f.User("anne"), "pw-a", runtime::ReassignTask{task, "bo", "away"});
  REQUIRE(handover.ok());
  handover->command_id = "handover";
  REQUIRE(f.Submit("anne", std::move(*handover)).ok());
  CHECK(f.workspace.Pathway(f.User("bo"), "pw-a").ok());
}

Result<Workspace::PersonalRead> Read(Fixture& f, const std::string& who, const std::string& id,
                                     const std::string& purpose,
                                     const std::vector<PersonalScope>& only = {}) {
  std::promise<Result<Workspace::PersonalRead>> done;
  f.workspace.ReadPersonal(
      f.User(who), id, purpose,
      [&](Result<Workspace::PersonalRead> r) { done.set_value(std::move(r)); }, only);
  return done.get_future().get();
}

TEST_CASE("workspace: personal data is read by role, and every read is recorded first") {
  Fixture f;
  LeadRequest lead;
  lead.pathway_id = "pw-a";
  lead.participant_id = "p-a";
  lead.referral_source = "jobcenter";
  lead.personal[PersonalScope::kIdentity] = {{"name", "Lise"}};
  lead.personal[PersonalScope::kGuidance] = {{"barriers", {"dyslexia"}}};
  Result<CommandRequest> registered = f.workspace.RegisterLead(f.User("anne"), std::move(lead));
  REQUIRE(registered.ok());
  REQUIRE(f.Submit("anne", std::move(*registered)).ok());

  Result<Workspace::PersonalRead> own = Read(f, "anne", "pw-a", "guidance meeting");
  REQUIRE_MESSAGE(own.ok(), own.status().ToString());
  CHECK(own->view.fields[PersonalScope::kIdentity]["name"] == "Lise");
  CHECK(own->view.fields[PersonalScope::kGuidance]["barriers"][0] == "dyslexia");
  Result<Workspace::PersonalRead> audit = Read(f, "audit", "pw-a", "ESF audit");
  REQUIRE(audit.ok());
  CHECK(audit->view.fields.count(PersonalScope::kGuidance) == 0);  // never the barriers

  CHECK(Read(f, "bo", "pw-a", "").status().code() == StatusCode::kNotFound);
  CHECK(Read(f, "partner", "pw-a", "").status().code() == StatusCode::kPermissionDenied);
  CHECK(f.workspace.Pathway(f.User("partner"), "pw-a").status().code() ==
        StatusCode::kPermissionDenied);
  CHECK(Read(f, "anne", "pw-a", std::string(201, 'x')).status().code() ==
        StatusCode::kInvalidArgument);

  // A list of names reads the identity alone, and records only that.
  Result<Workspace::PersonalRead> names =
      Read(f, "anne", "pw-a", "caseload", {PersonalScope::kIdentity});
  REQUIRE(names.ok());
  CHECK(names->scopes == std::vector<PersonalScope>{PersonalScope::kIdentity});
  CHECK(names->view.fields.count(PersonalScope::kGuidance) == 0);

  // The reads are in the participant's access stream: who, which scopes, why.
  auto log = f.store->ReadStream(AccessStreamId("p-a"), 1, 10);
  REQUIRE(log.ok());
  REQUIRE(log->events.size() == 3);
  CHECK(nlohmann::json::parse(log->events[2].data)["scopes"] ==
        nlohmann::json::array({"identity"}));
  CHECK(log->events[0].actor.user == "anne");
  CHECK(log->events[0].position == own->recorded_at_position);
  const auto data = nlohmann::json::parse(log->events[1].data);
  CHECK(data["purpose"] == "ESF audit");
  CHECK(data["scopes"] == nlohmann::json::array({"identity", "special"}));
}

TEST_CASE("workspace: a page's reads are recorded together, each answered in its place") {
  Fixture f;
  for (const char* id : {"a", "b"}) {
    LeadRequest lead;
    lead.pathway_id = std::string("pw-") + id;
    lead.participant_id = std::string("p-") + id;
    lead.referral_source = "jobcenter";
    lead.personal[PersonalScope::kIdentity] = {{"name", std::string("Navn ") + id}};
    Result<CommandRequest> registered = f.workspace.RegisterLead(f.User("anne"), std::move(lead));
    REQUIRE(registered.ok());
    REQUIRE(f.Submit("anne", std::move(*registered)).ok());
  }
  const std::uint64_t batches_before = f.store->Stats().batches;
  auto done = std::make_shared<std::promise<std::vector<Result<Workspace::PersonalRead>>>>();
  f.workspace.ReadPersonalMany(
      f.User("anne"), {"pw-a", "pw-none", "pw-b"}, "caseload",
      [done](std::vector<Result<Workspace::PersonalRead>> r) { done->set_value(std::move(r)); },
      {PersonalScope::kIdentity});
  std::vector<Result<Workspace::PersonalRead>> reads = done->get_future().get();
  REQUIRE(reads.size() == 3);
  REQUIRE(reads[0].ok());
  CHECK(reads[0]->view.fields[PersonalScope::kIdentity]["name"] == "Navn a");
  CHECK(reads[1].status().code() == StatusCode::kNotFound);
  REQUIRE(reads[2].ok());
  CHECK(reads[2]->view.fields[PersonalScope::kIdentity]["name"] == "Navn b");
  // One durable write for both records, each in its participant's access stream.
  CHECK(f.store->Stats().batches == batches_before + 1);
  CHECK(reads[2]->recorded_at_position == reads[0]->recorded_at_position + 1);
  for (const char* participant : {"p-a", "p-b"}) {
    auto log = f.store->ReadStream(AccessStreamId(participant), 1, 10);
    REQUIRE(log.ok());
    REQUIRE(log->events.size() == 1);
    CHECK(nlohmann::json::parse(log->events[0].data)["purpose"] == "caseload");
  }
  // A role that reads nothing is refused in every place, and nothing is recorded.
  auto refused = std::make_shared<std::promise<std::vector<Result<Workspace::PersonalRead>>>>();
  f.workspace.ReadPersonalMany(f.User("partner"), {"pw-a"}, "",
                               [refused](std::vector<Result<Workspace::PersonalRead>> r) {
                                 refused->set_value(std::move(r));
                               });
  CHECK(refused->get_future().get()[0].status().code() == StatusCode::kPermissionDenied);
  CHECK(f.store->Stats().batches == batches_before + 1);
}

TEST_CASE("workspace: caseloads, inboxes and personal scopes by role") {
  Fixture f;
  const std::string bo = "bo";
  CHECK(*f.workspace.CaseloadOwner(f.User("anne"), nullptr) == "anne");
  CHECK(f.workspace.CaseloadOwner(f.User("anne"), &bo).status().code() ==
        StatusCode::kPermissionDenied);
  CHECK(f.workspace.CaseloadOwner(f.User("admin"), nullptr).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(*f.workspace.CaseloadOwner(f.User("admin"), &bo) == "bo");
  CHECK(f.workspace.InboxOwner(f.User("anne"), &bo).status().code() ==
        StatusCode::kPermissionDenied);
  CHECK(*f.workspace.InboxOwner(f.User("admin"), nullptr) == "admin");

  CHECK(ReadableScopes(Role::kCounsellor) == std::vector<PersonalScope>{PersonalScope::kIdentity,
                                                                        PersonalScope::kGuidance,
                                                                        PersonalScope::kSpecial});
  CHECK(ReadableScopes(Role::kAuditor) ==
        std::vector<PersonalScope>{PersonalScope::kIdentity, PersonalScope::kSpecial});
  CHECK(ReadableScopes(Role::kTeamLead) == std::vector<PersonalScope>{PersonalScope::kIdentity});
  CHECK(ReadableScopes(Role::kPartner).empty());
  CHECK_FALSE(Allowed(Access::kWrite, f.User("audit")));
  CHECK(Allowed(Access::kAudit, f.User("audit")));
  CHECK_FALSE(Allowed(Access::kRead, f.User("partner")));
}

}  // namespace
}  // namespace pathways::app
