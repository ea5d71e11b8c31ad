#pragma once
// Export of the log in global order, as JSON Lines or CSV (docs/formats/export.md).

#include <cstdint>
#include <cstdio>
#include <string>

#include "engine/storage/rocks_event_store.hpp"

namespace pathways::storage {

enum class ExportFormat { kJsonLines, kCsv };

struct ExportOptions {
  std::uint64_t from_position = 1;
  // The last position to export; 0: the head when the export starts.
  std::uint64_t to_position = 0;
  ExportFormat format = ExportFormat::kJsonLines;
  // Decrypt personal parts (needs the master key). Default: false, parts read "encrypted".
  bool include_personal = false;
};

// Where an export stands between chunks.
struct ExportCursor {
  std::uint64_t next = 1;   // the next position to export
  std::uint64_t last = 0;   // the last position to export
  std::uint64_t lines = 0;  // events written so far
  bool started = false;     // the CSV header is out
  bool done() const { return next > last; }
};

// Starts an export: fixes the last position (the head now, unless options name one).
ExportCursor StartExport(const RocksEventStore& store, const ExportOptions& options);

// Appends the next events to `out` until about `max_bytes` are there or the export is done;
// the CSV header comes first. Advances the cursor. Errors: those of the store's reads,
// FailedPrecondition when personal data is asked for without the master key.
Status ExportChunk(const RocksEventStore& store, const ExportOptions& options, ExportCursor& cursor,
                   std::size_t max_bytes, std::string& out);

// The whole export to `out`; returns how many events were written. Errors: those of
// ExportChunk, IOError when `out` fails.
Result<std::uint64_t> ExportLog(const RocksEventStore& store, const ExportOptions& options,
                                std::FILE* out);

}  // namespace pathways::storage
