// Verification: walks the chain and the stream index and names the first damage
// (docs/formats/event_log.md, "Verification").

#include <functional>
#include <unordered_map>

#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {
namespace {

std::string_view AsView(const Hash256& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

// What the index walk needs to know of each event, 16 bytes per event.
struct IndexedAs {
  std::uint64_t stream_hash = 0;
  std::uint64_t version = 0;
};

std::uint64_t StreamHash(std::string_view stream_id) {
  return std::hash<std::string_view>{}(stream_id);
}

}  // namespace

Result<VerifyReport> RocksEventStore::Verify() const {
  VerifyReport report;
  auto fail = [&](std::uint64_t position, std::string problem) {
    report.ok = false;
    report.first_bad_position = position;
    report.problem = std::move(problem);
    return report;
  };

  // ---- the chain ----
  Hash256 running{};
  std::uint64_t expected = 1;
  std::unordered_map<std::string, std::uint64_t> stream_versions;
  std::vector<IndexedAs> indexed;
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2u << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->events));
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    if (it->key().size() != 8) {
      return fail(expected, "a row with a malformed key (" +
                                codec::HexEncode(it->key().ToStringView()) +
                                ") stands where event " + std::to_string(expected) + " should be");
    }
    const std::uint64_t position = codec::GetBigU64(it->key().data());
    if (position != expected) {
      return fail(expected, "event " + std::to_string(expected) +
                                " is missing (the next stored event is at position " +
                                std::to_string(position) + ")");
    }
    const std::string_view value = it->value().ToStringView();
    codec::EventView view;
    if (Status s = codec::DecodeValue(value, view); !s.ok()) {
      return fail(position,
                  "event " + std::to_string(position) + " cannot be decoded: " + s.message());
    }
    if (view.position != position) {
      return fail(position, "the record stored at position " + std::to_string(position) +
                                " says it is event " + std::to_string(view.position) +
                                " (moved, reordered or inserted)");
    }
    if (view.prev_hash != AsView(running)) {
      return fail(position, "event " + std::to_string(position) +
                                " does not link to the hash of event " +
                                std::to_string(position - 1));
    }
    const Hash256 computed = codec::ComputeHash(view);
    if (view.hash != AsView(computed)) {
      return fail(position, "event " + std::to_string(position) +
                                " does not match its hash: its bytes were altered");
    }
    std::uint64_t& last_version = stream_versions[std::string(view.stream_id)];
    if (view.version != last_version + 1) {
      return fail(position, "event " + std::to_string(position) + " is version " +
                                std::to_string(view.version) + " of stream " +
                                std::string(view.stream_id) + ", whose previous version is " +
                                std::to_string(last_version));
    }
    last_version = view.version;
    running = computed;
    report.bytes += value.size();
    indexed.push_back({StreamHash(view.stream_id), view.version});
  }
  if (!it->status().ok()) {
    return fail(expected, "the log cannot be read at event " + std::to_string(expected) + ": " +
                              it->status().ToString());
  }
  const std::uint64_t count = expected - 1;
  report.events = count;
  report.head = {count, running};

  // ---- the head recorded with the last batch ----
  std::string value;
  rocksdb::Status st =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->meta, std::string(meta::kHead), &value);
  ChainHead stored;
  if (st.ok()) {
    codec::ByteReader r(value);
    std::string_view hash;
    if (!(r.GetLittle(stored.position) && r.GetBytes(32, hash))) {
      return fail(count, "the chain head in meta is truncated");
    }
    stored.hash = codec::ToHash(hash);
  } else if (!st.IsNotFound()) {
    return FromRocks(st, "reading the chain head");
  }
  if (stored.position > count) {
    return fail(count + 1, "the chain head names event " + std::to_string(stored.position) +
                               " but the log ends at event " + std::to_string(count) +
                               ": events were removed");
  }
  if (stored.position < count) {
    return fail(stored.position + 1, "the log holds events after the chain head (event " +
                                         std::to_string(stored.position) +
                                         "): events were added outside the store");
  }
  if (stored.hash != running) {
    return fail(count,
                "the chain head's hash does not match the hash of event " + std::to_string(count));
  }

  // ---- the stream index: exactly one row per event, pointing at the right event ----
  std::vector<bool> seen(count, false);
  std::unique_ptr<rocksdb::Iterator> idx(impl_->db->NewIterator(ro, impl_->streams));
  for (idx->SeekToFirst(); idx->Valid(); idx->Next()) {
    const std::string_view key = idx->key().ToStringView();
    if (key.size() < 10 || key[key.size() - 9] != '\0' || idx->value().size() != 8) {
      return fail(0, "the stream index holds a malformed row (" + codec::HexEncode(key) + ")");
    }
    const std::string_view stream = key.substr(0, key.size() - 9);
    const std::uint64_t version = codec::GetBigU64(key.data() + key.size() - 8);
    const std::uint64_t position = codec::GetBigU64(idx->value().data());
    const std::string row =
        "stream index row (" + std::string(stream) + ", version " + std::to_string(version) + ")";
    if (position == 0 || position > count) {
      return fail(0,
                  row + " points to event " + std::to_string(position) + ", which does not exist");
    }
    const IndexedAs& actual = indexed[position - 1];
    if (actual.stream_hash != StreamHash(stream) || actual.version != version) {
      return fail(position, row + " points to event " + std::to_string(position) +
                                ", which is another stream's or version's");
    }
    if (seen[position - 1]) {
      return fail(position, "two stream index rows point to event " + std::to_string(position));
    }
    seen[position - 1] = true;
    ++report.index_rows;
  }
  if (!idx->status().ok()) {
    return fail(0, "the stream index cannot be read: " + idx->status().ToString());
  }
  for (std::uint64_t i = 0; i < count; ++i) {
    if (!seen[i]) {
      return fail(i + 1, "event " + std::to_string(i + 1) + " has no stream index row");
    }
  }
  return report;
}

}  // namespace pathways::storage
