// Reads of the rows kept beside the log: pathways' state rows, due timers, caseloads, inboxes,
// counters, report rows, and refusals kept for auditors. None touches the log.

#include <limits>
#include <nlohmann/json.hpp>

#include "engine/codec/bytes.hpp"
#include "engine/runtime/processor.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/state_row.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {

Result<std::optional<runtime::PathwayState>> RocksEventStore::Impl::ReadPathway(
    const std::string& pathway_id) const {
  if (pathways == nullptr) return std::optional<runtime::PathwayState>();
  std::string value;
  rocksdb::Status st = db->Get(rocksdb::ReadOptions(), pathways, pathway_id, &value);
  if (st.IsNotFound()) return std::optional<runtime::PathwayState>();
  if (!st.ok()) return FromRocks(st, "reading pathway " + pathway_id);
  Result<runtime::PathwayState> state = DecodeStateRow(pathway_id, value);
  if (!state.ok()) return state.status();
  return std::optional(std::move(*state));
}

Result<std::int64_t> RocksEventStore::Impl::ReadCount(const std::string& key) const {
  std::string value;
  rocksdb::Status st = db->Get(rocksdb::ReadOptions(), counts, key, &value);
  if (st.IsNotFound()) return std::int64_t{0};
  if (!st.ok()) return FromRocks(st, "reading counter " + key);
  codec::ByteReader r(value);
  std::uint64_t n = 0;
  if (!r.GetLittle(n)) return Status::Corruption("counter " + key + " is truncated");
  return static_cast<std::int64_t>(n);
}

Result<std::optional<runtime::PathwayState>> RocksEventStore::LoadPathway(
    const std::string& pathway_id) const {
  if (!IsValidId(pathway_id)) return Status::InvalidArgument("malformed pathway id");
  return impl_->ReadPathway(pathway_id);
}

Result<std::vector<runtime::PathwayState>> RocksEventStore::PathwaysOn(
    const std::string& definition_id, std::uint32_t version) const {
  std::vector<runtime::PathwayState> out;
  if (impl_->pathways == nullptr) return out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->pathways));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Result<runtime::PathwayState> state =
        DecodeStateRow(it->key().ToStringView(), it->value().ToStringView());
    if (!state.ok()) return state.status();
    if (state->definition_id == definition_id && state->definition_version == version) {
      out.push_back(std::move(*state));
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the pathway rows");
  return out;
}

Result<std::vector<runtime::PathwayState>> RocksEventStore::PathwaysWithPrefix(
    const std::string& id_prefix, std::size_t max) const {
  std::vector<runtime::PathwayState> out;
  if (impl_->pathways == nullptr) return out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->pathways));
  for (it->Seek(id_prefix); it->Valid() && out.size() < max; it->Next()) {
    const std::string_view id = it->key().ToStringView();
    if (!id.starts_with(id_prefix)) break;
    Result<runtime::PathwayState> state = DecodeStateRow(id, it->value().ToStringView());
    if (!state.ok()) return state.status();
    out.push_back(std::move(*state));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the pathway rows");
  return out;
}

Result<std::vector<DueTimer>> RocksEventStore::DueTimers(TimestampMs now, std::size_t max) const {
  std::vector<DueTimer> due;
  if (impl_->timers == nullptr) return due;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->timers));
  for (it->SeekToFirst(); it->Valid() && due.size() < max; it->Next()) {
    const std::string_view key = it->key().ToStringView();
    const std::size_t separator = key.find('\0', 8);
    if (key.size() < 10 || separator == std::string_view::npos) {
      return Status::Corruption("the timer index holds a malformed row");
    }
    const auto due_at = static_cast<TimestampMs>(codec::GetBigU64(key.data()));
    if (due_at > now) break;
    due.push_back({std::string(key.substr(8, separator - 8)),
                   std::string(key.substr(separator + 1)), due_at});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the timer index");
  return due;
}

Result<std::optional<TimestampMs>> RocksEventStore::NextTimerDue() const {
  if (impl_->timers == nullptr) return std::optional<TimestampMs>();
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->timers));
  it->SeekToFirst();
  if (!it->status().ok()) return FromRocks(it->status(), "reading the timer index");
  if (!it->Valid()) return std::optional<TimestampMs>();
  if (it->key().size() < 10) return Status::Corruption("the timer index holds a malformed row");
  return std::optional(static_cast<TimestampMs>(codec::GetBigU64(it->key().data())));
}

Result<std::vector<CaseloadEntry>> RocksEventStore::Caseload(const std::string& counsellor,
                                                             std::size_t max) const {
  if (!IsValidId(counsellor)) return Status::InvalidArgument("malformed counsellor id");
  std::vector<CaseloadEntry> out;
  bool bad = false;
  Status st = ScanPrefix(*impl_, impl_->caseload, CaseloadKey(counsellor, ""), max,
                         [&](std::string_view pathway, std::string_view value) {
                           nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
                           if (!j.is_object()) return !(bad = true);
                           out.push_back({std::string(pathway), std::move(j)});
                           return true;
                         });
  if (!st.ok()) return st;
  if (bad) return Status::Corruption("a caseload row of " + counsellor + " is malformed");
  return out;
}

Result<std::vector<CompanyLink>> RocksEventStore::CompanyLinks(const std::string& cvr,
                                                               std::size_t max) const {
  if (!IsValidId(cvr)) return Status::InvalidArgument("malformed CVR number");
  std::vector<CompanyLink> out;
  bool bad = false;
  Status st =
      ScanPrefix(*impl_, impl_->company_links, CompanyLinkKey(cvr, ""), max,
                 [&](std::string_view pathway, std::string_view value) {
                   if (value.size() != 2 || value[0] != kCompanyLinkValueFormat) {
                     return !(bad = true);
                   }
                   const auto flags = static_cast<std::uint8_t>(value[1]);
                   out.push_back({std::string(pathway), (flags & runtime::kLinkEmployer) != 0,
                                  (flags & runtime::kLinkReferrer) != 0});
                   return true;
                 });
  if (!st.ok()) return st;
  if (bad) return Status::Corruption("a company link of " + cvr + " is malformed");
  return out;
}

Result<std::vector<InboxEntry>> RocksEventStore::Inbox(const std::string& assignee,
                                                       std::size_t max) const {
  if (!IsValidId(assignee)) return Status::InvalidArgument("malformed assignee id");
  std::vector<InboxEntry> out;
  bool bad = false;
  Status st = ScanPrefix(*impl_, impl_->inbox, CaseloadKey(assignee, ""), max,
                         [&](std::string_view rest, std::string_view value) {
                           const std::size_t sep = rest.find('\0');
                           nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
                           if (sep == std::string_view::npos || !j.is_object()) {
                             return !(bad = true);
                           }
                           out.push_back({std::string(rest.substr(0, sep)),
                                          std::string(rest.substr(sep + 1)), std::move(j)});
                           return true;
                         });
  if (!st.ok()) return st;
  if (bad) return Status::Corruption("an inbox row of " + assignee + " is malformed");
  return out;
}

Result<std::map<std::string, std::int64_t>> RocksEventStore::Counts() const {
  std::map<std::string, std::int64_t> out;
  bool bad = false;
  Status st = ScanPrefix(*impl_, impl_->counts, "", std::numeric_limits<std::size_t>::max(),
                         [&](std::string_view key, std::string_view value) {
                           codec::ByteReader r(value);
                           std::uint64_t n = 0;
                           if (!r.GetLittle(n)) return !(bad = true);
                           out[std::string(key)] = static_cast<std::int64_t>(n);
                           return true;
                         });
  if (!st.ok()) return st;
  if (bad) return Status::Corruption("a counter row is malformed");
  return out;
}

Result<std::uint64_t> RocksEventStore::VisitReportRows(
    std::optional<std::uint64_t> at,
    const std::function<bool(const runtime::PathwayState&)>& visit) const {
  const Impl& s = *impl_;
  if (s.reports == nullptr || s.report_history == nullptr) {
    return Status::FailedPrecondition("the store has no report rows yet: open it for writing once");
  }
  // One snapshot for the head and the rows, so the position answered is the one they are as of.
  // A read-only open (a RocksDB secondary) is a fixed view already, and has no snapshots.
  struct Snapshot {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snapshot;
    ~Snapshot() {
      if (snapshot != nullptr) db->ReleaseSnapshot(snapshot);
    }
  } snap{s.db.get(), s.options.read_only ? nullptr : s.db->GetSnapshot()};
  rocksdb::ReadOptions read;
  read.snapshot = snap.snapshot;
  // A scan of every row, larger than the block cache: its blocks would only push out the ones
  // the commands and pages use, and read ahead they come in large reads.
  read.fill_cache = false;
  read.readahead_size = 2u << 20;
  std::uint64_t head = 0;
  std::string value;
  rocksdb::Status st = s.db->Get(read, s.meta, std::string(meta::kHead), &value);
  if (st.ok()) {
    codec::ByteReader r(value);
    if (!r.GetLittle(head)) return Status::Corruption("the chain head is truncated");
  } else if (!st.IsNotFound()) {
    return FromRocks(st, "reading the chain head");
  }
  const bool historic = at && *at < head;
  std::unique_ptr<rocksdb::Iterator> it(
      s.db->NewIterator(read, historic ? s.report_history : s.reports));
  Status bad = Status::Ok();
  auto emit = [&](std::string_view pathway, std::string_view row) {
    Result<runtime::PathwayState> state = DecodeStateRow(pathway, row);
    if (!state.ok()) {
      bad = state.status();
      return false;
    }
    return visit(*state);
  };
  if (!historic) {
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!emit(it->key().ToStringView(), it->value().ToStringView())) break;
    }
  } else {
    // pathway 00 BE64 position: each pathway's rows in order; the last at or before `at`.
    std::string pathway;
    std::string row;  // empty: none at or before `at` yet
    bool going = true;
    for (it->SeekToFirst(); going && it->Valid(); it->Next()) {
      const std::string_view key = it->key().ToStringView();
      if (key.size() < 10 || key[key.size() - 9] != '\0') {
        bad = Status::Corruption("a report history key is malformed");
        break;
      }
      const std::string_view id = key.substr(0, key.size() - 9);
      if (id != pathway) {
        if (!row.empty()) going = emit(pathway, row);
        pathway.assign(id);
        row.clear();
      }
      if (going && codec::GetBigU64(key.data() + key.size() - 8) <= *at) {
        row.assign(it->value().ToStringView());
      }
    }
    if (going && bad.ok() && it->status().ok() && !row.empty()) emit(pathway, row);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the report rows");
  if (!bad.ok()) return bad;
  return historic ? *at : head;
}

Result<std::vector<Rejection>> RocksEventStore::Rejections(const std::string& pathway_id,
                                                           TimestampMs until,
                                                           std::size_t max) const {
  if (!IsValidId(pathway_id)) return Status::InvalidArgument("malformed pathway id");
  std::vector<Rejection> out;
  bool bad = false;
  Status st = ScanPrefix(*impl_, impl_->rejections, StreamPrefix(pathway_id), max,
                         [&](std::string_view key, std::string_view value) {
                           // key: BE64 at, command id; value: format byte, canonical JSON
                           if (key.size() < 8 || value.empty() ||
                               static_cast<std::uint8_t>(value[0]) != kRejectionValueFormat) {
                             return !(bad = true);
                           }
                           const auto at = static_cast<TimestampMs>(codec::GetBigU64(key.data()));
                           if (at > until) return false;
                           const nlohmann::json j =
                               nlohmann::json::parse(value.substr(1), nullptr, false);
                           if (!j.is_object()) return !(bad = true);
                           Rejection r;
                           r.pathway_id = pathway_id;
                           r.at = at;
                           r.command = j.value("command", "");
                           r.command_id = j.value("command_id", "");
                           r.trigger = j.value("trigger", "");
                           r.actor.user = j.value("/actor/user"_json_pointer, "");
                           r.actor.role = j.value("/actor/role"_json_pointer, "");
                           r.state = j.value("state", "");
                           r.version = j.value("version", std::uint64_t{0});
                           r.reason = j.value("reason", "");
                           out.push_back(std::move(r));
                           return true;
                         });
  if (!st.ok()) return st;
  if (bad) return Status::Corruption("a rejection row of pathway " + pathway_id + " is malformed");
  return out;
}

}  // namespace pathways::storage
