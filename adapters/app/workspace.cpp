#include "adapters/app/workspace.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>

#include "engine/codec/event_json.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/event_types.hpp"
#include "engine/random.hpp"
#include "engine/runtime/calendar.hpp"
#include "engine/runtime/company.hpp"
#include "engine/runtime/cvr.hpp"
#include "engine/runtime/processor.hpp"

namespace pathways::app {

using config::Role;

bool Allowed(Access access, const config::User& user) {
  switch (access) {
    case Access::kPublic: return true;
    case Access::kRead:
      return user.role == Role::kCounsellor || user.role == Role::kTeamLead ||
             user.role == Role::kAdministrator || user.role == Role::kAuditor;
    case Access::kWrite:
      return user.role == Role::kCounsellor || user.role == Role::kTeamLead ||
             user.role == Role::kAdministrator;
    case Access::kAudit: return user.role == Role::kAdministrator || user.role == Role::kAuditor;
    case Access::kAdmin: return user.role == Role::kAdministrator && user.school.empty();
    case Access::kStaff: return user.role != Role::kPartner;
  }
  return false;
}

std::vector<PersonalScope> ReadableScopes(Role role) {
  switch (role) {
    case Role::kCounsellor:
      return {PersonalScope::kIdentity, PersonalScope::kGuidance, PersonalScope::kSpecial};
    case Role::kTeamLead:
    case Role::kAdministrator: return {PersonalScope::kIdentity};
    // Special-category data only for the counsellor and, for the ESF report, the auditor.
    case Role::kAuditor: return {PersonalScope::kIdentity, PersonalScope::kSpecial};
    // A company's contact persons (identity) and the notes of the contacts with it (guidance).
    case Role::kConsultant: return {PersonalScope::kIdentity, PersonalScope::kGuidance};
    case Role::kPartner: return {};
  }
  return {};
}

// `$caseloads`: the caseload handovers (CaseloadHandedOver).
constexpr const char* kCaseloadsStream = "$caseloads";

Actor ActorOf(const config::User& user) {
  return {user.id, std::string(config::RoleName(user.role))};
}

std::string NewId(const char* prefix) {
  std::array<std::uint8_t, 10> raw{};
  CryptoRandom random;
  IgnoreError(random.Fill(raw), "an id needs uniqueness, not secrecy; a zero id is refused later");
  return prefix +
         codec::HexEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

Workspace::Workspace(WorkspaceOptions options) : options_(std::move(options)) {}

bool Workspace::Sees(const config::User& user, const runtime::PathwayState& s) const {
  if (SeesAll(user) || s.contact_person == user.id) return true;
  if (user.role != Role::kCounsellor && s.school == user.school) return true;
  // A task handed to a counsellor brings its pathway into their work.
  return std::any_of(s.open_tasks.begin(), s.open_tasks.end(),
                     [&](const auto& t) { return t.second.assignee == user.id; });
}

bool Workspace::SeesSchool(const config::User& user, const std::string& school) const {
  return user.school.empty() || user.school == school;
}

const config::User* Workspace::FindUser(const std::string& id) const {
  auto it = options_.users->find(id);
  return it == options_.users->end() ? nullptr : &it->second;
}

Status Workspace::Oversees(const config::User& user, const std::string& counsellor) const {
  if (user.role == Role::kCounsellor || user.role == Role::kConsultant) {
    return counsellor == user.id ? Status::Ok()
                                 : Status::PermissionDenied("a counsellor sees their own work");
  }
  if (user.school.empty()) return Status::Ok();
  const config::User* other = FindUser(counsellor);
  if (other == nullptr || other->school != user.school) {
    return Status::PermissionDenied("`" + counsellor + "` is not of " + user.school);
  }
  return Status::Ok();
}

Result<runtime::PathwayState> Workspace::Pathway(const config::User& user,
                                                 const std::string& id) const {
  if (!Allowed(Access::kRead, user)) return Status::PermissionDenied("this role reads no pathways");
  const Status missing = Status::NotFound("no pathway " + id);
  // The store's own streams (`$…`) and ids no pathway can have are simply not there.
  if (runtime::CheckPathwayId(id).code() != StatusCode::kOk) return missing;
  auto loaded = options_.store->LoadPathway(id);
  if (!loaded.ok()) {
    return loaded.status().code() == StatusCode::kInvalidArgument ? missing : loaded.status();
  }
  // Another counsellor's pathway answers exactly like a missing one; a company's record is no
  // participant's pathway (Company() reads it, with its own rules).
  if (!loaded->has_value() || (*loaded)->is_company() || !Sees(user, **loaded)) return missing;
  return std::move(**loaded);
}

Result<std::string> Workspace::CaseloadOwner(const config::User& user,
                                             const std::string* named) const {
  // A consultant's are companies, listed by Companies(); a partner has none.
  if (!Allowed(Access::kRead, user)) return Status::PermissionDenied("this role has no caseload");
  if (named != nullptr) {
    if (user.role == Role::kCounsellor && *named != user.id) {
      return Status::PermissionDenied("a counsellor sees their own caseload");
    }
    if (Status st = Oversees(user, *named); !st.ok()) return st;
    return *named;
  }
  if (user.role != Role::kCounsellor) {
    return Status::InvalidArgument("name the counsellor: ?counsellor=ID");
  }
  return user.id;
}

Result<CaseloadView> Workspace::Caseload(const config::User& user,
                                         const CaseloadQuery& query) const {
  Result<std::string> owner = CaseloadOwner(user, query.counsellor);
  if (!owner.ok()) return owner.status();
  CaseloadView view{*owner, {}};
  auto entries = options_.store->Caseload(view.counsellor, 100'000);
  // An id that can be no one's (InvalidArgument) has nothing in its caseload.
  if (!entries.ok() && entries.status().code() == StatusCode::kInvalidArgument) return view;
  if (!entries.ok()) return entries.status();
  auto inbox = options_.store->Inbox(view.counsellor, 100'000);
  if (!inbox.ok() && inbox.status().code() != StatusCode::kInvalidArgument) {
    return inbox.status();
  }
  const TimestampMs now = options_.clock->NowMs();
  struct Deadlines {
    std::size_t overdue = 0;
    TimestampMs next = 0;
  };
  std::map<std::string, Deadlines> deadlines;
  if (inbox.ok()) {
    for (const InboxEntry& t : *inbox) {
      const TimestampMs due = t.task.value("due_at", TimestampMs{0});
      if (due == 0) continue;
      Deadlines& d = deadlines[t.pathway_id];
      if (due < now) ++d.overdue;
      if (d.next == 0 || due < d.next) d.next = due;
    }
  }
  for (CaseloadEntry& e : *entries) {
    if (!query.state.empty() && e.summary.value("state", "") != query.state) continue;
    const Deadlines d = deadlines[e.pathway_id];
    if (query.overdue_only && d.overdue == 0) continue;
    if (!query.risk.empty()) {
      // The summary counts risks; their types are on the pathway's row.
      auto s = options_.store->LoadPathway(e.pathway_id);
      if (!s.ok() || !s->has_value()) continue;
      bool has = false;
      for (const auto& [id, r] : (*s)->open_risks) has = has || r.type == query.risk;
      if (!has) continue;
    }
    view.rows.push_back({std::move(e.pathway_id), std::move(e.summary), d.overdue, d.next});
    if (view.rows.size() >= query.limit) break;
  }
  return view;
}

namespace {

// The counters of one school (or all when `school` is empty).
Figures FiguresOf(const std::map<std::string, std::int64_t>& counts, const std::string& school) {
  const std::string prefix =
      school.empty() ? "" : std::string(runtime::kSchoolCountPrefix) + school + "/";
  Figures out;
  for (const auto& [key, n] : counts) {
    if (!key.starts_with(prefix)) continue;
    const std::string_view own = std::string_view(key).substr(prefix.size());
    if (own.starts_with("state:")) out.states[std::string(own.substr(6))] = n;
    if (own.starts_with("milestone:")) out.milestones[std::string(own.substr(10))] = n;
  }
  return out;
}

}  // namespace

Result<std::string> Workspace::ExportSchool(const config::User& user,
                                            const std::string* asked) const {
  if (!Allowed(Access::kAudit, user)) return Status::PermissionDenied("your role exports nothing");
  const std::string school = asked != nullptr ? *asked : user.school;
  if (!SeesSchool(user, school)) {
    return Status::PermissionDenied("you export the pathways of " + user.school);
  }
  if (!school.empty() && (options_.schools == nullptr || !options_.schools->count(school))) {
    return Status::InvalidArgument("`" + school + "` is not a configured school");
  }
  return school;
}

Result<FiguresView> Workspace::Figures(const config::User& user, const std::string& school) const {
  if (!Allowed(Access::kRead, user)) return Status::PermissionDenied("your role reads no figures");
  const bool known = options_.schools != nullptr && options_.schools->count(school) > 0;
  if (!school.empty() && !known) {
    return Status::InvalidArgument("`" + school + "` is not a configured school");
  }
  auto counts = options_.store->Counts();
  if (!counts.ok()) return counts.status();
  FiguresView view;
  view.school = school;
  view.figures = FiguresOf(*counts, school);
  if (school.empty() && options_.schools != nullptr) {
    for (const auto& [id, s] : *options_.schools) view.schools[id] = FiguresOf(*counts, id);
  }
  if (auto def = options_.catalog->Newest(); def != nullptr && def->target) {
    auto reached = view.figures.milestones.find(def->target->milestone);
    view.target =
        FiguresView::Target{def->id, def->target->milestone, def->target->count,
                            reached == view.figures.milestones.end() ? 0 : reached->second};
  }
  return view;
}

Result<AsOfView> Workspace::AsOf(const config::User& user, const std::string& id,
                                 TimestampMs at) const {
  Result<runtime::PathwayState> now = Pathway(user, id);
  if (!now.ok()) return now.status();
  return ReplayTo(*options_.store, id, at);
}

Result<AsOfView> ReplayTo(const Store& store, const std::string& id, TimestampMs at) {
  AsOfView view;
  view.at = at;
  for (std::uint64_t from = 1; from != 0;) {
    auto page = store.ReadStream(id, from, 1000);
    if (!page.ok()) return page.status();
    from = page->next_version;
    for (RecordedEvent& e : page->events) {
      if (e.occurred_at > at) {
        from = 0;
        break;
      }
      if (Status st = runtime::Apply(view.state, e); !st.ok()) return st;
      view.history.push_back(std::move(e));
    }
  }
  if (!view.state.exists()) return Status::NotFound("the pathway did not exist then");
  auto refused = store.Rejections(id, at, 1000);
  if (refused.ok()) view.rejections = std::move(*refused);
  return view;
}

Result<std::vector<RecordedEvent>> Workspace::PersonalReads(const config::User& user,
                                                            const std::string& id,
                                                            std::size_t max) const {
  if (!Allowed(Access::kAudit, user)) {
    return Status::PermissionDenied("administrators and auditors read who read what");
  }
  Result<runtime::PathwayState> s = Pathway(user, id);
  if (!s.ok()) return s.status();
  auto page = options_.store->ReadStream(AccessStreamId(s->participant_id), 1, max);
  if (!page.ok()) return page.status();
  return std::move(page->events);
}

Result<AppointmentsView> Workspace::Appointments(const config::User& user,
                                                 const std::string* counsellor, TimestampMs from,
                                                 TimestampMs to) const {
  Result<std::string> owner = CaseloadOwner(user, counsellor);
  if (!owner.ok()) return owner.status();
  AppointmentsView view{*owner, {}};
  auto entries = options_.store->Caseload(view.counsellor, 100'000);
  if (!entries.ok() && entries.status().code() == StatusCode::kInvalidArgument) return view;
  if (!entries.ok()) return entries.status();
  for (const CaseloadEntry& e : *entries) {
    auto s = options_.store->LoadPathway(e.pathway_id);
    if (!s.ok()) return s.status();
    if (!s->has_value()) continue;
    for (const auto& [id, a] : (*s)->appointments) {
      if (a.starts_at >= from && a.starts_at < to) view.rows.push_back({e.pathway_id, id, a});
    }
  }
  std::stable_sort(view.rows.begin(), view.rows.end(), [](const auto& a, const auto& b) {
    return a.appointment.starts_at < b.appointment.starts_at;
  });
  return view;
}

bool ParseMeetingTime(const std::string& given, TimestampMs& out) {
  const std::size_t t = given.find('T');
  if (t == std::string::npos) return false;
  // "10:00" as people write it is "10:00:00".
  std::string text = given;
  const bool minutes_only =
      text.size() >= t + 6 && text[t + 3] == ':' && (text.size() == t + 6 || text[t + 6] != ':');
  if (minutes_only) text.insert(t + 6, ":00");
  if (!codec::ParseIso8601(text, out)) return false;
  const std::string_view time = std::string_view(text).substr(t);
  const bool zoned = time.find_first_of("Z+-") != std::string_view::npos;
  if (!zoned) out = runtime::UtcOfLocal(out);
  return true;
}

Result<std::string> Workspace::InboxOwner(const config::User& user,
                                          const std::string* named) const {
  if (named == nullptr) return user.id;
  if ((user.role == Role::kCounsellor || user.role == Role::kConsultant) && *named != user.id) {
    return Status::PermissionDenied("a counsellor or consultant sees their own inbox");
  }
  // A team lead's own inbox, or the inbox of a counsellor they oversee.
  if (*named != user.id) {
    if (Status st = Oversees(user, *named); !st.ok()) return st;
  }
  return *named;
}

Status Workspace::IsUser(const std::string& id, std::initializer_list<Role> roles,
                         const char* what) const {
  auto it = options_.users->find(id);
  if (it == options_.users->end() ||
      std::find(roles.begin(), roles.end(), it->second.role) == roles.end()) {
    return Status::InvalidArgument("`" + id + "` is not a configured " + what);
  }
  return Status::Ok();
}

Result<CommandRequest> Workspace::RegisterLead(const config::User& user, LeadRequest lead) const {
  if (!Allowed(Access::kWrite, user))
    return Status::PermissionDenied("this role registers no leads");
  if (user.role == Role::kCounsellor) {
    // A counsellor's lead is their own: it would vanish from their sight otherwise.
    if (!lead.contact_person.empty() && lead.contact_person != user.id) {
      return Status::PermissionDenied("a counsellor registers leads for their own caseload");
    }
    lead.contact_person = user.id;
  }
  // The school it belongs to: the user's own, or the one a partnership-wide user names.
  if (!user.school.empty()) {
    if (!lead.school.empty() && lead.school != user.school) {
      return Status::PermissionDenied("you register leads for " + user.school);
    }
    lead.school = user.school;
  } else if (HasSchools()) {
    if (lead.school.empty()) return Status::InvalidArgument("name the `school` the lead is for");
    if (!options_.schools->count(lead.school)) {
      return Status::InvalidArgument("`" + lead.school + "` is not a configured school");
    }
  } else if (!lead.school.empty()) {
    return Status::InvalidArgument("no schools are configured (the users file's `schools`)");
  }
  if (!lead.contact_person.empty()) {
    Status st = IsUser(lead.contact_person, {Role::kCounsellor}, "counsellor");
    if (!st.ok()) {
      return Status::InvalidArgument("contact_person `" + lead.contact_person +
                                     "` is not a configured counsellor");
    }
    if (FindUser(lead.contact_person)->school != lead.school) {
      return Status::InvalidArgument("contact_person `" + lead.contact_person + "` is not of " +
                                     lead.school);
    }
  }
  // The company named is one with a record, so the funnel shows which companies send staff.
  if (!lead.company.empty()) {
    const Status none = Status::InvalidArgument(
        "`company` names no company record (a CVR "
        "number of /v1/companies)");
    if (!runtime::IsValidCvr(lead.company)) return none;
    auto record = options_.store->LoadPathway(runtime::CompanyPathwayId(lead.company));
    if (!record.ok()) return record.status();
    if (!record->has_value()) return none;
  }
  CommandRequest r;
  r.pathway_id = std::move(lead.pathway_id);
  r.participant_id = std::move(lead.participant_id);
  r.definition_id = std::move(lead.definition);
  r.command = runtime::RegisterLead{std::move(lead.referral_source), std::move(lead.data),
                                    std::move(lead.personal),        std::move(lead.contact_person),
                                    std::move(lead.school),          std::move(lead.company)};
  return r;
}

Result<CommandRequest> Workspace::OnPathway(const config::User& user, const std::string& pathway_id,
                                            runtime::Command command) const {
  const bool migration = std::holds_alternative<runtime::MigratePathway>(command);
  if (!Allowed(migration ? Access::kAdmin : Access::kWrite, user)) {
    return Status::PermissionDenied(migration ? "only administrators migrate pathways"
                                              : "this role gives no commands");
  }
  if (const auto* assign = std::get_if<runtime::AssignContactPerson>(&command)) {
    if (Status st = IsUser(assign->user, {Role::kCounsellor}, "counsellor"); !st.ok()) return st;
  }
  if (const auto* reassign = std::get_if<runtime::ReassignTask>(&command)) {
    if (Status st =
            IsUser(reassign->assignee, {Role::kCounsellor, Role::kTeamLead, Role::kAdministrator},
                   "counsellor, team lead or administrator");
        !st.ok()) {
      return st;
    }
  }
  Result<runtime::PathwayState> visible = Pathway(user, pathway_id);
  if (!visible.ok()) return visible.status();
  // An employer with a company's record is the record's: its name (unless another is given)
  // and whether it is an SME, so the funder's SME figures follow the records.
  if (auto* employer = std::get_if<runtime::RecordEmployer>(&command);
      employer != nullptr && runtime::IsValidCvr(employer->cvr)) {
    auto record = options_.store->LoadPathway(runtime::CompanyPathwayId(employer->cvr));
    if (!record.ok()) return record.status();
    if (record->has_value() && (*record)->is_company()) {
      if (employer->name.empty()) employer->name = (*record)->company.name;
      employer->sme = (*record)->company.sme();
    }
  }
  // A contact person of another school moves the pathway there (a transfer).
  if (auto* assign = std::get_if<runtime::AssignContactPerson>(&command)) {
    const std::string& school = FindUser(assign->user)->school;
    if (school != visible->school) assign->school = school;
  }
  CommandRequest r;
  r.pathway_id = pathway_id;
  r.command = std::move(command);
  return r;
}

Result<Workspace::MigrationPreview> Workspace::MigrateDryRun(
    const config::User& user, const std::string& pathway_id,
    const runtime::MigratePathway& migration) const {
  if (!Allowed(Access::kAdmin, user)) {
    return Status::PermissionDenied("only administrators migrate pathways");
  }
  Result<runtime::PathwayState> s = Pathway(user, pathway_id);
  if (!s.ok()) return s.status();
  const runtime::ProcessContext ctx{*options_.catalog, ActorOf(user),     options_.clock->NowMs(),
                                    s->pathway_id,     s->participant_id, s->definition_id};
  Result<runtime::Processed> processed = runtime::Process(*s, migration, ctx);
  if (!processed.ok()) return processed.status();
  return MigrationPreview{s->state, processed->after.state};
}

void Workspace::HandOver(const config::User& user, Handover handover,
                         std::function<void(Result<HandoverResult>)> done) const {
  if (user.role != Role::kTeamLead && user.role != Role::kAdministrator) {
    return done(Status::PermissionDenied("team leads and administrators hand caseloads over"));
  }
  if (handover.reason.empty()) return done(Status::InvalidArgument("say why (`reason`)"));
  if (handover.from == handover.to) {
    return done(Status::InvalidArgument("a caseload is handed to another counsellor"));
  }
  for (const std::string* id : {&handover.from, &handover.to}) {
    if (Status st = IsUser(*id, {Role::kCounsellor}, "counsellor"); !st.ok()) return done(st);
    if (Status st = Oversees(user, *id); !st.ok()) return done(st);
  }
  Result<std::vector<CaseloadEntry>> caseload =
      options_.store->Caseload(handover.from, std::numeric_limits<std::size_t>::max());
  if (!caseload.ok()) return done(caseload.status());
  if (caseload->empty()) {
    return done(Status::Rejected(handover.from + " has no pathways to hand over"));
  }

  // Shared by the commands in flight; the last one to finish answers.
  struct Progress {
    std::mutex mu;
    HandoverResult result;
    std::size_t pending = 0;
    std::function<void(Result<HandoverResult>)> done;
  };
  auto progress = std::make_shared<Progress>();
  progress->result.handover_id = NewId("handover-");
  progress->done = std::move(done);
  std::vector<std::string> ids;
  for (const CaseloadEntry& e : *caseload) ids.push_back(e.pathway_id);
  progress->pending = ids.size();

  // The operation is recorded first: every pathway's new contact person names it.
  AppendRequest record;
  record.stream_id = kCaseloadsStream;
  record.participant_id = kCaseloadsStream;  // no participant: the stream is its own
  record.command_id = progress->result.handover_id;
  record.actor = ActorOf(user);
  record.events.push_back(events::Encode(events::CaseloadHandedOver{
      progress->result.handover_id, handover.from, handover.to, handover.reason, ids}));
  Result<AppendResult> recorded = options_.store->Append(std::move(record));
  if (!recorded.ok()) return progress->done(recorded.status());

  const std::string to_school = FindUser(handover.to)->school;
  for (const std::string& id : ids) {
    Result<runtime::PathwayState> s = Pathway(user, id);
    auto finish = [progress, id](Status st) {
      std::lock_guard lock(progress->mu);
      if (st.ok()) {
        progress->result.moved.push_back(id);
      } else {
        progress->result.failed.emplace_back(id, st.message());
      }
      if (--progress->pending == 0) progress->done(std::move(progress->result));
    };
    if (!s.ok()) {
      finish(s.status());
      continue;
    }
    CommandRequest r;
    r.pathway_id = id;
    r.command_id = progress->result.handover_id + ":" + id;
    r.command = runtime::AssignContactPerson{handover.to, to_school == s->school ? "" : to_school,
                                             progress->result.handover_id, handover.reason};
    Submit(user, std::move(r), [finish](Result<AppendResult> r) { finish(r.status()); });
  }
}

Result<TeamView> Workspace::Team(const config::User& user, const std::string& school) const {
  if (user.role != Role::kTeamLead && user.role != Role::kAdministrator &&
      user.role != Role::kAuditor) {
    return Status::PermissionDenied("team leads and administrators see teams");
  }
  TeamView team;
  team.school = school.empty() ? user.school : school;
  if (team.school.empty()) return Status::InvalidArgument("name the school: ?school=ID");
  if (!SeesSchool(user, team.school)) {
    return Status::PermissionDenied("you see the team of " + user.school);
  }
  if (!HasSchools() || !options_.schools->count(team.school)) {
    return Status::InvalidArgument("`" + team.school + "` is not a configured school");
  }
  const TimestampMs now = options_.clock->NowMs();
  for (const auto& [id, u] : *options_.users) {
    if (u.role != Role::kCounsellor || u.school != team.school) continue;
    TeamView::Member m{id, u.name};
    auto caseload = options_.store->Caseload(id, std::numeric_limits<std::size_t>::max());
    if (!caseload.ok()) return caseload.status();
    m.pathways = caseload->size();
    auto inbox = options_.store->Inbox(id, std::numeric_limits<std::size_t>::max());
    if (!inbox.ok()) return inbox.status();
    for (InboxEntry& t : *inbox) {
      ++m.open_tasks;
      const TimestampMs due = t.task.value("due_at", TimestampMs{0});
      const bool overdue = due != 0 && due < now;
      const bool escalated = t.task.value("status", "") == "escalated";
      m.overdue_tasks += overdue ? 1 : 0;
      m.escalated_tasks += escalated ? 1 : 0;
      if (overdue || escalated) {
        t.task["assignee"] = id;
        team.attention.push_back(std::move(t));
      }
    }
    team.counsellors.push_back(std::move(m));
  }
  std::stable_sort(team.attention.begin(), team.attention.end(), [](const auto& a, const auto& b) {
    return a.task.value("due_at", TimestampMs{0}) < b.task.value("due_at", TimestampMs{0});
  });
  return team;
}

void Workspace::Submit(const config::User& user, CommandRequest request,
                       std::function<void(Result<AppendResult>)> done) const {
  request.actor = ActorOf(user);
  options_.store->ExecuteAsync(std::move(request), std::move(done));
}

}  // namespace pathways::app
