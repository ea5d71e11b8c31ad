#include "adapters/app/sealed_reads.hpp"

namespace pathways::app {

SealedReads::SealedReads(Read read) : read_(std::move(read)), helper_([this] { Work(); }) {}

void SealedReads::Push(Waiting w) {
  std::lock_guard lock(mu_);
  items_.push_back(std::move(w));
  if (items_.size() % kChunk == 0) wake_.notify_one();
}

std::deque<Waiting>& SealedReads::Finish() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  wake_.notify_all();
  Work();
  if (helper_.joinable()) helper_.join();
  return items_;
}

void SealedReads::Work() {
  runtime::PathwayState scratch;
  for (std::vector<Waiting*> chunk;; chunk.clear()) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return items_.size() - next_ >= kChunk || done_; });
      // A deque's elements stay where they are as it grows: read outside the lock.
      while (next_ < items_.size() && chunk.size() < kChunk) chunk.push_back(&items_[next_++]);
    }
    if (chunk.empty()) return;
    for (Waiting* w : chunk) read_(*w, scratch);
  }
}

}  // namespace pathways::app
