// Reads of the log: events by position, a stream's events by version through the stream
// index (runs of versions, store format 5), the head, and whole-log scans.

#include <limits>

#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {

ChainHead RocksEventStore::Impl::CurrentHead() const {
  std::lock_guard lock(head_mu);
  return head;
}

Status RocksEventStore::Impl::ReadEventValue(std::uint64_t position, std::string& value) const {
  rocksdb::Status st = db->Get(rocksdb::ReadOptions(), events, EventKey(position), &value);
  if (st.IsNotFound()) {
    return Status::Corruption("event " + std::to_string(position) +
                              " is indexed but missing from the log");
  }
  return FromRocks(st, "reading event " + std::to_string(position));
}

Result<StreamInfo> RocksEventStore::Impl::LoadStreamInfo(const std::string& stream_id) const {
  StreamInfo info;
  // Most lookups that miss the cache are for new streams: a point lookup of version 1 (with
  // its Bloom filter) settles those without the cost of an iterator.
  std::string first;
  rocksdb::Status exists =
      db->Get(rocksdb::ReadOptions(), streams, StreamKey(stream_id, 1), &first);
  if (exists.IsNotFound()) return info;
  if (!exists.ok()) return FromRocks(exists, "reading the stream index");
  const std::string prefix = StreamPrefix(stream_id);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), streams));
  it->SeekForPrev(StreamKey(stream_id, std::numeric_limits<std::uint64_t>::max()));
  if (!it->status().ok()) return FromRocks(it->status(), "reading the stream index");
  if (!it->Valid() || !it->key().starts_with(prefix)) return info;
  StreamRun last;
  if (!DecodeStreamRun(prefix, it->key().ToStringView(), it->value().ToStringView(), last)) {
    return Status::Corruption("stream " + stream_id + " has a malformed stream index row");
  }
  info.version = last.last_version();
  std::string value;
  if (Status s = ReadEventValue(last.PositionOf(info.version), value); !s.ok()) return s;
  codec::EventView view;
  if (Status s = codec::DecodeValue(value, view); !s.ok()) return s;
  info.participant_id = view.participant_id;
  return info;
}

Result<std::vector<std::string>> RocksEventStore::Impl::StreamsOf(
    const std::string& participant_id) const {
  std::vector<std::string> out;
  const std::string prefix = ParticipantPrefix(participant_id);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), participants));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out.emplace_back(it->key().data() + prefix.size(), it->key().size() - prefix.size());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the participant index");
  return out;
}

// One event by its version (a report's sealed item, a stream's last event). A version that
// starts an index row (every stream's first, and each command's) is a point lookup, together
// with the next version's row (adjacent keys: one block): an iterator costs more than the reads
// it saves. A version inside a row's run is found by seeking back to the row.
Result<StreamPage> RocksEventStore::Impl::ReadOne(const std::string& stream_id,
                                                  std::uint64_t version) const {
  StreamPage page;
  const std::string prefix = StreamPrefix(stream_id);
  const std::string keys[] = {StreamKey(stream_id, version), StreamKey(stream_id, version + 1)};
  rocksdb::PinnableSlice rows[2];
  rocksdb::Status found[2];
  const rocksdb::Slice slices[] = {keys[0], keys[1]};
  db->MultiGet(rocksdb::ReadOptions(), streams, 2, slices, rows, found, /*sorted_input=*/true);
  for (const rocksdb::Status& st : found) {
    if (!st.ok() && !st.IsNotFound()) return FromRocks(st, "reading the stream index");
  }
  StreamRun run;
  bool more = false;  // whether the stream has a version after this one
  if (found[0].ok()) {
    if (!DecodeStreamRun(prefix, keys[0], rows[0].ToStringView(), run)) {
      return Status::Corruption("stream " + stream_id + " has a malformed stream index row");
    }
    more = run.count > 1 || found[1].ok();
  } else {
    if (version <= 1) return page;  // every stream's first version starts a row
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), streams));
    it->SeekForPrev(keys[0]);
    if (!it->status().ok()) return FromRocks(it->status(), "reading the stream index");
    if (!it->Valid() || !it->key().starts_with(prefix)) return page;
    if (!DecodeStreamRun(prefix, it->key().ToStringView(), it->value().ToStringView(), run)) {
      return Status::Corruption("stream " + stream_id + " has a malformed stream index row");
    }
    if (!run.Holds(version)) return page;  // past the stream's end
    more = version < run.last_version() || found[1].ok();
  }
  std::string value;
  if (Status s = ReadEventValue(run.PositionOf(version), value); !s.ok()) return s;
  codec::EventView view;
  if (Status s = codec::DecodeValue(value, view); !s.ok()) return s;
  page.events.push_back(codec::ToRecordedEvent(view));
  if (more) page.next_version = version + 1;
  return page;
}

Result<StreamPage> RocksEventStore::ReadStream(const std::string& stream_id,
                                               std::uint64_t from_version, std::size_t max) const {
  if (!IsValidId(stream_id)) return Status::InvalidArgument("malformed stream id");
  StreamPage page;
  if (max == 0) return page;
  if (max == 1) return impl_->ReadOne(stream_id, std::max<std::uint64_t>(from_version, 1));
  const std::string prefix = StreamPrefix(stream_id);
  const std::uint64_t from = std::max<std::uint64_t>(from_version, 1);
  std::vector<std::string> keys;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->streams));
  // The row whose run holds `from`, which may start before it.
  it->SeekForPrev(StreamKey(stream_id, from));
  if (it->status().ok() && !(it->Valid() && it->key().starts_with(prefix))) {
    it->Seek(StreamKey(stream_id, from));
  }
  for (; it->Valid() && it->key().starts_with(prefix) && page.next_version == 0; it->Next()) {
    StreamRun run;
    if (!DecodeStreamRun(prefix, it->key().ToStringView(), it->value().ToStringView(), run)) {
      return Status::Corruption("stream " + stream_id + " has a malformed stream index row");
    }
    for (std::uint64_t v = std::max(from, run.first_version); v <= run.last_version(); ++v) {
      if (keys.size() == max) {
        page.next_version = v;
        break;
      }
      keys.push_back(EventKey(run.PositionOf(v)));
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the stream index");
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(keys.size(), impl_->events);
  std::vector<std::string> values;
  std::vector<rocksdb::Status> statuses =
      impl_->db->MultiGet(rocksdb::ReadOptions(), families, slices, &values);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!statuses[i].ok()) return FromRocks(statuses[i], "reading stream " + stream_id);
    codec::EventView view;
    if (Status s = codec::DecodeValue(values[i], view); !s.ok()) return s;
    page.events.push_back(codec::ToRecordedEvent(view));
  }
  return page;
}

Result<std::uint64_t> RocksEventStore::StreamVersion(const std::string& stream_id) const {
  if (!IsValidId(stream_id)) return Status::InvalidArgument("malformed stream id");
  Result<StreamInfo> info = impl_->LoadStreamInfo(stream_id);
  if (!info.ok()) return info.status();
  return info->version;
}

Status RocksEventStore::Scan(std::uint64_t from_position,
                             const std::function<bool(const codec::EventView&)>& visit) const {
  rocksdb::ReadOptions ro;
  // Sequential: read ahead instead of block by block (256 KiB measured best for full walks),
  // and leave the block cache to point readers.
  ro.readahead_size = 256u << 10;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->events));
  for (it->Seek(EventKey(std::max<std::uint64_t>(from_position, 1))); it->Valid(); it->Next()) {
    codec::EventView view;
    std::string_view value(it->value().data(), it->value().size());
    if (Status s = codec::DecodeValue(value, view); !s.ok()) {
      return Status::Corruption("event at key " + codec::HexEncode(it->key().ToStringView()) +
                                ": " + s.message());
    }
    if (!visit(view)) break;
  }
  return FromRocks(it->status(), "reading the log");
}

Result<AllPage> RocksEventStore::ReadAll(std::uint64_t from_position, std::size_t max) const {
  AllPage page;
  if (max == 0) return page;
  Status s = Scan(from_position, [&](const codec::EventView& v) {
    if (page.events.size() == max) {
      page.next_position = v.position;
      return false;
    }
    page.events.push_back(codec::ToRecordedEvent(v));
    return true;
  });
  if (!s.ok()) return s;
  return page;
}

ChainHead RocksEventStore::Head() const { return impl_->CurrentHead(); }

}  // namespace pathways::storage
