#include "engine/runtime/processor.hpp"

namespace pathways::runtime {
namespace {

nlohmann::json InboxTask(const Task& t) {
  return {{"kind", t.kind},
          {"title", {{"da", t.title_da}, {"en", t.title_en}}},
          {"due_at", t.due_at},
          {"status", t.status}};
}

// A task's due time is a timer too (`task:<id>`): overdue, it is escalated. Escalated tasks,
// and those of a closed pathway, are not watched.
std::map<std::string, TimestampMs> TaskTimers(const PathwayState& p) {
  std::map<std::string, TimestampMs> due;
  if (p.status == PathwayStatus::kClosed) return due;
  for (const auto& [task, t] : p.open_tasks) {
    if (t.status != "escalated") due[std::string(kTaskTimerPrefix) + task] = t.due_at;
  }
  return due;
}

// Timers by id, whether the definition's or a task's.
std::map<std::string, TimestampMs> AllTimers(const PathwayState& p) {
  std::map<std::string, TimestampMs> due = TaskTimers(p);
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
  row["state"] = after.state;
  row["status"] = StatusName(after.status);
  row["data"] = after.data;
  nlohmann::json milestones = nlohmann::json::object();
  for (const auto& [m, when] : after.milestones) milestones[m] = when;
  row["milestones"] = std::move(milestones);
  return row;
}

}  // namespace

nlohmann::json CaseloadSummary(const PathwayState& s) {
  return {{"state", s.state},
          {"status", StatusName(s.status)},
          {"open_risks", s.open_risks.size()},
          {"open_tasks", s.open_tasks.size()},
          {"version", s.version}};
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

  // Counters by state and by milestone.
  if (before.state != after.state) {
    if (before.exists()) --rows.count_deltas["state:" + before.state];
    ++rows.count_deltas["state:" + after.state];
  }
  for (const auto& [milestone, when] : after.milestones) {
    if (!before.milestones.count(milestone)) ++rows.count_deltas["milestone:" + milestone];
  }
  return rows;
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
    pinned.current = definitions.Newest(requested_definition_id);
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
  if (!before.exists() && std::holds_alternative<RegisterLead>(command)) {
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
