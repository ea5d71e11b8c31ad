#pragma once
// One thread that runs jobs which may block for a while (a manual clock's timer sweep, reading
// an export's next chunk) off the server's threads, in the order they were given. Jobs queued
// when it is destroyed still run first.
//
// Thread-safe: Run() may be called from any thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace pathways::adapters {

class BackgroundJobs {
 public:
  BackgroundJobs();
  ~BackgroundJobs();
  BackgroundJobs(const BackgroundJobs&) = delete;
  BackgroundJobs& operator=(const BackgroundJobs&) = delete;
  void Run(std::function<void()> job);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::thread thread_;
};

}  // namespace pathways::adapters
