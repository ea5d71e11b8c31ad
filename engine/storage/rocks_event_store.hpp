#pragma once
// RocksEventStore: every port of a Store (engine/ports/store.hpp) on RocksDB, with one writer
// thread and group commit. Only the code that opens a store names this class.
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
#include "engine/ports/store.hpp"
#include "engine/random.hpp"

namespace rocksdb {
class Env;
}

namespace pathways::storage {

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
  // The environment RocksDB reaches the disk through; null is the system's. Tests pass one
  // whose writes or syncs fail on demand. Not owned; outlives the store.
  rocksdb::Env* env = nullptr;
  // Whether the writer keeps the log's Merkle tree. Off only in `bench pathways`, to measure
  // what the tree costs a command: such a store has no proofs and fails `pathways verify`.
  bool merkle_tree = true;
};

class RocksEventStore final : public Store {
 public:
  // Errors: NotFound (no store at dir and not told to create one), FailedPrecondition (master
  // key missing or wrong, store locked, dir holds something else), Unsupported (written by a
  // newer format version), Corruption (with RocksDB's message, which names the file).
  static Result<std::unique_ptr<RocksEventStore>> Open(const StoreOptions& options);

  ~RocksEventStore() override;
  RocksEventStore(const RocksEventStore&) = delete;
  RocksEventStore& operator=(const RocksEventStore&) = delete;

  // ---- Store ----
  void Close() override;
  Status Writable() override;

  // ---- EventStore ----
  Result<AppendResult> Append(AppendRequest request) override;
  void AppendAsync(AppendRequest request, AppendCallback done) override;
  void AppendBatchAsync(std::vector<AppendRequest> requests, BatchCallback done) override;
  Result<AppendResult> ErasePersonalData(EraseRequest request) override;
  Result<StreamPage> ReadStream(const std::string& stream_id, std::uint64_t from_version,
                                std::size_t max) const override;
  Result<std::uint64_t> StreamVersion(const std::string& stream_id) const override;
  Result<AllPage> ReadAll(std::uint64_t from_position, std::size_t max) const override;
  ChainHead Head() const override;
  Result<std::unique_ptr<Subscription>> Subscribe(std::uint64_t after_position) override;
  Result<std::vector<RevealedPersonal>> RevealPersonal(const RecordedEvent& e) const override;

  // ---- CommandExecutor ----
  Result<AppendResult> Execute(CommandRequest request) override;
  void ExecuteAsync(CommandRequest request, Callback done) override;

  // ---- PathwayQueries ----
  Result<std::optional<runtime::PathwayState>> LoadPathway(
      const std::string& pathway_id) const override;
  Result<std::vector<runtime::PathwayState>> PathwaysWithPrefix(const std::string& id_prefix,
                                                                std::size_t max) const override;
  Result<std::vector<runtime::PathwayState>> PathwaysOn(const std::string& definition_id,
                                                        std::uint32_t version) const override;
  Result<std::vector<CaseloadEntry>> Caseload(const std::string& counsellor,
                                              std::size_t max) const override;
  Result<std::vector<CompanyLink>> CompanyLinks(const std::string& cvr,
                                                std::size_t max) const override;
  Result<std::vector<InboxEntry>> Inbox(const std::string& assignee,
                                        std::size_t max) const override;
  Result<std::map<std::string, std::int64_t>> Counts() const override;
  Result<std::uint64_t> VisitReportRows(
      std::optional<std::uint64_t> at,
      const std::function<bool(const runtime::PathwayState&)>& visit) const override;
  Result<std::optional<RevealedPersonal>> KeptSpecialItems(const std::string& participant_id,
                                                           const std::string& pathway_id,
                                                           std::uint64_t version) const override;
  Result<std::unique_ptr<KeptSpecialReader>> KeptSpecialInOrder() const override;
  Result<std::vector<Rejection>> Rejections(const std::string& pathway_id, TimestampMs until,
                                            std::size_t max) const override;

  // LogProofs (log_proofs.cpp).
  Result<TreeHead> TreeAt(std::optional<std::uint64_t> size) const override;
  Result<std::vector<Hash256>> InclusionProof(std::uint64_t position,
                                              std::uint64_t size) const override;
  Result<std::vector<Hash256>> ConsistencyProof(std::uint64_t old_size,
                                                std::uint64_t new_size) const override;
  Result<std::string> LeafEntry(std::uint64_t position) const override;
  Result<StoredCheckpoint> SignCheckpoint(const audit::note::Signer& signer) override;
  Result<StoredCheckpoint> Checkpoint(std::optional<std::uint64_t> size) const override;
  Status AddCosignature(std::uint64_t size, const audit::note::Signature& cosignature) override;

  // ---- TimerQueue ----
  Result<std::vector<DueTimer>> DueTimers(TimestampMs now, std::size_t max) const override;
  Result<std::optional<TimestampMs>> NextTimerDue() const override;

  // ---- Outbox ----
  Result<std::vector<std::pair<std::uint64_t, nlohmann::json>>> ReadOutbox(
      std::uint64_t after, std::size_t max) const override;
  Status PruneOutbox(std::uint64_t position) override;
  std::uint64_t CommittedPosition() const override;
  std::uint64_t WaitForCommit(std::uint64_t after, std::chrono::milliseconds timeout,
                              std::uint64_t seen_wakes) const override;
  void Wake() override;
  std::uint64_t WakeCount() const override;
  Result<std::optional<std::string>> ReadState(std::string_view key) const override;
  Status WriteState(const AdapterStateWrite& write) override;
  Status ScanState(std::string_view prefix, std::string_view start,
                   const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;

  // ---- StoreAdmin ----
  using StoreAdmin::Verify;
  Result<VerifyReport> Verify(const VerifyOptions& options) const override;
  Result<BackupInfo> Backup(const std::string& backup_dir, bool with_master_key) override;
  ExportCursor StartExport(const ExportOptions& options) const override;
  Status ExportChunk(const ExportOptions& options, ExportCursor& cursor, std::size_t max_bytes,
                     std::string& out) const override;
  Status Flush() override;
  Status PurgeErasedKeys() override;
  WriterStats Stats() const override;
  const std::string& dir() const override;

  // Flushes, then waits until no flush or compaction is pending or running: benchmarks measure
  // reads on a store at rest, not beside the compaction of what they just wrote. Polls.
  Status Settle();

  // ---- beyond the ports: zero-copy reads for verify, export and replay tools ----
  // Visits events from `from_position` in global order without copying them. The view is
  // valid only during the call. Stops early when `visit` returns false.
  Status Scan(std::uint64_t from_position,
              const std::function<bool(const codec::EventView&)>& visit) const;
  // RevealPersonal for a zero-copy view; same contract.
  Result<std::vector<RevealedPersonal>> RevealPersonal(const codec::EventView& e) const;

  // Internal to engine/storage (store_impl.hpp); named here only so its files can share it.
  struct Impl;

 private:
  explicit RocksEventStore(std::unique_ptr<Impl> impl);
  // Open() without the atomic creation: opens (or initialises) the store at options.dir.
  static Result<std::unique_ptr<RocksEventStore>> OpenDir(const StoreOptions& options);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pathways::storage
