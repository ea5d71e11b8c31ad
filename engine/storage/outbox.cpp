// The Outbox port on RocksDB: notification requests in the `outbox` column family (written by
// the writer with their events), the adapters' own rows in `deliveries`, and the waits on the
// committed head that wake the adapters.

#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {
namespace {

// Adapter rows are not synced on their own: the WAL keeps their order, and losing the last
// ones in a crash only makes an adapter redo work.
rocksdb::WriteOptions Unsynced() {
  rocksdb::WriteOptions o;
  o.sync = false;
  return o;
}

}  // namespace

Result<std::vector<std::pair<std::uint64_t, nlohmann::json>>> RocksEventStore::ReadOutbox(
    std::uint64_t after, std::size_t max) const {
  std::vector<std::pair<std::uint64_t, nlohmann::json>> out;
  if (impl_->outbox == nullptr) return out;  // a read-only open of an older store
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->outbox));
  for (it->Seek(EventKey(after + 1)); it->Valid() && out.size() < max; it->Next()) {
    if (it->key().size() != 8) return Status::Corruption("an outbox key is not a position");
    const std::uint64_t position = codec::GetBigU64(it->key().data());
    nlohmann::json row = nlohmann::json::parse(it->value().ToStringView(), nullptr, false);
    if (!row.is_object()) {
      return Status::Corruption("outbox row " + std::to_string(position) + " is malformed");
    }
    out.emplace_back(position, std::move(row));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the outbox");
  return out;
}

Status RocksEventStore::PruneOutbox(std::uint64_t position) {
  // Point deletes, not DeleteRange: RocksDB 7.8 shares a memtable's insert hints between its
  // point and range-deletion tables, and the outbox inserts with hints (a range tombstone
  // there trips its skip list's assertions).
  rocksdb::WriteBatch batch;
  rocksdb::Status st;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->outbox));
  for (it->SeekToFirst(); st.ok() && it->Valid(); it->Next()) {
    if (it->key().size() != 8 || codec::GetBigU64(it->key().data()) > position) break;
    st = batch.Delete(impl_->outbox, it->key());
  }
  if (st.ok()) st = it->status();
  if (st.ok() && batch.Count() > 0) st = impl_->db->Write(Unsynced(), &batch);
  return FromRocks(st, "pruning the outbox");
}

std::uint64_t RocksEventStore::CommittedPosition() const {
  return impl_->head_position.load(std::memory_order_acquire);
}

std::uint64_t RocksEventStore::WaitForCommit(std::uint64_t after, std::chrono::milliseconds timeout,
                                             std::uint64_t seen_wakes) const {
  Impl& s = *impl_;
  std::unique_lock lock(s.head_mu);
  s.head_cv.wait_for(lock, timeout, [&] {
    return s.head.position > after || s.closing.load() || s.wakes != seen_wakes;
  });
  return s.head.position;
}

std::uint64_t RocksEventStore::WakeCount() const {
  std::lock_guard lock(impl_->head_mu);
  return impl_->wakes;
}

void RocksEventStore::Wake() {
  {
    std::lock_guard lock(impl_->head_mu);
    ++impl_->wakes;
  }
  impl_->head_cv.notify_all();
}

Result<std::optional<std::string>> RocksEventStore::ReadState(std::string_view key) const {
  if (impl_->deliveries == nullptr) return std::optional<std::string>();  // older store
  std::string value;
  rocksdb::Status st = impl_->db->Get(rocksdb::ReadOptions(), impl_->deliveries, key, &value);
  if (st.IsNotFound()) return std::optional<std::string>();
  if (!st.ok()) return FromRocks(st, "reading an adapter row");
  return std::optional<std::string>(std::move(value));
}

Status RocksEventStore::WriteState(const AdapterStateWrite& write) {
  if (impl_->deliveries == nullptr) return Status::Closed("the store is open read-only");
  rocksdb::WriteBatch batch;
  rocksdb::Status st;
  for (const AdapterStateWrite::Op& op : write.ops()) {
    if (!st.ok()) break;
    st = op.value ? batch.Put(impl_->deliveries, op.key, *op.value)
                  : batch.Delete(impl_->deliveries, op.key);
  }
  if (st.ok()) st = impl_->db->Write(Unsynced(), &batch);
  return FromRocks(st, "writing adapter rows");
}

Status RocksEventStore::ScanState(
    std::string_view prefix, std::string_view start,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  if (impl_->deliveries == nullptr) return Status::Ok();  // a read-only open of an older store
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->deliveries));
  for (it->Seek(start.empty() ? prefix : start); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (!key.starts_with(prefix)) break;
    if (!visit(key, it->value().ToStringView())) break;
  }
  return it->status().ok() ? Status::Ok() : FromRocks(it->status(), "scanning adapter rows");
}

}  // namespace pathways::storage
