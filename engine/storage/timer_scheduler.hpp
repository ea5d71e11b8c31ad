#pragma once
// Firing due timers: each due timer row becomes a FireTimer command through the writer, so
// a firing is an event like any other, and survives restarts (the row is durable until the
// firing commits). The command id is derived from (pathway, timer, due time), so a firing
// retried after a crash is recognised and not applied twice.

#include <cstddef>

#include "engine/storage/rocks_event_store.hpp"

namespace pathways::storage {

struct TimerSweep {
  std::size_t due = 0;      // timer rows found due
  std::size_t fired = 0;    // firings committed (including ones a guard skipped)
  std::size_t refused = 0;  // stale firings the pathway refused (restarted or disarmed)
};

// Fires every timer due at or before `now`, at most `max`, submitting them together so they
// share group commits. Returns when all are answered.
Result<TimerSweep> FireDueTimers(RocksEventStore& store, TimestampMs now, std::size_t max);

}  // namespace pathways::storage
