#pragma once
// RocksEventStore: the EventStore on RocksDB, with one writer thread and group commit.
//
// Appends from any thread queue to the writer, which drains the queue, validates and encodes
// each request against the current stream versions, and commits the whole group in one
// synced WriteBatch (events, stream index, idempotency rows, data keys and the chain head
// together). No caller is answered before its batch is durable; a request that fails
// validation is answered with its reason and writes nothing. Readers and subscriptions read
// the committed log directly and never block the writer.
//
// Opening: a writable store takes RocksDB's lock (one process at a time). A read-only open is
// a RocksDB secondary instance: it works while a server holds the store, sees what was
// committed when it opened, and never writes.
//
// Thread-safe. REQUIRES: subscriptions are destroyed before the store.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/clock.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/event_store.hpp"
#include "engine/random.hpp"
#include "engine/runtime/pathway_rules.hpp"

namespace pathways::storage {

// `$access:<participant>` records who read that participant's personal data
// (PersonalDataViewed), chained like every event (a system stream: kSystemStreamMark).
inline std::string AccessStreamId(const std::string& participant_id) {
  return std::string(1, kSystemStreamMark) + "access:" + participant_id;
}

struct StoreOptions {
  std::string dir;
  // Empty: DefaultMasterKeyPath(dir), i.e. DIR.master-key beside the store.
  std::string master_key_path;
  // Create the store (and its master key file, mode 0600, unless one exists) when `dir` does
  // not exist or is empty. Default: false.
  bool create_if_missing = false;
  // Open as a RocksDB secondary: no writes, no lock. Default: false.
  bool read_only = false;
  // Read-only opens may go without the master key (verify and export of ciphertext need
  // none); writable opens always load it. Default: true.
  bool load_master_key = true;
  // Stamps occurred_at on every event. REQUIRED for writable stores; not owned.
  const Clock* clock = nullptr;
  // Data keys and nonces. Not owned; null means the system CSPRNG.
  RandomSource* random = nullptr;
  // RocksDB block cache shared by all column families, in bytes. Default: 32 MiB.
  std::size_t block_cache_bytes = 32u << 20;
  // The pathway definitions commands run on (Execute). Not needed for plain appends.
  std::shared_ptr<const definition::DefinitionCatalog> definitions;
};

// A command for one pathway, decided by the writer against the pathway's current state.
struct CommandRequest {
  std::string pathway_id;
  std::string participant_id;  // RegisterLead only: who the new pathway is for
  std::string definition_id;   // RegisterLead only; empty: the catalog's default
  ExpectedVersion expected;    // e.g. from If-Match; Any by default
  std::string command_id;      // required; the same id again returns the original result
  // Optional (at most 64 bytes), e.g. a hash of an HTTP request: the same command id with
  // another fingerprint is refused (Conflict) rather than answered as a duplicate.
  std::string fingerprint;
  std::string correlation_id;
  std::string causation_id;
  Actor actor;
  runtime::Command command;
};

// What Verify() found. ok == false names the first bad position (0 when the damage is not at
// one event, e.g. a stream-index row that points nowhere) and what is wrong there.
struct VerifyReport {
  bool ok = true;
  std::uint64_t events = 0;
  std::uint64_t bytes = 0;  // event value bytes hashed
  std::uint64_t index_rows = 0;
  ChainHead head;
  std::uint64_t first_bad_position = 0;
  std::string problem;
};

struct VerifyOptions {
  // Segments of the log checked in parallel; 0: one per core once the log is large enough
  // (50,000 events a segment). The answer does not depend on it.
  std::uint64_t segments = 0;
};

// A command the pathway's rules refused, kept for auditors beside (not in) the event log.
struct Rejection {
  std::string pathway_id;
  TimestampMs at = 0;
  std::string command;  // e.g. FireTrigger
  std::string command_id;
  std::string trigger;  // FireTrigger and FireTimer: which one
  Actor actor;
  std::string state;          // the pathway's state when it was refused
  std::uint64_t version = 0;  // and its version
  std::string reason;         // in words, as the caller was told
};

// A row of a counsellor's caseload: the pathway and its summary
// ({state, status, open_risks, open_tasks, version}).
struct CaseloadEntry {
  std::string pathway_id;
  nlohmann::json summary;
};

// An open task in an assignee's inbox ({kind, title: {da, en}, due_at, status}).
struct InboxEntry {
  std::string pathway_id;
  std::string task_id;
  nlohmann::json task;
};

struct WriterStats {
  std::uint64_t batches = 0;  // synced WriteBatches committed
  std::uint64_t appends = 0;  // requests answered (including refusals)
  std::uint64_t events = 0;   // events committed
  std::uint64_t queue_depth = 0;
};

class RocksEventStore final : public EventStore {
 public:
  // Errors: NotFound (no store at dir and not told to create one), FailedPrecondition (master
  // key missing or wrong, store locked, dir holds something else), Unsupported (written by a
  // newer format version), Corruption (with RocksDB's message, which names the file).
  static Result<std::unique_ptr<RocksEventStore>> Open(const StoreOptions& options);

  ~RocksEventStore() override;
  RocksEventStore(const RocksEventStore&) = delete;
  RocksEventStore& operator=(const RocksEventStore&) = delete;

  // Stops accepting appends and answers everything already queued; wakes subscriptions with
  // Closed. Reads keep working until the store is destroyed, which closes RocksDB.
  void Close();

  Result<AppendResult> Append(AppendRequest request) override;
  void AppendAsync(AppendRequest request, AppendCallback done) override;
  Result<AppendResult> ErasePersonalData(EraseRequest request) override;

  // Decides `request.command` against the pathway's state and commits its events together
  // with the pathway's state row, timers, inbox, caseload, counts and outbox rows.
  // Errors: Rejected (the pathway's rules refuse it; the message says why), NotFound (no such
  // pathway), InvalidArgument, WrongExpectedVersion, FailedPrecondition (no definitions, or
  // the pathway's definition version is no longer loaded), and those of Append.
  Result<AppendResult> Execute(CommandRequest request);
  void ExecuteAsync(CommandRequest request, AppendCallback done);

  // The states of every pathway running on `definition_id` version `version` (a scan of all
  // pathway rows: an administrator's operation, not a hot path).
  Result<std::vector<runtime::PathwayState>> PathwaysOn(const std::string& definition_id,
                                                        std::uint32_t version) const;

  // A pathway's current state as committed, or nullopt when there is none.
  Result<std::optional<runtime::PathwayState>> LoadPathway(const std::string& pathway_id) const;

  // Read models, kept in the same batch as the events (never behind the log).
  Result<std::vector<CaseloadEntry>> Caseload(const std::string& counsellor, std::size_t max) const;
  Result<std::vector<InboxEntry>> Inbox(const std::string& assignee, std::size_t max) const;
  // "state:<id>" and "milestone:<id>" -> count.
  Result<std::map<std::string, std::int64_t>> Counts() const;

  // The refusals of commands on `pathway_id`, oldest first, at or before `until`, at most `max`.
  Result<std::vector<Rejection>> Rejections(const std::string& pathway_id, TimestampMs until,
                                            std::size_t max) const;

  // Timers due at or before `now`, oldest first, at most `max`: (pathway, timer, due).
  struct DueTimer {
    std::string pathway_id;
    std::string timer_id;
    TimestampMs due_at = 0;
  };
  Result<std::vector<DueTimer>> DueTimers(TimestampMs now, std::size_t max) const;
  // When the earliest armed timer falls due, or nullopt when none is armed.
  Result<std::optional<TimestampMs>> NextTimerDue() const;
  Result<StreamPage> ReadStream(const std::string& stream_id, std::uint64_t from_version,
                                std::size_t max) const override;
  Result<std::uint64_t> StreamVersion(const std::string& stream_id) const override;
  Result<AllPage> ReadAll(std::uint64_t from_position, std::size_t max) const override;
  ChainHead Head() const override;
  Result<std::unique_ptr<Subscription>> Subscribe(std::uint64_t after_position) override;
  Result<std::vector<RevealedPersonal>> RevealPersonal(const RecordedEvent& e) const override;

  // Visits events from `from_position` in global order without copying them. The view is
  // valid only during the call. Stops early when `visit` returns false.
  Status Scan(std::uint64_t from_position,
              const std::function<bool(const codec::EventView&)>& visit) const;
  // RevealPersonal for a zero-copy view; same contract.
  Result<std::vector<RevealedPersonal>> RevealPersonal(const codec::EventView& e) const;

  // Walks the whole chain and the stream index (docs/formats/event_log.md, "Verification").
  // Returns a report; a non-ok Status only when the walk itself could not run.
  Result<VerifyReport> Verify(const VerifyOptions& options = {}) const;

  // Writes every column family's memtable to table files (backups, tests of raw files).
  Status Flush();

  // After ErasePersonalData: flushes every column family and compacts the key rows so the
  // destroyed keys' bytes leave every file under the store.
  Status PurgeErasedKeys();

  WriterStats Stats() const;
  const std::string& dir() const;

  // Internal to engine/storage (store_impl.hpp); named here only so its files can share it.
  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  explicit RocksEventStore(std::unique_ptr<Impl> impl);
  // Open() without the atomic creation: opens (or initialises) the store at options.dir.
  static Result<std::unique_ptr<RocksEventStore>> OpenDir(const StoreOptions& options);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pathways::storage
