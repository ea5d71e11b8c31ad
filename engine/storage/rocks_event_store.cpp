// Opening and closing a store, its figures, and personal-data reveal. Reads of the log are in
// log_reads.cpp, of the rows beside it in read_models.cpp, subscriptions in subscriptions.cpp,
// the writer in writer.cpp, verification in verify.cpp.

#include "engine/storage/rocks_event_store.hpp"

#include <fcntl.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <thread>

#include "engine/codec/bytes.hpp"
#include "engine/storage/master_key.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/state_row.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {
namespace fs = std::filesystem;

namespace {

class ResumeByTheWriter final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "ResumeByTheWriter"; }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

const std::vector<std::string>& ColumnFamilyNames() {
  static const std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName,
                                                 cf::kEvents,
                                                 cf::kStreams,
                                                 cf::kParticipants,
                                                 cf::kCommands,
                                                 cf::kKeys,
                                                 cf::kMeta,
                                                 cf::kPathways,
                                                 cf::kTimers,
                                                 cf::kCaseload,
                                                 cf::kInbox,
                                                 cf::kCounts,
                                                 cf::kOutbox,
                                                 cf::kRejections,
                                                 cf::kDeliveries,
                                                 cf::kReports,
                                                 cf::kReportHistory,
                                                 cf::kReportSealed,
                                                 cf::kCompanyLinks,
                                                 cf::kTree,
                                                 cf::kCheckpoints};
  return names;
}

// The id before the first 0x00 of a key (and the separator): a stream's index rows share it.
class IdPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "pathways.IdPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const auto* end = static_cast<const char*>(std::memchr(key.data(), 0, key.size()));
    return {key.data(), static_cast<std::size_t>(end - key.data()) + 1};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), 0, key.size()) != nullptr;
  }
};

rocksdb::ColumnFamilyOptions FamilyOptions(const std::string& name,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Debian's RocksDB is built for generic x86-64, where CRC32C runs in software and costs more
  // than our own SHA-256 when verify reads the whole log; XXH3 is fast without special
  // instructions. Readers handle files of either kind.
  table.checksum = rocksdb::kXXH3;
  if (name == cf::kEvents) {
    // Values are read in position order by verify, export and subscriptions: larger blocks
    // compress better and cost nothing for sequential reads.
    table.block_size = 16u << 10;
    o.write_buffer_size = 32u << 20;
    o.compression = rocksdb::kLZ4Compression;
  } else if (name == cf::kTree) {
    // Hashes do not compress: compressing them only spends the flushes' and compactions' CPU.
    o.write_buffer_size = 8u << 20;
    o.compression = rocksdb::kNoCompression;
  } else {
    o.write_buffer_size = 8u << 20;
    o.compression = rocksdb::kLZ4Compression;
  }
  // Memtable inserts with a hint start from where the previous insert of the same prefix
  // ended, skipping the skip list's search; they pay where keys arrive in order.
  if (name == cf::kEvents || name == cf::kOutbox || name == cf::kTimers) {
    // Big-endian positions (and due times), each at or just above the last: values below 2^32
    // share their first four bytes, which is what groups them.
    o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(4));
  } else if (name == cf::kTree) {
    // A level's nodes arrive in index order: the level byte and the index's first four bytes.
    o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(5));
  } else if (name == cf::kStreams) {
    // A command's events are consecutive versions of one stream.
    o.memtable_insert_with_hint_prefix_extractor = std::make_shared<IdPrefix>();
  }
  if (name == cf::kCommands || name == cf::kKeys || name == cf::kStreams || name == cf::kPathways) {
    // Point lookups that mostly miss (a new command id, a new stream or pathway): a Bloom
    // filter answers them in memory.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return o;
}

}  // namespace

void SyncDir(const std::string& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  IgnoreError(::fsync(fd) == 0 ? Status::Ok() : Status::IOError("fsync"),
              "what was renamed is whole either way; only its name may not survive a power cut");
  ::close(fd);
}

namespace {

enum class DirState { kMissing, kEmpty, kStore, kOther };

DirState Inspect(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return DirState::kMissing;
  if (!fs::is_directory(dir, ec)) return DirState::kOther;
  if (fs::is_empty(dir, ec)) return DirState::kEmpty;
  if (fs::exists(fs::path(dir) / "CURRENT", ec)) return DirState::kStore;
  return DirState::kOther;
}

Result<ChainHead> DecodeHead(std::string_view value) {
  codec::ByteReader r(value);
  ChainHead head;
  std::string_view hash;
  if (!(r.GetLittle(head.position) && r.GetBytes(head.hash.size(), hash))) {
    return Status::Corruption("the chain head in meta is truncated");
  }
  head.hash = codec::ToHash(hash);
  return head;
}

}  // namespace

// ---- open and close -----------------------------------------------------------------------

RocksEventStore::RocksEventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RocksEventStore::~RocksEventStore() { Close(); }

RocksEventStore::Impl::~Impl() {
  closing.store(true);
  head_cv.notify_all();
  StopWriter();
  key_ring.reset();
  if (db) {
    for (rocksdb::ColumnFamilyHandle* h : handles) {
      IgnoreError(FromRocks(db->DestroyColumnFamilyHandle(h), ""),
                  "closing: a handle that fails to go leaves nothing to recover");
    }
    handles.clear();
    IgnoreError(FromRocks(db->Close(), ""), "closing: the WAL is synced on every commit");
    db.reset();
  }
  if (!secondary_dir.empty()) {
    std::error_code ec;
    fs::remove_all(secondary_dir, ec);
  }
}

void RocksEventStore::Close() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->head_mu);
    impl_->closing.store(true);
  }
  impl_->head_cv.notify_all();
  impl_->StopWriter();
}

Result<std::unique_ptr<RocksEventStore>> RocksEventStore::Open(const StoreOptions& options) {
  if (options.dir.empty()) return Status::InvalidArgument("no store directory given");
  const DirState state = Inspect(options.dir);
  if ((state == DirState::kMissing || state == DirState::kEmpty) && !options.read_only &&
      options.create_if_missing) {
    // A new store is made whole beside its place and renamed into it, so a crash while
    // creating leaves no half-made store (only a staging dir the next attempt replaces).
    StoreOptions staging = options;
    staging.dir = options.dir + ".creating";
    if (staging.master_key_path.empty()) {
      staging.master_key_path = DefaultMasterKeyPath(options.dir);
    }
    std::error_code ec;
    fs::remove_all(staging.dir, ec);
    {
      Result<std::unique_ptr<RocksEventStore>> made = OpenDir(staging);
      if (!made.ok()) {
        fs::remove_all(staging.dir, ec);
        return made.status();
      }
    }  // closed
    fs::rename(staging.dir, options.dir, ec);
    if (ec) {
      return Status::IOError("cannot move the new store into " + options.dir + ": " + ec.message());
    }
    SyncDir(fs::path(options.dir).parent_path().string());
  }
  return OpenDir(options);
}

Result<std::unique_ptr<RocksEventStore>> RocksEventStore::OpenDir(const StoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  StoreOptions& o = impl->options;
  if (o.dir.empty()) return Status::InvalidArgument("no store directory given");
  if (o.master_key_path.empty()) o.master_key_path = DefaultMasterKeyPath(o.dir);
  if (!o.read_only && o.clock == nullptr) {
    return Status::InvalidArgument("a writable store needs a clock");
  }
  if (o.random == nullptr) {
    impl->owned_random = std::make_unique<CryptoRandom>();
    o.random = impl->owned_random.get();
  }
  impl->random = o.random;

  const DirState state = Inspect(o.dir);
  const bool is_new = state == DirState::kMissing || state == DirState::kEmpty;
  if (is_new && (o.read_only || !o.create_if_missing)) {
    return Status::NotFound("no Pathways store at " + o.dir);
  }
  if (state == DirState::kOther) {
    return Status::FailedPrecondition(o.dir +
                                      " exists but is not a Pathways store (no RocksDB CURRENT "
                                      "file); refusing to touch it");
  }

  std::optional<audit::Key256> master;
  bool created_key = false;
  if (!o.read_only || o.load_master_key) {
    Result<audit::Key256> key = LoadMasterKey(o.master_key_path);
    if (!key.ok() && key.status().code() == StatusCode::kNotFound) {
      if (!is_new) {
        return Status::FailedPrecondition(
            "master key file " + o.master_key_path + " not found: the store at " + o.dir +
            " cannot be opened without the key it was created with (pass --master-key FILE)");
      }
      key = CreateMasterKey(o.master_key_path, *impl->random);
      created_key = key.ok();
    }
    if (!key.ok()) return key.status();
    master = *key;
  }
  auto forget_created_key = [&] {
    if (created_key) ::unlink(o.master_key_path.c_str());
  };

  if (!o.read_only && !is_new) {
    // The format and the key are checked on a read-only view first: a writable open rewrites
    // RocksDB's MANIFEST and starts a new WAL, and a refusal must change nothing.
    StoreOptions view = o;
    view.read_only = true;
    view.load_master_key = true;
    if (Result<std::unique_ptr<RocksEventStore>> checked = OpenDir(view); !checked.ok()) {
      return checked.status();
    }
  }

  // ---- RocksDB ----
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = is_new;
  // Column families added by later builds are created when a store first opens with them.
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 5;
  db_options.max_log_file_size = 8u << 20;
  db_options.db_write_buffer_size = 96u << 20;
  // A WAL file is deleted only once every column family with data in it has flushed, and the
  // little ones (meta, counts, keys) fill their memtables slowly: without a bound a million
  // appends left 39 WAL files, 581 MB, that each start replayed (5.4 s). Past this total the
  // families holding the oldest file are flushed, so a start replays at most about this much.
  db_options.max_total_wal_size = 32u << 20;
  if (o.env != nullptr) db_options.env = o.env;
  // After a full disk the writer resumes RocksDB itself, checking for space at most a second
  // apart (RocksDB's own recovery polls every 5 s, and a manual resume meanwhile is refused).
  db_options.listeners.push_back(std::make_shared<ResumeByTheWriter>());
  auto cache = rocksdb::NewLRUCache(o.block_cache_bytes);
  std::vector<std::string> present;
  if (!is_new) {
    rocksdb::Status st = rocksdb::DB::ListColumnFamilies(db_options, o.dir, &present);
    if (!st.ok()) return FromRocks(st, "opening " + o.dir);
    for (const std::string& name : {std::string(cf::kEvents), std::string(cf::kMeta)}) {
      if (std::find(present.begin(), present.end(), name) == present.end()) {
        return Status::FailedPrecondition(o.dir + " is not a Pathways store (column family " +
                                          name + " is missing)");
      }
    }
  }
  // A secondary cannot create column families: it opens those that exist, and reads of the
  // others find nothing.
  std::vector<std::string> names;
  for (const std::string& name : ColumnFamilyNames()) {
    if (!o.read_only || std::find(present.begin(), present.end(), name) != present.end()) {
      names.push_back(name);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, FamilyOptions(name, cache));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st;
  if (o.read_only) {
    char scratch[] = "/tmp/pathways-secondary-XXXXXX";
    if (::mkdtemp(scratch) == nullptr) return Status::IOError("cannot create a scratch dir");
    impl->secondary_dir = scratch;
    db_options.max_open_files = -1;  // required of a secondary instance
    st = rocksdb::DB::OpenAsSecondary(db_options, o.dir, impl->secondary_dir, families,
                                      &impl->handles, &raw);
  } else {
    st = rocksdb::DB::Open(db_options, o.dir, families, &impl->handles, &raw);
  }
  if (!st.ok()) {
    forget_created_key();
    return FromRocks(st, "opening " + o.dir);
  }
  impl->db.reset(raw);
  const std::map<std::string, rocksdb::ColumnFamilyHandle**> slots = {
      {cf::kEvents, &impl->events},
      {cf::kStreams, &impl->streams},
      {cf::kParticipants, &impl->participants},
      {cf::kCommands, &impl->commands},
      {cf::kKeys, &impl->keys},
      {cf::kMeta, &impl->meta},
      {cf::kPathways, &impl->pathways},
      {cf::kTimers, &impl->timers},
      {cf::kCaseload, &impl->caseload},
      {cf::kInbox, &impl->inbox},
      {cf::kCounts, &impl->counts},
      {cf::kOutbox, &impl->outbox},
      {cf::kRejections, &impl->rejections},
      {cf::kDeliveries, &impl->deliveries},
      {cf::kReports, &impl->reports},
      {cf::kReportHistory, &impl->report_history},
      {cf::kReportSealed, &impl->report_sealed},
      {cf::kCompanyLinks, &impl->company_links},
      {cf::kTree, &impl->tree},
      {cf::kCheckpoints, &impl->checkpoints}};
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (auto it = slots.find(names[i]); it != slots.end()) *it->second = impl->handles[i];
  }
  if (impl->streams == nullptr || impl->keys == nullptr) {
    return Status::FailedPrecondition(o.dir +
                                      " is not a Pathways store (its index column "
                                      "families are missing)");
  }

  // ---- format version and master key check ----
  std::string value;
  std::uint32_t stored_format = kStoreFormatVersion;
  st = impl->db->Get(rocksdb::ReadOptions(), impl->meta, std::string(meta::kFormatVersion), &value);
  if (st.IsNotFound() && is_new) {
    if (!master) return Status::FailedPrecondition("a new store needs a master key");
    rocksdb::WriteBatch batch;
    std::string version;
    codec::PutU32(version, kStoreFormatVersion);
    audit::Nonce nonce{};
    if (Status s = impl->random->Fill(nonce); !s.ok()) return s;
    std::string check(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    check += audit::Seal(*master, nonce, kKeyCheckAad, kKeyCheckPlain);
    st = batch.Put(impl->meta, std::string(meta::kFormatVersion), version);
    if (st.ok()) st = batch.Put(impl->meta, std::string(meta::kKeyCheck), check);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (st.ok()) st = impl->db->Write(wo, &batch);
    if (!st.ok()) return FromRocks(st, "initialising " + o.dir);
  } else if (!st.ok()) {
    if (st.IsNotFound()) {
      return Status::Corruption(o.dir +
                                " has no store format version: not a Pathways store, "
                                "or its meta column family was damaged");
    }
    return FromRocks(st, "reading the format version of " + o.dir);
  } else {
    codec::ByteReader r(value);
    std::uint32_t& version = stored_format;
    if (!r.GetLittle(version)) return Status::Corruption("the store format version is truncated");
    if (version > kStoreFormatVersion) {
      return Status::Unsupported(o.dir + " was written in store format " + std::to_string(version) +
                                 "; this build reads up to format " +
                                 std::to_string(kStoreFormatVersion) + ": upgrade pathways");
    }
    if (master) {
      st = impl->db->Get(rocksdb::ReadOptions(), impl->meta, std::string(meta::kKeyCheck), &value);
      if (!st.ok()) return FromRocks(st, "reading the master key check of " + o.dir);
      bool matches =
          value.size() > audit::kNonceSize &&
          audit::Open(*master,
                      {reinterpret_cast<const std::uint8_t*>(value.data()), audit::kNonceSize},
                      kKeyCheckAad, std::string_view(value).substr(audit::kNonceSize)) ==
              std::optional<std::string>(std::string(kKeyCheckPlain));
      if (!matches) {
        return Status::FailedPrecondition("master key file " + o.master_key_path +
                                          " does not match the store at " + o.dir);
      }
    }
  }

  // ---- chain head ----
  st = impl->db->Get(rocksdb::ReadOptions(), impl->meta, std::string(meta::kHead), &value);
  if (st.ok()) {
    Result<ChainHead> head = DecodeHead(value);
    if (!head.ok()) return head.status();
    impl->head = *head;
  } else if (!st.IsNotFound()) {
    return FromRocks(st, "reading the chain head of " + o.dir);
  }
  impl->head_position.store(impl->head.position);
  if (!o.read_only) {
    // Events and head are written in one batch; a mismatch means the files were altered.
    // Refuse to extend such a chain; verify (which opens read-only) names the damage.
    std::unique_ptr<rocksdb::Iterator> it(
        impl->db->NewIterator(rocksdb::ReadOptions(), impl->events));
    it->SeekToLast();
    std::uint64_t last =
        it->Valid() && it->key().size() == 8 ? codec::GetBigU64(it->key().data()) : 0;
    if (!it->status().ok()) return FromRocks(it->status(), "reading " + o.dir);
    if (last != impl->head.position) {
      return Status::Corruption("the last event of " + o.dir + " is at position " +
                                std::to_string(last) + " but the chain head says " +
                                std::to_string(impl->head.position) +
                                "; run `pathways verify` to find the damage");
    }
  }

  if (!o.read_only && stored_format < kStoreFormatVersion) {
    // Everything an older format holds is still read; from now on rows of the current one are
    // written, so a build that cannot read them must refuse the store rather than fail on them.
    // Format 4's path and report rows and format 8's tree come from the log (format 9 drops
    // format 8's stored leaves), and format 7's
    // company links from the state rows, once, before the writer starts (a
    // crash on the way leaves the old format, and the next open does it again).
    if (stored_format < 4) {
      if (Status rebuilt = impl->RebuildPathRows(); !rebuilt.ok()) {
        return Status(rebuilt.code(), "upgrading " + o.dir + ": " + rebuilt.message());
      }
    }
    if (stored_format < 7) {
      if (Status rebuilt = impl->RebuildCompanyLinks(); !rebuilt.ok()) {
        return Status(rebuilt.code(), "upgrading " + o.dir + ": " + rebuilt.message());
      }
    }
    if (stored_format < 8) {
      if (Status rebuilt = impl->BuildTree(); !rebuilt.ok()) {
        return Status(rebuilt.code(), "upgrading " + o.dir + ": " + rebuilt.message());
      }
    } else if (stored_format == 8) {
      // Format 8 stored the leaves too; they are the events' hashes, read from the events now.
      st = impl->db->DeleteRange(rocksdb::WriteOptions(), impl->tree, TreeKey(0, 0), TreeKey(1, 0));
      if (!st.ok()) return FromRocks(st, "upgrading " + o.dir + ": dropping the stored leaves");
    }
    std::string version;
    codec::PutU32(version, kStoreFormatVersion);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    st = impl->db->Put(wo, impl->meta, std::string(meta::kFormatVersion), version);
    if (!st.ok()) return FromRocks(st, "upgrading the store format of " + o.dir);
    spdlog::info("store: {} upgraded from format {} to {}", o.dir, stored_format,
                 kStoreFormatVersion);
  }

  impl->key_ring = std::make_unique<KeyRing>(impl->db.get(), impl->keys, master, impl->random);
  if (!o.read_only) {
    // The writer appends to the tree where the log ends.
    Result<audit::merkle::CompactRange> range = audit::merkle::CompactRange::Of(
        impl->head.position, StoredNodes(*impl->db, impl->events, impl->tree));
    if (!range.ok()) {
      return Status(range.status().code(), "reading the tree of " + o.dir + ": " +
                                               range.status().message() +
                                               "; run `pathways verify` to find the damage");
    }
    impl->staged_tree = std::move(*range);
    impl->StartWriter();
  }
  return std::unique_ptr<RocksEventStore>(new RocksEventStore(std::move(impl)));
}

WriterStats RocksEventStore::Stats() const {
  WriterStats stats{impl_->stat_batches.load(), impl_->stat_appends.load(),
                    impl_->stat_events.load(), impl_->stat_queue_depth.load()};
  const StatusCode failure = impl_->Failure().code();
  stats.write_state = failure == StatusCode::kOk            ? WriteState::kWritable
                      : failure == StatusCode::kStorageFull ? WriteState::kFull
                                                            : WriteState::kFailed;
  stats.failed_writes = impl_->stat_failed_writes.load();
  stats.resumes = impl_->stat_resumes.load();
  stats.keys = impl_->stat_keys.load();
  stats.bytes = impl_->stat_bytes.load();
  return stats;
}

const std::string& RocksEventStore::dir() const { return impl_->options.dir; }

Status RocksEventStore::Flush() {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  return FromRocks(impl_->db->Flush(flush, impl_->handles), "flushing the store");
}

Status RocksEventStore::Settle() {
  if (Status s = Flush(); !s.ok()) return s;
  auto busy = [&] {
    std::uint64_t n = 0;
    for (const char* p : {"rocksdb.num-running-compactions", "rocksdb.num-running-flushes"}) {
      if (impl_->db->GetIntProperty(p, &n) && n > 0) return true;
    }
    for (rocksdb::ColumnFamilyHandle* cf : impl_->handles) {
      if (impl_->db->GetIntProperty(cf, "rocksdb.compaction-pending", &n) && n > 0) return true;
    }
    return false;
  };
  while (busy()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return Status::Ok();
}

Status RocksEventStore::PurgeErasedKeys() {
  if (Status s = Flush(); !s.ok()) return s;
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  compact.exclusive_manual_compaction = true;
  if (rocksdb::Status st = impl_->db->CompactRange(compact, impl_->keys, nullptr, nullptr);
      !st.ok()) {
    return FromRocks(st, "compacting the key rows");
  }
  // Flushing made the WAL files that still held the old rows obsolete; delete them now rather
  // than at the next background purge.
  return FromRocks(impl_->db->FlushWAL(true), "syncing the log");
}

}  // namespace pathways::storage
