#pragma once
// The application layer's companies: who sees and keeps which company's record, for every
// transport (docs/companies.md). A company's record is the pathway `company-<cvr>` of a
// `kind: company` definition; Workspace never serves one as a participant's.
//
//   seeing  — a consultant, team lead or school administrator their school's records (and any
//             they are the consultant of); partnership-wide administrators and auditors every
//             record; a counsellor the companies their participants are employed by; a partner
//             none. A record one may not see answers NotFound, as a missing one.
//   keeping — the consultants, team leads and administrators who see it; a record is
//             registered by them for their school (a partnership-wide administrator names it).
//
// Thread-safe; holds only pointers to what the server owns.

#include <functional>
#include <string>
#include <vector>

#include "adapters/app/workspace.hpp"

namespace pathways::app {

// A new company record as a person gives it.
struct CompanyRequest {
  runtime::CompanyFields company;
  std::string consultant;  // a consultant of the school; a consultant's own record: themselves
  std::string school;      // staff of a school: theirs; a partnership-wide user names it
  std::string definition;  // empty: the newest company definition
};

// What of the records to list; every filter empty: all one sees.
struct CompanyQuery {
  std::string consultant;  // only this consultant's
  std::string state;       // only records in this state (stage)
  std::string industry;    // only this DB07 code (or codes under it: "43" holds "4321")
  std::string green;       // only records with this green tag, on the company or a need
  std::string school;      // only this school's
  std::size_t limit = 1000;
};

struct CompanyRow {
  runtime::PathwayState state;
  std::size_t overdue_tasks = 0;
  TimestampMs next_due_at = 0;  // the earliest open task's due time; 0: none
};

// A participant on a pathway whom a company employs or whose lead its visit brought: what the
// company page shows of them (their name only to who may read the participant).
struct CompanyEmployee {
  std::string pathway_id;
  std::string definition_id;
  std::uint32_t definition_version = 0;
  std::string state;
  runtime::PathwayStatus status = runtime::PathwayStatus::kActive;
  TimestampMs started_at = 0;
  bool employed = false;  // the company is their employer
  bool referred = false;  // the company's visit brought their lead
};

// A record's contact persons and contact notes, as the role may read them (identity: names,
// e-mails, phones; guidance: notes), read once the read is recorded in `$access:<record>`.
struct CompanyPersonal {
  std::string pathway_id;
  std::vector<PersonalScope> scopes;
  PersonalView view;
};

class Companies {
 public:
  explicit Companies(WorkspaceOptions options);

  bool Sees(const config::User& user, const runtime::PathwayState& s) const;
  // Whether `user` keeps the record (records contacts, needs, steps).
  bool Keeps(const config::User& user, const runtime::PathwayState& s) const;

  // The record of the company with CVR number `cvr`, or NotFound (also for one `user` may not
  // see); PermissionDenied for a partner.
  Result<runtime::PathwayState> Company(const config::User& user, const std::string& cvr) const;
  // The records `user` sees that match, overdue follow-ups first, then the longest without a
  // contact, then by name.
  Result<std::vector<CompanyRow>> List(const config::User& user, const CompanyQuery& query) const;
  // The participants the company employs or referred, oldest pathway first, from the report
  // rows (no log read); NotFound as Company for a record `user` may not see.
  Result<std::vector<CompanyEmployee>> Employees(const config::User& user,
                                                 const std::string& cvr) const;
  // The record as it stood at `at`, and the commands refused until then.
  Result<AsOfView> AsOf(const config::User& user, const std::string& cvr, TimestampMs at) const;

  Result<CommandRequest> Register(const config::User& user, CompanyRequest request) const;
  // Any command on a record `user` keeps; the users a command names must exist in the role it
  // needs (a consultant of the record's school; staff on a contact).
  Result<CommandRequest> On(const config::User& user, const std::string& cvr,
                            runtime::Command command) const;

  // The contact persons' data and contact notes the role reads (identity, and guidance for a
  // consultant), handed over once the read is recorded; Closed when it could not be.
  void ReadPersonal(const config::User& user, const std::string& cvr, const std::string& purpose,
                    std::function<void(Result<CompanyPersonal>)> done) const;

 private:
  // The CVR numbers of the employers of a counsellor's participants.
  std::vector<std::string> EmployersOf(const config::User& counsellor) const;
  const config::User* FindUser(const std::string& id) const;
  Status IsConsultantOf(const std::string& id, const std::string& school) const;

  WorkspaceOptions options_;
};

}  // namespace pathways::app
