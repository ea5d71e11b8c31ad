// The application layer's companies (companies.hpp): access to the records, their listing,
// and the requests that keep them.

#include "adapters/app/companies.hpp"

#include <algorithm>
#include <set>

#include "engine/runtime/company.hpp"
#include "engine/runtime/cvr.hpp"

namespace pathways::app {
namespace {

using config::Role;

constexpr std::size_t kMaxRecords = 200'000;
constexpr std::size_t kMaxEmployees = 10'000;  // of one company, read for its page

bool IsStaffOfSchool(Role role) {
  return role == Role::kConsultant || role == Role::kTeamLead || role == Role::kAdministrator;
}

bool HasGreen(const runtime::PathwayState& s, const std::string& tag) {
  auto named = [&](const std::vector<std::string>& tags) {
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
  };
  if (named(s.company.green)) return true;
  return std::any_of(s.company.needs.begin(), s.company.needs.end(),
                     [&](const auto& need) { return named(need.second.green); });
}

}  // namespace

Companies::Companies(WorkspaceOptions options) : options_(std::move(options)) {}

const config::User* Companies::FindUser(const std::string& id) const {
  auto it = options_.users->find(id);
  return it == options_.users->end() ? nullptr : &it->second;
}

bool Companies::Sees(const config::User& user, const runtime::PathwayState& s) const {
  if (!s.is_company() || user.role == Role::kPartner) return false;
  if (s.contact_person == user.id) return true;
  if (user.role == Role::kCounsellor) {
    const std::vector<std::string> employers = EmployersOf(user);
    return std::find(employers.begin(), employers.end(), s.company.cvr) != employers.end();
  }
  return user.school.empty() || user.school == s.school;
}

// Staff of a school see what they keep: their school's records and their own.
bool Companies::Keeps(const config::User& user, const runtime::PathwayState& s) const {
  return IsStaffOfSchool(user.role) && Sees(user, s);
}

std::vector<std::string> Companies::EmployersOf(const config::User& counsellor) const {
  std::vector<std::string> cvrs;
  auto caseload = options_.store->Caseload(counsellor.id, 100'000);
  if (!caseload.ok()) return cvrs;
  for (const CaseloadEntry& e : *caseload) {
    auto s = options_.store->LoadPathway(e.pathway_id);
    if (s.ok() && s->has_value() && !(*s)->employer.cvr.empty()) {
      cvrs.push_back((*s)->employer.cvr);
    }
  }
  return cvrs;
}

Result<runtime::PathwayState> Companies::Company(const config::User& user,
                                                 const std::string& cvr) const {
  if (user.role == Role::kPartner) return Status::PermissionDenied("a partner sees no companies");
  const Status missing = Status::NotFound("no company record for CVR " + cvr);
  if (!runtime::IsValidCvr(cvr)) return missing;
  auto loaded = options_.store->LoadPathway(runtime::CompanyPathwayId(cvr));
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || !Sees(user, **loaded)) return missing;
  return std::move(**loaded);
}

Result<std::vector<CompanyRow>> Companies::List(const config::User& user,
                                                const CompanyQuery& query) const {
  if (user.role == Role::kPartner) return Status::PermissionDenied("a partner sees no companies");
  auto records =
      options_.store->PathwaysWithPrefix(std::string(runtime::kCompanyPathwayPrefix), kMaxRecords);
  if (!records.ok()) return records.status();
  std::set<std::string> employers;
  if (user.role == Role::kCounsellor) {
    for (std::string& cvr : EmployersOf(user)) employers.insert(std::move(cvr));
  }
  const TimestampMs now = options_.clock->NowMs();
  std::vector<CompanyRow> rows;
  for (runtime::PathwayState& s : *records) {
    if (!s.is_company()) continue;
    const bool sees = user.role == Role::kCounsellor
                          ? employers.count(s.company.cvr) > 0 || s.contact_person == user.id
                          : Sees(user, s);
    if (!sees) continue;
    if (!query.consultant.empty() && s.contact_person != query.consultant) continue;
    if (!query.state.empty() && s.state != query.state) continue;
    if (!query.industry.empty() && !s.company.industry.starts_with(query.industry)) continue;
    if (!query.green.empty() && !HasGreen(s, query.green)) continue;
    if (!query.school.empty() && s.school != query.school) continue;
    CompanyRow row;
    for (const auto& [id, task] : s.open_tasks) {
      if (task.due_at == 0) continue;
      if (task.due_at < now) ++row.overdue_tasks;
      if (row.next_due_at == 0 || task.due_at < row.next_due_at) row.next_due_at = task.due_at;
    }
    row.state = std::move(s);
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const CompanyRow& a, const CompanyRow& b) {
    if ((a.overdue_tasks > 0) != (b.overdue_tasks > 0)) return a.overdue_tasks > 0;
    if (a.state.last_contact_at != b.state.last_contact_at) {
      return a.state.last_contact_at < b.state.last_contact_at;
    }
    return a.state.company.name < b.state.company.name;
  });
  if (rows.size() > query.limit) rows.resize(query.limit);
  return rows;
}

Result<std::vector<CompanyEmployee>> Companies::Employees(const config::User& user,
                                                          const std::string& cvr) const {
  Result<runtime::PathwayState> record = Company(user, cvr);
  if (!record.ok()) return record.status();
  Result<std::vector<CompanyLink>> links = options_.store->CompanyLinks(cvr, kMaxEmployees);
  if (!links.ok()) return links.status();
  std::vector<CompanyEmployee> out;
  for (const CompanyLink& link : *links) {
    Result<std::optional<runtime::PathwayState>> row = options_.store->LoadPathway(link.pathway_id);
    if (!row.ok()) return row.status();
    if (!*row) {  // the link and the state row are written in one batch
      return Status::Corruption("company " + cvr + " is linked to " + link.pathway_id +
                                ", which has no state row");
    }
    const runtime::PathwayState& s = **row;
    out.push_back({s.pathway_id, s.definition_id, s.definition_version, s.state, s.status,
                   s.created_at, link.employed, link.referred});
  }
  std::stable_sort(out.begin(), out.end(), [](const CompanyEmployee& a, const CompanyEmployee& b) {
    return a.started_at < b.started_at;
  });
  return out;
}

Result<AsOfView> Companies::AsOf(const config::User& user, const std::string& cvr,
                                 TimestampMs at) const {
  Result<runtime::PathwayState> now = Company(user, cvr);
  if (!now.ok()) return now.status();
  return ReplayTo(*options_.store, now->pathway_id, at);
}

Status Companies::IsConsultantOf(const std::string& id, const std::string& school) const {
  const config::User* u = FindUser(id);
  if (u == nullptr || u->role != Role::kConsultant) {
    return Status::InvalidArgument("`" + id + "` is not a configured consultant");
  }
  if (!school.empty() && u->school != school) {
    return Status::InvalidArgument("consultant `" + id + "` is not of " + school);
  }
  return Status::Ok();
}

Result<CommandRequest> Companies::Register(const config::User& user, CompanyRequest request) const {
  if (!IsStaffOfSchool(user.role)) {
    return Status::PermissionDenied("consultants, team leads and administrators keep companies");
  }
  // Checked here too, so a mistyped number is named as one rather than as a bad pathway id.
  if (!runtime::IsValidCvr(request.company.cvr)) {
    return Status::InvalidArgument(
        "`cvr` is not a CVR number: eight digits that pass the register's modulus-11 check");
  }
  const bool schools = options_.schools != nullptr && !options_.schools->empty();
  if (!user.school.empty()) {
    if (!request.school.empty() && request.school != user.school) {
      return Status::PermissionDenied("you keep companies for " + user.school);
    }
    request.school = user.school;
  } else if (schools) {
    if (request.school.empty()) return Status::InvalidArgument("name the `school` it is for");
    if (!options_.schools->count(request.school)) {
      return Status::InvalidArgument("`" + request.school + "` is not a configured school");
    }
  }
  if (user.role == Role::kConsultant) {
    if (!request.consultant.empty() && request.consultant != user.id) {
      return Status::PermissionDenied("a consultant registers companies they keep themselves");
    }
    request.consultant = user.id;
  }
  if (!request.consultant.empty()) {
    if (Status st = IsConsultantOf(request.consultant, request.school); !st.ok()) return st;
  }
  CommandRequest r;
  r.pathway_id = runtime::CompanyPathwayId(request.company.cvr);
  r.participant_id = r.pathway_id;
  r.definition_id = std::move(request.definition);
  r.command = runtime::RegisterCompany{std::move(request.company), std::move(request.consultant),
                                       std::move(request.school)};
  return r;
}

Result<CommandRequest> Companies::On(const config::User& user, const std::string& cvr,
                                     runtime::Command command) const {
  if (!IsStaffOfSchool(user.role)) {
    return Status::PermissionDenied("consultants, team leads and administrators keep companies");
  }
  Result<runtime::PathwayState> record = Company(user, cvr);
  if (!record.ok()) return record.status();
  if (!Keeps(user, *record)) {
    return Status::PermissionDenied("the record is kept by " + record->school + "'s staff");
  }
  if (const auto* assign = std::get_if<runtime::AssignContactPerson>(&command)) {
    if (Status st = IsConsultantOf(assign->user, record->school); !st.ok()) return st;
  }
  if (const auto* reassign = std::get_if<runtime::ReassignTask>(&command)) {
    const config::User* to = FindUser(reassign->assignee);
    if (to == nullptr || !IsStaffOfSchool(to->role)) {
      return Status::InvalidArgument("`" + reassign->assignee +
                                     "` is not a configured consultant, team lead or "
                                     "administrator");
    }
  }
  if (const auto* contact = std::get_if<runtime::RecordCompanyContact>(&command)) {
    for (const std::string& id : contact->staff) {
      const config::User* u = FindUser(id);
      if (u == nullptr || u->role == Role::kPartner) {
        return Status::InvalidArgument("`" + id + "` on the contact is no configured staff");
      }
    }
  }
  if (std::holds_alternative<runtime::MigratePathway>(command) && !Allowed(Access::kAdmin, user)) {
    return Status::PermissionDenied("only administrators migrate pathways");
  }
  CommandRequest r;
  r.pathway_id = record->pathway_id;
  r.command = std::move(command);
  return r;
}

void Companies::ReadPersonal(const config::User& user, const std::string& cvr,
                             const std::string& purpose,
                             std::function<void(Result<CompanyPersonal>)> done) const {
  if (purpose.size() > 200) return done(Status::InvalidArgument("`purpose` is at most 200 bytes"));
  Result<runtime::PathwayState> record = Company(user, cvr);
  if (!record.ok()) return done(record.status());
  CompanyPersonal read{record->pathway_id, {PersonalScope::kIdentity}, {}};
  if (user.role == Role::kConsultant) read.scopes.push_back(PersonalScope::kGuidance);
  Result<PersonalView> view = pathways::ReadPersonal(*options_.store, read.pathway_id, read.scopes);
  if (!view.ok()) return done(view.status());
  read.view = std::move(*view);
  // Recorded first, handed over after, as a participant's personal data is.
  AppendRequest record_read =
      PersonalReadRecord(user, read.pathway_id, record->participant_id, read.scopes, purpose);
  options_.store->AppendAsync(
      std::move(record_read),
      [read = std::move(read), done = std::move(done)](Result<AppendResult> recorded) mutable {
        if (!recorded.ok()) return done(NotRecorded(recorded.status()));
        done(std::move(read));
      });
}

}  // namespace pathways::app
