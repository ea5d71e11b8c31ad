#pragma once
// DeliveryLedger: what the notification adapters keep in the store between attempts, as
// adapter rows of the Outbox port (engine/ports/outbox.hpp; on RocksDB, the `deliveries`
// column family beside the log).
//
// Each adapter (one per channel) reads the outbox from its own checkpoint and turns each
// notification request into a delivery. A delivery waits in a due-time queue until it is
// sent; delivered, it leaves (the pathway's NotificationDelivered event is its record); after
// its last failed attempt it becomes a dead letter, which an administrator can inspect and
// replay. Endpoint health (failing since, disabled) is kept here too.
//
// Keys (docs/formats/event_log.md, "Deliveries"):
//   'c' adapter                       -> BE64 checkpoint (outbox position)
//   'd' BE64 id                       -> format byte, JSON of the Delivery
//   'q' channel BE64 due BE64 id      -> ""        (waiting, by due time)
//   'x' BE64 dead_at BE64 id          -> ""        (dead letters, oldest first)
//   'e' endpoint                      -> format byte, JSON of the EndpointHealth
//
// A delivery's id is its notification's log position times four plus the channel's number,
// so it follows from the event: ingesting the same outbox row again writes the same rows.
// Writes are not synced on their own (the Outbox port's adapter rows); the WAL keeps their
// order, and a crash that loses the last ones only makes an adapter read the outbox again
// from an older checkpoint or send a delivery once more (at least once, by design).
//
// Every change goes through the delivery lifecycle's Boost.MSM table (delivery_lifecycle.hpp): a
// change it has no row for (replaying a delivery that is not dead, burying a dead one) is refused.
//
// Thread-safe (RocksDB is). Each delivery is changed by one adapter thread at a time; the
// adapter guarantees that.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/notify/delivery_lifecycle.hpp"
#include "engine/clock.hpp"
#include "engine/event.hpp"
#include "engine/ports/outbox.hpp"
#include "engine/result.hpp"

namespace pathways::notify {

// Who the notification adapters act as in the history (outcomes, endpoint changes).
inline const Actor kNotifier{"system", "notifier"};

// kNone: a party with no channel configured; its deliveries wait (as dead letters) for one.
enum class Channel : std::uint8_t { kNone = 0, kWebhook = 1, kEmail = 2, kInbox = 3 };
std::string_view ChannelName(Channel c);
std::optional<Channel> ChannelNamed(std::string_view name);

struct Delivery {
  std::uint64_t id = 0;  // DeliveryId(position, channel)
  Channel channel = Channel::kWebhook;
  bool dead = false;
  std::uint32_t attempts = 0;  // failed attempts since it was created or last replayed
  std::uint32_t replays = 0;
  TimestampMs created_at = 0;
  TimestampMs next_at = 0;  // when it is due (waiting deliveries)
  TimestampMs dead_at = 0;  // dead letters
  std::string last_error;
  std::string endpoint;         // where it goes: the party's endpoint name
  nlohmann::json notification;  // the outbox row: request, pathway facts, position

  std::uint64_t position() const { return id / 4; }
  // Where it stands in the delivery lifecycle (delivery_lifecycle.hpp): pending before
  // its first attempt, waiting to retry after a failed one, or a dead letter. Sending is the
  // adapter's, in memory.
  DeliveryStatus status() const;
  nlohmann::json ToJson() const;
  static Result<Delivery> FromJson(const nlohmann::json& j);
};

inline std::uint64_t DeliveryId(std::uint64_t position, Channel c) {
  return position * 4 + static_cast<std::uint64_t>(c);
}

struct EndpointHealth {
  std::string name;
  TimestampMs failing_since = 0;  // first failure since the last success; 0: healthy
  TimestampMs last_delivered_at = 0;
  TimestampMs disabled_at = 0;  // 0: enabled
  std::string disabled_reason;
  nlohmann::json ToJson() const;
};

// A page of dead letters, oldest first; `next` continues after the last one (empty: done).
struct DeadLetterPage {
  std::vector<Delivery> letters;
  std::string next;
};

class DeliveryLedger {
 public:
  // `outbox` must outlive the ledger.
  explicit DeliveryLedger(Outbox& outbox);

  // Outbox rows (notification requests with their pathway's facts) after `after`, in log
  // order, at most `max`: (position, row).
  Result<std::vector<std::pair<std::uint64_t, nlohmann::json>>> ReadOutbox(std::uint64_t after,
                                                                           std::size_t max) const {
    return outbox_.ReadOutbox(after, max);
  }
  // The outbox port's waits: see Outbox::WaitForCommit, Wake and WakeCount.
  std::uint64_t WaitForCommit(std::uint64_t after, std::chrono::milliseconds timeout,
                              std::uint64_t seen_wakes) const {
    return outbox_.WaitForCommit(after, timeout, seen_wakes);
  }
  void Wake() const { outbox_.Wake(); }
  std::uint64_t WakeCount() const { return outbox_.WakeCount(); }
  std::uint64_t CommittedPosition() const { return outbox_.CommittedPosition(); }

  // The adapter's checkpoint: the outbox position it has turned into deliveries. 0 at first.
  Result<std::uint64_t> Checkpoint(const std::string& adapter) const;
  // Writes `deliveries` (waiting, or dead already) and moves the adapter's checkpoint (none
  // when `adapter` is empty), together.
  Status Enqueue(const std::string& adapter, std::uint64_t checkpoint,
                 const std::vector<Delivery>& deliveries);

  // Waiting deliveries of `channel` due at or before `now`, earliest first, at most `max`.
  Result<std::vector<Delivery>> Due(Channel channel, TimestampMs now, std::size_t max) const;
  // When the earliest delivery of `channel` due after `after` falls due; nullopt if none.
  Result<std::optional<TimestampMs>> NextDueAfter(Channel channel, TimestampMs after) const;
  // How many deliveries of `channel` wait, and how many dead letters there are (a scan).
  Result<std::uint64_t> CountWaiting(Channel channel) const;
  Result<std::uint64_t> CountDead() const;

  // Delivered: the delivery leaves the ledger.
  Status Finish(const Delivery& d);
  // Failed, to be tried again at `next_at`: `d` is updated (attempts, error, due time).
  Status Reschedule(Delivery& d, TimestampMs next_at, std::string error);
  // Failed for the last time: `d` becomes a dead letter.
  Status Bury(Delivery& d, TimestampMs at, std::string error);

  Result<std::optional<Delivery>> Get(std::uint64_t id) const;
  // Dead letters oldest first, at most `max`, after the cursor `after` (a page's `next`).
  Result<DeadLetterPage> DeadLetters(const std::string& after, std::size_t max) const;
  // A dead letter is waiting again, due `now`, with its attempts counted afresh. NotFound for
  // an unknown id, FailedPrecondition for a delivery that is not dead.
  Result<Delivery> Revive(std::uint64_t id, TimestampMs now);

  Result<std::optional<EndpointHealth>> Endpoint(const std::string& name) const;
  Result<std::vector<EndpointHealth>> Endpoints() const;
  Status PutEndpoint(const EndpointHealth& h);

  // Drops outbox rows at or before `position` (every adapter is past them).
  Status PruneOutbox(std::uint64_t position) { return outbox_.PruneOutbox(position); }

 private:
  // Takes a waiting `d` out of the queue and writes it as `next`, indexed under `index_key`
  // (its new queue row, or its dead-letter row); `d` becomes `next`.
  Status Move(Delivery& d, Delivery next, const std::string& index_key, const char* doing);
  // Counts the rows under `prefix` (a scan).
  Result<std::uint64_t> Count(const std::string& prefix) const;

  Outbox& outbox_;
  // Makes Revive's check and write one step: two replays of one dead letter revive it once.
  std::mutex revive_mu_;
};

}  // namespace pathways::notify
