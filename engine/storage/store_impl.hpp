#pragma once
// Internal to engine/storage: the state behind RocksEventStore, shared by its source files
// (rocks_event_store.cpp: open and reads; writer.cpp: the writer thread; verify.cpp).

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "engine/storage/key_ring.hpp"
#include "engine/storage/rocks_event_store.hpp"

namespace pathways::storage {

struct StreamInfo {
  std::uint64_t version = 0;  // 0: the stream does not exist
  std::string participant_id;
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
  std::unique_ptr<KeyRing> key_ring;

  // The committed head. Written by the writer after each durable batch; read by anyone.
  mutable std::mutex head_mu;
  std::condition_variable head_cv;  // signalled after each commit and on close
  ChainHead head;                   // guarded by head_mu
  std::atomic<std::uint64_t> head_position{0};
  std::atomic<bool> closing{false};

  // The writer's queue. The writer role (staging and committing groups) is held by one thread
  // at a time: the writer thread, or a synchronous caller that found the writer idle and
  // commits in its own thread. Everything below marked "writer role" is touched only by the
  // holder; taking and releasing the role under queue_mu orders the holders.
  struct Pending {
    std::variant<PreparedAppend, EraseRequest, CommandRequest> request;
    AppendCallback done;
  };
  std::mutex queue_mu;
  std::condition_variable queue_cv;  // the writer thread waits here
  std::vector<Pending> queue;        // guarded by queue_mu
  bool writer_role_held = false;     // guarded by queue_mu
  bool accepting = false;            // guarded by queue_mu
  bool stopping = false;             // guarded by queue_mu
  std::thread writer;

  // Writer role: stream versions seen recently (a cache over the stream index).
  std::unordered_map<std::string, StreamInfo> stream_cache;
  // Writer role: pathway states seen recently, and the projection counters (loaded lazily).
  std::unordered_map<std::string, runtime::PathwayState> pathway_cache;
  std::unordered_map<std::string, std::int64_t> count_cache;

  // Writer role: once a commit fails, everything is refused (RocksDB is read-only by then too).
  Status failed;

  std::atomic<std::uint64_t> stat_batches{0};
  std::atomic<std::uint64_t> stat_appends{0};
  std::atomic<std::uint64_t> stat_events{0};
  std::atomic<std::uint64_t> stat_queue_depth{0};

  ~Impl();
  void StartWriter();
  void StopWriter();
  // Queues a request; with may_lead, commits it in the calling thread when the writer is idle.
  void Enqueue(Pending pending, bool may_lead);
  void WriterLoop();
  void CommitTaken(std::vector<Pending>& taken);  // writer role
  void CommitGroup(std::vector<Pending>& group);  // writer role

  // Reads behind the writer's caches; safe from any thread.
  Result<StreamInfo> LoadStreamInfo(const std::string& stream_id) const;
  Result<std::vector<std::string>> StreamsOf(const std::string& participant_id) const;
  Status ReadEventValue(std::uint64_t position, std::string& value) const;
  Result<std::optional<runtime::PathwayState>> ReadPathway(const std::string& pathway_id) const;
  Result<std::int64_t> ReadCount(const std::string& key) const;
  ChainHead CurrentHead() const;
};

}  // namespace pathways::storage
