// Subscriptions: readers that follow the log from a position, woken by each commit.

#include <chrono>

#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {

namespace {

class LogSubscription final : public Subscription {
 public:
  LogSubscription(const RocksEventStore& store, RocksEventStore::Impl& impl, std::uint64_t after)
      : store_(store), impl_(impl), checkpoint_(after) {}

  Result<std::vector<RecordedEvent>> Next(std::size_t max,
                                          std::chrono::milliseconds timeout) override {
    {
      std::unique_lock lock(impl_.head_mu);
      impl_.head_cv.wait_for(lock, timeout, [&] {
        return cancelled_.load() || impl_.closing.load() || impl_.head.position > checkpoint_;
      });
      if (cancelled_.load() || impl_.closing.load()) {
        return Status::Closed("the subscription was closed");
      }
      if (impl_.head.position <= checkpoint_) return std::vector<RecordedEvent>{};
    }
    Result<AllPage> page = store_.ReadAll(checkpoint_ + 1, max);
    if (!page.ok()) return page.status();
    // Only what the writer has announced: an event is handed out after its batch is durable.
    std::uint64_t committed = impl_.head_position.load(std::memory_order_acquire);
    while (!page->events.empty() && page->events.back().position > committed) {
      page->events.pop_back();
    }
    if (!page->events.empty()) checkpoint_ = page->events.back().position;
    return std::move(page->events);
  }

  std::uint64_t checkpoint() const override { return checkpoint_; }

  void Cancel() override {
    {
      std::lock_guard lock(impl_.head_mu);
      cancelled_.store(true);
    }
    impl_.head_cv.notify_all();
  }

 private:
  const RocksEventStore& store_;
  RocksEventStore::Impl& impl_;
  std::uint64_t checkpoint_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace

Result<std::unique_ptr<Subscription>> RocksEventStore::Subscribe(std::uint64_t after_position) {
  if (impl_->closing.load()) return Status::Closed("the store is closed");
  return std::unique_ptr<Subscription>(
      std::make_unique<LogSubscription>(*this, *impl_, after_position));
}

}  // namespace pathways::storage
