#pragma once
// Export of the log as JSON Lines in global order (docs/formats/export.md).

#include <cstdint>
#include <cstdio>

#include "engine/storage/rocks_event_store.hpp"

namespace pathways::storage {

struct ExportOptions {
  std::uint64_t from_position = 1;
  // Decrypt personal parts (needs the master key). Default: false, parts read "encrypted".
  bool include_personal = false;
};

// Writes one line per event to `out`; returns how many were written. Errors: those of the
// store's reads, FailedPrecondition when personal data is asked for without the master key,
// IOError when `out` fails.
Result<std::uint64_t> ExportJsonLines(const RocksEventStore& store, const ExportOptions& options,
                                      std::FILE* out);

}  // namespace pathways::storage
