#include "engine/storage/pathway_rows.hpp"

#include <map>

#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"

namespace pathways::storage {
namespace {

std::string CaseloadValue(const runtime::PathwayState& s) {
  return nlohmann::json{{"state", s.state},
                        {"status", runtime::StatusName(s.status)},
                        {"open_risks", s.open_risks.size()},
                        {"open_tasks", s.open_tasks.size()},
                        {"version", s.version}}
      .dump();
}

std::string InboxValue(const runtime::Task& t) {
  return nlohmann::json{{"kind", t.kind},
                        {"title", {{"da", t.title_da}, {"en", t.title_en}}},
                        {"due_at", t.due_at},
                        {"status", t.status}}
      .dump();
}

}  // namespace

Status StagePathwayRows(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch,
                        const runtime::PathwayState& before, const runtime::PathwayState& after,
                        const std::vector<std::pair<std::uint64_t, const NewEvent*>>& events,
                        TimestampMs at, std::unordered_map<std::string, std::int64_t>& deltas) {
  const std::string& id = after.pathway_id;
  rocksdb::Status st;
  auto put = [&](rocksdb::ColumnFamilyHandle* cf, const std::string& k, const std::string& v) {
    if (st.ok()) st = batch.Put(cf, k, v);
  };
  auto del = [&](rocksdb::ColumnFamilyHandle* cf, const std::string& k) {
    if (st.ok()) st = batch.Delete(cf, k);
  };

  std::string state_row(1, static_cast<char>(kPathwayValueFormat));
  state_row += after.ToJson().dump();
  put(s.pathways, id, state_row);

  // Timers: one row per armed timer, keyed by due time for the scheduler.
  for (const auto& [timer, armed] : before.timers) {
    auto now = after.timers.find(timer);
    if (now == after.timers.end() || now->second.due_at != armed.due_at) {
      del(s.timers, TimerKey(armed.due_at, id, timer));
    }
  }
  for (const auto& [timer, armed] : after.timers) {
    auto was = before.timers.find(timer);
    if (was == before.timers.end() || was->second.due_at != armed.due_at) {
      put(s.timers, TimerKey(armed.due_at, id, timer), {});
    }
  }

  // A task's due time is a timer too (`task:<id>`): overdue, it is escalated. Escalated
  // tasks, and those of a closed pathway, are not watched.
  const auto due_tasks = [](const runtime::PathwayState& p) {
    std::map<std::string, TimestampMs> due;
    if (p.status == runtime::PathwayStatus::kClosed) return due;
    for (const auto& [task, t] : p.open_tasks) {
      if (t.status != "escalated") due[std::string(runtime::kTaskTimerPrefix) + task] = t.due_at;
    }
    return due;
  };
  const std::map<std::string, TimestampMs> due_before = due_tasks(before);
  const std::map<std::string, TimestampMs> due_after = due_tasks(after);
  for (const auto& [timer, due] : due_before) {
    auto now = due_after.find(timer);
    if (now == due_after.end() || now->second != due) del(s.timers, TimerKey(due, id, timer));
  }
  for (const auto& [timer, due] : due_after) {
    auto was = due_before.find(timer);
    if (was == due_before.end() || was->second != due) put(s.timers, TimerKey(due, id, timer), {});
  }

  // Caseload: the contact person's pathways with a summary.
  if (!before.contact_person.empty() && before.contact_person != after.contact_person) {
    del(s.caseload, CaseloadKey(before.contact_person, id));
  }
  if (!after.contact_person.empty())
    put(s.caseload, CaseloadKey(after.contact_person, id), CaseloadValue(after));

  // Inbox: open tasks by assignee.
  for (const auto& [task, t] : before.open_tasks) {
    auto now = after.open_tasks.find(task);
    if (now == after.open_tasks.end() || now->second.assignee != t.assignee) {
      del(s.inbox, InboxKey(t.assignee, id, task));
    }
  }
  // Only rows that change: a pathway's open tasks are not rewritten by every command on it.
  for (const auto& [task, t] : after.open_tasks) {
    auto was = before.open_tasks.find(task);
    if (was != before.open_tasks.end() && was->second.assignee == t.assignee &&
        was->second.status == t.status && was->second.due_at == t.due_at &&
        was->second.kind == t.kind) {
      continue;
    }
    put(s.inbox, InboxKey(t.assignee, id, task), InboxValue(t));
  }

  // Outbox: notification requests for the adapters, in log order, each with the plain facts
  // of the pathway once the command is done (what the payload is built from, whenever and
  // however often it is sent). Personal data stays in the vault: the adapter reads it when
  // it sends, so an erased key is never sent.
  std::uint64_t version = before.version;
  for (const auto& [position, e] : events) {
    ++version;
    if (e->type != "NotificationRequested") continue;
    nlohmann::json row = e->data;
    row["pathway_id"] = id;
    row["participant_id"] = after.participant_id;
    row["position"] = position;
    row["version"] = version;
    row["occurred_at"] = at;
    row["definition"] = {{"id", after.definition_id}, {"version", after.definition_version}};
    row["contact_person"] = after.contact_person;
    row["state"] = after.state;
    row["status"] = runtime::StatusName(after.status);
    row["data"] = after.data;
    nlohmann::json milestones = nlohmann::json::object();
    for (const auto& [m, when] : after.milestones) milestones[m] = when;
    row["milestones"] = std::move(milestones);
    put(s.outbox, EventKey(position), row.dump());
  }

  // Counters by state and by milestone.
  if (before.state != after.state) {
    if (before.exists()) --deltas["state:" + before.state];
    ++deltas["state:" + after.state];
  }
  for (const auto& [milestone, at] : after.milestones) {
    if (!before.milestones.count(milestone)) ++deltas["milestone:" + milestone];
  }
  return FromRocks(st, "staging a pathway's rows");
}

Status StageCounts(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch,
                   const std::unordered_map<std::string, std::int64_t>& deltas,
                   std::unordered_map<std::string, std::int64_t>& totals) {
  for (const auto& [key, delta] : deltas) {
    if (delta == 0) continue;
    std::int64_t current = 0;
    if (auto it = s.count_cache.find(key); it != s.count_cache.end()) {
      current = it->second;
    } else {
      Result<std::int64_t> stored = s.ReadCount(key);
      if (!stored.ok()) return stored.status();
      current = *stored;
    }
    std::string value;
    codec::PutU64(value, static_cast<std::uint64_t>(current + delta));
    if (rocksdb::Status st = batch.Put(s.counts, key, value); !st.ok()) {
      return FromRocks(st, "staging a counter");
    }
    totals[key] = current + delta;
  }
  return Status::Ok();
}

}  // namespace pathways::storage
