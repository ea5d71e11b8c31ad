#pragma once
// Internal to engine/storage: the rows a pathway's change derives, staged in the same batch
// as its events so no read model is ever behind the log: the state row, the timer index, the
// caseload and inbox projections, the outbox, and counter deltas.

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/event.hpp"
#include "engine/runtime/pathway_state.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {

// `events` are the new events with their global positions (consecutive versions after
// `before`), all stamped `at`. Adds counter changes to `deltas` ("state:<id>" and
// "milestone:<id>").
Status StagePathwayRows(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch,
                        const runtime::PathwayState& before, const runtime::PathwayState& after,
                        const std::vector<std::pair<std::uint64_t, const NewEvent*>>& events,
                        TimestampMs at, std::unordered_map<std::string, std::int64_t>& deltas);

// Writes the counters changed by `deltas` as absolute values; `totals` receives them for the
// cache once the batch is durable.
Status StageCounts(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch,
                   const std::unordered_map<std::string, std::int64_t>& deltas,
                   std::unordered_map<std::string, std::int64_t>& totals);

}  // namespace pathways::storage
