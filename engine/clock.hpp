#pragma once
// Clock: the only way the engine learns the time.
//
// The engine never reads the wall clock itself; the composition root (tools/) injects one.
// Times are int64 UTC milliseconds since the Unix epoch inside the engine; ISO 8601 at the edges.

#include <atomic>
#include <cstdint>

namespace pathways {

using TimestampMs = std::int64_t;

// Thread-safe: NowMs() may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampMs NowMs() const = 0;
};

// A clock that moves only when told to: deterministic tests and demos (`--clock manual`).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimestampMs start_ms) : now_ms_(start_ms) {}
  TimestampMs NowMs() const override { return now_ms_.load(std::memory_order_acquire); }
  void Set(TimestampMs ms) { now_ms_.store(ms, std::memory_order_release); }
  void Advance(TimestampMs delta_ms) { now_ms_.fetch_add(delta_ms, std::memory_order_acq_rel); }

 private:
  std::atomic<TimestampMs> now_ms_;
};

}  // namespace pathways
