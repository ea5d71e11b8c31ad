#pragma once
// The application layer: what a user may do, once, for every transport. The JSON API maps
// requests onto it; the web pages will be another mapping. It takes the acting user and a
// request, applies the access rules (role, caseload, the store's reserved `$` streams) and
// answers with a result or a Status a transport turns into its own words:
//   NotFound          — no such pathway, or one this user may not see (the same answer, so a
//                       counsellor cannot learn whose participants exist);
//   PermissionDenied  — the role may not do this;
//   InvalidArgument   — the request names something that does not exist (a user, a scope).
//
// Thread-safe; holds only pointers to what the server owns.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/config/server_config.hpp"
#include "engine/clock.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/personal_view.hpp"
#include "engine/ports/store.hpp"
#include "engine/runtime/pathway_rules.hpp"

namespace pathways::app {

// What a capability needs of a role.
enum class Access {
  kPublic,  // no user
  kRead,    // counsellors, team leads, administrators, auditors (each what they see)
  kWrite,   // counsellors, team leads and administrators
  kAudit,   // administrators and auditors
  kAdmin,   // administrators of the whole partnership (not of one school)
  kStaff,   // every role but a partner: consultants too (companies, their own inbox)
};
bool Allowed(Access access, const config::User& user);

// The personal-data scopes a role may read: a counsellor both (they guide the person); team
// leads, administrators and auditors the identity that registration, oversight and the fund's
// audit need, never the guidance data (barriers, notes); partners none.
std::vector<PersonalScope> ReadableScopes(config::Role role);

// A lead as a person registers it; empty ids are chosen by the caller (the transport knows
// how a retry names the same pathway).
struct LeadRequest {
  std::string pathway_id;
  std::string participant_id;
  std::string definition;  // empty: the newest loaded
  std::string referral_source;
  nlohmann::json data = nlohmann::json::object();
  std::map<PersonalScope, nlohmann::json> personal;
  std::string contact_person;  // a counsellor's lead is always their own
  std::string school;          // a partnership-wide user names it; staff of a school: theirs
  std::string company;         // the CVR of a company record whose visit brought the lead
};

// A caseload handed from one counsellor to another as one operation.
struct Handover {
  std::string from;
  std::string to;
  std::string reason;
};
struct HandoverResult {
  std::string handover_id;
  std::vector<std::string> moved;                           // pathway ids
  std::vector<std::pair<std::string, std::string>> failed;  // pathway id, why
};

// A school's team as its team lead sees it: each counsellor's load and the tasks that need a
// look (overdue or escalated).
struct TeamView {
  std::string school;
  struct Member {
    std::string id;
    std::string name;
    std::size_t pathways = 0;
    std::size_t open_tasks = 0;
    std::size_t overdue_tasks = 0;
    std::size_t escalated_tasks = 0;
  };
  std::vector<Member> counsellors;
  std::vector<InboxEntry> attention;  // overdue or escalated, oldest due first
};

// What of a caseload to list.
struct CaseloadQuery {
  const std::string* counsellor = nullptr;  // whose; null: the user's own (CaseloadOwner)
  std::string state;                        // only pathways in this state; empty: any
  std::string risk;                         // only pathways with an open risk of this type
  bool overdue_only = false;                // only pathways with an overdue task
  std::size_t limit = 1000;
};
// A row of a caseload: the store's summary ({state, status, open_risks, open_tasks, version})
// and the deadlines of its open tasks.
struct CaseloadRow {
  std::string pathway_id;
  nlohmann::json summary;
  std::size_t overdue_tasks = 0;
  TimestampMs next_due_at = 0;  // the earliest open task's due time; 0: none
};
struct CaseloadView {
  std::string counsellor;
  std::vector<CaseloadRow> rows;  // in the store's order
};

// The appointments of a counsellor's caseload in a span of time, soonest first.
struct AppointmentsView {
  std::string counsellor;
  struct Row {
    std::string pathway_id;
    std::string appointment_id;
    runtime::Appointment appointment;
  };
  std::vector<Row> rows;
};

// A meeting's time as a person gives it: "2027-02-03T10:00" is Danish time (summer or winter),
// one with an offset or `Z` is that instant; seconds may be left out. False for anything else.
bool ParseMeetingTime(const std::string& given, TimestampMs& out);

// A pathway as it stood at a moment: its events replayed to then, and the commands refused
// until then (what an auditor asks: the state then, and why).
struct AsOfView {
  TimestampMs at = 0;
  runtime::PathwayState state;
  std::vector<RecordedEvent> history;  // oldest first
  std::vector<Rejection> rejections;   // oldest first
};

// Pathway `id` replayed to `at` (any pathway: the caller has checked who may see it). NotFound
// when it did not exist then.
Result<AsOfView> ReplayTo(const Store& store, const std::string& id, TimestampMs at);

// The counters of the whole partnership or one school: pathways now in each state, and how
// many have reached each milestone.
struct Figures {
  std::map<std::string, std::int64_t> states;
  std::map<std::string, std::int64_t> milestones;
};

// The figures and the progress toward the newest definition's target (e.g. 200 enrolments).
// Counts name no one, so every role that reads pathways sees every school's.
struct FiguresView {
  std::string school;                      // "": the whole partnership
  Figures figures;                         // the partnership's, or the school's
  std::map<std::string, Figures> schools;  // each school's beside the partnership's
  struct Target {
    std::string definition;
    std::string milestone;
    std::int64_t count = 0;
    std::int64_t reached = 0;
  };
  std::optional<Target> target;
};

struct WorkspaceOptions {
  Store* store = nullptr;                                          // required
  std::shared_ptr<const definition::DefinitionCatalog> catalog;    // required
  const Clock* clock = nullptr;                                    // required
  const std::map<std::string, config::User>* users = nullptr;      // required; outlives this
  const std::map<std::string, config::School>* schools = nullptr;  // optional; outlives this
};

class Workspace {
 public:
  explicit Workspace(WorkspaceOptions options);

  // ---- seeing ----

  // Whether `user` sees pathway `s`: a counsellor the pathways they are the contact person of,
  // and those with a task handed to them; a team lead or a school's administrator their
  // school's; partnership-wide administrators and auditors every pathway.
  bool Sees(const config::User& user, const runtime::PathwayState& s) const;
  // Whether `user` sees every pathway.
  static bool SeesAll(const config::User& user) {
    return user.role != config::Role::kCounsellor && user.school.empty();
  }
  // The pathway, or NotFound when it does not exist or `user` may not see it (PermissionDenied
  // for a role that reads no pathways).
  Result<runtime::PathwayState> Pathway(const config::User& user, const std::string& id) const;
  // Whose caseload (or task inbox) `user` may read: their own as a counsellor (PermissionDenied
  // for another's), a counsellor of their school as a team lead or a school's administrator;
  // others must name one (InvalidArgument when they do not).
  Result<std::string> CaseloadOwner(const config::User& user, const std::string* named) const;
  // A counsellor's caseload as `user` may read it (CaseloadOwner), filtered.
  Result<CaseloadView> Caseload(const config::User& user, const CaseloadQuery& query) const;
  // The appointments starting in [from, to) of a caseload `user` may read (CaseloadOwner).
  Result<AppointmentsView> Appointments(const config::User& user, const std::string* counsellor,
                                        TimestampMs from, TimestampMs to) const;
  // Whose task inbox `user` may read: their own unless named; a counsellor only their own.
  Result<std::string> InboxOwner(const config::User& user, const std::string* named) const;

  // The pathway as it stood at `at` (Pathway's visibility). NotFound also when it did not
  // exist then.
  // The partnership's figures with each school's, or one school's. InvalidArgument: no such
  // school.
  Result<FiguresView> Figures(const config::User& user, const std::string& school) const;
  Result<AsOfView> AsOf(const config::User& user, const std::string& id, TimestampMs at) const;
  // Who read the personal data of pathway `id`'s participant, when and why: its access stream,
  // oldest first, at most `max` reads. For administrators and auditors (PermissionDenied for
  // others), of a pathway they see.
  Result<std::vector<RecordedEvent>> PersonalReads(const config::User& user, const std::string& id,
                                                   std::size_t max) const;

  // ---- commands: a request ready to submit, or why not ----

  Result<CommandRequest> RegisterLead(const config::User& user, LeadRequest lead) const;
  // Hands every pathway of one counsellor's caseload to another (a counsellor leaving or on
  // leave): recorded first as one operation (CaseloadHandedOver in `$caseloads`), then a new
  // contact person on each pathway naming it, with their open tasks. For team leads (within
  // their school) and administrators. `done` is called once, when every pathway is done.
  void HandOver(const config::User& user, Handover handover,
                std::function<void(Result<HandoverResult>)> done) const;
  // The team of `school` (a team lead's or school administrator's own when empty).
  Result<TeamView> Team(const config::User& user, const std::string& school) const;
  // Whether `user` may see a school's team and export: their own as staff of a school, every
  // school as a partnership-wide user.
  bool SeesSchool(const config::User& user, const std::string& school) const;
  // Whose pathways `user` exports from the audit export: the school asked for (null: their
  // own; "": the whole partnership, for partnership-wide users). PermissionDenied: a school's
  // user asking for another; InvalidArgument: no such school.
  Result<std::string> ExportSchool(const config::User& user, const std::string* asked) const;
  // Any command on an existing pathway: visible to `user`, and the users it names exist in the
  // role it needs (a contact person is a counsellor; a task goes to a counsellor or an
  // administrator).
  Result<CommandRequest> OnPathway(const config::User& user, const std::string& pathway_id,
                                   runtime::Command command) const;
  // What a migration would do, decided exactly as the writer will, against the committed state;
  // nothing is written.
  struct MigrationPreview {
    std::string from;  // the state the pathway is in
    std::string to;    // the state it would move to
  };
  Result<MigrationPreview> MigrateDryRun(const config::User& user, const std::string& pathway_id,
                                         const runtime::MigratePathway& migration) const;

  // ---- personal data ----

  struct PersonalRead {
    std::string pathway_id;
    std::string participant_id;
    std::vector<PersonalScope> scopes;  // what the role reads, in order
    PersonalView view;
    std::uint64_t recorded_at_position = 0;  // the PersonalDataViewed record
  };
  // The personal data `user` may read of a pathway (ReadableScopes), for `purpose` (at most
  // 200 bytes). The read is recorded first — who, whose, which scopes, why — in the
  // participant's access stream; `done` gets the data only once that record is durable, and
  // Closed ("nothing is shown") when it could not be made. PermissionDenied for a role that
  // reads no personal data; NotFound as Pathway. `only`, when not empty, narrows the read to
  // those of the role's scopes (a list of names reads the identity alone, and records so).
  void ReadPersonal(const config::User& user, const std::string& pathway_id,
                    const std::string& purpose, std::function<void(Result<PersonalRead>)> done,
                    const std::vector<PersonalScope>& only = {}) const;
  // As ReadPersonal for each of `pathway_ids`, with every record in one durable write (a page
  // that names a caseload): `done` gets one result per id, in order; at most
  // EventStore::kMaxBatchAppends ids.
  void ReadPersonalMany(const config::User& user, const std::vector<std::string>& pathway_ids,
                        const std::string& purpose,
                        std::function<void(std::vector<Result<PersonalRead>>)> done,
                        const std::vector<PersonalScope>& only = {}) const;

  // Submits a request from OnPathway or RegisterLead as `user`; `done` is called once, from
  // the writer's thread, after the outcome is durable.
  void Submit(const config::User& user, CommandRequest request,
              std::function<void(Result<AppendResult>)> done) const;

 private:
  // The checks and the data of one read, not yet recorded; and the record that goes first.
  Result<PersonalRead> PrepareRead(const config::User& user, const std::string& pathway_id,
                                   const std::string& purpose,
                                   const std::vector<PersonalScope>& only) const;
  AppendRequest ReadRecord(const config::User& user, const PersonalRead& read,
                           const std::string& purpose) const;
  Status IsUser(const std::string& id, std::initializer_list<config::Role> roles,
                const char* what) const;
  // A counsellor `user` may oversee: any for partnership-wide roles, their school's otherwise.
  Status Oversees(const config::User& user, const std::string& counsellor) const;
  bool HasSchools() const { return options_.schools != nullptr && !options_.schools->empty(); }
  const config::User* FindUser(const std::string& id) const;

  WorkspaceOptions options_;
};

Actor ActorOf(const config::User& user);

// The record of `user` reading `scopes` of a pathway's personal data, for `purpose`
// (PersonalDataViewed in its participant's access stream): durable before the data is shown.
AppendRequest PersonalReadRecord(const config::User& user, const std::string& pathway_id,
                                 const std::string& participant_id,
                                 const std::vector<PersonalScope>& scopes,
                                 const std::string& purpose);
// What a read answers when its record could not be made: Closed, nothing shown.
Status NotRecorded(const Status& why);

// A fresh id: `prefix` and 80 random bits in hex (for uniqueness, not secrecy).
std::string NewId(const char* prefix);

}  // namespace pathways::app
