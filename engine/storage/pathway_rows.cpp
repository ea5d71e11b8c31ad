#include "engine/storage/pathway_rows.hpp"

#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/state_row.hpp"
#include "engine/storage/store_format.hpp"

namespace pathways::storage {
Status StagePathwayRows(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch,
                        const runtime::PathwayState& after, const runtime::RowChanges& rows,
                        std::uint64_t first_position,
                        std::unordered_map<std::string, std::int64_t>& deltas) {
  const std::string& id = after.pathway_id;
  rocksdb::Status st;
  auto put = [&](rocksdb::ColumnFamilyHandle* cf, const std::string& k, const std::string& v) {
    if (st.ok()) st = batch.Put(cf, k, v);
  };
  auto del = [&](rocksdb::ColumnFamilyHandle* cf, const std::string& k) {
    if (st.ok()) st = batch.Delete(cf, k);
  };

  put(s.pathways, id, EncodeStateRow(after));
  for (const runtime::TimerRow& t : rows.timers_removed)
    del(s.timers, TimerKey(t.due_at, id, t.timer_id));
  for (const runtime::TimerRow& t : rows.timers_added)
    put(s.timers, TimerKey(t.due_at, id, t.timer_id), {});
  if (!rows.caseload_removed.empty()) del(s.caseload, CaseloadKey(rows.caseload_removed, id));
  if (!rows.caseload_assignee.empty()) {
    put(s.caseload, CaseloadKey(rows.caseload_assignee, id), rows.caseload_summary.dump());
  }
  for (const runtime::InboxRow& r : rows.inbox_removed)
    del(s.inbox, InboxKey(r.assignee, id, r.task_id));
  for (const runtime::InboxRow& r : rows.inbox_written) {
    put(s.inbox, InboxKey(r.assignee, id, r.task_id), r.task.dump());
  }
  for (const std::string& cvr : rows.company_links_removed) {
    del(s.company_links, CompanyLinkKey(cvr, id));
  }
  for (const auto& [cvr, flags] : rows.company_links_written) {
    put(s.company_links, CompanyLinkKey(cvr, id), EncodeCompanyLink(flags));
  }
  for (const runtime::OutboxRow& o : rows.outbox) {
    const std::uint64_t position = first_position + o.event_index;
    nlohmann::json row = o.row;
    row["position"] = position;
    put(s.outbox, EventKey(position), row.dump());
  }
  if (rows.report) {
    const std::string row = EncodeStateRow(*rows.report);
    std::string history = StreamPrefix(id);
    codec::PutBigU64(history, first_position + rows.report_event_index);
    put(s.reports, id, row);
    put(s.report_history, history, row);
  }
  for (const auto& [key, delta] : rows.count_deltas) deltas[key] += delta;
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
