#pragma once
// Firing due timers: each due timer row becomes a FireTimer command through the writer, so
// a firing is an event like any other, and survives restarts (the row is durable until the
// firing commits). The command id is derived from (pathway, timer, due time), so a firing
// retried after a crash is recognised and not applied twice.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

#include "engine/ports/command_executor.hpp"
#include "engine/ports/timer_queue.hpp"

namespace pathways::runtime {

struct TimerSweep {
  std::size_t due = 0;      // timer rows found due
  std::size_t fired = 0;    // firings committed (including ones a guard skipped)
  std::size_t refused = 0;  // stale firings the pathway refused (restarted or disarmed)
};

// Firings a sweep keeps submitted and unanswered at once: two of the writer's largest groups,
// enough for full groups while one syncs; the rest wait in the sweep's own list.
inline constexpr std::size_t kSweepWindow = 1024;

// Fires every timer due at or before `now`, at most `max`, submitting them together (at most
// kSweepWindow at a time) so they share group commits. Returns when all are answered.
Result<TimerSweep> FireDueTimers(const TimerQueue& timers, CommandExecutor& commands,
                                 TimestampMs now, std::size_t max);

// The scheduler thread: sweeps due timers when the next one falls due, at least every
// `poll_ms` (timers armed meanwhile may be due sooner than the one it slept for), and at
// once when poked (a manual clock advanced). Sweeps of `batch_size` follow each other
// without sleeping while a backlog lasts.
//
// Thread-safe. REQUIRES: the ports outlive the scheduler (or Stop() is called first).
class TimerScheduler {
 public:
  struct Options {
    std::int64_t poll_ms = 1000;
    std::size_t batch_size = 10000;
  };
  struct Stats {
    std::uint64_t sweeps = 0;
    std::uint64_t fired = 0;
    std::uint64_t refused = 0;
    std::uint64_t failures = 0;  // sweeps that failed (the store's error); retried next round
  };

  TimerScheduler(const TimerQueue& timers, CommandExecutor& commands, const Clock& clock,
                 Options options);
  TimerScheduler(const TimerQueue& timers, CommandExecutor& commands, const Clock& clock)
      : TimerScheduler(timers, commands, clock, Options{}) {}
  ~TimerScheduler();
  TimerScheduler(const TimerScheduler&) = delete;
  TimerScheduler& operator=(const TimerScheduler&) = delete;

  void Start();
  // Finishes the sweep under way, then returns. Idempotent.
  void Stop();
  // Sweeps now rather than at the next due time.
  void Poke();
  // Blocks until a sweep has started and finished after this call (tests, demos).
  void SweepAndWait();

  Stats stats() const;

 private:
  void Loop();

  const TimerQueue& timers_;
  CommandExecutor& commands_;
  const Clock& clock_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;       // guarded by mu_
  bool poked_ = false;          // guarded by mu_
  std::uint64_t started_ = 0;   // sweeps started; guarded by mu_
  std::uint64_t finished_ = 0;  // sweeps finished; guarded by mu_
  Stats stats_;                 // guarded by mu_
  std::thread thread_;
};

}  // namespace pathways::runtime
