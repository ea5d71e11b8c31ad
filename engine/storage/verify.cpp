// Verification: walks the chain and the stream index and names the first damage
// (docs/formats/event_log.md, "Verification").
//
// hash(n) = SHA-256(prev_hash(n) || record(n)) with prev_hash(n) = hash(n-1) is the chain.
// Because every value carries its prev_hash, the log can be checked in segments, each on its
// own thread, with the links between segments checked afterwards: reading and hashing are the
// whole cost, and this spreads them over the cores. The answer is the same as one walk's: the
// first bad position, and what is wrong there.

#include <functional>
#include <thread>
#include <unordered_map>

#include "engine/audit/merkle.hpp"
#include "engine/audit/sha256.hpp"
#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"
#include "engine/storage/tree_check.hpp"

namespace pathways::storage {
namespace {

// Below this many events one thread is faster than starting another.
constexpr std::uint64_t kMinEventsPerSegment = 50000;

std::string_view AsView(const Hash256& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

// What the version and index checks need of each event, 16 bytes per event.
struct IndexedAs {
  std::uint64_t stream_hash = 0;
  std::uint64_t version = 0;
};

std::uint64_t StreamHash(std::string_view stream_id) {
  return std::hash<std::string_view>{}(stream_id);
}

// One segment of the log: positions first..last (last = 0: to the end).
struct Segment {
  std::uint64_t first = 1;
  std::uint64_t last = 0;

  // Findings.
  std::uint64_t bad = 0;  // first bad position in the segment, 0 if none
  std::string problem;
  std::uint64_t end = 0;  // the position after the last event checked
  Hash256 entry_prev{};   // prev_hash of the segment's first event
  Hash256 exit_hash{};    // hash of its last event
  std::uint64_t bytes = 0;
  std::vector<IndexedAs> indexed;
  std::vector<Hash256> level4;  // the tree's nodes above the segment's leaves, 16 at a time
  Status read_error;

  void Fail(std::uint64_t position, std::string why) {
    bad = position;
    problem = std::move(why);
  }
};

// `tree` (null: not checked): each event's leaf hashed, and each 16 of them up into level 4.
void Walk(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events, rocksdb::ColumnFamilyHandle* tree,
          Segment& seg) {
  rocksdb::ReadOptions ro;
  ro.readahead_size = 256u << 10;  // measured: larger read-ahead buffers cost more than they save
  ro.fill_cache = false;           // a full walk would only evict what readers need
  const std::string upper = seg.last == 0 ? std::string() : EventKey(seg.last + 1);
  rocksdb::Slice upper_slice(upper);
  if (seg.last != 0) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro, events));
  audit::Sha256 sha;
  std::vector<Hash256> group;  // REQUIRES: the segment starts on a whole group of leaves
  std::uint64_t expected = seg.first;
  Hash256 last_hash{};
  for (it->Seek(EventKey(seg.first)); it->Valid(); it->Next(), ++expected) {
    if (it->key().size() != 8) {
      return seg.Fail(expected,
                      "a row with a malformed key (" + codec::HexEncode(it->key().ToStringView()) +
                          ") stands where event " + std::to_string(expected) + " should be");
    }
    const std::uint64_t position = codec::GetBigU64(it->key().data());
    if (position != expected) {
      return seg.Fail(expected, "event " + std::to_string(expected) +
                                    " is missing (the next stored event is at position " +
                                    std::to_string(position) + ")");
    }
    const std::string_view value = it->value().ToStringView();
    codec::EventView view;
    if (Status s = codec::DecodeValue(value, view); !s.ok()) {
      return seg.Fail(position,
                      "event " + std::to_string(position) + " cannot be decoded: " + s.message());
    }
    if (view.position != position) {
      return seg.Fail(position, "the record stored at position " + std::to_string(position) +
                                    " says it is event " + std::to_string(view.position) +
                                    " (moved, reordered or inserted)");
    }
    if (position == seg.first) {
      seg.entry_prev = codec::ToHash(view.prev_hash);  // linked by the caller
    } else if (view.prev_hash != AsView(last_hash)) {
      return seg.Fail(position, "event " + std::to_string(position) +
                                    " does not link to the hash of event " +
                                    std::to_string(position - 1));
    }
    sha.Update(view.prev_hash.data(), view.prev_hash.size());
    sha.Update(view.record.data(), view.record.size());
    last_hash = sha.Final();
    if (view.hash != AsView(last_hash)) {
      return seg.Fail(position, "event " + std::to_string(position) +
                                    " does not match its hash: its bytes were altered");
    }
    if (tree != nullptr) {
      // The leaves are not stored: hashed here, they make the tree's first stored level.
      group.push_back(audit::merkle::LeafHash(value));
      if (group.size() == std::size_t{1} << kTreeStride) {
        seg.level4.push_back(audit::merkle::HashUp(group));
        group.clear();
      }
    }
    seg.bytes += value.size();
    seg.indexed.push_back({StreamHash(view.stream_id), view.version});
  }
  seg.end = expected;
  seg.exit_hash = last_hash;
  if (!it->status().ok()) {
    seg.read_error = FromRocks(it->status(), "reading event " + std::to_string(expected));
    return seg.Fail(expected, "the log cannot be read at event " + std::to_string(expected) + ": " +
                                  it->status().ToString());
  }
  if (seg.last != 0 && expected <= seg.last) {
    seg.Fail(expected, "event " + std::to_string(expected) + " is missing (the log has a gap)");
  }
}

// The stream index as it claims the log to be: for each position, the stream and version of
// the row pointing at it. Runs beside the chain walk; compared with it afterwards.
struct IndexWalk {
  std::uint64_t capacity = 0;      // positions 1..capacity are recorded
  std::vector<IndexedAs> claimed;  // by position - 1; version 0: no row
  std::uint64_t duplicate = 0;     // first position with two rows
  std::uint64_t rows = 0;
  std::string malformed;  // first malformed or out-of-range row, described
  Status read_error;

  void Run(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* streams) {
    claimed.assign(capacity, IndexedAs{});
    rocksdb::ReadOptions ro;
    ro.readahead_size = 256u << 10;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro, streams));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = it->key().ToStringView();
      StreamRun run;
      const std::string_view stream = key.size() >= 10 && key[key.size() - 9] == '\0'
                                          ? key.substr(0, key.size() - 8)
                                          : std::string_view();
      if (stream.empty() || !DecodeStreamRun(stream, key, it->value().ToStringView(), run)) {
        if (malformed.empty()) {
          malformed = "the stream index holds a malformed row (" + codec::HexEncode(key) + ")";
        }
        continue;
      }
      const std::string_view name = stream.substr(0, stream.size() - 1);
      ++rows;
      if (run.first_position + run.count - 1 > capacity ||
          run.first_position + run.count - 1 < run.first_position) {
        if (malformed.empty()) {
          malformed = "stream index row (" + std::string(name) + ", version " +
                      std::to_string(run.first_version) + ") points to event " +
                      std::to_string(run.first_position + run.count - 1) + ", which does not exist";
        }
        continue;
      }
      for (std::uint64_t v = run.first_version; v <= run.last_version(); ++v) {
        const std::uint64_t position = run.PositionOf(v);
        IndexedAs& slot = claimed[position - 1];
        if (slot.version != 0) {
          if (duplicate == 0 || position < duplicate) duplicate = position;
          continue;
        }
        slot = {StreamHash(name), v};
      }
    }
    if (!it->status().ok()) read_error = FromRocks(it->status(), "reading the stream index");
  }
};

}  // namespace

Result<VerifyReport> RocksEventStore::Verify(const VerifyOptions& options) const {
  VerifyReport report;
  auto fail = [&](std::uint64_t position, std::string problem) {
    report.ok = false;
    report.first_bad_position = position;
    report.problem = std::move(problem);
    return report;
  };

  // ---- the head recorded with the last batch: where the log should end ----
  std::string value;
  rocksdb::Status st =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->meta, std::string(meta::kHead), &value);
  ChainHead stored;
  bool head_ok = true;
  if (st.ok()) {
    codec::ByteReader r(value);
    std::string_view hash;
    head_ok = r.GetLittle(stored.position) && r.GetBytes(32, hash);
    if (head_ok) stored.hash = codec::ToHash(hash);
  } else if (!st.IsNotFound()) {
    return FromRocks(st, "reading the chain head");
  }

  // ---- the chain, in segments ----
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::uint64_t segments =
      options.segments != 0
          ? std::clamp<std::uint64_t>(options.segments, 1,
                                      std::max<std::uint64_t>(1, stored.position))
          : std::clamp<std::uint64_t>(stored.position / kMinEventsPerSegment, 1, cores);
  // At least a group of leaves a segment.
  segments = std::min(segments, std::max<std::uint64_t>(1, stored.position / 16));
  std::vector<Segment> parts(segments);
  for (std::uint64_t i = 0; i < segments; ++i) {
    // Boundaries on whole groups of 16 leaves, so each walk hashes its leaves up into the
    // tree's first stored level.
    parts[i].first = 1 + stored.position * i / segments / 16 * 16;
    parts[i].last = i + 1 == segments ? 0 : stored.position * (i + 1) / segments / 16 * 16;
  }
  IndexWalk index;
  index.capacity = stored.position;
  {
    std::vector<std::thread> threads;
    rocksdb::ColumnFamilyHandle* tree = options.tree ? impl_->tree : nullptr;
    threads.emplace_back([&] { index.Run(*impl_->db, impl_->streams); });
    for (std::size_t i = 1; i < parts.size(); ++i) {
      threads.emplace_back([&, i] { Walk(*impl_->db, impl_->events, tree, parts[i]); });
    }
    Walk(*impl_->db, impl_->events, tree, parts[0]);
    for (auto& t : threads) t.join();
  }
  // Join the segments in order up to the first damage; what lies before it is checked further.
  std::vector<IndexedAs> indexed;
  indexed.reserve(stored.position);
  Hash256 chain{};  // hash(0)
  std::uint64_t count = 0;
  std::uint64_t bad = 0;
  std::string problem;
  std::vector<Hash256> level4;
  for (Segment& seg : parts) {
    level4.insert(level4.end(), seg.level4.begin(), seg.level4.end());
    if (seg.end > seg.first && seg.entry_prev != chain) {
      bad = seg.first;
      problem = "event " + std::to_string(seg.first) + " does not link to the hash of event " +
                std::to_string(seg.first - 1);
      break;
    }
    report.bytes += seg.bytes;
    indexed.insert(indexed.end(), seg.indexed.begin(), seg.indexed.end());
    seg.indexed = {};
    if (seg.bad != 0) {
      bad = seg.bad;
      problem = std::move(seg.problem);
      break;
    }
    if (seg.end > seg.first) chain = seg.exit_hash;
    count = seg.end - 1;
  }

  // ---- versions of each stream run 1, 2, 3, ... in log order ----
  {
    std::unordered_map<std::uint64_t, std::uint64_t> versions;
    versions.reserve(indexed.size() / 4 + 16);
    for (std::uint64_t i = 0; i < indexed.size(); ++i) {
      std::uint64_t& last = versions[indexed[i].stream_hash];
      if (indexed[i].version != last + 1) {
        std::string event;
        codec::EventView view;
        const bool named =
            impl_->ReadEventValue(i + 1, event).ok() && codec::DecodeValue(event, view).ok();
        return fail(i + 1, "event " + std::to_string(i + 1) + " is version " +
                               std::to_string(indexed[i].version) + " of stream " +
                               (named ? std::string(view.stream_id) : std::string("?")) +
                               ", whose previous version is " + std::to_string(last));
      }
      last = indexed[i].version;
    }
  }
  if (bad != 0) return fail(bad, std::move(problem));
  report.events = count;
  report.head = {count, chain};

  // ---- the head ----
  if (!head_ok) return fail(count, "the chain head in meta is truncated");
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
  if (stored.hash != chain) {
    return fail(count,
                "the chain head's hash does not match the hash of event " + std::to_string(count));
  }

  // ---- the stream index: exactly one row per event, naming that event's stream and version ----
  if (!index.read_error.ok()) return fail(0, index.read_error.message());
  if (!index.malformed.empty()) return fail(0, std::move(index.malformed));
  for (std::uint64_t i = 0; i < count; ++i) {
    const IndexedAs& claimed = index.claimed[i];
    if (claimed.version == 0) {
      return fail(i + 1, "event " + std::to_string(i + 1) + " has no stream index row");
    }
    if (claimed.stream_hash != indexed[i].stream_hash || claimed.version != indexed[i].version) {
      return fail(i + 1, "the stream index row pointing to event " + std::to_string(i + 1) +
                             " names version " + std::to_string(claimed.version) +
                             " of another stream or version than the event's");
    }
    if (index.duplicate == i + 1) {
      return fail(i + 1, "two stream index rows point to event " + std::to_string(i + 1));
    }
  }
  report.index_rows = index.rows;

  // ---- the tree above its leaves, and the latest checkpoint's root ----
  if (options.tree && impl_->tree != nullptr) {
    TreeFinding tree = CheckTree(*impl_->db, impl_->events, impl_->tree, impl_->checkpoints, count,
                                 std::move(level4));
    if (!tree.problem.empty()) return fail(tree.position, std::move(tree.problem));
    report.tree_nodes = tree.nodes;
  }
  return report;
}

}  // namespace pathways::storage
