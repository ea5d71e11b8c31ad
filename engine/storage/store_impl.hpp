#pragma once
// Internal to engine/storage: the state behind RocksEventStore, shared by its source files
// (rocks_event_store.cpp: open and reads; writer.cpp: the writer thread; verify.cpp).

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "engine/audit/merkle.hpp"
#include "engine/storage/key_ring.hpp"
#include "engine/storage/merkle_rows.hpp"
#include "engine/storage/rocks_event_store.hpp"
#include "engine/storage/rocks_status.hpp"

namespace pathways::storage {

// Makes a rename inside `dir` durable (fsync of the directory).
void SyncDir(const std::string& dir);

struct StreamInfo {
  std::uint64_t version = 0;  // 0: the stream does not exist
  std::string participant_id;
};

// An idempotency row: what a command id answered, and the fingerprint of the request that
// used it (empty when the caller gave none).
struct CommandRow {
  AppendResult result;
  std::string fingerprint;
};

// An event after validation, before encryption: canonical JSON texts.
struct PreparedEvent {
  std::string type;
  std::uint16_t schema_version = 1;
  std::string data;
  std::vector<std::pair<PersonalScope, std::string>> personal;  // plaintext; wiped on release

  PreparedEvent() = default;
  PreparedEvent(PreparedEvent&&) = default;
  PreparedEvent& operator=(PreparedEvent&&) = default;
  ~PreparedEvent() {
    for (auto& [scope, text] : personal) audit::Wipe(text.data(), text.size());
  }
};

// A validated append: the request's envelope (its events moved out) and the prepared events.
struct PreparedAppend {
  AppendRequest request;
  std::vector<PreparedEvent> events;
};

struct RocksEventStore::Impl {
  StoreOptions options;
  std::unique_ptr<RandomSource> owned_random;
  RandomSource* random = nullptr;
  std::string secondary_dir;  // read-only opens: RocksDB's scratch dir, removed on close

  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned; destroyed before db
  rocksdb::ColumnFamilyHandle* events = nullptr;
  rocksdb::ColumnFamilyHandle* streams = nullptr;
  rocksdb::ColumnFamilyHandle* participants = nullptr;
  rocksdb::ColumnFamilyHandle* commands = nullptr;
  rocksdb::ColumnFamilyHandle* keys = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* pathways = nullptr;
  rocksdb::ColumnFamilyHandle* timers = nullptr;
  rocksdb::ColumnFamilyHandle* caseload = nullptr;
  rocksdb::ColumnFamilyHandle* inbox = nullptr;
  rocksdb::ColumnFamilyHandle* counts = nullptr;
  rocksdb::ColumnFamilyHandle* outbox = nullptr;
  rocksdb::ColumnFamilyHandle* rejections = nullptr;
  rocksdb::ColumnFamilyHandle* deliveries = nullptr;
  rocksdb::ColumnFamilyHandle* reports = nullptr;
  rocksdb::ColumnFamilyHandle* report_history = nullptr;
  rocksdb::ColumnFamilyHandle* report_sealed = nullptr;
  rocksdb::ColumnFamilyHandle* company_links = nullptr;
  rocksdb::ColumnFamilyHandle* tree = nullptr;
  rocksdb::ColumnFamilyHandle* checkpoints = nullptr;
  std::unique_ptr<KeyRing> key_ring;

  // The committed head. Written by the writer after each durable batch; read by anyone.
  mutable std::mutex head_mu;
  std::condition_variable head_cv;  // signalled after each commit and on close
  ChainHead head;                   // guarded by head_mu
  std::uint64_t wakes = 0;          // guarded by head_mu; Outbox::Wake counts here
  std::atomic<std::uint64_t> head_position{0};
  std::atomic<bool> closing{false};

  // The writer's queue. The writer role (staging a group: deciding and encoding it into one
  // WriteBatch) is held by one thread at a time: a writer thread, or a synchronous caller that
  // found the role free and leads in its own thread. The holder then takes its turn to write
  // (write_order_mu: groups reach RocksDB in the order they were staged). While requests are
  // few, it keeps the role until its write returns, so the next group gathers everything that
  // arrives meanwhile; with a backlog (a timer sweep, a burst of asynchronous requests) it
  // releases the role before writing, so the next group is staged while this one syncs. Two
  // writer threads, so one can stage while the other waits for the disk. Everything marked
  // "writer role" is touched only by the holder; taking and releasing the role under queue_mu
  // orders the holders.
  // A request that writes nothing: it lets Writable() try a resume in the writer role.
  struct ResumeProbe {};
  // Appends staged together (AppendBatchAsync): each gets its own result in `results`, and the
  // batch as a whole answers ok unless the group failed.
  struct PreparedBatch {
    std::vector<PreparedAppend> appends;
    std::vector<std::size_t> slots;  // where each append's result goes in `results`
    std::shared_ptr<std::vector<Result<AppendResult>>> results;
  };
  using Request =
      std::variant<PreparedAppend, EraseRequest, CommandRequest, ResumeProbe, PreparedBatch>;
  struct Pending {
    Request request;
    AppendCallback done;
  };
  std::mutex queue_mu;
  std::condition_variable queue_cv;  // the writer threads wait here
  std::deque<Pending> queue;         // guarded by queue_mu
  bool writer_role_held = false;     // guarded by queue_mu
  bool accepting = false;            // guarded by queue_mu
  bool stopping = false;             // guarded by queue_mu
  std::vector<std::thread> writers;
  std::mutex write_order_mu;  // held from the end of staging until the group's write returns

  // Writer role: what has been staged, whether or not its write has returned yet; the next
  // group is staged on top of it. At most one staged group is unwritten at a time (a holder
  // takes its turn to write only after the previous write returned), so when a cache starts
  // over it keeps that group's entries.
  ChainHead staged_head;
  audit::merkle::CompactRange staged_tree;  // the tree's border at staged_head
  std::mutex checkpoint_mu;                 // one checkpoint signed or cosigned at a time
  std::unordered_map<std::string, StreamInfo> stream_cache;  // over the stream index
  std::unordered_map<std::string, runtime::PathwayState> pathway_cache;
  std::unordered_map<std::string, CommandRow> command_cache;  // over the idempotency rows
  std::unordered_map<std::string, std::int64_t> count_cache;  // the projection counters
  struct LastStaged {                                         // the ids the previous group staged
    std::vector<std::string> streams;
    std::vector<std::string> pathways;
    std::vector<std::string> commands;
  } last_staged;

  // Once a write fails, every write is refused with `failed` (RocksDB refuses them too). A
  // full disk clears when RocksDB resumes once there is space; any other failure — a failed
  // sync above all — lasts until a restart has re-checked the store.
  mutable std::mutex failed_mu;
  Status failed;                                      // guarded by failed_mu
  std::chrono::steady_clock::time_point next_resume;  // guarded by failed_mu
  std::atomic<std::uint64_t> stat_failed_writes{0};
  std::atomic<std::uint64_t> stat_resumes{0};
  Status Failure() const {
    std::lock_guard lock(failed_mu);
    return failed;
  }
  // Records a failed synced write as the answer to every write from now on, logging it once.
  Status WriteFailed(const rocksdb::Status& s);
  // Writer role: with a full disk, asks RocksDB to resume (at most once a second) and, when it
  // does, starts the staged state over from what is durable. The failure, or Ok.
  Status TryResume();

  std::atomic<std::uint64_t> stat_batches{0};
  std::atomic<std::uint64_t> stat_appends{0};
  std::atomic<std::uint64_t> stat_events{0};
  std::atomic<std::uint64_t> stat_keys{0};
  std::atomic<std::uint64_t> stat_bytes{0};
  std::atomic<std::uint64_t> stat_queue_depth{0};

  ~Impl();
  void StartWriter();
  void StopWriter();
  // Queues a request; with may_lead, commits it in the calling thread when the writer is idle.
  void Enqueue(Pending pending, bool may_lead);
  void WriterLoop();
  // Takes up to a group's worth of requests from the queue. REQUIRES: queue_mu held.
  std::vector<Pending> TakeGroup();
  // Stages `group`, releases the writer role, writes and answers. REQUIRES: the writer role.
  void RunGroup(std::vector<Pending>& group);
  void ReleaseWriterRole();

  // Reads behind the writer's caches; safe from any thread.
  Result<StreamInfo> LoadStreamInfo(const std::string& stream_id) const;
  Result<std::vector<std::string>> StreamsOf(const std::string& participant_id) const;
  // One event of a stream by its version (ReadStream with max 1).
  Result<StreamPage> ReadOne(const std::string& stream_id, std::uint64_t version) const;
  Status ReadEventValue(std::uint64_t position, std::string& value) const;
  Result<std::optional<runtime::PathwayState>> ReadPathway(const std::string& pathway_id) const;
  Result<std::int64_t> ReadCount(const std::string& key) const;
  ChainHead CurrentHead() const;
  // Opening an older store for writing: rewrites every pathway's state row with its path and
  // writes its report rows, replaying its events (upgrade.cpp). Before the writer starts.
  Status RebuildPathRows();
  // Opening a store older than format 7 for writing: the company links of every pathway, from
  // its state row (upgrade.cpp). Before the writer starts.
  Status RebuildCompanyLinks();
  // Opening a store older than format 8 for writing: the tree over every event, in batches
  // (upgrade.cpp). Before the writer starts.
  Status BuildTree();
};

// Visits the rows of `family` whose keys start with `prefix`, at most `max`; `visit` gets the
// key after the prefix and the value, and returns false to stop early (or on a bad row).
template <typename Visit>
Status ScanPrefix(const RocksEventStore::Impl& s, rocksdb::ColumnFamilyHandle* family,
                  const std::string& prefix, std::size_t max, Visit visit) {
  if (family == nullptr) return Status::Ok();  // a read-only open of an older store
  std::unique_ptr<rocksdb::Iterator> it(s.db->NewIterator(rocksdb::ReadOptions(), family));
  std::size_t n = 0;
  for (it->Seek(prefix); it->Valid() && n < max; it->Next(), ++n) {
    const std::string_view key = it->key().ToStringView();
    if (!key.starts_with(prefix)) break;
    if (!visit(key.substr(prefix.size()), it->value().ToStringView())) break;
  }
  return it->status().ok() ? Status::Ok() : FromRocks(it->status(), "scanning a read model");
}

}  // namespace pathways::storage
