// The live feed on a real store whose first subscription fails: the follower follows again
// from where it was, and a client at the head gets what is committed afterwards.

#include "adapters/api/live_feed.hpp"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

// A subscription that fails on its second read, as a read of a damaged file would.
class FailingSubscription final : public Subscription {
 public:
  explicit FailingSubscription(std::unique_ptr<Subscription> real) : real_(std::move(real)) {}
  Result<std::vector<RecordedEvent>> Next(std::size_t max,
                                          std::chrono::milliseconds timeout) override {
    if (++reads_ > 1) return Status::IOError("reading the log: injected failure");
    return real_->Next(max, timeout);
  }
  std::uint64_t checkpoint() const override { return real_->checkpoint(); }
  void Cancel() override { real_->Cancel(); }

 private:
  std::unique_ptr<Subscription> real_;
  int reads_ = 0;
};

// The store, but its first subscription fails.
class FlakyLog final : public EventStore {
 public:
  explicit FlakyLog(EventStore& real) : real_(real) {}
  Result<AppendResult> Append(AppendRequest r) override { return real_.Append(std::move(r)); }
  void AppendAsync(AppendRequest r, AppendCallback done) override {
    real_.AppendAsync(std::move(r), std::move(done));
  }
  void AppendBatchAsync(std::vector<AppendRequest> r, BatchCallback done) override {
    real_.AppendBatchAsync(std::move(r), std::move(done));
  }
  Result<AppendResult> ErasePersonalData(EraseRequest r) override {
    return real_.ErasePersonalData(std::move(r));
  }
  Result<StreamPage> ReadStream(const std::string& id, std::uint64_t from,
                                std::size_t max) const override {
    return real_.ReadStream(id, from, max);
  }
  Result<std::uint64_t> StreamVersion(const std::string& id) const override {
    return real_.StreamVersion(id);
  }
  Result<AllPage> ReadAll(std::uint64_t from, std::size_t max) const override {
    return real_.ReadAll(from, max);
  }
  ChainHead Head() const override { return real_.Head(); }
  Result<std::unique_ptr<Subscription>> Subscribe(std::uint64_t after) override {
    Result<std::unique_ptr<Subscription>> sub = real_.Subscribe(after);
    if (!sub.ok() || subscriptions_++ > 0) return sub;
    return std::unique_ptr<Subscription>(std::make_unique<FailingSubscription>(std::move(*sub)));
  }
  Result<std::vector<RevealedPersonal>> RevealPersonal(const RecordedEvent& e) const override {
    return real_.RevealPersonal(e);
  }
  int subscriptions() const { return subscriptions_; }

 private:
  EventStore& real_;
  std::atomic<int> subscriptions_{0};
};

AppendRequest Note(int n) {
  AppendRequest r;
  r.stream_id = "s1";
  r.participant_id = "p1";
  r.command_id = "note-" + std::to_string(n);
  r.events.push_back(NewEvent{"NoteRecorded", 1, {{"n", n}}, {}});
  return r;
}

// Collects what a stream emits, and waits for text to show. What it collects into is shared
// with the emits: the feed's dispatcher may be inside one while the Reader is destroyed.
class Reader {
 public:
  explicit Reader(std::shared_ptr<http::Stream> stream)
      : stream_(std::move(stream)), seen_(std::make_shared<Seen>()) {
    Ask(stream_, seen_);
  }
  ~Reader() { stream_->cancel(); }

  bool WaitFor(const std::string& needle) {
    std::unique_lock lock(seen_->mu);
    return seen_->cv.wait_for(lock, std::chrono::seconds(20),
                              [&] { return seen_->text.find(needle) != std::string::npos; });
  }

 private:
  struct Seen {
    std::mutex mu;
    std::condition_variable cv;
    std::string text;  // guarded by mu
  };
  static void Ask(const std::shared_ptr<http::Stream>& stream, const std::shared_ptr<Seen>& seen) {
    stream->next([stream, seen](std::string chunk, bool last) {
      {
        std::lock_guard lock(seen->mu);
        seen->text += chunk;
      }
      seen->cv.notify_all();
      if (!last) Ask(stream, seen);
    });
  }
  std::shared_ptr<http::Stream> stream_;
  std::shared_ptr<Seen> seen_;
};

TEST_CASE("live: a failed read of the log is followed again, and clients get what comes next") {
  testing::TempDir dir;
  ManualClock clock(testing::kTestEpochMs);
  auto store = testing::OpenStore(dir.path(), clock);
  REQUIRE(store->Append(Note(1)).ok());
  FlakyLog log(*store);
  api::LiveFeedOptions options;
  options.heartbeat = std::chrono::seconds(60);
  {
    api::LiveFeed feed(log, options);
    REQUIRE(feed.Start().ok());
    Reader reader(feed.Open(
        store->Head().position, [](const RecordedEvent&) { return true; },
        [](const RecordedEvent& e) {
          return nlohmann::json{{"type", e.type}}.dump();
        }));
    // The first subscription fails on its second read; the follower subscribes again.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (log.subscriptions() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polls a condition
    }
    REQUIRE(log.subscriptions() >= 2);
    CHECK(feed.follower_restarts() >= 1);
    const AppendResult after = *store->Append(Note(2));
    CHECK(reader.WaitFor("id: " + std::to_string(after.last_position)));
    CHECK(feed.following());
  }
  store->Close();
}

}  // namespace
}  // namespace pathways
