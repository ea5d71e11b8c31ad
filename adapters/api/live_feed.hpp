#pragma once
// LiveFeed: the log as Server-Sent Events for many clients at once, from one subscription.
//
// Each client has a cursor (the last position it was sent; a reconnecting client gives it
// back as Last-Event-ID) and a filter (what it may see). One follower thread reads the log
// live and keeps the newest events in a window; one dispatcher thread serves every client
// that is waiting for more: from the window when its cursor is in it, from the store
// otherwise, a page per client per round so a client catching up on a long log does not hold
// up the others. A client whose connection is slow is simply not waiting, so it costs
// nothing but its cursor until it asks again. Idle clients get a comment line every
// heartbeat, which keeps proxies from closing the connection and finds clients that left.
//
// Thread-safe. The streams it hands out stay valid after the feed is gone (they end).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "adapters/http/http_message.hpp"
#include "engine/event_store.hpp"

namespace pathways::api {

struct LiveFeedOptions {
  std::size_t max_streams = 256;
  std::chrono::milliseconds heartbeat{15'000};
  std::size_t window_events = 4096;  // newest events kept in memory for clients at the head
  std::size_t page_events = 256;     // read per client per round when catching up
  int retry_ms = 3000;               // the reconnection delay the client is told
};

class LiveFeed {
 public:
  // Whether a client may see an event. Called on the dispatcher thread, for one client at a
  // time; it may keep its own cache.
  using Filter = std::function<bool(const RecordedEvent&)>;
  // The `data:` line's JSON for an event (one line, no newline).
  using Format = std::function<std::string(const RecordedEvent&)>;

  // `store` must outlive the feed.
  LiveFeed(EventStore& store, LiveFeedOptions options = {});
  ~LiveFeed();  // Stop()
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // Starts following the log at its head. Errors: those of EventStore::Subscribe.
  Status Start();
  // Ends every stream (each gets its last chunk) and joins the threads. Idempotent.
  void Stop();

  // A stream of the events after `after` that pass `filter`; nullptr when max_streams are
  // open.
  std::shared_ptr<http::Stream> Open(std::uint64_t after, Filter filter, Format format);

  std::size_t open_streams() const;
  std::uint64_t events_sent() const;
  // Whether the follower reads the log live. After a failed read it follows again from the
  // last position it saw, after a pause that grows while reads keep failing (100 ms to 30 s);
  // meanwhile clients catch up from the store and miss nothing.
  bool following() const;
  std::uint64_t follower_restarts() const;

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace pathways::api
