#pragma once
// TimerQueue: the engine's port to the armed timers, indexed by due time. A timer's row is
// written with the event that arms it and removed with the one that fires or disarms it; the
// scheduler (runtime/timer_scheduler.hpp) reads it and fires through the CommandExecutor.
//
// Implementations: storage::RocksEventStore. Thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock.hpp"
#include "engine/result.hpp"

namespace pathways {

struct DueTimer {
  std::string pathway_id;
  std::string timer_id;  // a definition's timer, or `task:<id>` for a task's due time
  TimestampMs due_at = 0;
};

class TimerQueue {
 public:
  virtual ~TimerQueue() = default;

  // Timers due at or before `now`, oldest first, at most `max`.
  virtual Result<std::vector<DueTimer>> DueTimers(TimestampMs now, std::size_t max) const = 0;
  // When the earliest armed timer falls due, or nullopt when none is armed.
  virtual Result<std::optional<TimestampMs>> NextTimerDue() const = 0;
};

}  // namespace pathways
