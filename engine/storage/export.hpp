#pragma once
// Export of the log in global order, as JSON Lines or CSV (docs/formats/export.md).

#include <cstdint>
#include <cstdio>
#include <string>

#include "engine/storage/rocks_event_store.hpp"

namespace pathways::storage {

// Starting an export and its chunks are StoreAdmin's (RocksEventStore::StartExport and
// ExportChunk, in export.cpp).

// The whole export to `out`; returns how many events were written. Errors: those of
// ExportChunk, IOError when `out` fails.
Result<std::uint64_t> ExportLog(const StoreAdmin& store, const ExportOptions& options,
                                std::FILE* out);

}  // namespace pathways::storage
