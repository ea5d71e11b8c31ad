#include "adapters/api/live_feed.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pathways::api {
// Named rather than anonymous: LiveFeed::Core, which has external linkage, holds Clients.
namespace live_feed_internal {

using SteadyClock = std::chrono::steady_clock;

struct Client {
  std::uint64_t id = 0;
  std::uint64_t cursor = 0;  // the last position considered (sent or filtered out)
  LiveFeed::Filter filter;
  LiveFeed::Format format;
  // Only the thread that holds a client's emit (the dispatcher, between taking and giving it
  // back) touches cursor, filter and format; the fields below are guarded by Core::mu.
  http::Stream::Emit pending;  // set while the client waits for more
  bool greeted = false;
  bool done = false;  // cancelled: the connection is gone or the server stops
  SteadyClock::time_point last_sent;
};

}  // namespace live_feed_internal
using live_feed_internal::Client;
using live_feed_internal::SteadyClock;

struct LiveFeed::Core {
  Core(EventStore& s, LiveFeedOptions o) : store(s), options(o) {}

  EventStore& store;
  const LiveFeedOptions options;

  mutable std::mutex mu;
  std::condition_variable wake;
  std::map<std::uint64_t, std::shared_ptr<Client>> clients;  // guarded by mu
  std::deque<RecordedEvent> window;  // guarded by mu: contiguous positions up to head
  std::uint64_t head = 0;            // guarded by mu: the last position the follower saw
  std::uint64_t next_id = 1;         // guarded by mu
  bool stopping = false;             // guarded by mu
  std::atomic<std::uint64_t> sent{0};

  // The follower's subscription; replaced when it fails. sub_mu orders a replacement with
  // Stop()'s Cancel, so a stopping feed never gets a fresh subscription nobody cancels.
  std::mutex sub_mu;
  std::unique_ptr<Subscription> subscription;  // guarded by sub_mu (Next runs outside it)
  std::atomic<bool> following{false};          // the follower reads the log live
  std::atomic<std::uint64_t> restarts{0};      // subscriptions that failed and were replaced
  std::thread follower;
  std::thread dispatcher;

  void Next(const std::shared_ptr<Client>& c, http::Stream::Emit emit);
  void Cancel(const std::shared_ptr<Client>& c);
  void Follow();
  void Dispatch();
  // Events after `cursor` from the window, or nullopt when the window does not reach back.
  std::optional<std::vector<RecordedEvent>> FromWindow(std::uint64_t cursor) const;
};

void LiveFeed::Core::Next(const std::shared_ptr<Client>& c, http::Stream::Emit emit) {
  std::unique_lock lock(mu);
  if (stopping || c->done) {
    lock.unlock();
    return emit({}, true);
  }
  if (!c->greeted) {
    c->greeted = true;
    lock.unlock();
    return emit("retry: " + std::to_string(options.retry_ms) + "\n: events after position " +
                    std::to_string(c->cursor) + "\n\n",
                false);
  }
  c->pending = std::move(emit);
  lock.unlock();
  wake.notify_all();
}

void LiveFeed::Core::Cancel(const std::shared_ptr<Client>& c) {
  http::Stream::Emit pending;
  {
    std::lock_guard lock(mu);
    c->done = true;
    clients.erase(c->id);
    pending = std::move(c->pending);
    c->pending = nullptr;
  }
  if (pending) pending({}, true);
}

void LiveFeed::Core::Follow() {
  constexpr std::chrono::milliseconds kFirstBackoff{100};
  constexpr std::chrono::milliseconds kMaxBackoff{30'000};
  std::chrono::milliseconds backoff = kFirstBackoff;
  Subscription* sub = subscription.get();
  for (;;) {
    Result<std::vector<RecordedEvent>> batch = sub->Next(1024, std::chrono::seconds(1));
    if (batch.ok()) {
      following = true;
      backoff = kFirstBackoff;
      if (batch->empty()) continue;
      {
        std::lock_guard lock(mu);
        head = batch->back().position;
        for (RecordedEvent& e : *batch) window.push_back(std::move(e));
        while (window.size() > options.window_events) window.pop_front();
      }
      wake.notify_all();
      continue;
    }
    if (batch.status().code() == StatusCode::kClosed) return;  // stopping, or the store is
    // A failed read: follow again from the last position seen, after a pause that grows while
    // it keeps failing. Clients meanwhile catch up from the store and see nothing missed.
    following = false;
    ++restarts;
    std::uint64_t from = 0;
    {
      std::unique_lock lock(mu);
      from = head;
      spdlog::error("live feed: reading the log failed ({}); following again after position {}",
                    batch.status().ToString(), from);
      if (wake.wait_for(lock, backoff, [&] { return stopping; })) return;
    }
    backoff = std::min(backoff * 2, kMaxBackoff);
    Result<std::unique_ptr<Subscription>> fresh = store.Subscribe(from);
    if (!fresh.ok()) continue;  // the old one fails again at once: another, longer pause
    std::lock_guard lock(sub_mu);
    {
      std::lock_guard state(mu);
      if (stopping) return;
    }
    subscription = std::move(*fresh);
    sub = subscription.get();
  }
}

std::optional<std::vector<RecordedEvent>> LiveFeed::Core::FromWindow(std::uint64_t cursor) const {
  if (window.empty() || cursor + 1 < window.front().position) return std::nullopt;
  std::vector<RecordedEvent> out;
  const std::uint64_t first = window.front().position;
  for (std::size_t i = cursor + 1 - first; i < window.size() && out.size() < options.page_events;
       ++i) {
    out.push_back(window[i]);
  }
  return out;
}

void LiveFeed::Core::Dispatch() {
  std::unique_lock lock(mu);
  while (!stopping) {
    const SteadyClock::time_point now = SteadyClock::now();
    SteadyClock::time_point next_beat = now + options.heartbeat;
    std::vector<std::pair<std::shared_ptr<Client>, http::Stream::Emit>> work;
    for (auto& [id, c] : clients) {
      if (!c->pending) continue;
      const bool beat_due = now - c->last_sent >= options.heartbeat;
      if (c->cursor < head || beat_due) {
        work.emplace_back(c, std::move(c->pending));
        c->pending = nullptr;
      } else {
        next_beat = std::min(next_beat, c->last_sent + options.heartbeat);
      }
    }
    if (work.empty()) {
      wake.wait_until(lock, next_beat);
      continue;
    }
    // One page per distinct cursor: clients at the head share the window's slice.
    std::map<std::uint64_t, std::vector<RecordedEvent>> pages;
    std::vector<std::uint64_t> to_read;
    for (const auto& [c, emit] : work) {
      if (pages.count(c->cursor) != 0) continue;
      if (auto slice = FromWindow(c->cursor)) {
        pages[c->cursor] = std::move(*slice);
      } else {
        pages[c->cursor];
        to_read.push_back(c->cursor);
      }
    }
    lock.unlock();

    std::set<std::uint64_t> failed;
    for (std::uint64_t cursor : to_read) {
      Result<AllPage> page = store.ReadAll(cursor + 1, options.page_events);
      if (page.ok()) {
        pages[cursor] = std::move(page->events);
      } else {
        spdlog::warn("live feed: catching up from {} failed: {}", cursor, page.status().ToString());
        failed.insert(cursor);
      }
    }
    std::vector<std::pair<std::shared_ptr<Client>, http::Stream::Emit>> idle;
    for (auto& [c, emit] : work) {
      if (failed.count(c->cursor) != 0) {  // the client reconnects and tries again
        emit({}, true);
        continue;
      }
      const std::vector<RecordedEvent>& page = pages[c->cursor];
      std::string chunk;
      std::uint64_t count = 0;
      for (const RecordedEvent& e : page) {
        if (!c->filter(e)) continue;
        chunk += "id: " + std::to_string(e.position) + "\nevent: " + e.type +
                 "\ndata: " + c->format(e) + "\n\n";
        ++count;
      }
      if (!page.empty()) c->cursor = page.back().position;
      const SteadyClock::time_point sent_at = SteadyClock::now();
      if (chunk.empty() && sent_at - c->last_sent < options.heartbeat) {
        idle.emplace_back(c, std::move(emit));
        continue;
      }
      c->last_sent = sent_at;
      sent.fetch_add(count, std::memory_order_relaxed);
      emit(chunk.empty() ? std::string(": keep-alive\n\n") : std::move(chunk), false);
    }
    // An emit may hold the last reference to its connection: let it go outside the lock.
    work.clear();

    lock.lock();
    for (auto& [c, emit] : idle) {
      if (c->done) {
        lock.unlock();
        emit({}, true);
        lock.lock();
      } else {
        c->pending = std::move(emit);
      }
    }
  }
  // Stopping: end every stream that waits; the others end when they next ask.
  std::vector<http::Stream::Emit> ending;
  for (auto& [id, c] : clients) {
    if (c->pending) ending.push_back(std::move(c->pending));
    c->pending = nullptr;
  }
  lock.unlock();
  for (auto& emit : ending) emit({}, true);
}

LiveFeed::LiveFeed(EventStore& store, LiveFeedOptions options)
    : core_(std::make_shared<Core>(store, options)) {}

LiveFeed::~LiveFeed() { Stop(); }

Status LiveFeed::Start() {
  const std::uint64_t head = core_->store.Head().position;
  Result<std::unique_ptr<Subscription>> sub = core_->store.Subscribe(head);
  if (!sub.ok()) return sub.status();
  core_->subscription = std::move(*sub);
  core_->head = head;
  core_->following = true;
  core_->follower = std::thread([core = core_.get()] { core->Follow(); });
  core_->dispatcher = std::thread([core = core_.get()] { core->Dispatch(); });
  return Status::Ok();
}

void LiveFeed::Stop() {
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopping) return;
    core_->stopping = true;
  }
  core_->wake.notify_all();
  {
    std::lock_guard lock(core_->sub_mu);
    if (core_->subscription) core_->subscription->Cancel();
  }
  if (core_->follower.joinable()) core_->follower.join();
  if (core_->dispatcher.joinable()) core_->dispatcher.join();
  core_->subscription.reset();  // before the store goes
}

std::shared_ptr<http::Stream> LiveFeed::Open(std::uint64_t after, Filter filter, Format format) {
  auto c = std::make_shared<Client>();
  c->cursor = after;
  c->filter = std::move(filter);
  c->format = std::move(format);
  c->last_sent = SteadyClock::now();
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopping || core_->clients.size() >= core_->options.max_streams) return nullptr;
    c->id = core_->next_id++;
    core_->clients.emplace(c->id, c);
  }
  auto stream = std::make_shared<http::Stream>();
  stream->next = [core = core_, c](http::Stream::Emit emit) { core->Next(c, std::move(emit)); };
  stream->cancel = [core = core_, c] { core->Cancel(c); };
  return stream;
}

std::size_t LiveFeed::open_streams() const {
  std::lock_guard lock(core_->mu);
  return core_->clients.size();
}

std::uint64_t LiveFeed::events_sent() const { return core_->sent.load(); }

bool LiveFeed::following() const { return core_->following.load(); }

std::uint64_t LiveFeed::follower_restarts() const { return core_->restarts.load(); }

}  // namespace pathways::api
