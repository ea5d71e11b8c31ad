#include "engine/runtime/processor.hpp"

#include <set>

namespace pathways::runtime {
namespace {

nlohmann::json InboxTask(const Task& t) {
  return {{"kind", t.kind},
          {"title", {{"da", t.title_da}, {"en", t.title_en}}},
          {"due_at", t.due_at},
          {"status", t.status}};
}

// Timers derived from the state rather than the definition; none for a closed pathway:
// - a task's due time (`task:<id>`): overdue, it is escalated (escalated ones are not watched);
// - an appointment's end (`appointment:<id>`): not held by then, it is missed;
// - the day before an appointment (`reminder:<id>`), when the participant consented to
//   reminders and has not had this one.
std::map<std::string, TimestampMs> DerivedTimers(const PathwayState& p) {
  std::map<std::string, TimestampMs> due;
  if (p.status == PathwayStatus::kClosed) return due;
  for (const auto& [task, t] : p.open_tasks) {
    if (t.status != "escalated") due[std::string(kTaskTimerPrefix) + task] = t.due_at;
  }
  for (const auto& [id, a] : p.appointments) {
    due[std::string(kAppointmentTimerPrefix) + id] = a.ends_at;
    if (p.consent.given && !a.reminded) {
      due[std::string(kReminderTimerPrefix) + id] = a.starts_at - kReminderBeforeMs;
    }
  }
  return due;
}

// Timers by id, whether the definition's or derived.
std::map<std::string, TimestampMs> AllTimers(const PathwayState& p) {
  std::map<std::string, TimestampMs> due = DerivedTimers(p);
  for (const auto& [timer, armed] : p.timers) due[timer] = armed.due_at;
  return due;
}

bool SameInboxRow(const Task& a, const Task& b) {
  return a.assignee == b.assignee && a.status == b.status && a.due_at == b.due_at &&
         a.kind == b.kind;
}

// The outbox row of a notification request: the request with the pathway's plain facts once
// the command is done (what the payload is built from, whenever and however often it is
// sent). Personal data stays in the vault: the adapter reads it when it sends, so an erased
// key is never sent.
nlohmann::json OutboxRequest(const NewEvent& e, const PathwayState& after, std::uint64_t version,
                             TimestampMs at) {
  nlohmann::json row = e.data;
  row["pathway_id"] = after.pathway_id;
  row["participant_id"] = after.participant_id;
  row["version"] = version;
  row["occurred_at"] = at;
  row["definition"] = {{"id", after.definition_id}, {"version", after.definition_version}};
  row["contact_person"] = after.contact_person;
  row["school"] = after.school;
  // The participant's own partners: where the employer's and the authority's notices go.
  if (!after.employer.name.empty()) row["employer"] = after.employer.ToJson();
  row["municipality"] = after.municipality;
  if (const auto id = e.data.find("appointment_id"); id != e.data.end()) {
    if (auto a = after.appointments.find(id->get<std::string>()); a != after.appointments.end()) {
      row["appointment"] = {{"starts_at", a->second.starts_at},
                            {"ends_at", a->second.ends_at},
                            {"place", a->second.place},
                            {"online", a->second.online},
                            {"topic", a->second.topic}};
    }
  }
  if (e.data.value("party", "") == kParticipantParty) {
    row["consent"] = {{"channels", after.consent.channels}};
  }
  row["state"] = after.state;
  row["status"] = StatusName(after.status);
  row["data"] = after.data;
  nlohmann::json milestones = nlohmann::json::object();
  for (const auto& [m, when] : after.milestones) milestones[m] = when;
  row["milestones"] = std::move(milestones);
  return row;
}

// The counters a pathway counts in: `state:<id>` and `milestone:<id>` (a company's record:
// `company:state:<id>` and `company:milestone:<id>`, never among the participants'), and each
// again under `school:<school>/` when it belongs to one.
std::set<std::string> CountKeys(const PathwayState& p) {
  std::set<std::string> keys;
  if (!p.exists()) return keys;
  const std::string kind = p.is_company() ? std::string(kCompanyCountPrefix) : std::string();
  std::vector<std::string> own{kind + "state:" + p.state};
  for (const auto& [milestone, when] : p.milestones) own.push_back(kind + "milestone:" + milestone);
  for (const std::string& key : own) {
    keys.insert(key);
    if (!p.school.empty()) keys.insert(std::string(kSchoolCountPrefix) + p.school + "/" + key);
  }
  return keys;
}

}  // namespace

nlohmann::json CaseloadSummary(const PathwayState& s) {
  return {{"state", s.state},
          {"status", StatusName(s.status)},
          {"open_risks", s.open_risks.size()},
          {"open_tasks", s.open_tasks.size()},
          {"version", s.version}};
}

std::map<std::string, std::uint8_t> CompanyLinksOf(const PathwayState& s) {
  std::map<std::string, std::uint8_t> links;
  if (!s.exists() || s.is_company()) return links;
  if (!s.employer.cvr.empty()) links[s.employer.cvr] |= kLinkEmployer;
  if (!s.referred_by_company.empty()) links[s.referred_by_company] |= kLinkReferrer;
  return links;
}

RowChanges DeriveRows(const PathwayState& before, const PathwayState& after,
                      const std::vector<NewEvent>& events, TimestampMs at) {
  RowChanges rows;

  // Timers: one row per armed timer (the definition's and the tasks' due times), keyed by due
  // time for the scheduler. Only rows that change are touched.
  const std::map<std::string, TimestampMs> timers_before = AllTimers(before);
  const std::map<std::string, TimestampMs> timers_after = AllTimers(after);
  for (const auto& [timer, due] : timers_before) {
    auto now = timers_after.find(timer);
    if (now == timers_after.end() || now->second != due)
      rows.timers_removed.push_back({due, timer});
  }
  for (const auto& [timer, due] : timers_after) {
    auto was = timers_before.find(timer);
    if (was == timers_before.end() || was->second != due) rows.timers_added.push_back({due, timer});
  }

  // Caseload: the contact person's pathways with a summary.
  if (!before.contact_person.empty() && before.contact_person != after.contact_person) {
    rows.caseload_removed = before.contact_person;
  }
  if (!after.contact_person.empty()) {
    rows.caseload_assignee = after.contact_person;
    rows.caseload_summary = CaseloadSummary(after);
  }

  // Inbox: open tasks by assignee; a pathway's open tasks are not rewritten by every command.
  for (const auto& [task, t] : before.open_tasks) {
    auto now = after.open_tasks.find(task);
    if (now == after.open_tasks.end() || now->second.assignee != t.assignee) {
      rows.inbox_removed.push_back({t.assignee, task, {}});
    }
  }
  for (const auto& [task, t] : after.open_tasks) {
    auto was = before.open_tasks.find(task);
    if (was != before.open_tasks.end() && SameInboxRow(was->second, t)) continue;
    rows.inbox_written.push_back({t.assignee, task, InboxTask(t)});
  }

  // Outbox: notification requests for the adapters, in log order.
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].type != "NotificationRequested") continue;
    rows.outbox.push_back({i, OutboxRequest(events[i], after, before.version + i + 1, at)});
  }

  // Company links: a participant under their employer and the company that brought the lead.
  const std::map<std::string, std::uint8_t> links_before = CompanyLinksOf(before);
  const std::map<std::string, std::uint8_t> links_after = CompanyLinksOf(after);
  for (const auto& [cvr, flags] : links_before) {
    if (!links_after.count(cvr)) rows.company_links_removed.push_back(cvr);
  }
  for (const auto& [cvr, flags] : links_after) {
    auto was = links_before.find(cvr);
    if (was == links_before.end() || was->second != flags) rows.company_links_written[cvr] = flags;
  }

  // Counters by state and by milestone, in all and by school: what a pathway counts in before
  // and after, and the difference (a transfer moves its counts to the new school).
  const std::set<std::string> counted_before = CountKeys(before);
  const std::set<std::string> counted_after = CountKeys(after);
  for (const std::string& key : counted_before) {
    if (!counted_after.count(key)) --rows.count_deltas[key];
  }
  for (const std::string& key : counted_after) {
    if (!counted_before.count(key)) ++rows.count_deltas[key];
  }

  // The report row, when what the reports read of the pathway changed. A company's record has
  // one too (the SMEs the operation supported, as of any position); the participants'
  // indicators read only rows of their own definition.
  if (!before.exists() || !SameReportRow(before, after)) {
    rows.report = ReportRow(after);
    rows.report_event_index = events.empty() ? 0 : events.size() - 1;
  }
  return rows;
}

PathwayState ReportRow(const PathwayState& s) {
  PathwayState row = s;
  row.version = 0;
  row.sequence = 0;
  row.appointments.clear();
  row.consent = {};
  row.open_risks.clear();
  row.open_tasks.clear();
  row.timers.clear();
  row.spent_timers.clear();
  return row;
}

bool SameReportRow(const PathwayState& a, const PathwayState& b) {
  return a.pathway_id == b.pathway_id && a.participant_id == b.participant_id &&
         a.definition_id == b.definition_id && a.definition_version == b.definition_version &&
         a.definition_hash == b.definition_hash && a.state == b.state && a.status == b.status &&
         a.contact_person == b.contact_person && a.school == b.school && a.employer == b.employer &&
         a.municipality == b.municipality && a.data == b.data && a.milestones == b.milestones &&
         a.created_at == b.created_at && a.last_contact_at == b.last_contact_at &&
         a.entered == b.entered && a.contacts == b.contacts && a.personal_at == b.personal_at &&
         a.referred_by_company == b.referred_by_company && a.company == b.company;
}

Status CheckPathwayId(std::string_view id) {
  if (!IsValidId(id) || id.find('/') != std::string_view::npos) {
    return Status::InvalidArgument(
        "pathway id must be 1-200 printable ASCII characters without spaces or `/`");
  }
  if (id.front() == kSystemStreamMark) {
    return Status::InvalidArgument("pathway ids starting with `$` are reserved for the store");
  }
  return Status::Ok();
}

Status CheckParticipantId(std::string_view id) {
  if (!IsValidId(id) || id.find('/') != std::string_view::npos) {
    return Status::InvalidArgument(
        "participant id must be 1-200 printable ASCII characters without spaces or `/`");
  }
  return Status::Ok();
}

Result<PinnedDefinition> PinDefinition(const definition::DefinitionCatalog& definitions,
                                       const PathwayState& before, const Command& command,
                                       const std::string& requested_definition_id) {
  PinnedDefinition pinned;
  if (before.exists()) {
    pinned.current = definitions.Find(before.definition_id, before.definition_version);
    if (pinned.current == nullptr || pinned.current->hash != before.definition_hash) {
      return Status::FailedPrecondition(
          "pathway " + before.pathway_id + " runs on " + before.definition_id + " version " +
          std::to_string(before.definition_version) +
          (pinned.current == nullptr ? ", which is not loaded"
                                     : ", whose loaded file has changed since"));
    }
  } else {
    const bool company = std::holds_alternative<RegisterCompany>(command);
    pinned.current = company && requested_definition_id.empty()
                         ? definitions.NewestOfKind(definition::Kind::kCompany)
                         : definitions.Newest(requested_definition_id);
    if (pinned.current == nullptr && company && requested_definition_id.empty()) {
      return Status::FailedPrecondition(
          "no company definition (`kind: company`) is loaded: config/workflows/ needs one");
    }
    if (pinned.current == nullptr) {
      return Status::FailedPrecondition("no pathway definition `" + requested_definition_id +
                                        "` is loaded");
    }
  }
  // A migration is decided with both versions; its events are stamped with the target's.
  if (const auto* migrate = std::get_if<MigratePathway>(&command)) {
    pinned.target = definitions.Find(pinned.current->id, migrate->target_version);
  }
  return pinned;
}

Result<Processed> Process(const PathwayState& before, const Command& command,
                          const ProcessContext& context) {
  Result<PinnedDefinition> pinned =
      PinDefinition(context.definitions, before, command, context.definition_id);
  if (!pinned.ok()) return pinned.status();
  Processed out;
  out.participant_id = before.exists() ? before.participant_id : context.participant_id;
  // A company's record has no participant: its keys are the record's own.
  if (!before.exists() && std::holds_alternative<RegisterCompany>(command)) {
    out.participant_id = context.pathway_id;
  }
  if (!before.exists() && IsRegistration(command)) {
    if (Status st = CheckParticipantId(out.participant_id); !st.ok()) return st;
  }
  const DecideContext decide{*pinned->current,   context.actor,      context.now,
                             context.pathway_id, out.participant_id, pinned->target.get()};
  Result<Decision> decided = Decide(before, command, decide);
  if (!decided.ok()) return decided.status();
  if (decided->events.empty()) return Status::InvalidArgument("the command changes nothing");

  const definition::Definition& stamped = pinned->target ? *pinned->target : *pinned->current;
  out.definition = {stamped.id, stamped.version, stamped.hash};
  out.after = std::move(decided->after);
  out.rows = DeriveRows(before, out.after, decided->events, context.now);
  out.events = std::move(decided->events);
  return out;
}

}  // namespace pathways::runtime
