#include "engine/runtime/timer_scheduler.hpp"

#include <algorithm>
#include <chrono>

namespace pathways::runtime {

Result<TimerSweep> FireDueTimers(const TimerQueue& timers, CommandExecutor& commands,
                                 TimestampMs now, std::size_t max) {
  Result<std::vector<DueTimer>> due = timers.DueTimers(now, max);
  if (!due.ok()) return due.status();
  TimerSweep sweep;
  sweep.due = due->size();
  std::mutex mu;
  std::condition_variable cv;
  std::size_t answered = 0;
  Status failure = Status::Ok();
  for (std::size_t i = 0; i < due->size(); ++i) {
    {
      // A window, not the whole sweep, waits in the writer's queue: enough for full groups
      // while one syncs, and the queue's memory stays the same for 100 or 100,000 timers.
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return i - answered < kSweepWindow; });
    }
    const DueTimer& t = (*due)[i];
    CommandRequest r;
    r.pathway_id = t.pathway_id;
    r.command_id = "timer:" + t.pathway_id + ":" + t.timer_id + ":" + std::to_string(t.due_at);
    r.actor = {"system", "scheduler"};
    r.command = FireTimer{t.timer_id, t.due_at};
    commands.ExecuteAsync(std::move(r), [&](Result<AppendResult> result) {
      std::lock_guard lock(mu);
      if (result.ok()) {
        ++sweep.fired;
      } else if (result.status().code() == StatusCode::kRejected) {
        ++sweep.refused;
      } else if (failure.ok()) {
        failure = result.status();
      }
      ++answered;
      cv.notify_one();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return answered == due->size(); });
  if (!failure.ok()) return failure;
  return sweep;
}

TimerScheduler::TimerScheduler(const TimerQueue& timers, CommandExecutor& commands,
                               const Clock& clock, Options options)
    : timers_(timers), commands_(commands), clock_(clock), options_(options) {}

TimerScheduler::~TimerScheduler() { Stop(); }

void TimerScheduler::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void TimerScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TimerScheduler::Poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void TimerScheduler::SweepAndWait() {
  std::unique_lock lock(mu_);
  poked_ = true;
  const std::uint64_t wanted = started_ + 1;
  cv_.notify_all();
  cv_.wait(lock, [&] { return finished_ >= wanted || stopping_; });
}

TimerScheduler::Stats TimerScheduler::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void TimerScheduler::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    poked_ = false;
    ++started_;
    lock.unlock();
    Result<TimerSweep> sweep =
        FireDueTimers(timers_, commands_, clock_.NowMs(), options_.batch_size);
    Result<std::optional<TimestampMs>> next = timers_.NextTimerDue();
    lock.lock();
    ++finished_;
    ++stats_.sweeps;
    if (sweep.ok()) {
      stats_.fired += sweep->fired;
      stats_.refused += sweep->refused;
    } else {
      ++stats_.failures;
    }
    cv_.notify_all();
    if (sweep.ok() && sweep->due == options_.batch_size) continue;  // a backlog: go on
    // Sleep until the next timer falls due by the clock, but at most poll_ms: timers armed
    // meanwhile may fall due sooner, and a manual clock moves only when poked.
    std::int64_t wait_ms = options_.poll_ms;
    if (next.ok() && next->has_value()) {
      wait_ms = std::clamp<std::int64_t>(**next - clock_.NowMs(), 0, options_.poll_ms);
    }
    if (wait_ms > 0) {
      cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stopping_ || poked_; });
    }
  }
}

}  // namespace pathways::runtime
