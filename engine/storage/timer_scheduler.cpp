#include "engine/storage/timer_scheduler.hpp"

#include <condition_variable>
#include <mutex>

namespace pathways::storage {

Result<TimerSweep> FireDueTimers(RocksEventStore& store, TimestampMs now, std::size_t max) {
  Result<std::vector<RocksEventStore::DueTimer>> due = store.DueTimers(now, max);
  if (!due.ok()) return due.status();
  TimerSweep sweep;
  sweep.due = due->size();
  std::mutex mu;
  std::condition_variable cv;
  std::size_t answered = 0;
  Status failure = Status::Ok();
  for (const RocksEventStore::DueTimer& t : *due) {
    CommandRequest r;
    r.pathway_id = t.pathway_id;
    r.command_id = "timer:" + t.pathway_id + ":" + t.timer_id + ":" + std::to_string(t.due_at);
    r.actor = {"system", "scheduler"};
    r.command = runtime::FireTimer{t.timer_id, t.due_at};
    store.ExecuteAsync(std::move(r), [&](Result<AppendResult> result) {
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

}  // namespace pathways::storage
