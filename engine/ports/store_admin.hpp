#pragma once
// StoreAdmin: the engine's port for operating a store as a whole — verifying the chain,
// backups, exporting the log for auditors, and what an operator watches.
//
// Implementations: storage::RocksEventStore. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "engine/event.hpp"
#include "engine/result.hpp"

namespace pathways {

// What Verify() found. ok == false names the first bad position (0 when the damage is not at
// one event, e.g. a stream-index row that points nowhere) and what is wrong there.
struct VerifyReport {
  bool ok = true;
  std::uint64_t events = 0;
  std::uint64_t bytes = 0;  // event value bytes hashed
  std::uint64_t index_rows = 0;
  std::uint64_t tree_nodes = 0;  // the Merkle tree's stored nodes checked (format 8 on)
  ChainHead head;
  std::uint64_t first_bad_position = 0;
  std::string problem;
};

struct VerifyOptions {
  // Segments of the log checked in parallel; 0: one per core once the log is large enough
  // (50,000 events a segment). The answer does not depend on it.
  std::uint64_t segments = 0;
  // Whether the Merkle tree is checked too (format 8 on); off only to measure what it costs.
  bool tree = true;
};

// Whether the store takes writes: after a failed write it does not, until space returns
// (kFull) or until a restart has re-checked it (kFailed; what the kernel dropped after a failed
// sync cannot be trusted).
enum class WriteState : std::uint8_t { kWritable, kFull, kFailed };
inline std::string_view WriteStateName(WriteState state) {
  switch (state) {
    case WriteState::kWritable: return "writable";
    case WriteState::kFull: return "full";
    case WriteState::kFailed: return "failed";
  }
  return "failed";
}

struct WriterStats {
  std::uint64_t batches = 0;  // synced WriteBatches committed
  std::uint64_t appends = 0;  // requests answered (including refusals)
  std::uint64_t events = 0;   // events committed
  std::uint64_t queue_depth = 0;
  WriteState write_state = WriteState::kWritable;
  std::uint64_t failed_writes = 0;  // synced writes that failed
  std::uint64_t resumes = 0;        // times writing resumed after a full disk
  // What the committed batches wrote: keys (puts and deletes, in every column family) and
  // their bytes as RocksDB counts them (WriteBatch::GetDataSize: keys, values, headers).
  std::uint64_t keys = 0;
  std::uint64_t bytes = 0;
};

struct BackupInfo {
  std::uint32_t id = 0;
  std::int64_t created_unix_s = 0;
  std::uint64_t bytes = 0;
  std::uint64_t head_position = 0;  // the log's head when it was taken
  std::string head_hash;            // hex
};

// Export of the log in global order, as JSON Lines or CSV (docs/formats/export.md).
enum class ExportFormat { kJsonLines, kCsv };

struct ExportOptions {
  std::uint64_t from_position = 1;
  // The last position to export; 0: the head when the export starts.
  std::uint64_t to_position = 0;
  ExportFormat format = ExportFormat::kJsonLines;
  // Decrypt personal parts (needs the master key). Default: false, parts read "encrypted".
  bool include_personal = false;
  // Only the events of pathways that belong to this school now (a transferred pathway's whole
  // history goes with it); no system streams. Empty: everything, the whole chain.
  std::string school;
};

// Where an export stands between chunks.
struct ExportCursor {
  std::uint64_t next = 1;                              // the next position to export
  std::uint64_t last = 0;                              // the last position to export
  std::uint64_t lines = 0;                             // events written so far
  bool started = false;                                // the CSV header is out
  std::map<std::string, bool, std::less<>> in_school;  // by stream, once looked up
  bool done() const { return next > last; }
};

class StoreAdmin {
 public:
  virtual ~StoreAdmin() = default;

  // Walks the whole chain and the stream index (docs/formats/event_log.md, "Verification").
  // Returns a report; a non-ok Status only when the walk itself could not run.
  virtual Result<VerifyReport> Verify(const VerifyOptions& options) const = 0;
  Result<VerifyReport> Verify() const { return Verify(VerifyOptions{}); }

  // A consistent backup into `backup_dir` (created if missing) while the store keeps
  // serving; the master key file is copied beside it when `with_master_key`.
  virtual Result<BackupInfo> Backup(const std::string& backup_dir, bool with_master_key) = 0;

  // Starts an export: fixes the last position (the head now, unless options name one).
  virtual ExportCursor StartExport(const ExportOptions& options) const = 0;
  // Appends the next events to `out` until about `max_bytes` are there or the export is
  // done; the CSV header comes first. Advances the cursor. Errors: those of reads,
  // FailedPrecondition when personal data is asked for without the master key.
  virtual Status ExportChunk(const ExportOptions& options, ExportCursor& cursor,
                             std::size_t max_bytes, std::string& out) const = 0;

  // Writes every memtable to table files (backups, tests of raw files).
  virtual Status Flush() = 0;
  // After an erasure: makes sure the destroyed keys' bytes leave every file of the store.
  virtual Status PurgeErasedKeys() = 0;

  virtual WriterStats Stats() const = 0;
  // Ok when the store takes writes; otherwise the StorageFull or StorageFailed status every
  // write gets now. With a full disk it first tries to resume (at most once a second), so a
  // readiness probe sees the store come back when space does.
  virtual Status Writable() = 0;
  virtual const std::string& dir() const = 0;
};

}  // namespace pathways
