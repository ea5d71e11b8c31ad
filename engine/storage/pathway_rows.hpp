#pragma once
// Internal to engine/storage: writes what the command processor derived for one pathway (its
// state row and runtime::RowChanges) into the batch that holds its events, so no read model
// is ever behind the log.

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <string>
#include <unordered_map>

#include "engine/runtime/pathway_state.hpp"
#include "engine/runtime/processor.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {

// `first_position` is the global position of the command's first event: an outbox row's is
// first_position + its event_index. Adds the counter changes to `deltas`.
Status StagePathwayRows(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch,
                        const runtime::PathwayState& after, const runtime::RowChanges& rows,
                        std::uint64_t first_position,
                        std::unordered_map<std::string, std::int64_t>& deltas);

// Writes the counters changed by `deltas` as absolute values; `totals` receives them for the
// cache once the batch is durable.
Status StageCounts(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch,
                   const std::unordered_map<std::string, std::int64_t>& deltas,
                   std::unordered_map<std::string, std::int64_t>& totals);

}  // namespace pathways::storage
