// A sweep of many due timers through fake ports: every firing is submitted once and counted
// by its answer, and no more than the window waits unanswered at once.

#include <doctest/doctest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "engine/runtime/timer_scheduler.hpp"

namespace pathways {
namespace {

class ManyDue : public TimerQueue {
 public:
  explicit ManyDue(std::size_t n) : n_(n) {}
  Result<std::vector<DueTimer>> DueTimers(TimestampMs, std::size_t max) const override {
    std::vector<DueTimer> due;
    for (std::size_t i = 0; i < std::min(n_, max); ++i) {
      due.push_back({"pw-" + std::to_string(i), "first_contact", 1000});
    }
    return due;
  }
  Result<std::optional<TimestampMs>> NextTimerDue() const override {
    return std::optional<TimestampMs>();
  }

 private:
  std::size_t n_;
};

// Answers nothing until a window's worth is waiting (or all were submitted): a sweep without
// a window would submit everything first.
class SlowExecutor : public CommandExecutor {
 public:
  explicit SlowExecutor(std::size_t total) : total_(total) {
    worker_ = std::thread([this] { Answer(); });
  }
  ~SlowExecutor() override { worker_.join(); }

  Result<AppendResult> Execute(CommandRequest) override {
    return Status::Unsupported("asynchronous only");
  }
  void ExecuteAsync(CommandRequest request, Callback done) override {
    std::lock_guard lock(mu_);
    ids_.push_back(request.command_id);
    waiting_.push_back(std::move(done));
    ++submitted_;
    max_waiting_ = std::max(max_waiting_, waiting_.size());
    cv_.notify_all();
  }

  std::size_t max_waiting() const { return max_waiting_; }
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  void Answer() {
    std::size_t answered = 0;
    while (answered < total_) {
      std::deque<Callback> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] {
          return waiting_.size() >= runtime::kSweepWindow ||
                 (submitted_ == total_ && !waiting_.empty());
        });
        batch.swap(waiting_);
      }
      for (Callback& done : batch) {
        // Every tenth firing is refused, as a stale timer would be.
        if (answered++ % 10 == 9) {
          done(Status::Rejected("the timer was disarmed"));
        } else {
          done(AppendResult{});
        }
      }
    }
  }

  const std::size_t total_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Callback> waiting_;
  std::vector<std::string> ids_;
  std::size_t submitted_ = 0;
  std::size_t max_waiting_ = 0;
  std::thread worker_;
};

TEST_CASE("a sweep of many timers keeps at most a window unanswered and counts every answer") {
  const std::size_t total = 3 * runtime::kSweepWindow + 17;
  ManyDue due(total);
  SlowExecutor executor(total);
  Result<runtime::TimerSweep> sweep = runtime::FireDueTimers(due, executor, 5000, total);
  REQUIRE(sweep.ok());
  CHECK(sweep->due == total);
  CHECK(sweep->fired + sweep->refused == total);
  CHECK(sweep->refused == total / 10);
  CHECK(executor.max_waiting() == runtime::kSweepWindow);
  std::vector<std::string> ids = executor.ids();
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  CHECK(ids.size() == total);
}

}  // namespace
}  // namespace pathways
